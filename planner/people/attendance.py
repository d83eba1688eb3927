"""Attendance: recording who came to a session (typed, imported or checked in), correcting
and removing rows, and counting reach."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.accounts.models import User
from planner.audit.services import actor_id, diff, record, record_many
from planner.enums import PriorityGroup, SessionStatus
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.identity import AttendeeInput, match_people
from planner.people.limits import check_room
from planner.people.models import (
    Attendance,
    AttendanceSource,
    Interest,
    Person,
)
from planner.people.signals import (
    attendance_recorded,
    attendance_removed,
)
from planner.people.snapshots import attendance_snapshot, person_snapshot
from planner.places.models import Commune, Village
from planner.sessions.models import OutreachSession
from planner.timezones import local_day_bounds, now_utc, to_local, today_local


def closed_reason(session: OutreachSession) -> str | None:
    """Why attendance cannot be recorded for `session` now (cancelled, not happened yet), or
    None; for pages that say so before the officer types or uploads anything."""
    try:
        check_session_open(session)
    except PlannerError as error:
        return error.message
    return None


def check_session_open(session: OutreachSession) -> None:
    """Attendance is recorded for sessions that happened (or happen today), not cancelled ones."""
    if session.status == SessionStatus.CANCELLED:
        raise PlannerError(
            _("This session was cancelled; attendance cannot be recorded for it."),
            code="cancelled",
        )
    if to_local(session.starts_at).date() > today_local():
        raise PlannerError(
            _("This session has not happened yet; record attendance on or after its day."),
            code="future",
        )


def _apply_row(person: Person, row: AttendeeInput, commune_id: int | None) -> None:
    """Write what the sheet says onto the person; blanks on the sheet keep what we knew."""
    # A known person keeps their name as first written ("LO VAN PAO" must not replace "Lò Văn Páo").
    if not person.full_name:
        person.full_name = row.full_name
    for name in ("birth_year", "gender", "has_health_insurance"):
        value = getattr(row, name)
        if value is not None:
            setattr(person, name, value)
    for name in ("ethnicity", "occupation", "phone", "cccd"):
        value = getattr(row, name)
        if value:
            setattr(person, name, value)
    if row.village_id:
        person.village_id = row.village_id
        person.commune_id = commune_id
    elif person.commune_id is None:
        person.commune_id = commune_id
    if row.priority_group != PriorityGroup.OTHER or person.priority_group is None:
        person.priority_group = row.priority_group
    # Consent is whatever the person said last; withdrawing it is honoured at once.
    if person.consent_contact != row.consent_contact or person.consent_recorded_at is None:
        person.consent_contact = row.consent_contact
        person.consent_recorded_at = now_utc()


def record_attendances(
    session: OutreachSession,
    rows: list[AttendeeInput],
    user: User | None,
    source: AttendanceSource = AttendanceSource.SHEET,
) -> list[Attendance]:
    """Record clean rows at a session in the current transaction; refuse people already listed."""
    check_session_open(session)
    check_room(session.id, len(rows))
    office_id = session.office_id
    matches = match_people(office_id, rows)
    matched_ids = [p.id for p in matches if p is not None]
    already = (
        set(
            db.session.scalars(
                sa.select(Attendance.person_id).where(
                    Attendance.session_id == session.id, Attendance.person_id.in_(matched_ids)
                )
            )
        )
        if matched_ids
        else set()
    )
    village_communes = dict(
        db.session.execute(
            sa.select(Village.id, Village.commune_id)
            .join(Commune)
            .where(Commune.office_id == office_id)
        ).all()
    )
    user_id = user.id if user else None
    attendances, seen = [], set()
    for row, person in zip(rows, matches, strict=True):
        if row.village_id and row.village_id not in village_communes:
            raise PlannerError(_("Choose a village of your office."), field="village_id")
        commune_id = village_communes[row.village_id] if row.village_id else session.commune_id
        if person is not None:
            if person.id in already or person.id in seen:
                raise PlannerError(
                    _(
                        "%(name)s is already on this session's list.",
                        name=person.full_name,
                    ),
                    code="already_listed",
                    field="full_name",
                )
            before = person_snapshot(person)
            _apply_row(person, row, commune_id)
            changes = diff(before, person_snapshot(person))
            if changes:
                record(office_id, "person", person.id, "update", changes, user_id)
            seen.add(person.id)
        else:
            person = Person(office_id=office_id, confirmed=True)
            _apply_row(person, row, commune_id)
            db.session.add(person)
        attendance = Attendance(
            office_id=office_id,
            session_id=session.id,
            person=person,
            interested_voluntary_si=row.interest.voluntary_si,
            interested_household_hi=row.interest.household_hi,
            registered_on_spot=row.registered_on_spot,
            source=source,
            confirmed=True,
            notes=row.notes,
            recorded_by_id=user_id,
        )
        db.session.add(attendance)
        attendances.append(attendance)
    db.session.flush()
    trail = []
    for attendance in attendances:
        person = attendance.person
        if person.id not in matched_ids:
            trail.append(_entry(office_id, "person", person.id, person_snapshot(person), user_id))
        trail.append(
            _entry(office_id, "attendance", attendance.id, attendance_snapshot(attendance), user_id)
        )
    # One multi-row insert: a 1,000-row sheet makes 2,000 entries.
    record_many(trail)
    for attendance in attendances:
        attendance_recorded.send(attendance, user=user)
    return attendances


def _entry(office_id: int, entity: str, ident: int, changes: dict, user_id: int | None) -> dict:
    return {
        "office_id": office_id,
        "entity": entity,
        "entity_id": ident,
        "action": "create",
        "changes": changes,
        "user_id": user_id,
    }


def record_attendance(
    session: OutreachSession, row: AttendeeInput, user: User | None
) -> Attendance:
    """Record one attendee typed from the paper sheet."""
    return record_attendances(session, [row], user)[0]


def update_attendance(
    attendance: Attendance,
    interest: Interest,
    registered_on_spot: bool,
    notes: str,
    user: User | None,
) -> None:
    """Change what was noted about one person at one session."""
    before = attendance_snapshot(attendance)
    interest_before = attendance.interest
    attendance.interested_voluntary_si = interest.voluntary_si
    attendance.interested_household_hi = interest.household_hi
    attendance.registered_on_spot = registered_on_spot
    attendance.notes = notes.strip()[:500]
    changes = diff(before, attendance_snapshot(attendance))
    if changes:
        record(attendance.office_id, "attendance", attendance.id, "update", changes, actor_id(user))
    if attendance.confirmed and attendance.interest != interest_before:
        attendance_recorded.send(attendance, user=user)


def remove_attendance(attendance: Attendance, user: User | None) -> None:
    """Take a row off a session's list (typed by mistake); the person stays."""
    record(
        attendance.office_id,
        "attendance",
        attendance.id,
        "delete",
        attendance_snapshot(attendance),
        actor_id(user),
    )
    attendance_removed.send(attendance, user=user)
    db.session.delete(attendance)


