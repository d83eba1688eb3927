"""Planning and revising sessions: the operations that check a draft once, find clashes, save, and
announce that printed matter changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.accounts.models import User
from planner.errors import PlannerError
from planner.extensions import db
from planner.sessions.clashes import Clash, find_clashes
from planner.sessions.drafts import (
    Recurrence,
    SessionDraft,
    complete_draft,
    occurrence_dates,
    validate_draft,
)
from planner.sessions.models import (
    OutreachSession,
    RepeatRule,
    SessionSeries,
)
from planner.signals import printed_matter_changed


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
