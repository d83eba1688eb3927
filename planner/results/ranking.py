"""Where to go next: communes ranked by what is still to do there and by what has worked there.

The rank: first the target gap (enrolments still missing against the commune's targets running
today), then the uninsured estimate times the commune's conversion rate (the enrolments one
could expect), then the uninsured estimate alone. Conversion is measured over the last 365
days, and by session kind so the best kind of session in each commune shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from planner.collation import vi_order
from planner.enums import SessionKind, SessionStatus, VenueKind
from planner.extensions import db
from planner.places.models import Venue
from planner.places.services import market_days_between
from planner.results.coverage import coverage_table
from planner.results.figures import EnrolmentJoin, rate, reach_query, reached_people
from planner.results.models import TargetMetric
from planner.results.periods import Period, ResultsFilter
from planner.results.targets import progress, targets_in
from planner.sessions.models import OutreachSession
from planner.timezones import local_day_bounds, now_utc, to_local

LOOKBACK_DAYS = 365
MARKET_HORIZON_DAYS = 14
MARKET_DAYS_OFFERED = 2  # per market venue
# Venues keep their market days but no hours, so today's market counts as over from local noon:
# highland markets are morning markets (the demo's run 07:30–11:00), and a session planned for
# a market that has broken up would find nobody there.
MARKET_OVER_AT = time(12, 0)
ENROLMENT_METRICS = (TargetMetric.ENROLLED_VOLUNTARY_SI, TargetMetric.ENROLLED_HOUSEHOLD_HI)


@dataclass(frozen=True)
class MarketDay:
    venue_id: int
    venue: str
    day: date


@dataclass(frozen=True)
class NextMarkets:
    """One commune's market days ahead: `free` ones to plan a session at (no planned or held
    session at that venue that day), and the `taken` ones skipped for them, so the page can say
    the market is already covered then. Both sorted by day."""

    free: list[MarketDay] = field(default_factory=list)
    taken: list[MarketDay] = field(default_factory=list)


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
    next_markets: NextMarkets

    @property
    def conversion_rate(self) -> Decimal | None:
        return rate(self.enrolled, self.reached)

    @property
    def expected(self) -> Decimal:
        """Enrolments one could expect: the uninsured estimate at this commune's conversion."""
        return Decimal(self.uninsured_estimate or 0) * (self.conversion_rate or 0) / 100


def where_next(
    f: ResultsFilter, today: date | None = None, now: datetime | None = None
) -> list[CommuneRank]:
    """The office's communes (or the filter's one), best place to go first.

    `today` is the local day ranked from (default: today where the officers are); `now` (an aware
    moment, default: now) says whether today's markets are over (`MARKET_OVER_AT`)."""
    now = to_local(now or now_utc())
    today = today or now.date()
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
    markets_over = now.date() == today and now.time() >= MARKET_OVER_AT
    first_market_day = today + timedelta(days=1) if markets_over else today
    markets = _next_markets(f.office_id, today, first_market_day)
    ranks = []
    for commune_id, row in coverage.items():
        done = worked.get(commune_id, _Worked())
        best_kind, best_kind_rate = done.best
        ranks.append(
            CommuneRank(
                commune_id=commune_id,
                name=row.name,
                target_gap=gaps.get(commune_id, 0),
                uninsured_estimate=row.uninsured_estimate,
                reached=done.reached,
                enrolled=done.enrolled,
                best_kind=best_kind,
                best_kind_rate=best_kind_rate,
                next_markets=markets.get(commune_id, NextMarkets()),
            )
        )
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


def _next_markets(office_id: int, today: date, first: date) -> dict[int, NextMarkets]:
    """Per commune, the first `MARKET_DAYS_OFFERED` free market days of each market venue from
    `first` to the end of the `MARKET_HORIZON_DAYS` counted from `today`, and (as many at most)
    the taken ones skipped before them. Two queries: the venues, then the office's planned and
    held sessions at markets in the horizon; the days are worked out here.

    A cancelled session leaves the day free, and so does a postponed one: it is not held that
    day."""
    venues = db.session.scalars(
        sa.select(Venue)
        .where(Venue.office_id == office_id, Venue.active, Venue.kind == VenueKind.MARKET)
        .order_by(vi_order(Venue.name))
    ).all()
    last = today + timedelta(days=MARKET_HORIZON_DAYS - 1)
    start, end = local_day_bounds(first, last)
    booked = {
        (venue_id, to_local(starts_at).date())
        for venue_id, starts_at in db.session.execute(
            sa.select(OutreachSession.venue_id, OutreachSession.starts_at)
            .join(Venue, Venue.id == OutreachSession.venue_id)
            .where(
                OutreachSession.office_id == office_id,
                Venue.kind == VenueKind.MARKET,
                OutreachSession.starts_at >= start,
                OutreachSession.starts_at < end,
                OutreachSession.status.in_((SessionStatus.PLANNED, SessionStatus.HELD)),
            )
            .distinct()
        )
    }
    found: dict[int, NextMarkets] = defaultdict(NextMarkets)
    for venue in venues:
        free: list[MarketDay] = []
        taken: list[MarketDay] = []
        for day in market_days_between(venue, first, last):
            market = MarketDay(venue.id, venue.name, day)
            if (venue.id, day) not in booked:
                free.append(market)
                if len(free) == MARKET_DAYS_OFFERED:
                    break
            elif len(taken) < MARKET_DAYS_OFFERED:  # a daily market's note stays short
                taken.append(market)
        found[venue.commune_id].free.extend(free)
        found[venue.commune_id].taken.extend(taken)
    for markets in found.values():
        markets.free.sort(key=lambda m: m.day)
        markets.taken.sort(key=lambda m: m.day)
    return found