def person_attendances(person: Person) -> Sequence[Attendance]:
    return db.session.scalars(
        sa.select(Attendance)
        .join(OutreachSession)
        .where(Attendance.person_id == person.id)
        .options(
            # Each session's venue and commune joined in: one query, not three.
            sa.orm.contains_eager(Attendance.session).joinedload(OutreachSession.venue),
            sa.orm.contains_eager(Attendance.session).joinedload(OutreachSession.commune),
        )
        .order_by(OutreachSession.starts_at.desc())
    ).all()


@dataclass
class SessionCounts:
    attended: int
    interested: int
    registered: int
    consenting: int
    unconfirmed: int

    @classmethod
    def of(cls, attendances: Sequence[Attendance]) -> SessionCounts:
        """The counts of a session's attendances already loaded with their people (the
        session page has them all): the same figures as `session_counts`, without a query."""
        confirmed = [a for a in attendances if a.confirmed]
        return cls(
            attended=len(confirmed),
            interested=sum(a.interested for a in confirmed),
            registered=sum(a.registered_on_spot for a in confirmed),
            consenting=sum(a.person.consent_contact for a in confirmed),
            unconfirmed=len(attendances) - len(confirmed),
        )


def session_counts(session_id: int) -> SessionCounts:
    """Counts for one session's list; each row is a distinct person at that session."""
    confirmed = Attendance.confirmed.is_(True)
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(confirmed),
            sa.func.count().filter(
                confirmed,
                sa.or_(Attendance.interested_voluntary_si, Attendance.interested_household_hi),
            ),
            sa.func.count().filter(confirmed, Attendance.registered_on_spot),
            sa.func.count().filter(confirmed, Person.consent_contact),
            sa.func.count().filter(Attendance.confirmed.is_(False)),
        )
        .select_from(Attendance)
        .join(Person)
        .where(Attendance.session_id == session_id)
    ).one()
    return SessionCounts(*row)


@dataclass(frozen=True)
class Reach:
    """An office's reach: distinct people at its sessions, attendance rows, people since a day."""

    people: int
    attendances: int
    people_since: int


def people_reach(office_id: int, since: date) -> Reach:
    """The reach shown above the people list, in one statement: the all-time figures read only
    the (office_id, confirmed, person_id) index, the figure since `since` only that period's
    sessions."""
    from planner.timezones import local_day_bounds

    start, _end = local_day_bounds(since, since)
    confirmed = sa.and_(Attendance.office_id == office_id, Attendance.confirmed)
    all_time = (
        sa.select(
            sa.func.count(sa.distinct(Attendance.person_id)).label("people"),
            sa.func.count().label("rows"),
        )
        .where(confirmed)
        .subquery()
    )
    recent = (
        sa.select(sa.func.count(sa.distinct(Attendance.person_id)))
        .join(OutreachSession, Attendance.session_id == OutreachSession.id)
        .where(
            confirmed,
            OutreachSession.office_id == office_id,
            OutreachSession.starts_at >= start,
        )
        .scalar_subquery()
    )
    people, rows, people_since = db.session.execute(
        sa.select(all_time.c.people, all_time.c.rows, recent).select_from(all_time)
    ).one()
    return Reach(people, rows, people_since)


def office_reach(office_id: int, since: date | None = None) -> tuple[int, int]:
    """(distinct people reached, attendance rows) for an office, counting confirmed rows."""
    query = sa.select(sa.func.count(sa.distinct(Attendance.person_id)), sa.func.count()).where(
        Attendance.office_id == office_id, Attendance.confirmed
    )
    if since is not None:
        start, _end = local_day_bounds(since, since)
        query = query.join(OutreachSession).where(OutreachSession.starts_at >= start)
    people, rows = db.session.execute(query).one()
    return people, rows
