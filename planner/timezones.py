"""Times are stored in UTC and shown in the office's local zone (Asia/Ho_Chi_Minh)."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

# The one place the zone is named: Babel, iCalendar and every conversion use it.
LOCAL_ZONE_NAME = "Asia/Ho_Chi_Minh"
LOCAL_TZ = ZoneInfo(LOCAL_ZONE_NAME)


def now_utc() -> datetime:
    """The current moment, timezone-aware in UTC."""
    return datetime.now(UTC)


def today_local() -> date:
    """Today's date where the officers are."""
    return datetime.now(LOCAL_TZ).date()


def to_local(moment: datetime) -> datetime:
    """An aware UTC moment as local wall-clock time."""
    return moment.astimezone(LOCAL_TZ)


def local_to_utc(day: date, at: time) -> datetime:
    """A local date and wall-clock time as an aware UTC moment."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC bounds [start of `first`, start of the day after `last`) in local time."""
    start = local_to_utc(first, time.min)
    end = local_to_utc(date.fromordinal(last.toordinal() + 1), time.min)
    return start, end


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every engine (SQLite keeps no zone, so it is stored naive UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
