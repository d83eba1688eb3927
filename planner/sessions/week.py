"""Which sessions a scope sees: the one SQL condition for a Scope, and the week's sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from planner.enums import SessionStatus
from planner.extensions import db
from planner.scope import Scope
from planner.sessions.models import (
    OutreachSession,
    session_facilitator,
)
from planner.timezones import local_day_bounds


def _office_and_commune(scope: Scope) -> sa.ColumnElement[bool]:
    condition = OutreachSession.office_id == scope.office_id
    if scope.commune_id is not None:
        condition = sa.and_(condition, OutreachSession.commune_id == scope.commune_id)
    return condition


def in_scope(scope: Scope) -> sa.ColumnElement[bool]:
    """Sessions of the scope's office led or co-facilitated by its officers, or in its commune."""
    condition = _office_and_commune(scope)
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


def sessions_in_scope(scope: Scope, *columns) -> sa.Select | sa.CompoundSelect:
    """`columns` of the sessions `in_scope(scope)` selects, as a query that reads only the
    scope's own sessions: for officers, the ones they lead and the ones they co-facilitate
    joined by UNION. In one condition the OR made PostgreSQL expect half the office's sessions
    and read all of them (an officer's calendar feed inside a nation: 10,000 rows for 332).
    A session both led and co-facilitated by the scope's officers comes once."""
    condition = _office_and_commune(scope)
    officers = scope.officers_select()
    if officers is None:
        return sa.select(*columns).where(condition)
    return sa.union(
        sa.select(*columns).where(condition, OutreachSession.lead_officer_id.in_(officers)),
        sa.select(*columns)
        .join(session_facilitator, session_facilitator.c.session_id == OutreachSession.id)
        .where(condition, session_facilitator.c.user_id.in_(officers)),
    )


def week_sessions(scope: Scope, monday: date) -> Sequence[OutreachSession]:
    """The sessions of one week (Monday to Sunday, local time) in a scope, in two queries."""
    start, end = local_day_bounds(monday, monday + timedelta(days=6))
    query = sa.select(OutreachSession).where(
        in_scope(scope),
        OutreachSession.starts_at >= start,
        OutreachSession.starts_at < end,
    )
    return db.session.scalars(
        query.options(
            # One of each per session: joined into the sessions' query (a round trip each
            # otherwise, which counts on PostgreSQL); the co-facilitators, a list, in one more.
            joinedload(OutreachSession.venue),
            joinedload(OutreachSession.commune),
            joinedload(OutreachSession.village),
            joinedload(OutreachSession.lead_officer),
            joinedload(OutreachSession.partner),
            selectinload(OutreachSession.facilitators),
        ).order_by(OutreachSession.starts_at)
    ).all()


def week_clashes(sessions: Sequence[OutreachSession]) -> dict[int, list[OutreachSession]]:
    """For each session shown, the other sessions shown that overlap it in time at the same
    venue or with an officer in common (cancelled ones never clash); no extra queries."""
    live = sorted(
        (s for s in sessions if s.status != SessionStatus.CANCELLED), key=lambda s: s.starts_at
    )
    clashes: dict[int, list[OutreachSession]] = {}
    for i, first in enumerate(live):
        first_officers = {o.id for o in first.officers}
        for second in live[i + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            same_venue = first.venue_id is not None and first.venue_id == second.venue_id
            if same_venue or first_officers & {o.id for o in second.officers}:
                clashes.setdefault(first.id, []).append(second)
                clashes.setdefault(second.id, []).append(first)
    return clashes
