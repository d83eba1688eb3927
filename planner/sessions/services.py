"""The rules of planning: recurrence, clashes, and saving sessions without losing anyone's edits."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from planner.accounts.models import User
from planner.calendars.blocked_days import blocked_day_names
from planner.enums import Language, SessionKind, SessionStatus, TargetGroup, Topic, VenueKind
from planner.errors import PlannerError
from planner.extensions import db
from planner.places.models import Commune, Partner, Venue, Village
from planner.places.services import market_held_on
from planner.scope import Scope
from planner.sessions.days import holiday_name
from planner.sessions.models import (
    OutreachSession,
    RepeatRule,
    SessionSeries,
    session_facilitator,
)
from planner.signals import printed_matter_changed
from planner.timezones import local_day_bounds, local_to_utc


@dataclass
class SessionDraft:
    """What the planning form says about a session, before it is saved."""

    kind: SessionKind
    topic: Topic
    day: date
    start: time
    end: time
    commune_id: int
    lead_officer_id: int
    title: str = ""
    venue_id: int | None = None
    village_id: int | None = None
    facilitator_ids: list[int] = field(default_factory=list)
    partner_id: int | None = None
    target_group: TargetGroup = TargetGroup.GENERAL
    language: Language = Language.VIETNAMESE
    interpreter_needed: bool = False
    expected_attendance: int = 20
    notes: str = ""

    def bounds(self, day: date | None = None) -> tuple[datetime, datetime]:
        """UTC start and end of the session on `day` (default: its own day)."""
        day = day or self.day
        return local_to_utc(day, self.start), local_to_utc(day, self.end)

    @property
    def officer_ids(self) -> set[int]:
        return {self.lead_officer_id, *self.facilitator_ids}


@dataclass(frozen=True)
class Recurrence:
    """Every week on `weekdays`, or every `interval_days` days; ends at `until` or after `count`."""

    rule: RepeatRule
    weekdays: frozenset[int] = frozenset()
    interval_days: int | None = None
    until: date | None = None
    count: int | None = None


class ClashKind(StrEnum):
    """Why a draft deserves a second look."""

    OFFICER = "officer"  # the same officer is elsewhere at that time
    VENUE = "venue"  # the venue is booked at that time
    MARKET_DAY = "market_day"  # the market is not held that day
    BLOCKED_DAY = "blocked_day"  # the office blocked the day
    HOLIDAY = "holiday"  # a public holiday
    VENUE_KIND = "venue_kind"  # a market session away from a market, a home visit not at home


@dataclass
class Clash:
    """A reason to think twice before saving; shown as a warning, never silently ignored."""

    kind: ClashKind
    day: date
    message: str
    other: OutreachSession | None = None


class EditConflict(PlannerError):
    """Someone saved the session after this form was opened."""

    def __init__(self, changes: list[tuple[str, str, str]], current_version: int):
        super().__init__(
            _(
                "Someone else changed this session after you opened it. Check their changes "
                "below; save again to keep yours."
            ),
            code="edit_conflict",
        )
        self.changes = changes
        self.current_version = current_version


# A market session belongs at a market, a home visit in a household.
VENUE_KIND_FOR = {SessionKind.MARKET: VenueKind.MARKET, SessionKind.HOME_VISIT: VenueKind.HOUSEHOLD}

# Changes an attendee would notice; each raises the iCalendar SEQUENCE.
ATTENDEE_FIELDS = {
    "starts_at",
    "ends_at",
    "venue_id",
    "commune_id",
    "village_id",
    "status",
    "kind",
    "topic",
    "title",
}


def occurrence_dates(first_day: date, recurrence: Recurrence) -> list[date]:
    """The dates a recurring session falls on; refuses a series with no end or too many dates."""
    limit = current_app.config["MAX_SERIES_OCCURRENCES"]
    max_days = current_app.config["MAX_SERIES_DAYS"]
    if recurrence.until is None and recurrence.count is None:
        raise PlannerError(
            _("A recurring session needs an end: a last date or a number of sessions."),
            field="until",
        )
    if recurrence.until is not None and recurrence.until < first_day:
        raise PlannerError(_("The last date is before the first session."), field="until")
    if recurrence.count is not None and not 1 <= recurrence.count <= limit:
        raise PlannerError(_("A series has between 1 and %(n)s sessions.", n=limit), field="count")
    last = first_day + timedelta(days=max_days)
    if recurrence.until is not None and recurrence.until > last:
        raise PlannerError(
            _("A series can run for at most %(n)s days; plan the next one later.", n=max_days),
            field="until",
        )
    until = min(recurrence.until or last, last)
    wanted = recurrence.count or limit + 1

    if recurrence.rule == RepeatRule.WEEKLY:
        weekdays = recurrence.weekdays or frozenset({first_day.weekday()})
        step = 1
        matches = lambda d: d.weekday() in weekdays  # noqa: E731
    elif recurrence.rule == RepeatRule.INTERVAL:
        if not recurrence.interval_days or not 1 <= recurrence.interval_days <= 60:
            raise PlannerError(_("Repeat every 1 to 60 days."), field="interval_days")
        step = recurrence.interval_days
        matches = lambda d: True  # noqa: E731
    else:
        raise PlannerError(_("Choose how the session repeats."), field="repeat")

    days: list[date] = []
    day = first_day
    while day <= until and len(days) < wanted:
        if matches(day):
            days.append(day)
        day += timedelta(days=step)
    if len(days) > limit:
        raise PlannerError(
            _("A series has at most %(n)s sessions; choose an earlier last date.", n=limit),
            field="until",
        )
    if not days:
        raise PlannerError(_("No date matches this repeat rule."), field="weekdays")
    return days


def complete_draft(office_id: int, draft: SessionDraft) -> SessionDraft:
    """A venue fills in its own commune and village when the draft leaves them blank."""
    venue = db.session.get(Venue, draft.venue_id) if draft.venue_id else None
    if venue is not None and venue.office_id != office_id:
        raise PlannerError(_("Choose a venue of your office."), field="venue_id")
    commune_id = draft.commune_id or (venue.commune_id if venue else None)
    if not commune_id:
        raise PlannerError(_("Choose a commune or a venue."), field="commune_id")
    village_id = draft.village_id or (
        venue.village_id if venue and venue.commune_id == commune_id else None
    )
    return replace(
        draft,
        venue_id=venue.id if venue else None,
        commune_id=commune_id,
        village_id=village_id or None,
    )


def validate_draft(office_id: int, draft: SessionDraft) -> None:
    """Everything a draft points to must exist in the same office and fit together."""
    if draft.end <= draft.start:
        raise PlannerError(_("The session must end after it starts."), field="end")
    if not 1 <= draft.expected_attendance <= 2000:
        raise PlannerError(
            _("Expected attendance is between 1 and 2,000 people."), field="expected_attendance"
        )
    commune = db.session.get(Commune, draft.commune_id)
    if commune is None or commune.office_id != office_id:
        raise PlannerError(_("Choose a commune of your office."), field="commune_id")
    if draft.village_id is not None:
        village = db.session.get(Village, draft.village_id)
        if village is None or village.commune_id != commune.id:
            raise PlannerError(_("The village is not in the chosen commune."), field="village_id")
    if draft.venue_id is not None:
        venue = db.session.get(Venue, draft.venue_id)
        if venue is None or venue.office_id != office_id:
            raise PlannerError(_("Choose a venue of your office."), field="venue_id")
        if venue.commune_id != commune.id:
            raise PlannerError(
                _("The venue %(venue)s is in another commune.", venue=venue.name),
                field="venue_id",
            )
    if draft.partner_id is not None:
        partner = db.session.get(Partner, draft.partner_id)
        if partner is None or partner.office_id != office_id:
            raise PlannerError(
                _("Choose a partner organisation of your office."), field="partner_id"
            )
    officers = db.session.scalars(sa.select(User).where(User.id.in_(draft.officer_ids))).all()
    if len(officers) != len(draft.officer_ids) or any(
        u.office_id != office_id or not u.active for u in officers
    ):
        raise PlannerError(_("Choose officers of your office."), field="lead_officer_id")


def find_clashes(
    office_id: int,
    draft: SessionDraft,
    days: list[date] | None = None,
    exclude_ids: set[int] | frozenset[int] = frozenset(),
) -> list[Clash]:
    """Overlaps with the same officer or venue, markets not held that day, public holidays."""
    days = days or [draft.day]
    windows = {day: draft.bounds(day) for day in days}
    first_start = min(s for s, _e in windows.values())
    last_end = max(e for _s, e in windows.values())
    others = db.session.scalars(
        sa.select(OutreachSession)
        .where(
            OutreachSession.office_id == office_id,
            OutreachSession.starts_at < last_end,
            OutreachSession.ends_at > first_start,
            OutreachSession.status != SessionStatus.CANCELLED,
            OutreachSession.id.not_in(exclude_ids) if exclude_ids else sa.true(),
        )
        .options(
            selectinload(OutreachSession.facilitators),
            selectinload(OutreachSession.lead_officer),
            selectinload(OutreachSession.venue),
        )
        .order_by(OutreachSession.starts_at)
    ).all()
    venue = db.session.get(Venue, draft.venue_id) if draft.venue_id else None
    officers = {
        u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(draft.officer_ids)))
    }

    blocked = blocked_day_names(office_id, windows)
    clashes: list[Clash] = []
    for day, (start, end) in windows.items():
        for other in others:
            if not (other.starts_at < end and other.ends_at > start):
                continue
            busy = draft.officer_ids & {o.id for o in other.officers}
            when = (
                f"{format_time(other.local_start, 'HH:mm')}–{format_time(other.local_end, 'HH:mm')}"
            )
            for officer_id in sorted(busy):
                clashes.append(
                    Clash(
                        ClashKind.OFFICER,
                        day,
                        _(
                            "%(officer)s already has “%(other)s” on %(day)s, %(when)s.",
                            officer=officers[officer_id].full_name,
                            other=other.label_with_place,
                            day=format_date(day, "EEEE dd/MM"),
                            when=when,
                        ),
                        other,
                    )
                )
            if venue is not None and other.venue_id == venue.id:
                clashes.append(
                    Clash(
                        ClashKind.VENUE,
                        day,
                        _(
                            "%(venue)s is already booked for “%(other)s” on %(day)s, %(when)s.",
                            venue=venue.name,
                            other=other.label_with_place,
                            day=format_date(day, "EEEE dd/MM"),
                            when=when,
                        ),
                        other,
                    )
                )
        if (
            venue is not None
            and venue.is_market
            and draft.kind == SessionKind.MARKET
            and not market_held_on(venue, day)
        ):
            clashes.append(
                Clash(
                    ClashKind.MARKET_DAY,
                    day,
                    _(
                        "%(venue)s is not held on %(day)s.",
                        venue=venue.name,
                        day=format_date(day, "EEEE dd/MM/yyyy"),
                    ),
                )
            )
        if day in blocked:
            clashes.append(
                Clash(
                    ClashKind.BLOCKED_DAY,
                    day,
                    _(
                        "%(day)s is blocked in your office's calendar: %(name)s.",
                        day=format_date(day, "EEEE dd/MM/yyyy"),
                        name=blocked[day],
                    ),
                )
            )
        holiday = holiday_name(day, str(get_locale()))
        if holiday:
            clashes.append(
                Clash(
                    ClashKind.HOLIDAY,
                    day,
                    _(
                        "%(day)s is a public holiday: %(holiday)s.",
                        day=format_date(day, "EEEE dd/MM/yyyy"),
                        holiday=holiday,
                    ),
                )
            )
    expected_kind = VENUE_KIND_FOR.get(SessionKind(draft.kind))
    if venue is not None and expected_kind is not None and venue.kind != expected_kind:
        clashes.append(
            Clash(
                ClashKind.VENUE_KIND,
                days[0],
                _(
                    "%(venue)s is not a place of the kind “%(expected)s”; check the kind of "
                    "session or the venue.",
                    venue=venue.name,
                    expected=expected_kind.label,
                ),
            )
        )
    return clashes


def _apply(session: OutreachSession, draft: SessionDraft, day: date) -> set[str]:
    """Copy a draft onto a session; returns the names of the fields that changed."""
    starts_at, ends_at = draft.bounds(day)
    values = {
        "kind": draft.kind,
        "topic": draft.topic,
        "title": draft.title.strip(),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "venue_id": draft.venue_id,
        "commune_id": draft.commune_id,
        "village_id": draft.village_id,
        "lead_officer_id": draft.lead_officer_id,
        "partner_id": draft.partner_id,
        "target_group": draft.target_group,
        "language": draft.language,
        "interpreter_needed": draft.interpreter_needed,
        "expected_attendance": draft.expected_attendance,
        "notes": draft.notes.strip(),
    }
    changed = {name for name, value in values.items() if getattr(session, name) != value}
    for name in changed:
        setattr(session, name, values[name])
    facilitator_ids = set(draft.facilitator_ids) - {draft.lead_officer_id}
    if {u.id for u in session.facilitators} != facilitator_ids:
        session.facilitators = list(
            db.session.scalars(sa.select(User).where(User.id.in_(facilitator_ids)))
        )
        changed.add("facilitators")
    if session.id is not None and changed & ATTENDEE_FIELDS:
        session.sequence += 1
    return changed


def create_sessions(
    office_id: int,
    draft: SessionDraft,
    created_by: User,
    recurrence: Recurrence | None = None,
) -> list[OutreachSession]:
    """Plan one session, or every occurrence of a series, without looking for clashes; the
    caller commits (demo data and tests use it; people plan through `plan_sessions`)."""
    draft = complete_draft(office_id, draft)
    validate_draft(office_id, draft)
    days = occurrence_dates(draft.day, recurrence) if recurrence else [draft.day]
    return _save_new(office_id, draft, created_by, recurrence, days)


def _save_new(
    office_id: int,
    draft: SessionDraft,
    created_by: User,
    recurrence: Recurrence | None,
    days: list[date],
) -> list[OutreachSession]:
    """Add the sessions of a checked draft on `days` (and their series, if any)."""
    series = None
    if recurrence is not None:
        start_dt = datetime.combine(draft.day, draft.start)
        series = SessionSeries(
            office_id=office_id,
            rule=RepeatRule(recurrence.rule),
            weekdays="".join(str(d) for d in sorted(recurrence.weekdays)),
            interval_days=recurrence.interval_days,
            first_day=draft.day,
            until=recurrence.until,
            count=recurrence.count,
            start_time=draft.start,
            duration_minutes=int(
                (datetime.combine(draft.day, draft.end) - start_dt).total_seconds() // 60
            ),
        )
        db.session.add(series)
    sessions = []
    for day in days:
        session = OutreachSession(
            office_id=office_id,
            series=series,
            created_by=created_by,
            occurrence_date=day if series else None,
        )
        db.session.add(session)
        _apply(session, draft, day)
        sessions.append(session)
    db.session.flush()
    return sessions


@dataclass(frozen=True)
class Planning:
    """What became of a plan or a revision: the sessions saved (none when clashes held it back,
    `count` of them changed) and the clashes found."""

    sessions: tuple[OutreachSession, ...] = ()
    clashes: tuple[Clash, ...] = ()
    count: int = 0

    @property
    def saved(self) -> bool:
        return bool(self.sessions)


def _announce(office_id: int, user_id: int) -> None:
    """Commit, then tell printing the office's printed matter changed (receivers start work
    of their own, so they hear of it only once it is saved)."""
    db.session.commit()
    printed_matter_changed.send(office_id, user_id=user_id)


def plan_sessions(
    office_id: int,
    draft: SessionDraft,
    planned_by: User,
    recurrence: Recurrence | None = None,
    save_anyway: bool = False,
) -> Planning:
    """Plan a session or a series: check the draft once, look for clashes, and unless there are
    some (and the person did not choose to save anyway) save, commit and announce it.

    Raises PlannerError (with the form field at fault) for a draft that cannot be saved.
    """
    draft = complete_draft(office_id, draft)
    validate_draft(office_id, draft)
    days = occurrence_dates(draft.day, recurrence) if recurrence else [draft.day]
    clashes = tuple(find_clashes(office_id, draft, days))
    if clashes and not save_anyway:
        return Planning(clashes=clashes)
    sessions = _save_new(office_id, draft, planned_by, recurrence, days)
    _announce(office_id, planned_by.id)
    return Planning(sessions=tuple(sessions), clashes=clashes, count=len(sessions))


def revise_session(
    session: OutreachSession,
    draft: SessionDraft,
    revised_by: User,
    base_version: int,
    base: dict[str, str] | None = None,
    following: bool = False,
    save_anyway: bool = False,
) -> Planning:
    """Change a session (with `following`, it and every later unchanged occurrence of its
    series): check the draft once, look for clashes, and unless held back by them save, commit
    and announce it.

    Raises EditConflict when someone saved the session since `base_version`, PlannerError for
    a draft that cannot be saved.
    """
    draft = complete_draft(session.office_id, draft)
    validate_draft(session.office_id, draft)
    clashes = tuple(find_clashes(session.office_id, draft, exclude_ids={session.id}))
    if clashes and not save_anyway:
        return Planning(clashes=clashes)
    check_version(session, base_version, base or {})
    if following and session.series_id:
        count = _update_following(session, draft)
    else:
        _update_one(session, draft)
        count = 1
    _announce(session.office_id, revised_by.id)
    return Planning(sessions=(session,), clashes=clashes, count=count)


def snapshot(session: OutreachSession) -> dict[str, str]:
    """The values a person sees on the form, to tell them later what someone else changed."""
    return {
        "day": session.local_day.isoformat(),
        "start": session.local_start.strftime("%H:%M"),
        "end": session.local_end.strftime("%H:%M"),
        "kind": session.kind.value,
        "topic": session.topic.value,
        "title": session.title,
        "venue": session.venue.name if session.venue else "",
        "commune": session.commune.name,
        "village": session.village.name if session.village else "",
        "lead_officer": session.lead_officer.full_name,
        "facilitators": ", ".join(u.full_name for u in session.facilitators),
        "partner": session.partner.name if session.partner else "",
        "target_group": session.target_group.value,
        "language": session.language.value,
        "interpreter_needed": "1" if session.interpreter_needed else "0",
        "expected_attendance": str(session.expected_attendance),
        "notes": session.notes,
        "status": session.status.value,
    }


def check_version(session: OutreachSession, base_version: int, base: dict[str, str]) -> None:
    """Refuse a save made from an outdated form, naming what the other person changed."""
    if session.version == base_version:
        return
    now = snapshot(session)
    changes = [
        (name, base.get(name, ""), value)
        for name, value in now.items()
        if base.get(name) is not None and base.get(name) != value
    ]
    raise EditConflict(changes, session.version)


def update_session(
    session: OutreachSession,
    draft: SessionDraft,
    base_version: int,
    base: dict[str, str] | None = None,
) -> set[str]:
    """Save one session (one occurrence of a series stays changed on its own from then on)."""
    check_version(session, base_version, base or {})
    draft = complete_draft(session.office_id, draft)
    validate_draft(session.office_id, draft)
    return _update_one(session, draft)


def _update_one(session: OutreachSession, draft: SessionDraft) -> set[str]:
    changed = _apply(session, draft, draft.day)
    if changed and session.series_id is not None:
        session.detached = True
    db.session.flush()
    return changed


def update_series(
    session: OutreachSession,
    draft: SessionDraft,
    base_version: int,
    base: dict[str, str] | None = None,
) -> int:
    """Apply a draft's time, place and people to this and every later, unchanged occurrence."""
    check_version(session, base_version, base or {})
    draft = complete_draft(session.office_id, draft)
    validate_draft(session.office_id, draft)
    return _update_following(session, draft)


