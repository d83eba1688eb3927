"""The one module that turns outreach sessions into iCalendar components.

Downloads carry each session as its own event (UID ``session-<id>@…``). Feeds carry a recurring
series as one event with an RRULE (UID ``series-<id>@…``): occurrences that differ from the series
become overrides with a RECURRENCE-ID, and cancelled occurrences are excluded with EXDATE. EXDATE
is part of every client's basic RRULE support, whereas a cancelled override is still shown by some
(khal lists it, marked CANCELLED). A cancelled one-off session stays with STATUS:CANCELLED, so
calendar apps drop or strike it instead of keeping a stale copy.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar import Alarm, Calendar, Component, Event, Timezone, vDuration, vRecur

from planner.enums import CommuneKind, Language, SessionKind, SessionStatus, Topic
from planner.sessions.models import OutreachSession, RepeatRule, SessionSeries
from planner.timezones import LOCAL_TZ, LOCAL_ZONE_NAME, to_local

PRODID = "-//BHXH outreach planner//Calendars//VI"
# How often subscribed calendar apps should check for changes.
REFRESH_INTERVAL = timedelta(hours=1)
ICAL_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Control characters other than newline and tab have no business in calendar text.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

STATUS = {
    SessionStatus.PLANNED: "CONFIRMED",
    SessionStatus.HELD: "CONFIRMED",
    SessionStatus.POSTPONED: "TENTATIVE",
    SessionStatus.CANCELLED: "CANCELLED",
}


def clean(text: str) -> str:
    """User text made safe for a TEXT value: one kind of line break, no control characters."""
    if text.isprintable():  # no line break or control character at all: most text, quickly
        return text
    return CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


@lru_cache(maxsize=1)
def local_vtimezone() -> Timezone:
    """The Asia/Ho_Chi_Minh VTIMEZONE, built once from zoneinfo (building it is slow)."""
    component = Timezone.from_tzinfo(
        LOCAL_TZ, tzid=LOCAL_ZONE_NAME, first_date=date(2000, 1, 1), last_date=date(2045, 1, 1)
    )
    component.pop("COMMENT", None)
    return component


def uid_domain() -> str:
    """The right-hand side of every UID; fixed, so UIDs do not change with the URL used."""
    return current_app.config.get("CALENDAR_UID_DOMAIN") or "planner.bhxh.local"


# An id no page has, put in one link to find where every other id goes.
_LINK_MARK = 987654321987654321


class PageLink:
    """The external link of one kind of page (`endpoint`) for any id, as url_for writes it.

    url_for costs several microseconds a link and a feed writes one per event, so the link is
    built once, for a mark, and the id put where the mark is.
    """

    def __init__(self, endpoint: str, argument: str) -> None:
        self.endpoint, self.argument = endpoint, argument
        self._parts: tuple[str, str] | None = None

    def __call__(self, value: int) -> str:
        if self._parts is None:  # built on first use: a calendar without events needs no request
            values: dict[str, Any] = {self.argument: _LINK_MARK}
            url = url_for(self.endpoint, _external=True, **values)
            head, mark, tail = url.partition(str(_LINK_MARK))
            if not mark or str(_LINK_MARK) in tail:
                raise ValueError(f"cannot find where the id goes in {url}")
            self._parts = head, tail
        head, tail = self._parts
        return f"{head}{int(value)}{tail}"


@dataclass(frozen=True)
class SessionFace:
    """What a calendar app shows of a session, apart from its time and its link."""

    summary: str
    location: str
    details: tuple[str, ...]
    category: str
    status: str


class CalendarTexts:
    """Every translated word a calendar needs, looked up once per calendar, not per session."""

    def __init__(self) -> None:
        self.labels = {
            member: str(member.label)
            for enum in (SessionKind, Topic, Language, CommuneKind)
            for member in enum
        }
        self.cancelled = _("Cancelled: %(session)s")
        self.postponed = _("Postponed: %(session)s")
        self.interpreter = _("%(language)s, interpreter needed")
        self.topic = _("Topic: %(topic)s")
        self.partner = _("Partner organisation: %(partner)s")
        self.language = _("Language: %(language)s")
        self._attendance: dict[int, str] = {}
        self.officers = _("Officers: %(names)s")
        self.reason = _("Reason: %(reason)s")
        self.link = _("In the planner: %(url)s")
        # Not words, but also the same for every event of a calendar.
        self.uid_domain = uid_domain()
        self.session_link = PageLink("sessions.detail", "session_id")

    def attendance(self, count: int) -> str:
        """'Expected attendance: 1 person' or '...: 35 people' in the locale in force (a
        calendar is made and used under one locale), looked up once per count. The text ends up
        in the event's content, so the serialised-event cache, keyed by content, and the feed's
        ETag, which covers the feed's language, stay right."""
        text = self._attendance.get(count)
        if text is None:
            text = ngettext(
                "Expected attendance: %(num)d person", "Expected attendance: %(num)d people", count
            )
            self._attendance[count] = text
        return text


