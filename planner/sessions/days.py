"""What a calendar day means locally: its lunar date and any public holiday."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
import lunar_vn

# Holiday names that state a lunar day ("29 Tết", "29 of Lunar New Year"): the holidays package
# counts them back from New Year, which is one day off after a 29-day twelfth month.
LUNAR_DAY_NAME = re.compile(r"^\d{1,2}(?= (Tết|of Lunar New Year)$)")


@dataclass(frozen=True)
class DayInfo:
    day: date
    lunar_day: int
    lunar_month: int
    lunar_leap: bool
    holiday: str | None

    @property
    def lunar_label(self) -> str:
        """'15/10' or '1/4n' for a leap month, as Vietnamese wall calendars print it."""
        return f"{self.lunar_day}/{self.lunar_month}{'n' if self.lunar_leap else ''}"


@lru_cache(maxsize=16)
def _vietnam_holidays(year: int, language: str) -> dict[date, str]:
    lang = "vi" if language == "vi" else "en_US"
    return dict(holidays.country_holidays("VN", years=year, language=lang))


def holiday_name(day: date, language: str = "vi") -> str | None:
    """The public holiday on `day` (Tết and the other lunar holidays included), or None. A name
    that states a lunar day takes the number from the lunar date itself (2030-01-31 is 28/12:
    "28 Tết", not the "29 Tết" the holidays package counts back from New Year)."""
    name = _vietnam_holidays(day.year, language).get(day)
    if name is not None and LUNAR_DAY_NAME.match(name):
        name = LUNAR_DAY_NAME.sub(str(lunar_vn.solar_to_lunar(day).day), name)
    return name


def day_info(day: date, language: str = "vi") -> DayInfo:
    """The day's lunar date and public holiday."""
    lunar = lunar_vn.solar_to_lunar(day)
    return DayInfo(day, lunar.day, lunar.month, lunar.leap, holiday_name(day, language))


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_days(monday: date, language: str = "vi") -> list[DayInfo]:
    return [day_info(monday + timedelta(days=i), language) for i in range(7)]
