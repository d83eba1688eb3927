"""A session's status: held, cancelled or postponed (with a reason), one occurrence or the rest of
a series.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from planner.enums import SessionStatus
from planner.errors import PlannerError
from planner.extensions import db
from planner.sessions.models import (
    OutreachSession,
)

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