def session_face(session: OutreachSession, texts: CalendarTexts | None = None) -> SessionFace:
    """The translated texts of a session, in the locale in force."""
    texts = texts or CalendarTexts()
    labels = texts.labels
    place = session.venue.name if session.venue else session.commune.name
    label = clean(session.title or f"{labels[session.kind]} – {place}")
    if session.status == SessionStatus.CANCELLED:
        summary = texts.cancelled % {"session": label}
    elif session.status == SessionStatus.POSTPONED:
        summary = texts.postponed % {"session": label}
    else:
        summary = label
    commune = session.commune
    places = [
        session.venue.name if session.venue else "",
        session.village.display_name if session.village else "",
        f"{labels[commune.kind]} {commune.name}",
    ]
    language = labels[session.language]
    if session.interpreter_needed:
        language = texts.interpreter % {"language": language}
    details = [texts.topic % {"topic": labels[session.topic]}]
    if session.partner:
        details.append(texts.partner % {"partner": session.partner.name})
    details.append(texts.language % {"language": language})
    details.append(texts.attendance(session.expected_attendance))
    details.append(texts.officers % {"names": ", ".join(u.full_name for u in session.officers)})
    if session.status in (SessionStatus.CANCELLED, SessionStatus.POSTPONED) and (
        session.status_reason
    ):
        details.append(texts.reason % {"reason": session.status_reason})
    return SessionFace(
        summary=summary,
        location=clean(", ".join(p for p in places if p)),
        details=tuple(clean(line) for line in details),
        category=labels[session.kind],
        status=STATUS[session.status],
    )


def series_link(series: SessionSeries) -> str:
    """The link every occurrence made by a series' RRULE shares: it opens today's or the next
    occurrence (`planner.calendars.occurrences`), not one fixed session of the series."""
    return url_for("calendars.series_session", series_id=series.id, _external=True)


@dataclass(frozen=True)
class EventSpec:
    """Everything one VEVENT says; equal specs give equal bytes, so serialised events are cached."""

    uid: str
    changed: datetime
    sequence: int
    start: datetime
    end: datetime
    face: SessionFace
    link: str
    link_line: str
    recurrence_id: datetime | None = None
    rrule: tuple = ()
    exdates: tuple[datetime, ...] = ()
    # Minutes before the start a calendar app reminds (a VALARM); None: no reminder.
    alarm_minutes: int | None = None

    @property
    def alarm(self) -> bool:
        """Whether the event carries its reminder (never on a cancelled event)."""
        return self.alarm_minutes is not None and self.face.status != "CANCELLED"

    def event(self) -> Event:
        """The spec as an icalendar VEVENT."""
        event = Event()
        event.add("uid", self.uid)
        # DTSTAMP is the last change, not the time of the request, so the same data gives the
        # same bytes (and the same ETag) on every request.
        event.add("dtstamp", self.changed.astimezone(UTC))
        event.add("last-modified", self.changed.astimezone(UTC))
        event.add("sequence", self.sequence)
        if self.recurrence_id is not None:
            event.add("recurrence-id", self.recurrence_id)
        event.add("dtstart", self.start)
        event.add("dtend", self.end)
        if self.rrule:
            event.add("rrule", {key: list(value) for key, value in self.rrule})
        if self.exdates:
            event.add("exdate", list(self.exdates))
        event.add("summary", self.face.summary)
        event.add("location", self.face.location)
        event.add("description", "\n".join([*self.face.details, self.link_line]))
        event.add("categories", [self.face.category])
        event.add("status", self.face.status)
        event.add("url", self.link, parameters={"VALUE": "URI"})
        if self.alarm and self.alarm_minutes is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", self.face.summary)
            alarm.add("trigger", -timedelta(minutes=self.alarm_minutes))
            event.add_component(alarm)
        return event


