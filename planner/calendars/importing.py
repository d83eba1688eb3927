"""Calendar-file imports: market days and blocked days (holidays, local festivals) read from an
.ics file an office uploads; a file that cannot be read changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar import Calendar, Component

from planner.calendars import ical
from planner.calendars.expansion import expand
from planner.calendars.models import BlockedDay
from planner.enums import VenueKind
from planner.errors import PlannerError
from planner.extensions import db
from planner.places.models import Venue
from planner.places.services import format_weekdays
from planner.text import without_diacritics
from planner.timezones import today_local

# Imports are small text files; anything bigger is not a calendar an office would make.
MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORTED_DAYS = 1000


@dataclass
class MarketSchedule:
    """Market days read from one event of an imported calendar."""

    name: str
    weekdays: set[int] = field(default_factory=set)
    cycle_days: int | None = None
    anchor: date | None = None


def _fold(text: str) -> str:
    """Lower case without diacritics, for matching names written slightly differently."""
    return " ".join(without_diacritics(text).lower().split())


def parse_calendar_file(raw: bytes) -> Calendar:
    """An uploaded file as a calendar with events, or a PlannerError saying what is wrong."""
    if not raw:
        raise PlannerError(_("Choose a calendar file (.ics) to import."), field="file")
    if len(raw) > MAX_IMPORT_BYTES:
        raise PlannerError(
            _("The file is too large: a calendar to import is at most 1 MB."), field="file"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlannerError(_("This file is not an iCalendar (.ics) file."), field="file") from None
    if "BEGIN:VCALENDAR" not in text[:2000].upper():
        raise PlannerError(_("This file is not an iCalendar (.ics) file."), field="file")
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError, TypeError):
        raise PlannerError(
            _("This calendar file is damaged and cannot be read."), field="file"
        ) from None
    if isinstance(calendar, list):
        calendar = calendar[0]
    if not calendar.walk("VEVENT"):
        raise PlannerError(_("The calendar has no events to import."), field="file")
    return calendar


def _event_start(event: Component) -> date | None:
    try:
        start = event.decoded("DTSTART")
    except (KeyError, ValueError, TypeError):
        return None
    if isinstance(start, datetime):
        return start.astimezone(ical.LOCAL_TZ).date() if start.tzinfo else start.date()
    return start if isinstance(start, date) else None


def _event_name(event: Component) -> str:
    return ical.clean(str(event.get("SUMMARY", ""))).strip()[:200]


def read_market_schedules(calendar: Calendar) -> list[MarketSchedule]:
    """The weekly or every-N-days rule of each event in a market-day calendar."""
    schedules: list[MarketSchedule] = []
    for event in calendar.walk("VEVENT"):
        name = _event_name(event) or _("(no name)")
        start = _event_start(event)
        if start is None:
            raise PlannerError(_("The event “%(name)s” has no date.", name=name), field="file")
        rules = event.get("RRULE")
        rule = rules[0] if isinstance(rules, list) else rules
        if rule is None:
            raise PlannerError(
                _("The event “%(name)s” does not repeat, so it gives no market days.", name=name),
                field="file",
            )
        frequency = (rule.get("FREQ") or [""])[0]
        interval = int((rule.get("INTERVAL") or [1])[0])
        schedule = MarketSchedule(name=name)
        if frequency == "WEEKLY" and interval == 1:
            byday = rule.get("BYDAY") or [ical.ICAL_WEEKDAYS[start.weekday()]]
            try:
                schedule.weekdays = {ical.ICAL_WEEKDAYS.index(str(d)[-2:]) for d in byday}
            except ValueError:
                raise PlannerError(
                    _("The event “%(name)s” repeats on days that cannot be read.", name=name),
                    field="file",
                ) from None
        elif frequency == "DAILY" and 2 <= interval <= 60:
            schedule.cycle_days, schedule.anchor = interval, start
        elif frequency == "DAILY" and interval == 1:
            schedule.weekdays = set(range(7))
        else:
            raise PlannerError(
                _(
                    "The event “%(name)s” must repeat every week on fixed days or every 2 to 60"
                    " days.",
                    name=name,
                ),
                field="file",
            )
        schedules.append(schedule)
    return schedules


def match_market(office_id: int, name: str) -> Venue | None:
    """The office's market whose name matches an event's name (ignoring case and accents)."""
    wanted = _fold(name)
    markets = db.session.scalars(
        sa.select(Venue).where(
            Venue.office_id == office_id, Venue.kind == VenueKind.MARKET, Venue.active
        )
    ).all()
    exact = [v for v in markets if _fold(v.name) == wanted]
    if len(exact) == 1:
        return exact[0]
    partial = [v for v in markets if _fold(v.name) in wanted or wanted in _fold(v.name)]
    return partial[0] if len(partial) == 1 else None


def import_market_days(office_id: int, raw: bytes, venue_id: int | None = None) -> list[Venue]:
    """Set markets' days from a calendar; every event must find its market, or nothing changes."""
    schedules = read_market_schedules(parse_calendar_file(raw))
    chosen = None
    if venue_id:
        chosen = db.session.get(Venue, venue_id)
        if chosen is None or chosen.office_id != office_id or chosen.kind != VenueKind.MARKET:
            raise PlannerError(_("Choose a market of your office."), field="venue_id")
    plan: dict[int, tuple[Venue, set[int], int | None, date | None]] = {}
    unmatched = []
    for schedule in schedules:
        venue = chosen or match_market(office_id, schedule.name)
        if venue is None:
            unmatched.append(schedule.name)
            continue
        _venue, weekdays, cycle, anchor = plan.get(venue.id, (venue, set(), None, None))
        weekdays |= schedule.weekdays
        if schedule.cycle_days:
            if cycle and (cycle, anchor) != (schedule.cycle_days, schedule.anchor):
                raise PlannerError(
                    _("%(venue)s gets two different market cycles.", venue=venue.name),
                    field="file",
                )
            cycle, anchor = schedule.cycle_days, schedule.anchor
        plan[venue.id] = (venue, weekdays, cycle, anchor)
    if unmatched:
        raise PlannerError(
            _(
                "No market of your office matches: %(names)s. Choose the market to update,"
                " or rename the event or the market.",
                names=", ".join(f"“{n}”" for n in unmatched),
            ),
            field="venue_id",
        )
    for venue, weekdays, cycle, anchor in plan.values():
        venue.market_weekdays = format_weekdays(weekdays)
        venue.market_cycle_days = cycle
        venue.market_anchor_date = anchor
    db.session.flush()
    return [v for v, *_rest in plan.values()]


