"""How dates, times, numbers and money are shown: one format everywhere, in the user's locale.

A date is 04/12/2026 in both languages (the way Vietnamese offices write it; English users here
read the same papers); a moment is "02:16 ngày 01/12/2026" in Vietnamese, "02:16, 01/12/2026" in
English; numbers and money are grouped by the locale ("1.234.000 ₫" in Vietnamese).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_datetime, format_decimal, get_locale

DATE = "dd/MM/yyyy"
# A weekday in front, for headings ("Thứ Sáu, 04/12/2026").
DATE_WITH_WEEKDAY = "EEEE, dd/MM/yyyy"
# Babel's named formats differ by locale ("4 thg 12, 2026", "Dec 4, 2026"): every name means ours.
NAMED_DATES = {"short": DATE, "medium": DATE, "long": DATE_WITH_WEEKDAY, "full": DATE_WITH_WEEKDAY}
MOMENTS = {"vi": "HH:mm 'ngày' dd/MM/yyyy"}
MOMENT_OTHERWISE = "HH:mm, dd/MM/yyyy"


def shown_date(value: date | datetime | None, pattern: str = "medium") -> str:
    """A date (or the local date of an aware moment) as people read it; "" for None.

    `pattern` is a Babel pattern or one of short/medium (04/12/2026) and long/full (with the
    weekday).
    """
    if value is None:
        return ""
    return format_date(value, NAMED_DATES.get(pattern, pattern))


def shown_moment(value: datetime | None, pattern: str = "short") -> str:
    """An aware moment in local time: "02:16 ngày 01/12/2026" (vi), "02:16, 01/12/2026" (en)."""
    if value is None:
        return ""
    if pattern in NAMED_DATES:
        pattern = MOMENTS.get(str(get_locale()), MOMENT_OTHERWISE)
    return format_datetime(value, pattern)


def shown_number(value: float | int | None) -> str:
    """A number grouped by the locale (1.234.000 in Vietnamese); "" for None."""
    return format_decimal(value) if value is not None else ""


def shown_money(value: int | None) -> str:
    """An amount of dong grouped by the locale, with the dong sign: "1.234.000 ₫"."""
    return f"{format_decimal(value)} ₫" if value is not None else ""
