"""Personal data in photos: kept until confirmation plus the office's number of days."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import ngettext

from planner.errors import PlannerError
from planner.extensions import db
from planner.readback import storage
from planner.readback.models import DEFAULT_KEEP_DAYS, ReadbackSettings, ReadingBatch
from planner.timezones import now_utc

MAX_KEEP_DAYS = 365


def keep_days(office_id: int) -> int:
    settings = db.session.get(ReadbackSettings, office_id)
    return settings.keep_days if settings else DEFAULT_KEEP_DAYS


def save_keep_days(office_id: int, days: int, user_id: int | None) -> None:
    """How many days an office keeps photos and crops after confirming (0 to 365)."""
    if not 0 <= days <= MAX_KEEP_DAYS:
        raise PlannerError(
            ngettext(
                "Keep photos between 0 and %(num)d day.",
                "Keep photos between 0 and %(num)d days.",
                MAX_KEEP_DAYS,
            ),
            field="keep_days",
        )
    settings = db.session.get(ReadbackSettings, office_id)
    if settings is None:
        settings = ReadbackSettings(office_id=office_id)
        db.session.add(settings)
    settings.keep_days = days
    settings.updated_by_id = user_id


def purge(now: datetime | None = None) -> int:
    """Delete the files of every batch past its `purge_after`; returns how many batches."""
    now = now or now_utc()
    batches = db.session.scalars(
        sa.select(ReadingBatch).where(
            ReadingBatch.purge_after <= now, ReadingBatch.purged_at.is_(None)
        )
    ).all()
    for batch in batches:
        storage.delete_batch_files(batch)
        batch.purged_at = now
    db.session.commit()
    return len(batches)