def escape_text(value: str) -> str:
    r"""A TEXT value escaped as icalendar's vText writes it (RFC 5545 3.3.11).

    Backslash, semicolon and comma get a backslash; every line break (CRLF, LF or a lone CR)
    becomes the two characters \n. Like icalendar, a literal \N is first read as a line break,
    so the bytes equal icalendar's (a test holds them equal). Building a vText per value cost
    more than the rest of a feed's events together.
    """
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def date_value(day: date) -> str:
    """A DATE value, e.g. 20261003 (for a ``;VALUE=DATE`` property; by hand: a third of
    strftime's time)."""
    return f"{day.year:04}{day.month:02}{day.day:02}"


def _local(moment: datetime) -> str:
    """A local wall-clock time as DATE-TIME, e.g. 20261003T190000."""
    return f"{date_value(moment)}T{moment.hour:02}{moment.minute:02}{moment.second:02}"


def utc_value(moment: datetime) -> str:
    """An aware moment as a UTC DATE-TIME value, e.g. 20261003T140000Z (DTSTAMP's form)."""
    return _local(moment.astimezone(UTC)) + "Z"


def spec_lines(spec: EventSpec) -> list[str] | None:
    """The spec's content lines, written directly with icalendar's value encoders.

    Building an icalendar Event per session costs several times more than the rest of a feed;
    this writes the same lines in the same order (a test holds the two outputs equal), and
    answers None for anything unusual so the caller falls back to icalendar.
    """
    moments = [spec.start, spec.end, *spec.exdates]
    if spec.recurrence_id is not None:
        moments.append(spec.recurrence_id)
    if any(m.tzinfo is not LOCAL_TZ for m in moments):
        return None
    tz = f";TZID={LOCAL_TZ.key}:"
    lines = [
        "BEGIN:VEVENT",
        "SUMMARY:" + escape_text(spec.face.summary),
        "DTSTART" + tz + _local(spec.start),
        "DTEND" + tz + _local(spec.end),
        "DTSTAMP:" + utc_value(spec.changed),
        "UID:" + escape_text(spec.uid),
    ]
    if spec.recurrence_id is not None:
        lines.append("RECURRENCE-ID" + tz + _local(spec.recurrence_id))
    lines.append(f"SEQUENCE:{spec.sequence}")
    if spec.rrule:
        rule = vRecur({key: list(value) for key, value in spec.rrule})
        lines.append("RRULE:" + rule.to_ical().decode())
    if spec.exdates:
        lines.append("EXDATE" + tz + ",".join(_local(m) for m in spec.exdates))
    lines += [
        "CATEGORIES:" + escape_text(spec.face.category),
        "DESCRIPTION:" + escape_text("\n".join([*spec.face.details, spec.link_line])),
        "LAST-MODIFIED:" + utc_value(spec.changed),
        "LOCATION:" + escape_text(spec.face.location),
        "STATUS:" + escape_text(spec.face.status),
        "URL;VALUE=URI:" + spec.link,
    ]
    if spec.alarm and spec.alarm_minutes is not None:
        trigger = vDuration(-timedelta(minutes=spec.alarm_minutes)).to_ical().decode()
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:" + escape_text(spec.face.summary),
            "TRIGGER:" + trigger,
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return lines


class BoundedCache:
    """A least-recently-used cache of bytes, safe to share between a worker's threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# Serialising is the slow part of a feed (icalendar folds lines character by character); an
# event whose content did not change is served from here. The key is the whole content, so a
# cached copy can never be stale, only unused.
EVENT_BYTES = BoundedCache(20_000)


def fold(line: str) -> bytes:
    """One content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character.

    icalendar folds character by character, which is most of the time of a cold feed; this
    does the same by bytes.
    """
    return _fold(line.encode())


def _fold(data: bytes) -> bytes:
    if len(data) <= 75:
        return data
    chunks, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        # Like icalendar, keep a backslash escape on one line for lenient readers.
        if end < len(data) and data[end - 1] == 0x5C and end - 1 > start:
            end -= 1
        chunks.append(data[start:end])
        start, limit = end, 74
    return b"\r\n ".join(chunks)


def write_lines(lines: Iterable[str]) -> bytes:
    """Unfolded content lines as iCalendar bytes: each folded and ended with CRLF.

    A content line never holds a line break (TEXT values are escaped), so the lines are
    encoded together and only the few longer than 75 octets are folded one by one.
    """
    data = "\r\n".join(lines).encode()
    if not data:
        return b""
    return b"\r\n".join([_fold(part) for part in data.split(b"\r\n")]) + b"\r\n"


def serialise(component: Component) -> bytes:
    """A component as iCalendar bytes: icalendar's content lines, folded quickly."""
    return write_lines(line for line in component.content_lines() if line)


