"""Rules about places: when a market is held, and what an office may pick from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from planner.collation import vi_order
from planner.enums import VenueKind
from planner.errors import PlannerError
from planner.extensions import db
from planner.forms import WEEKDAY_CHOICES
from planner.places.models import Commune, Partner, Venue, Village


def parse_weekdays(text: str) -> set[int]:
    """'06' → {0, 6} (0 = Monday)."""
    return {int(c) for c in text if c.isdigit() and int(c) <= 6}


def format_weekdays(days: set[int] | list[int]) -> str:
    return "".join(str(d) for d in sorted(set(days)))


def market_held_on(venue: Venue, day: date) -> bool:
    """Whether the market at `venue` meets on `day` (by weekday, or every N days from an anchor)."""
    if day.weekday() in parse_weekdays(venue.market_weekdays):
        return True
    if venue.market_cycle_days and venue.market_anchor_date:
        return (day - venue.market_anchor_date).days % venue.market_cycle_days == 0
    return False


def market_days_between(venue: Venue, first: date, last: date) -> list[date]:
    """Every market day of `venue` from `first` to `last` inclusive (results: where next)."""
    days: list[date] = []
    day = first
    while day <= last:
        if market_held_on(venue, day):
            days.append(day)
        day += timedelta(days=1)
    return days


def validate_market_schedule(
    kind: VenueKind, weekdays: str, cycle_days: int | None, anchor: date | None
) -> None:
    """A market needs weekdays or a cycle with its known date; a cycle needs both parts."""
    if bool(cycle_days) != bool(anchor):
        raise PlannerError(
            _("A market cycle needs both the number of days and a known market date."),
            field="market_cycle_days",
        )
    if cycle_days is not None and not 2 <= cycle_days <= 60:
        raise PlannerError(_("A market cycle is between 2 and 60 days."), field="market_cycle_days")
    if kind == VenueKind.MARKET and not weekdays and not cycle_days:
        raise PlannerError(
            _("Give the market's days: weekdays, or a cycle of days from a known market date."),
            field="market_weekdays",
        )


def office_communes(office_id: int) -> Sequence[Commune]:
    return db.session.scalars(
        sa.select(Commune).where(Commune.office_id == office_id).order_by(vi_order(Commune.name))
    ).all()


def office_villages(office_id: int) -> Sequence[Village]:
    return db.session.scalars(
        sa.select(Village)
        .join(Commune)
        .where(Commune.office_id == office_id)
        .options(sa.orm.contains_eager(Village.commune))
        .order_by(vi_order(Commune.name), vi_order(Village.name))
    ).all()


def commune_villages(office_id: int, commune_id: int | None) -> Sequence[Village]:
    """The villages of one commune of the office, by name: what a session's forms offer (an
    office has ~1,500 villages; listing them all made most of a session page's size and time)."""
    return db.session.scalars(
        sa.select(Village)
        .join(Commune)
        .where(Commune.office_id == office_id, Village.commune_id == commune_id)
        .options(sa.orm.contains_eager(Village.commune))
        .order_by(vi_order(Village.name))
    ).all()


def office_venues(office_id: int, active_only: bool = True) -> Sequence[Venue]:
    query = sa.select(Venue).where(Venue.office_id == office_id)
    if active_only:
        query = query.where(Venue.active)
    return db.session.scalars(
        query.options(
            sa.orm.selectinload(Venue.commune), sa.orm.selectinload(Venue.village)
        ).order_by(Venue.kind, vi_order(Venue.name))
    ).all()


def office_partners(office_id: int, active_only: bool = True) -> Sequence[Partner]:
    query = sa.select(Partner).where(Partner.office_id == office_id)
    if active_only:
        query = query.where(Partner.active)
    return db.session.scalars(query.order_by(vi_order(Partner.name))).all()


def market_days_text(venue: Venue) -> str:
    """'Sunday' or 'every 6 days from 02/11/2026', for lists and printed matter."""
    weekdays = parse_weekdays(venue.market_weekdays)
    parts = [str(c.label) for c in WEEKDAY_CHOICES if int(c.value) in weekdays]
    if venue.market_cycle_days and venue.market_anchor_date:
        parts.append(
            ngettext(
                "every %(num)d day from %(day)s",
                "every %(num)d days from %(day)s",
                venue.market_cycle_days,
                day=format_date(venue.market_anchor_date, "dd/MM/yyyy"),
            )
        )
    return ", ".join(parts)
