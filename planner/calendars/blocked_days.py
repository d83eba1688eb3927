"""An office's blocked days (holidays, local festivals): no session is planned on them without a
warning. Kept free of the sessions package, whose clash check reads them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import sqlalchemy as sa

from planner.calendars.models import BlockedDay
from planner.extensions import db


def blocked_day_names(office_id: int, days: Iterable[date]) -> dict[date, str]:
    """{day: name} for those of `days` the office blocked (for the clash warnings); one query."""
    return dict(
        db.session.execute(
            sa.select(BlockedDay.day, BlockedDay.name).where(
                BlockedDay.office_id == office_id, BlockedDay.day.in_(list(days))
            )
        ).all()
    )


def office_blocked_days(office_id: int, since: date) -> Sequence[BlockedDay]:
    """The office's blocked days from `since` on."""
    return db.session.scalars(
        sa.select(BlockedDay)
        .where(BlockedDay.office_id == office_id, BlockedDay.day >= since)
        .order_by(BlockedDay.day)
    ).all()
