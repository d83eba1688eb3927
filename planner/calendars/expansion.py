"""The days an imported calendar's events cover, read as calendar apps read them, within bounds.

Recurrences are expanded by recurring-ical-events (RFC 5545 as Google, Outlook, Apple and
Thunderbird write it: DTSTART with TZID and UNTIL in UTC, EXDATE, RDATE, moved and cancelled
occurrences through RECURRENCE-ID, VTIMEZONEs with Windows zone names); x-wr-timezone first reads
Google's calendar-wide X-WR-TIMEZONE as the zone of its floating times. What is ours: which local
days (Asia/Ho_Chi_Minh) an occurrence covers, and the bounds that keep a hostile file from
costing memory or time (a window per series, a count of occurrences, a wall-clock budget, no
repeats more often than daily).
"""

from __future__ import annotations

import contextlib
import time as clock
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import recurring_ical_events
import x_wr_timezone
from flask_babel import gettext as _
from icalendar import Calendar, Component, vRecur

from planner.errors import PlannerError
from planner.timezones import LOCAL_TZ

# More occurrences than this (all events together) is not a calendar of holidays or market days.
MAX_OCCURRENCES = 5000
# A single occurrence blocks at most this many days (a long festival, not a season).
MAX_SPAN_DAYS = 60
# A series with an end (COUNT, UNTIL, or none at all) is read this far from its start; a series
# without an end from a year ago (or its start, if later) to this far ahead of today.
BOUNDED_YEARS = 10
OPEN_PAST = timedelta(days=366)
OPEN_AHEAD = timedelta(days=3 * 366)
# Expanding the whole file may take about this long (checked after each series) before it is
# refused.
BUDGET_SECONDS = 5.0
SUB_DAILY = {"HOURLY", "MINUTELY", "SECONDLY"}


@dataclass(frozen=True)
class EventDays:
    """One occurrence that blocks days: its name and the local days it covers, in order."""

    name: str
    days: tuple[date, ...]


def _name(event: Component) -> str:
    return " ".join(str(event.get("SUMMARY", "")).split())[:200]


def _start(event: Component) -> date | datetime | None:
    """DTSTART as written (aware, floating or a date), or None when missing or unreadable."""
    try:
        start = event.decoded("DTSTART")
    except (KeyError, ValueError, TypeError):
        return None
    return start if isinstance(start, date) else None


def _local_day(moment: date | datetime) -> date:
    if isinstance(moment, datetime):
        # Floating times are the officers' own wall-clock time.
        return moment.astimezone(LOCAL_TZ).date() if moment.tzinfo else moment.date()
    return moment


def _is_cancelled(event: Component) -> bool:
    return str(event.get("STATUS", "")).strip().upper() == "CANCELLED"


def _end(event: Component, start: date | datetime) -> date | datetime:
    """DTEND, or DTSTART + DURATION, or the RFC 5545 default (a day for a date, none for a time)."""
    try:
        end = getattr(event, "end", None)  # Event.end: DTEND or DTSTART + DURATION
    except (ValueError, TypeError, KeyError, AttributeError):
        end = None
    if not isinstance(end, date) or type(end) is not type(start):
        return start + timedelta(days=1) if not isinstance(start, datetime) else start
    return end


def _written_all_day(event: Component, start: datetime, end: datetime) -> bool:
    """An all-day event written with times: Outlook's X-MICROSOFT-CDO-ALLDAYEVENT, or midnight
    to midnight in the zone it is written in (UTC, its TZID or floating), whole days apart."""
    flag = str(event.get("X-MICROSOFT-CDO-ALLDAYEVENT", "")).strip().upper() == "TRUE"
    midnights = start.time() == time.min and end.time() == time.min and end.date() > start.date()
    return flag or midnights


def local_days(event: Component) -> tuple[date, ...]:
    """The local days one occurrence covers: DTEND is exclusive, so an event ending at local
    midnight does not block the next day; all-day events keep the dates as written (they are
    dates, not moments, in every zone). At most MAX_SPAN_DAYS days."""
    start = _start(event)
    if start is None:
        return ()
    end = _end(event, start)
    if isinstance(start, datetime) and isinstance(end, datetime):
        if _written_all_day(event, start, end):
            first, last = start.date(), max(end.date() - timedelta(days=1), start.date())
        else:
            first = _local_day(start)
            local_end = end.astimezone(LOCAL_TZ) if end.tzinfo else end
            last = local_end.date()
            if local_end.time() == time.min and end > start:
                last -= timedelta(days=1)
            last = max(last, first)
    else:
        first = start
        last = max(_local_day(end) - timedelta(days=1), first)
    span = min((last - first).days + 1, MAX_SPAN_DAYS)
    return tuple(first + timedelta(days=i) for i in range(span))


