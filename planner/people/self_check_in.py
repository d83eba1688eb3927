"""Self check-in: who may sign in on the public form, what it records, and an officer
confirming or rejecting it (the form itself is people/checkin.py)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.accounts.models import User
from planner.audit.services import actor_id, diff, record
from planner.enums import SessionStatus
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.attendance import update_attendance
from planner.people.identity import AttendeeInput, clean_attendee, match_people
from planner.people.models import (
    Attendance,
    AttendanceSource,
    Interest,
    Person,
    fold_name,
)
from planner.people.signals import (
    attendance_recorded,
)
from planner.people.snapshots import attendance_snapshot, person_snapshot
from planner.places.models import Village
from planner.sessions.models import OutreachSession
from planner.timezones import now_utc, to_local, today_local


def check_in_open(session: OutreachSession, today: date | None = None) -> bool:
    """Self check-in is open on the session's own local day only, and never when cancelled."""
    day = today or today_local()
    return session.status != SessionStatus.CANCELLED and to_local(session.starts_at).date() == day


def self_check_in(
    session: OutreachSession,
    full_name: str,
    phone: str,
    village_id: int | None,
    interest: Interest,
    consent: bool,
) -> Attendance:
    """Add an unconfirmed attendee from the public form; an officer confirms them later."""
    if not check_in_open(session):
        raise PlannerError(_("Check-in for this session is closed."), code="closed")
    row = clean_attendee(AttendeeInput(full_name=full_name, phone=phone))
    if row.errors:
        name, message = next(iter(row.errors.items()))
        raise PlannerError(message, field=name)
    if village_id is not None:
        village = db.session.get(Village, village_id)
        if village is None or village.commune_id != session.commune_id:
            raise PlannerError(_("Choose your village from the list."), field="village_id")
    # Sending the form twice (a slow network) must not list the person twice.
    key = fold_name(row.full_name)
    for attendance in db.session.scalars(
        sa.select(Attendance)
        .join(Person)
        .where(
            Attendance.session_id == session.id,
            Attendance.source == AttendanceSource.SELF_CHECKIN,
            Attendance.confirmed.is_(False),
            Person.name_key == key,
        )
    ):
        if attendance.person.phone == (row.phone or None):
            return attendance
    person = Person(
        office_id=session.office_id,
        full_name=row.full_name,
        phone=row.phone or None,
        village_id=village_id,
        commune_id=session.commune_id,
        consent_contact=consent,
        consent_recorded_at=now_utc(),
        confirmed=False,
    )
    attendance = Attendance(
        office_id=session.office_id,
        session_id=session.id,
        person=person,
        interested_voluntary_si=interest.voluntary_si,
        interested_household_hi=interest.household_hi,
        source=AttendanceSource.SELF_CHECKIN,
        confirmed=False,
    )
    db.session.add_all([person, attendance])
    db.session.flush()
    record(session.office_id, "person", person.id, "self_check_in", person_snapshot(person), None)
    record(
        session.office_id,
        "attendance",
        attendance.id,
        "self_check_in",
        attendance_snapshot(attendance),
        None,
    )
    return attendance


def confirm_check_in(attendance: Attendance, user: User | None) -> Attendance:
    """An officer confirms a self check-in; a known person is recognised instead of duplicated."""
    if attendance.confirmed:
        return attendance
    newcomer = attendance.person
    office_id, uid = attendance.office_id, actor_id(user)
    row = AttendeeInput(full_name=newcomer.full_name, phone=newcomer.phone or "")
    known = match_people(office_id, [row])[0]
    if known is not None and known.id != newcomer.id:
        listed = db.session.scalar(
            sa.select(Attendance).where(
                Attendance.session_id == attendance.session_id, Attendance.person_id == known.id
            )
        )
        before = person_snapshot(known)
        if newcomer.village_id:
            known.village_id, known.commune_id = newcomer.village_id, newcomer.commune_id
        if known.consent_contact != newcomer.consent_contact:
            known.consent_contact = newcomer.consent_contact
            known.consent_recorded_at = newcomer.consent_recorded_at
        changes = diff(before, person_snapshot(known))
        if changes:
            record(office_id, "person", known.id, "update", changes, uid)
        if listed is not None:
            # Already on the list (typed from the sheet too): keep that row, note the interest.
            update_attendance(
                listed,
                Interest.of(
                    listed.interested_voluntary_si or attendance.interested_voluntary_si,
                    listed.interested_household_hi or attendance.interested_household_hi,
                ),
                listed.registered_on_spot,
                listed.notes,
                user,
            )
            reject_check_in(attendance, user, action="merged_into")
            return listed
        attendance.person = known
        record(
            office_id,
            "attendance",
            attendance.id,
            "update",
            {"person_id": [newcomer.id, known.id]},
            uid,
        )
        db.session.flush()
        record(office_id, "person", newcomer.id, "merged_into", {"kept_person_id": known.id}, uid)
        db.session.delete(newcomer)
    else:
        newcomer.confirmed = True
        record(office_id, "person", newcomer.id, "update", {"confirmed": [False, True]}, uid)
    attendance.confirmed = True
    attendance.recorded_by_id = uid
    record(office_id, "attendance", attendance.id, "update", {"confirmed": [False, True]}, uid)
    db.session.flush()
    attendance_recorded.send(attendance, user=user)
    return attendance


def reject_check_in(attendance: Attendance, user: User | None, action: str = "delete") -> None:
    """Remove a self check-in that was a mistake or a prank, with its unconfirmed person."""
    if attendance.confirmed:
        raise PlannerError(_("Only unconfirmed check-ins can be rejected."))
    person = attendance.person
    record(
        attendance.office_id,
        "attendance",
        attendance.id,
        action,
        attendance_snapshot(attendance),
        actor_id(user),
    )
    db.session.delete(attendance)
    db.session.flush()
    if not person.confirmed:
        record(person.office_id, "person", person.id, "delete", {}, actor_id(user))
        db.session.delete(person)
