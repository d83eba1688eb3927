"""How many attendees one session holds: the attack run put 4,020 on one session from two
2,000-row files, and its sheet then took 56 s to print. A customer conference is the largest
session (DOMAIN.md: small groups are 10-40 people), so the default is generous yet keeps the
sheet a few seconds' work in a request: PLANNER_PEOPLE_MAX_PER_SESSION overrides it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import ngettext

from planner.errors import PlannerError
from planner.extensions import db
from planner.people.models import Attendance

DEFAULT_MAX_PER_SESSION = 300


def max_per_session() -> int:
    """The configured ceiling of attendees per session."""
    if not has_app_context():
        return DEFAULT_MAX_PER_SESSION
    return int(current_app.config.get("PEOPLE_MAX_PER_SESSION", DEFAULT_MAX_PER_SESSION))


def check_room(session_id: int, adding: int) -> None:
    """Refuse (PlannerError) rows that would take a session past the ceiling; nothing is saved."""
    ceiling = max_per_session()
    recorded = (
        db.session.scalar(
            sa.select(sa.func.count(Attendance.id)).where(Attendance.session_id == session_id)
        )
        or 0
    )
    if recorded + adding > ceiling:
        raise PlannerError(
            ngettext(
                "A session holds at most %(n)s attendees; %(recorded)s are recorded and this "
                "%(num)d would make more. Record the others at another session.",
                "A session holds at most %(n)s attendees; %(recorded)s are recorded and these "
                "%(num)d would make more. Record the others at another session.",
                adding,
                n=ceiling,
                recorded=recorded,
            ),
            code="session_full",
        )
