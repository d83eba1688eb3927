"""Which session of a series a calendar link opens.

A recurring event in a feed is one VEVENT whose RRULE makes every occurrence, so the link the
calendar app shows for an occurrence is the series' link: it cannot name the date that was
tapped. The link names the series, and this resolves it to the occurrence the officer most
likely means: today's, else the next one still to come (which is what a reminder before a
session points at), else the last one. A link that names a date opens exactly that occurrence.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from planner.enums import SessionStatus
from planner.extensions import db
from planner.sessions.models import OutreachSession
from planner.timezones import today_local


def series_occurrence(
    office_id: int, series_id: int, on: date | None = None, today: date | None = None
) -> OutreachSession | None:
    """The occurrence of series `series_id` (in office `office_id`) a calendar link opens.

    With `on`, the occurrence of that date (None if the series has none that day). Without it:
    today's occurrence, else the next one that is not cancelled, else the next one, else the
    last one. None when the series is unknown or belongs to another office.
    """
    occurrences = db.session.scalars(
        sa.select(OutreachSession)
        .where(OutreachSession.series_id == series_id, OutreachSession.office_id == office_id)
        .order_by(OutreachSession.occurrence_date, OutreachSession.starts_at)
    ).all()
    if not occurrences:
        return None
    if on is not None:
        return next((o for o in occurrences if o.occurrence_date == on), None)
    today = today or today_local()
    coming = [o for o in occurrences if (o.occurrence_date or o.local_day) >= today]
    for candidate in coming:
        if (candidate.occurrence_date or candidate.local_day) == today:
            return candidate
    live = [o for o in coming if o.status != SessionStatus.CANCELLED]
    if live:
        return live[0]
    return coming[0] if coming else occurrences[-1]
