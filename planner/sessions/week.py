"""Which sessions a scope sees: the one SQL condition for a Scope, and the week's sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from planner.extensions import db
from planner.scope import Scope
from planner.sessions.models import (
    OutreachSession,
    session_facilitator,
)
from planner.timezones import local_day_bounds


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


def week_sessions(scope: Scope, monday: date) -> Sequence[OutreachSession]:
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
