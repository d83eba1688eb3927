"""Clash warnings: the same officer or venue at overlapping times, a market not held that day, a
kind at the wrong venue, public and office-blocked days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import format_date, format_time, get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from planner.accounts.models import User
from planner.calendars.blocked_days import blocked_day_names
from planner.enums import SessionKind, SessionStatus
from planner.extensions import db
from planner.places.models import Venue
from planner.places.services import market_held_on
from planner.sessions.days import holiday_name
from planner.sessions.drafts import VENUE_KIND_FOR, SessionDraft
from planner.sessions.models import (
    OutreachSession,
)


class ClashKind(StrEnum):
    """Why a draft deserves a second look."""

    OFFICER = "officer"  # the same officer is elsewhere at that time
    VENUE = "venue"  # the venue is booked at that time
    MARKET_DAY = "market_day"  # the market is not held that day
    BLOCKED_DAY = "blocked_day"  # the office blocked the day
    HOLIDAY = "holiday"  # a public holiday
    VENUE_KIND = "venue_kind"  # a market session away from a market, a home visit not at home


@dataclass
class Clash:
    """A reason to think twice before saving; shown as a warning, never silently ignored."""

    kind: ClashKind
    day: date
    message: str
    other: OutreachSession | None = None
    officers: tuple[str, ...] = ()  # the draft's officers busy elsewhere (OFFICER)
    venue_name: str = ""  # the market not held that day (MARKET_DAY)


def find_clashes(
    office_id: int,
    draft: SessionDraft,
    days: list[date] | None = None,
    exclude_ids: set[int] | frozenset[int] = frozenset(),
) -> list[Clash]:
    """Overlaps with the same officer or venue, markets not held that day, public holidays."""
    days = days or [draft.day]
    windows = {day: draft.bounds(day) for day in days}
    first_start = min(s for s, _e in windows.values())
    last_end = max(e for _s, e in windows.values())
    others = db.session.scalars(
        sa.select(OutreachSession)
        .where(
            OutreachSession.office_id == office_id,
            OutreachSession.starts_at < last_end,
            OutreachSession.ends_at > first_start,
            OutreachSession.status != SessionStatus.CANCELLED,
            OutreachSession.id.not_in(exclude_ids) if exclude_ids else sa.true(),
        )
        .options(
            selectinload(OutreachSession.facilitators),
            selectinload(OutreachSession.lead_officer),
            selectinload(OutreachSession.venue),
        )
        .order_by(OutreachSession.starts_at)
    ).all()
    venue = db.session.get(Venue, draft.venue_id) if draft.venue_id else None
    officers = {
        u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(draft.officer_ids)))
    }

    blocked = blocked_day_names(office_id, windows)
    clashes: list[Clash] = []
    for day, (start, end) in windows.items():
        for other in others:
            if not (other.starts_at < end and other.ends_at > start):
                continue
            busy = draft.officer_ids & {o.id for o in other.officers}
            when = (
                f"{format_time(other.local_start, 'HH:mm')}–{format_time(other.local_end, 'HH:mm')}"
            )
            for officer_id in sorted(busy):
                clashes.append(
                    Clash(
                        ClashKind.OFFICER,
                        day,
                        _(
                            "%(officer)s already has “%(other)s” on %(day)s, %(when)s.",
                            officer=officers[officer_id].full_name,
                            other=other.label_with_place,
                            day=format_date(day, "EEEE dd/MM"),
                            when=when,
                        ),
                        other,
                        officers=(officers[officer_id].full_name,),
                    )
                )
            if venue is not None and other.venue_id == venue.id:
                clashes.append(
                    Clash(
                        ClashKind.VENUE,
                        day,
                        _(
                            "%(venue)s is already booked for “%(other)s” on %(day)s, %(when)s.",
                            venue=venue.name,
                            other=other.label_with_place,
                            day=format_date(day, "EEEE dd/MM"),
                            when=when,
                        ),
                        other,
                    )
                )
        if (
            venue is not None
            and venue.is_market
            and draft.kind == SessionKind.MARKET
            and not market_held_on(venue, day)
        ):
            clashes.append(
                Clash(
                    ClashKind.MARKET_DAY,
                    day,
                    _(
                        "%(venue)s is not held on %(day)s.",
                        venue=venue.name,
                        day=format_date(day, "EEEE dd/MM/yyyy"),
                    ),
                    venue_name=venue.name,
                )
            )
        if day in blocked:
            clashes.append(
                Clash(
                    ClashKind.BLOCKED_DAY,
                    day,
                    _(
                        "%(day)s is blocked in your office's calendar: %(name)s.",
                        day=format_date(day, "EEEE dd/MM/yyyy"),
                        name=blocked[day],
                    ),
                )
            )
        holiday = holiday_name(day, str(get_locale()))
        if holiday:
            clashes.append(
                Clash(
                    ClashKind.HOLIDAY,
                    day,
                    _(
                        "%(day)s is a public holiday: %(holiday)s.",
                        day=format_date(day, "EEEE dd/MM/yyyy"),
                        holiday=holiday,
                    ),
                )
            )
    expected_kind = VENUE_KIND_FOR.get(SessionKind(draft.kind))
    if venue is not None and expected_kind is not None and venue.kind != expected_kind:
        clashes.append(
            Clash(
                ClashKind.VENUE_KIND,
                days[0],
                _(
                    "%(venue)s is not a place of the kind “%(expected)s”; check the kind of "
                    "session or the venue.",
                    venue=venue.name,
                    expected=expected_kind.label,
                ),
            )
        )
    return clashes


@dataclass(frozen=True)
class ClashLine:
    """One warning line: every occurrence that clashes with the same other session or series
    (or the same closed market, blocked day, holiday), with the days it affects."""

    kinds: tuple[ClashKind, ...]
    message: str
    days: tuple[date, ...]


def _dates_text(days: list[date], times: set[str]) -> str:
    """'Thứ Bảy, 05/12/2026, 08:00–11:00' or '8 Thứ Bảy, 05/12/2026 – 23/01/2027, 08:00–11:00'."""
    days = sorted(set(days))
    when = f", {next(iter(times))}" if len(times) == 1 else ""
    if len(days) == 1:
        return format_date(days[0], "EEEE, dd/MM/yyyy") + when
    span = f"{format_date(days[0], 'dd/MM/yyyy')} – {format_date(days[-1], 'dd/MM/yyyy')}"
    if len({d.weekday() for d in days}) == 1:
        count = ngettext(
            "%(num)d %(weekday)s",
            "%(num)d %(weekday)ss",
            len(days),
            weekday=format_date(days[0], "EEEE"),
        )
    else:
        count = ngettext("%(num)d day", "%(num)d days", len(days))
    return f"{count}, {span}{when}"


def _time_range(session: OutreachSession) -> str:
    return f"{format_time(session.local_start, 'HH:mm')}–{format_time(session.local_end, 'HH:mm')}"


def clash_lines(clashes: list[Clash] | tuple[Clash, ...]) -> list[ClashLine]:
    """The clashes as a person reads them: one line per other session (a series counts once),
    naming its officer, kind and place and the dates it affects; one line per closed market,
    blocked day or holiday; never the same line twice."""
    by_other: dict[tuple, list[Clash]] = {}
    by_message: dict[tuple, list[Clash]] = {}
    for clash in clashes:
        if clash.other is not None:
            other = clash.other
            key = ("series", other.series_id) if other.series_id else ("session", other.id)
            by_other.setdefault(key, []).append(clash)
        elif clash.kind == ClashKind.MARKET_DAY:
            by_message.setdefault((clash.kind, "market"), []).append(clash)
        else:
            by_message.setdefault((clash.kind, clash.message), []).append(clash)
    lines = [_other_line(group) for group in by_other.values()]
    for (kind, _key), group in by_message.items():
        if kind == ClashKind.MARKET_DAY and len({c.day for c in group}) > 1:
            days = sorted({c.day for c in group})
            message = _(
                "%(venue)s is not held on these days: %(days)s.",
                venue=group[0].venue_name,
                days=", ".join(format_date(d, "EEEE dd/MM/yyyy") for d in days),
            )
            lines.append(ClashLine((kind,), message, tuple(days)))
        else:
            lines.append(
                ClashLine((kind,), group[0].message, tuple(sorted({c.day for c in group})))
            )
    return lines


def _other_line(group: list[Clash]) -> ClashLine:
    """One line for every clash with one other session or series."""
    first = group[0].other
    assert first is not None  # noqa: S101 - grouped by their other session
    kinds = tuple(sorted({c.kind for c in group}))
    days = sorted({c.day for c in group})
    dates = _dates_text(days, {_time_range(c.other) for c in group if c.other is not None})
    what = first.kind.label
    led_by = first.lead_officer.full_name
    busy = sorted({name for c in group for name in c.officers})
    if ClashKind.OFFICER in kinds:
        message = _(
            "%(officers)s already has “%(kind)s” led by %(officer)s at %(place)s: %(dates)s.",
            officers=", ".join(busy),
            kind=what,
            officer=led_by,
            place=first.place_name,
            dates=dates,
        )
        if ClashKind.VENUE in kinds:
            message += " " + _("Same venue.")
    else:
        message = _(
            "%(venue)s is already booked for “%(kind)s” led by %(officer)s: %(dates)s.",
            venue=first.place_name,
            kind=what,
            officer=led_by,
            dates=dates,
        )
    return ClashLine(kinds, message, tuple(days))