def _series(calendar: Calendar) -> list[list[Component]]:
    """The events grouped by UID (a series and its overrides), in the order of the file."""
    groups: dict[str, list[Component]] = {}
    for index, event in enumerate(calendar.walk("VEVENT")):
        uid = str(event.get("UID", "")).strip() or f"\x00{index}"
        groups.setdefault(uid, []).append(event)
    return list(groups.values())


def _rule_parts(event: Component, name: str) -> list[vRecur]:
    rules = event.get("RRULE")
    if rules is None:
        return []
    rules = list(rules) if isinstance(rules, list) else [rules]
    if not all(isinstance(rule, vRecur) for rule in rules):
        raise _unreadable(name)  # icalendar keeps a rule it could not parse as "broken"
    return rules


def _window(rules: list[vRecur], start: date, today: date) -> tuple[date, date]:
    """The local days to read a series over: all of a series that ends, a few years of one
    that does not."""
    open_ended = any(not rule.get("COUNT") and not rule.get("UNTIL") for rule in rules)
    if open_ended:
        return max(start, today - OPEN_PAST), today + OPEN_AHEAD
    # Moved occurrences may sit a little before the series' start.
    return start - OPEN_PAST, start.replace(year=start.year + BOUNDED_YEARS, day=1)


def _sub_calendar(calendar: Calendar, events: list[Component]) -> Calendar:
    """One series in a calendar of its own, with the file's time zones, so each series is read
    over its own window."""
    single = Calendar()
    for timezone in calendar.walk("VTIMEZONE"):
        single.add_component(timezone)
    for event in events:
        single.add_component(event)
    return single


def _unreadable(name: str) -> PlannerError:
    return PlannerError(
        _("The event “%(name)s” repeats in a way that cannot be read.", name=name), field="file"
    )


def expand(calendar: Calendar, today: date, fallback_name: str) -> Iterator[EventDays]:
    """Every occurrence of every event that is not cancelled, with the local days it covers.

    A cancelled event (STATUS:CANCELLED), a cancelled occurrence (an override with that status)
    and an excluded one (EXDATE) give nothing; a moved occurrence gives its new days. Raises
    PlannerError (field "file") for an event without a readable date, a repeat rule that cannot
    be read or repeats more often than daily, and a file that has more than MAX_OCCURRENCES
    occurrences or takes longer than BUDGET_SECONDS to read.
    """
    # An unknown X-WR-TIMEZONE leaves floating times local.
    with contextlib.suppress(ValueError, TypeError, KeyError):
        calendar = x_wr_timezone.to_standard(calendar)
    deadline = clock.monotonic() + BUDGET_SECONDS
    produced = 0
    for events in _series(calendar):
        master = next((e for e in events if "RECURRENCE-ID" not in e), events[0])
        name = _name(master) or fallback_name
        if _is_cancelled(master):
            continue
        start = _start(master)
        if start is None:
            raise PlannerError(_("The event “%(name)s” has no date.", name=name), field="file")
        rules = _rule_parts(master, name)
        if any(str((r.get("FREQ") or [""])[0]).upper() in SUB_DAILY for r in rules):
            raise PlannerError(
                _(
                    "The event “%(name)s” repeats more than once a day; days without sessions"
                    " repeat at most daily.",
                    name=name,
                ),
                field="file",
            )
        if len(events) == 1 and not rules and "RDATE" not in master:
            produced += 1  # a single event: nothing to expand
            yield EventDays(name, local_days(master))
            continue
        first, last = _window(rules, _local_day(start), today)
        query = recurring_ical_events.of(_sub_calendar(calendar, events))
        try:
            # One window per series: the library's after() narrows its window to minutes
            # around each occurrence and restarts the rule each time, so it is not used.
            occurrences = query.between(first, last + timedelta(days=1))
        except (recurring_ical_events.InvalidCalendar, ValueError, TypeError, OverflowError):
            raise _unreadable(name) from None
        produced += len(occurrences)
        if produced > MAX_OCCURRENCES or clock.monotonic() > deadline:
            raise PlannerError(
                _("The calendar has too many events to import; import a shorter one."),
                field="file",
            )
        for occurrence in occurrences:
            if not _is_cancelled(occurrence):
                yield EventDays(_name(occurrence) or name, local_days(occurrence))
