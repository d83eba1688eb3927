"""Where to go next: communes ranked by what is still to do there and by what has worked there.

The rank: first the target gap (enrolments still missing against the commune's targets running
today), then the uninsured estimate times the commune's conversion rate (the enrolments one
could expect), then the uninsured estimate alone. Conversion is measured over the last 365
days, and by session kind so the best kind of session in each commune shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from planner.collation import vi_order
from planner.enums import SessionKind, VenueKind
from planner.extensions import db
from planner.places.models import Venue
from planner.places.services import market_days_between
from planner.results.comparisons import Dimension, breakdown
from planner.results.coverage import coverage_table
from planner.results.figures import EnrolmentJoin, rate, reach_query, reached_people
from planner.results.models import TargetMetric
from planner.results.periods import Period, ResultsFilter
from planner.results.targets import progress, targets_in
from planner.sessions.models import OutreachSession
from planner.timezones import today_local

LOOKBACK_DAYS = 365
MARKET_HORIZON_DAYS = 14
ENROLMENT_METRICS = (TargetMetric.ENROLLED_VOLUNTARY_SI, TargetMetric.ENROLLED_HOUSEHOLD_HI)


@dataclass(frozen=True)
class MarketDay:
    venue_id: int
    venue: str
    day: date


@dataclass(frozen=True)
class CommuneRank:
    commune_id: int
    name: str
    target_gap: int
    uninsured_estimate: int | None
    reached: int
    enrolled: int
    best_kind: SessionKind | None
    best_kind_rate: Decimal | None
    next_markets: list[MarketDay]

    @property
    def conversion_rate(self) -> Decimal | None:
        return rate(self.enrolled, self.reached)

    @property
    def expected(self) -> Decimal:
        """Enrolments one could expect: the uninsured estimate at this commune's conversion."""
        return Decimal(self.uninsured_estimate or 0) * (self.conversion_rate or 0) / 100


def where_next(f: ResultsFilter, today: date | None = None) -> list[CommuneRank]:
    """The office's communes (or the filter's one), best place to go first."""
    today = today or today_local()
    recent = f.with_period(Period(today - timedelta(days=LOOKBACK_DAYS - 1), today))
    by_commune = {r.key: r for r in breakdown(recent, Dimension.COMMUNE).rows}
    coverage = {
        c.commune_id: c for c in coverage_table(f.office_id, today, commune_id=f.commune_id)
    }
    gaps: dict[int | None, int] = defaultdict(int)
    running = [
        t
        for t in targets_in(f.office_id, Period(today, today), commune_id=f.commune_id)
        if t.commune_id and t.metric in ENROLMENT_METRICS
    ]
    for item in progress(running, today):
        gaps[item.target.commune_id] += item.pace.remaining
    best = _best_kinds(recent)
    markets = _next_markets(f.office_id, today)
    ranks = [
        CommuneRank(
            commune_id=commune_id,
            name=row.name,
            target_gap=gaps.get(commune_id, 0),
            uninsured_estimate=row.uninsured_estimate,
            reached=by_commune[commune_id].reached if commune_id in by_commune else 0,
            enrolled=by_commune[commune_id].enrolled if commune_id in by_commune else 0,
            best_kind=best.get(commune_id, (None, None))[0],
            best_kind_rate=best.get(commune_id, (None, None))[1],
            next_markets=markets.get(commune_id, []),
        )
        for commune_id, row in coverage.items()
    ]
    ranks.sort(key=lambda r: (-r.target_gap, -r.expected, -(r.uninsured_estimate or 0), r.name))
    return ranks


def _best_kinds(f: ResultsFilter) -> dict[int, tuple[SessionKind, Decimal]]:
    """Per commune, the session kind with the best enrolments per person reached (2 queries)."""
    reached: dict[tuple, int] = {
        (c, k): n
        for c, k, n in db.session.execute(
            reach_query(
                f,
                OutreachSession.commune_id,
                OutreachSession.kind,
                reached_people(),
            ).group_by(OutreachSession.commune_id, OutreachSession.kind)
        )
    }
    joined = EnrolmentJoin()
    enrolled: dict[tuple, int] = {
        (c, k): n
        for c, k, n in db.session.execute(
            joined.query(f, joined.session.commune_id, joined.session.kind, sa.func.count())
            .where(joined.session.id.is_not(None))
            .group_by(joined.session.commune_id, joined.session.kind)
        )
    }
    best: dict[int, tuple[SessionKind, Decimal]] = {}
    for (commune_id, kind), people in reached.items():
        value = rate(enrolled.get((commune_id, kind), 0), people)
        if value and (commune_id not in best or value > best[commune_id][1]):
            best[commune_id] = (SessionKind(kind), value)
    return best


def _next_markets(office_id: int, today: date) -> dict[int, list[MarketDay]]:
    """The market days of the next two weeks, per commune (one query; days worked out here)."""
    venues = db.session.scalars(
        sa.select(Venue)
        .where(Venue.office_id == office_id, Venue.active, Venue.kind == VenueKind.MARKET)
        .order_by(vi_order(Venue.name))
    ).all()
    found: dict[int, list[MarketDay]] = defaultdict(list)
    last = today + timedelta(days=MARKET_HORIZON_DAYS - 1)
    for venue in venues:
        for day in market_days_between(venue, today, last)[:2]:
            found[venue.commune_id].append(MarketDay(venue.id, venue.name, day))
    for days in found.values():
        days.sort(key=lambda m: m.day)
    return found