def _update_following(session: OutreachSession, draft: SessionDraft) -> int:
    series = session.series
    if series is None:
        raise PlannerError(_("This session is not part of a series."))
    from_day = session.occurrence_date or session.local_day
    count = 0
    for occurrence in series.sessions:
        if occurrence.occurrence_date is None or occurrence.occurrence_date < from_day:
            continue
        if occurrence.id != session.id and (occurrence.detached or occurrence.is_cancelled):
            continue
        day = occurrence.occurrence_date
        if occurrence.id == session.id:
            day = draft.day if draft.day != from_day else day
        if _apply(occurrence, draft, day):
            count += 1
    series.start_time = draft.start
    series.duration_minutes = int(
        (
            datetime.combine(draft.day, draft.end) - datetime.combine(draft.day, draft.start)
        ).total_seconds()
        // 60
    )
    series.sequence += 1
    db.session.flush()
    return count


STATUS_NEEDS_REASON = {SessionStatus.CANCELLED, SessionStatus.POSTPONED}


def set_status(session: OutreachSession, status: SessionStatus | str, reason: str = "") -> None:
    """Mark a session held, cancelled or postponed; cancelling and postponing need a reason."""
    status = SessionStatus(status)
    reason = reason.strip()
    if status in STATUS_NEEDS_REASON and not reason:
        raise PlannerError(_("Say why the session is cancelled or postponed."), field="reason")
    if status == SessionStatus.HELD and session.starts_at > datetime.now(session.starts_at.tzinfo):
        raise PlannerError(
            _("A session can only be marked held once it has started."), field="status"
        )
    if session.status != status:
        session.status = status
        session.sequence += 1
        if session.series_id is not None:
            session.detached = True
    session.status_reason = reason if status in STATUS_NEEDS_REASON else ""
    db.session.flush()