def read_blocked_days(calendar: Calendar, today: date | None = None) -> dict[date, str]:
    """{local day: name} of a holiday calendar: every day each occurrence that is not cancelled
    covers (planner.calendars.expansion), the first event's name where two share a day. Raises
    PlannerError when the calendar covers more than MAX_IMPORTED_DAYS days."""
    days: dict[date, str] = {}
    for occurrence in expand(calendar, today or today_local(), _("Blocked day")):
        for day in occurrence.days:
            days.setdefault(day, occurrence.name)
            if len(days) > MAX_IMPORTED_DAYS:
                raise PlannerError(
                    ngettext(
                        "The calendar has more than %(num)d day; import a shorter one.",
                        "The calendar has more than %(num)d days; import a shorter one.",
                        MAX_IMPORTED_DAYS,
                    ),
                    field="file",
                )
    return days


def import_blocked_days(office_id: int, raw: bytes, source: str) -> int:
    """Save the days of a holiday calendar as blocked days; a day already blocked is renamed."""
    days = read_blocked_days(parse_calendar_file(raw))
    existing = {
        b.day: b
        for b in db.session.scalars(
            sa.select(BlockedDay).where(
                BlockedDay.office_id == office_id, BlockedDay.day.in_(list(days))
            )
        )
    }
    source = ical.clean(source)[:200]
    for day, name in days.items():
        if day in existing:
            existing[day].name, existing[day].source = name, source
        else:
            db.session.add(BlockedDay(office_id=office_id, day=day, name=name, source=source))
    db.session.flush()
    return len(days)
