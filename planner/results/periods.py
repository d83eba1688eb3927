"""The period a results page looks at, and the filter every results service takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.enums import LABELS, LabelledEnum
from planner.errors import PlannerError
from planner.timezones import local_day_bounds

# A longer period is almost always a typing mistake (2006 for 2026), and would scan everything.
MAX_PERIOD_DAYS = 3 * 366


class PeriodKind(LabelledEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


LABELS.update(
    [
        (PeriodKind.WEEK, _l("This week")),
        (PeriodKind.MONTH, _l("This month")),
        (PeriodKind.QUARTER, _l("This quarter")),
        (PeriodKind.YEAR, _l("This year")),
        (PeriodKind.CUSTOM, _l("From … to …")),
    ]
)


@dataclass(frozen=True)
class Period:
    """Local calendar days `first` to `last`, both included (Asia/Ho_Chi_Minh)."""

    first: date
    last: date
    kind: PeriodKind = PeriodKind.CUSTOM

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start of `first`, start of the day after `last`) in local time, as aware UTC."""
        return local_day_bounds(self.first, self.last)

    def previous(self) -> Period:
        """The period just before: the previous week, month, quarter or year, or as many days.
        Days that are exactly a calendar month, quarter or year, however chosen (1–31 October
        typed as from … to …), are compared with the month, quarter or year before (September,
        not the 31 days from 31 August)."""
        span = self.kind if self.kind != PeriodKind.CUSTOM else calendar_span(self)
        if span == PeriodKind.MONTH:
            last = self.first - timedelta(days=1)
            return Period(last.replace(day=1), last, self.kind)
        if span == PeriodKind.QUARTER:
            last = self.first - timedelta(days=1)
            return Period(date(last.year, last.month - 2, 1), last, self.kind)
        if span == PeriodKind.YEAR:
            return Period(
                date(self.first.year - 1, 1, 1), date(self.first.year - 1, 12, 31), self.kind
            )
        return Period(
            self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.kind
        )

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


def period_of(kind: PeriodKind | str, today: date) -> Period:
    """The week (Monday to Sunday), month, quarter or year that contains `today`."""
    kind = PeriodKind(kind)
    if kind == PeriodKind.WEEK:
        monday = today - timedelta(days=today.weekday())
        return Period(monday, monday + timedelta(days=6), kind)
    if kind == PeriodKind.MONTH:
        return Period(today.replace(day=1), _month_end(today.year, today.month), kind)
    if kind == PeriodKind.QUARTER:
        first_month = 3 * ((today.month - 1) // 3) + 1
        return Period(
            date(today.year, first_month, 1), _month_end(today.year, first_month + 2), kind
        )
    if kind == PeriodKind.YEAR:
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), kind)
    raise PlannerError(_("Choose a period."), field="period")


def calendar_span(period: Period) -> PeriodKind:
    """The calendar month, quarter or year the period's days are exactly (whatever way it was
    chosen: 1–31 October typed as from … to … is October), else CUSTOM (a week is its days)."""
    first, last = period.first, period.last
    if first.day != 1:
        return PeriodKind.CUSTOM
    if (first.month, last) == (1, date(first.year, 12, 31)):
        return PeriodKind.YEAR
    if last == _month_end(first.year, first.month):
        return PeriodKind.MONTH
    if first.month % 3 == 1 and last == _month_end(first.year, first.month + 2):
        return PeriodKind.QUARTER
    return PeriodKind.CUSTOM


def period_name(period: Period) -> str:
    """What a report calls its period: "tháng 10/2026", "quý 4/2026", "năm 2026", else its
    first and last days ("01/12/2026 – 07/12/2026")."""
    first = period.first
    span = calendar_span(period)
    if span == PeriodKind.MONTH:
        return _("month %(month)s/%(year)s", month=first.month, year=first.year)
    if span == PeriodKind.QUARTER:
        return _("quarter %(quarter)s/%(year)s", quarter=first.month // 3 + 1, year=first.year)
    if span == PeriodKind.YEAR:
        return _("year %(year)s", year=first.year)
    return f"{period.first:%d/%m/%Y} – {period.last:%d/%m/%Y}"


def period_file_part(period: Period) -> str:
    """The period in a file name: 2026-10 (a month), 2026-q4, 2026 (a year), else
    20261201-20261207."""
    first = period.first
    span = calendar_span(period)
    if span == PeriodKind.MONTH:
        return f"{first:%Y-%m}"
    if span == PeriodKind.QUARTER:
        return f"{first.year}-q{first.month // 3 + 1}"
    if span == PeriodKind.YEAR:
        return str(first.year)
    return f"{period.first:%Y%m%d}-{period.last:%Y%m%d}"


def month_period(year: int, month: int) -> Period:
    return Period(date(year, month, 1), _month_end(year, month), PeriodKind.MONTH)


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def checked_days(
    first: date | None, last: date | None, fields: tuple[str, str] = ("first", "last")
) -> tuple[date, date]:
    """The first and last day of a period as typed (a custom period, a target's span).

    PlannerError, on the form field named in `fields`, when a day is missing, the last comes
    before the first, or the span is longer than MAX_PERIOD_DAYS."""
    first_field, last_field = fields
    if first is None or last is None:
        raise PlannerError(_("Enter both the first and the last day."), field=first_field)
    if last < first:
        raise PlannerError(_("The last day comes before the first day."), field=last_field)
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise PlannerError(
            _("A period can be at most three years long. Choose a shorter period."),
            field=last_field,
        )
    return first, last


def custom_period(first: date | None, last: date | None) -> Period:
    """A from/to period; PlannerError when a day is missing, inverted, or the span is too long."""
    first, last = checked_days(first, last)
    return Period(first, last, PeriodKind.CUSTOM)


@dataclass(frozen=True)
class ResultsFilter:
    """Whose results, where and when: every results service takes one.

    `officer_ids` None means the whole office; a set narrows to sessions those officers lead,
    follow-ups assigned to them and enrolments credited to them. `commune_id` narrows to one
    commune. The ids are already checked to belong to `office_id` (see routes.resolve_filter).
    """

    office_id: int
    officer_ids: frozenset[int] | None
    commune_id: int | None
    period: Period

    def with_period(self, period: Period) -> ResultsFilter:
        return ResultsFilter(self.office_id, self.officer_ids, self.commune_id, period)
