"""How dates, times, numbers and money are shown: one format everywhere, in the user's locale.

A date is 04/12/2026 in both languages (the way Vietnamese offices write it; English users here
read the same papers); a moment is "02:16 ngày 01/12/2026" in Vietnamese, "02:16, 01/12/2026" in
English; numbers and money are grouped by the locale ("1.234.000 ₫" in Vietnamese).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo
from functools import lru_cache

from babel import Locale
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale

from planner.i18n import formatting_key

DATE = "dd/MM/yyyy"
# A weekday in front, for headings ("Thứ Sáu, 04/12/2026").
DATE_WITH_WEEKDAY = "EEEE, dd/MM/yyyy"
# Babel's named formats differ by locale ("4 thg 12, 2026", "Dec 4, 2026"): every name means ours.
NAMED_DATES = {"short": DATE, "medium": DATE, "long": DATE_WITH_WEEKDAY, "full": DATE_WITH_WEEKDAY}
MOMENTS = {"vi": "HH:mm 'ngày' dd/MM/yyyy"}
MOMENT_OTHERWISE = "HH:mm, dd/MM/yyyy"


# Babel builds a formatted value anew each time (the locale's data, the pattern, the zone):
# tens of microseconds, and a list page shows hundreds of dates, times and amounts, most of them
# repeated. A value formatted once is kept under its locale and zone.
_FORMATTERS: dict[str, Callable[..., str]] = {
    "date": format_date,
    "moment": format_datetime,
    "time": format_time,
    "decimal": format_decimal,
}


@lru_cache(maxsize=16384)
def _formatted(
    kind: str, value: object, pattern: str | None, _key: tuple[type, Locale, tzinfo]
) -> str:
    # `_key` (the value's type, locale, zone) is only part of the cache key: 1 == 1.0 == True,
    # and the formatter reads the locale and zone itself.
    if pattern is None:
        return _FORMATTERS[kind](value)
    return _FORMATTERS[kind](value, pattern)


def formatted(kind: str, value: object, pattern: str | None = None) -> str:
    """Flask-Babel's format_date/format_datetime/format_time/format_decimal (`kind`: date,
    moment, time, decimal) of `value`, kept for the request's locale and zone."""
    return _formatted(kind, value, pattern, (type(value), *formatting_key()))


def shown_date(value: date | datetime | None, pattern: str = "medium") -> str:
    """A date (or the local date of an aware moment) as people read it; "" for None.

    `pattern` is a Babel pattern or one of short/medium (04/12/2026) and long/full (with the
    weekday).
    """
    if value is None:
        return ""
    return formatted("date", value, NAMED_DATES.get(pattern, pattern))


def shown_moment(value: datetime | None, pattern: str = "short") -> str:
    """An aware moment in local time: "02:16 ngày 01/12/2026" (vi), "02:16, 01/12/2026" (en)."""
    if value is None:
        return ""
    if pattern in NAMED_DATES:
        pattern = MOMENTS.get(str(get_locale()), MOMENT_OTHERWISE)
    return formatted("moment", value, pattern)


def shown_number(value: float | int | None) -> str:
    """A number grouped by the locale (1.234.000 in Vietnamese); "" for None."""
    return formatted("decimal", value) if value is not None else ""


def shown_money(value: int | None) -> str:
    """An amount of dong grouped by the locale, with the dong sign: "1.234.000 ₫"."""
    return f"{formatted('decimal', value)} ₫" if value is not None else ""
