"""Where to go next: communes ranked by what is still to do there and by what has worked there.

The rank: first the target gap (enrolments still missing against the commune's targets running
today), then the uninsured estimate times the commune's conversion rate (the enrolments one
could expect), then the uninsured estimate alone. Conversion is measured over the last 365
days, and by session kind so the best kind of session in each commune shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from planner.collation import vi_order
from planner.enums import SessionKind, VenueKind
from planner.extensions import db
from planner.places.models import Venue
from planner.places.services import market_days_between
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
    worked = _what_worked(recent)
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
    markets = _next_markets(f.office_id, today)
    nothing = _Worked()
    ranks = [
        CommuneRank(
            commune_id=commune_id,
            name=row.name,
            target_gap=gaps.get(commune_id, 0),
            uninsured_estimate=row.uninsured_estimate,
            reached=worked.get(commune_id, nothing).reached,
            enrolled=worked.get(commune_id, nothing).enrolled,
            best_kind=worked.get(commune_id, nothing).best_kind,
            best_kind_rate=worked.get(commune_id, nothing).best_kind_rate,
            next_markets=markets.get(commune_id, []),
        )
        for commune_id, row in coverage.items()
    ]
    ranks.sort(key=lambda r: (-r.target_gap, -r.expected, -(r.uninsured_estimate or 0), r.name))
    return ranks


@dataclass
class _Worked:
    """What sessions achieved in one commune: people reached and enrolments (as the results
    define them: `planner.results.figures`), in all and per session kind."""

    reached: int = 0
    enrolled: int = 0
    reached_by_kind: dict[SessionKind, int] = field(default_factory=dict)
    enrolled_by_kind: dict[SessionKind, int] = field(default_factory=dict)

    @property
    def best(self) -> tuple[SessionKind | None, Decimal | None]:
        """The session kind with the most enrolments per person reached (none if none enrolled)."""
        found: tuple[SessionKind | None, Decimal | None] = (None, None)
        for kind, people in self.reached_by_kind.items():
            value = rate(self.enrolled_by_kind.get(kind, 0), people)
            if value and (found[1] is None or value > found[1]):
                found = (kind, value)
        return found

    @property
    def best_kind(self) -> SessionKind | None:
        return self.best[0]

    @property
    def best_kind_rate(self) -> Decimal | None:
        return self.best[1]


def _what_worked(f: ResultsFilter) -> dict[int, _Worked]:
    """Per commune, people reached and enrolments in the filter's period, in all and per session
    kind: four grouped queries.

    A person reached at a market and at a home visit of one commune counts once for the commune
    and once for each kind, so the commune's reach is not the sum of its kinds' and is counted on
    its own (one pass over the period's attendance each; reducing it once to distinct
    (commune, kind, person) in a CTE measured slower on SQLite).
    """
    worked: dict[int, _Worked] = defaultdict(_Worked)
    for commune_id, people in db.session.execute(
        reach_query(f, OutreachSession.commune_id, reached_people()).group_by(
            OutreachSession.commune_id
        )
    ):
        worked[commune_id].reached = people
    for commune_id, kind, people in db.session.execute(
        reach_query(f, OutreachSession.commune_id, OutreachSession.kind, reached_people()).group_by(
            OutreachSession.commune_id, OutreachSession.kind
        )
    ):
        worked[commune_id].reached_by_kind[SessionKind(kind)] = people
    # An enrolment goes to its main credited session's commune and kind, else to its person's
    # commune with no kind (figures' attribution); the commune's total adds every kind.
    joined = EnrolmentJoin()
    for commune_id, kind, number in db.session.execute(
        joined.query(f, joined.commune, joined.session.kind, sa.func.count()).group_by(
            joined.commune, joined.session.kind
        )
    ):
        worked[commune_id].enrolled += number
        if kind is not None:
            worked[commune_id].enrolled_by_kind[SessionKind(kind)] = number
    return worked


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