def event_bytes(spec: EventSpec) -> bytes:
    """The serialised VEVENT of a spec, from the cache when the same content was seen before."""
    cached = EVENT_BYTES.get(spec)
    if cached is not None:
        return cached
    lines = spec_lines(spec)
    cached = serialise(spec.event()) if lines is None else write_lines(lines)
    EVENT_BYTES.put(spec, cached)
    return cached


def clear_cache() -> None:
    """Forget every serialised event."""
    EVENT_BYTES.clear()


def session_spec(
    session: OutreachSession, texts: CalendarTexts, face: SessionFace | None = None
) -> EventSpec:
    """One session as a stand-alone event."""
    link = texts.session_link(session.id)
    return EventSpec(
        uid=f"session-{session.id}@{texts.uid_domain}",
        changed=session.updated_at,
        sequence=session.sequence,
        # Feeds pass SessionView rows, not models, so the conversion is made here.
        start=to_local(session.starts_at),
        end=to_local(session.ends_at),
        face=face or session_face(session, texts),
        link=link,
        link_line=texts.link % {"url": link},
    )


def session_event(session: OutreachSession) -> Event:
    """One session as a stand-alone VEVENT component."""
    return session_spec(session, CalendarTexts()).event()


def series_rule_dates(series: SessionSeries, first: date, last: date) -> list[date]:
    """The dates the series' rule produces between `first` and `last` (inclusive)."""
    days: list[date] = []
    if series.rule == RepeatRule.INTERVAL and series.interval_days:
        offset = (first - series.first_day).days
        step = series.interval_days
        day = series.first_day + timedelta(days=max(0, -(-offset // step)) * step)
        while day <= last:
            days.append(day)
            day += timedelta(days=step)
        return days
    # Each weekday's dates a week apart, then merged: a series of a year is a few hundred
    # dates, where walking every day of it was a good part of a feed's time.
    weekdays = {int(d) for d in series.weekdays} or {series.first_day.weekday()}
    start, end = first.toordinal(), last.toordinal()
    for weekday in weekdays:
        ordinal = start + (weekday - first.weekday()) % 7
        days.extend(date.fromordinal(o) for o in range(ordinal, end + 1, 7))
    days.sort()
    return days


def _slot(series: SessionSeries, day: date) -> tuple[datetime, datetime]:
    """Where the series' rule puts the occurrence of `day` (aware, local time)."""
    start = datetime.combine(day, series.start_time, tzinfo=LOCAL_TZ)
    return start, start + timedelta(minutes=series.duration_minutes)


def _rrule(series: SessionSeries, last_start: datetime) -> tuple:
    """The RRULE as (name, values) pairs, ending at the last occurrence given."""
    until = ("UNTIL", (last_start.astimezone(UTC),))
    if series.rule == RepeatRule.INTERVAL and series.interval_days:
        return (("FREQ", ("DAILY",)), ("INTERVAL", (series.interval_days,)), until)
    weekdays = sorted({int(d) for d in series.weekdays} or {series.first_day.weekday()})
    byday = tuple(ICAL_WEEKDAYS[d] for d in weekdays)
    return (("FREQ", ("WEEKLY",)), until, ("BYDAY", byday), ("WKST", ("MO",)))


def series_specs(
    series: SessionSeries, occurrences: list[OutreachSession], texts: CalendarTexts
) -> list[EventSpec]:
    """A series as one recurring event, with overrides and EXDATEs for the given occurrences.

    `occurrences` are the rows this calendar may show (e.g. only those an officer works at);
    every other date the rule produces between the first and last of them is excluded.
    """
    by_date = sorted(
        ((o.occurrence_date, o) for o in occurrences if o.occurrence_date is not None),
        key=lambda pair: pair[0],
    )
    if not by_date:
        return [session_spec(o, texts) for o in occurrences]
    rule_days = series_rule_dates(series, by_date[0][0], by_date[-1][0])
    on_rule = set(rule_days)
    stray = [o for o in occurrences if o.occurrence_date not in on_rule]
    dated = [o for day, o in by_date if day in on_rule]
    specs = [session_spec(o, texts) for o in stray]
    if not dated:
        return specs

    live = [o for o in dated if o.status != SessionStatus.CANCELLED]
    everything_cancelled = not live
    # The series looks like its latest occurrence that was not changed on its own.
    template = next((o for o in reversed(live) if not o.detached), live[-1] if live else dated[-1])
    template_face = session_face(template, texts)
    if everything_cancelled:
        template_face = replace(template_face, status="CANCELLED")
    # One SEQUENCE for the whole series: it rises whenever the rule or any occurrence changes.
    sequence = series.sequence + sum(o.sequence for o in dated)
    changed = max([series.updated_at, *(o.updated_at for o in dated)])
    uid = f"series-{series.id}@{texts.uid_domain}"

    by_day = {o.occurrence_date: o for o in dated}
    excluded: list[datetime] = []
    overrides: list[EventSpec] = []
    for day in rule_days:
        occurrence = by_day.get(day)
        slot_start, slot_end = _slot(series, day)
        if occurrence is None or (
            occurrence.status == SessionStatus.CANCELLED and not everything_cancelled
        ):
            excluded.append(slot_start)
            continue
        face = template_face if occurrence is template else session_face(occurrence, texts)
        start, end = to_local(occurrence.starts_at), to_local(occurrence.ends_at)
        if face == template_face and start == slot_start and end == slot_end:
            continue
        link = texts.session_link(occurrence.id)
        overrides.append(
            EventSpec(
                uid=uid,
                changed=changed,
                sequence=sequence,
                recurrence_id=slot_start,
                start=start,
                end=end,
                face=face,
                link=link,
                link_line=texts.link % {"url": link},
            )
        )

    kept_days = [day for day, _o in by_date if day in on_rule]
    first_start, first_end = _slot(series, kept_days[0])
    last_start, _last_end = _slot(series, kept_days[-1])
    link = series_link(series)
    master = EventSpec(
        uid=uid,
        changed=changed,
        sequence=sequence,
        start=first_start,
        end=first_end,
        face=template_face,
        link=link,
        link_line=texts.link % {"url": link},
        rrule=_rrule(series, last_start),
        exdates=tuple(excluded),
    )
    return [*specs, master, *overrides]


CALENDAR_END = b"END:VCALENDAR\r\n"


def new_calendar(name: str, *, feed: bool) -> Calendar:
    """An empty VCALENDAR with our PRODID, a name and, for feeds, the refresh hints."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = " ".join(clean(name).split())
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    if feed:
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(local_vtimezone())
    return calendar


# A component besides the sessions' events: an icalendar component, or one already written as
# iCalendar bytes (write_lines), which is several times faster for many small events.
Extra = Component | bytes


def _render(calendar: Calendar, specs: Iterable[EventSpec], extra: Iterable[Extra]) -> bytes:
    head = calendar.to_ical()
    if not head.endswith(CALENDAR_END):  # events are spliced in before the end: it must be there
        raise ValueError("icalendar wrote a calendar that does not end with END:VCALENDAR")
    parts = [head[: -len(CALENDAR_END)]]
    parts.extend(event_bytes(spec) for spec in specs)
    parts.extend(c if isinstance(c, bytes) else c.to_ical() for c in extra)
    parts.append(CALENDAR_END)
    return b"".join(parts)


def download_ics(sessions: Iterable[OutreachSession], name: str) -> bytes:
    """Sessions as stand-alone events, for a one-off import into a calendar app."""
    texts = CalendarTexts()
    specs = [session_spec(s, texts) for s in sessions]
    return _render(new_calendar(name, feed=False), specs, ())


def feed_ics(
    sessions: Iterable[OutreachSession],
    name: str,
    extra: Iterable[Extra] = (),
    *,
    reminder_minutes: int | None = None,
) -> bytes:
    """Sessions for a subscription: one-off sessions as events, each series as one RRULE event.

    With `reminder_minutes`, every event that is not cancelled carries a VALARM that many
    minutes before its start (the master of a series reminds before each of its occurrences).
    """
    texts = CalendarTexts()
    specs: list[EventSpec] = []
    series_rows: dict[int, list[OutreachSession]] = {}
    series_by_id: dict[int, SessionSeries] = {}
    for session in sessions:
        if session.series_id is None or session.series is None:
            specs.append(session_spec(session, texts))
        else:
            series_rows.setdefault(session.series_id, []).append(session)
            series_by_id[session.series_id] = session.series
    for series_id in sorted(series_rows):
        specs.extend(series_specs(series_by_id[series_id], series_rows[series_id], texts))
    if reminder_minutes is not None:
        specs = [replace(spec, alarm_minutes=reminder_minutes) for spec in specs]
    return _render(new_calendar(name, feed=True), specs, extra)