def cancel_series(session: OutreachSession, reason: str) -> int:
    """Cancel this occurrence and every later one that is still planned."""
    if session.series is None:
        raise PlannerError(_("This session is not part of a series."))
    if not reason.strip():
        raise PlannerError(_("Say why the session is cancelled or postponed."), field="reason")
    from_day = session.occurrence_date or session.local_day
    count = 0
    for occurrence in session.series.sessions:
        if (
            occurrence.occurrence_date
            and occurrence.occurrence_date >= from_day
            and occurrence.status == SessionStatus.PLANNED
        ):
            occurrence.status = SessionStatus.CANCELLED
            occurrence.status_reason = reason.strip()
            occurrence.sequence += 1
            count += 1
    session.series.sequence += 1
    db.session.flush()
    return count


def in_scope(scope: Scope) -> sa.ColumnElement[bool]:
    """Sessions of the scope's office led or co-facilitated by its officers, or in its commune."""
    condition = OutreachSession.office_id == scope.office_id
    if scope.commune_id is not None:
        condition = sa.and_(condition, OutreachSession.commune_id == scope.commune_id)
    officers = scope.officers_select()
    if officers is not None:
        facilitating = sa.select(session_facilitator.c.session_id).where(
            session_facilitator.c.user_id.in_(officers)
        )
        condition = sa.and_(
            condition,
            sa.or_(
                OutreachSession.lead_officer_id.in_(officers),
                OutreachSession.id.in_(facilitating),
            ),
        )
    return condition


def week_sessions(scope: Scope, monday: date) -> list[OutreachSession]:
    """The sessions of one week (Monday to Sunday, local time) in a scope, in a fixed few
    queries."""
    start, end = local_day_bounds(monday, monday + timedelta(days=6))
    query = sa.select(OutreachSession).where(
        in_scope(scope),
        OutreachSession.starts_at >= start,
        OutreachSession.starts_at < end,
    )
    return db.session.scalars(
        query.options(
            selectinload(OutreachSession.venue),
            selectinload(OutreachSession.commune),
            selectinload(OutreachSession.village),
            selectinload(OutreachSession.lead_officer),
            selectinload(OutreachSession.facilitators),
            selectinload(OutreachSession.partner),
        ).order_by(OutreachSession.starts_at)
    ).all()
