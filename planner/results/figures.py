"""Every results figure, defined once: what counts, on which date, for whom.

Definitions (the dashboard's help text says the same in the user's words):

- A session belongs to the local (Vietnam) day it starts on. Planned, held, cancelled and
  postponed count sessions by their status; a "stale" session is still planned after its start.
- Reached: distinct people with a confirmed attendance at a session of the period that was not
  cancelled. A person at three sessions counts once.
- Interested: reached people who said they were interested in a product at one of those sessions.
- Follow-ups due: follow-ups (not cancelled) whose due day falls in the period. Done on time:
  those whose first contact (any outcome logged) came on or before the due day, in Vietnam time.
- Followed up (funnel): distinct people with a contact outcome (not the automatic "enrolled")
  logged in the period on a follow-up in scope.
- An enrolment belongs to its enrolment day. It counts once however many sessions it is credited
  to; by officer, commune, session kind, partner or target group it goes to its main credited
  session (the last one the person attended before enrolling). Without a session it goes to the
  officer who recorded it and to the person's commune.
- Household members covered: the members of household health insurance enrolments.
- Conversion rate: distinct people enrolled in the period divided by people reached in it.
- Contributions recorded: monthly contribution x months paid at the first payment; state support
  likewise, from the amounts frozen on the enrolment (rates of its day).

Every function takes a ResultsFilter and runs a fixed number of grouped queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from planner.accounts.models import User
from planner.collation import vi_order
from planner.enrolments.models import Enrolment, EnrolmentCredit
from planner.enums import SessionStatus
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpOutcome, FollowUpStatus, OutcomeKind, Product
from planner.people.models import Attendance, Person
from planner.results.periods import Period, ResultsFilter
from planner.sessions.models import OutreachSession
from planner.timezones import LOCAL_TZ, now_utc, today_local


def rate(part: int, whole: int) -> Decimal | None:
    """`part` out of `whole` as a percentage with one decimal, or None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- Building blocks shared by figures, comparisons, targets and lists ----------------------


def session_where(f: ResultsFilter, period: Period | None = None) -> list:
    """Sessions of the office that start in the period (local days), narrowed by the filter."""
    start, end = (period or f.period).utc_bounds
    clauses = [
        OutreachSession.office_id == f.office_id,
        OutreachSession.starts_at >= start,
        OutreachSession.starts_at < end,
    ]
    if f.officer_ids is not None:
        clauses.append(OutreachSession.lead_officer_id.in_(f.officer_ids))
    if f.commune_id is not None:
        clauses.append(OutreachSession.commune_id == f.commune_id)
    return clauses


def reach_query(f: ResultsFilter, *columns, period: Period | None = None) -> sa.Select:
    """Attendance rows that count as reach, joined to their session, selecting `columns`."""
    return (
        sa.select(*columns)
        .select_from(Attendance)
        .join(OutreachSession, OutreachSession.id == Attendance.session_id)
        .where(
            *session_where(f, period),
            Attendance.confirmed.is_(True),
            OutreachSession.status != SessionStatus.CANCELLED,
        )
    )


def interested_clause():
    return sa.or_(
        Attendance.interested_voluntary_si.is_(True), Attendance.interested_household_hi.is_(True)
    )


def reached_people():
    """SQL: the distinct people among a reach query's attendance rows (its "reached")."""
    return sa.func.count(sa.distinct(Attendance.person_id))


def interested_people():
    """SQL: the distinct people interested at one of a reach query's attendance rows.

    A FILTER, not a CASE inside the DISTINCT: rows without interest never reach the distinct
    set, where a CASE's NULLs each cost SQLite an insertion (a third of a year's reach count).
    """
    return sa.func.count(sa.distinct(Attendance.person_id)).filter(interested_clause())


_MAIN_CREDIT = aliased(EnrolmentCredit, name="main_credit")
_MAIN_SESSION = aliased(OutreachSession, name="main_session")


class EnrolmentJoin:
    """An enrolment with its main credited session (aliased, maybe missing) and its person.

    `officer` and `commune` are the enrolment's attribution (see the module's definitions).
    """

    def __init__(self) -> None:
        # The aliases are made once: building an aliased class per query cost more than the
        # queries themselves (SQLAlchemy adapts every column on first use).
        self.credit = _MAIN_CREDIT
        self.session = _MAIN_SESSION
        self.officer = sa.func.coalesce(self.session.lead_officer_id, Enrolment.recorded_by_id)
        self.commune = sa.func.coalesce(self.session.commune_id, Person.commune_id)

    def query(
        self,
        f: ResultsFilter,
        *columns,
        period: Period | None = None,
        with_session: bool = True,
        with_person: bool = True,
    ) -> sa.Select:
        """Enrolments of the filter's office and period, selecting `columns`.

        The main credit and its session are joined when `with_session` (columns or conditions
        on `self.session` or `self.officer`), the person when `with_person` (`self.commune`,
        `Person` columns), and both whenever an officer or commune narrows the filter. Every
        enrolment has its person (a foreign key) and at most one main credit, so leaving a join
        out changes no count: it only spares a row lookup per enrolment (a year's figures read
        the enrolment index alone).
        """
        period = period or f.period
        with_session = with_session or f.officer_ids is not None or f.commune_id is not None
        with_person = with_person or f.commune_id is not None
        query = sa.select(*columns).select_from(Enrolment)
        if with_person:
            query = query.join(Person, Person.id == Enrolment.person_id)
        if with_session:
            query = query.outerjoin(
                self.credit,
                sa.and_(
                    self.credit.enrolment_id == Enrolment.id,
                    self.credit.main.is_(True),
                    self.credit.session_id.is_not(None),
                ),
            ).outerjoin(self.session, self.session.id == self.credit.session_id)
        query = query.where(
            Enrolment.office_id == f.office_id,
            Enrolment.enrolled_on >= period.first,
            Enrolment.enrolled_on <= period.last,
        )
        if f.officer_ids is not None:
            query = query.where(self.officer.in_(f.officer_ids))
        if f.commune_id is not None:
            query = query.where(self.commune == f.commune_id)
        return query


def follow_up_query(f: ResultsFilter, *columns, with_session: bool = False) -> sa.Select:
    """Follow-ups of the office in the filter's scope (period conditions are added by callers).

    A follow-up's commune is its session's, else its person's. The session (outer join) and the
    person are joined only when a commune narrows the filter or `with_session` asks for the
    session's columns: every follow-up has its person (a foreign key), so the join adds no
    condition, only work.
    """
    query = sa.select(*columns).select_from(FollowUp).where(FollowUp.office_id == f.office_id)
    if with_session or f.commune_id is not None:
        query = query.outerjoin(OutreachSession, OutreachSession.id == FollowUp.session_id)
    if f.officer_ids is not None:
        query = query.where(FollowUp.assigned_to_id.in_(f.officer_ids))
    if f.commune_id is not None:
        query = query.join(Person, Person.id == FollowUp.person_id).where(
            sa.func.coalesce(OutreachSession.commune_id, Person.commune_id) == f.commune_id
        )
    return query


def followed_up_query(f: ResultsFilter) -> sa.Select:
    """Distinct people with a contact logged in the period; joins people and sessions only
    when a commune narrows it."""
    start, end = f.period.utc_bounds
    query = (
        sa.select(sa.func.count(sa.distinct(FollowUp.person_id)))
        .select_from(FollowUpOutcome)
        .join(FollowUp, FollowUp.id == FollowUpOutcome.follow_up_id)
        .where(
            FollowUpOutcome.office_id == f.office_id,
            # Implied by the outcome's office, but it lets PostgreSQL read the office's
            # follow-ups by index instead of every office's (2.1 s -> 0.2 s inside the nation).
            FollowUp.office_id == f.office_id,
            FollowUpOutcome.at >= start,
            FollowUpOutcome.at < end,
            FollowUpOutcome.kind != OutcomeKind.ENROLLED,
        )
    )
    if f.officer_ids is not None:
        query = query.where(FollowUp.assigned_to_id.in_(f.officer_ids))
    if f.commune_id is not None:
        query = (
            query.join(Person, Person.id == FollowUp.person_id)
            .outerjoin(OutreachSession, OutreachSession.id == FollowUp.session_id)
            .where(sa.func.coalesce(OutreachSession.commune_id, Person.commune_id) == f.commune_id)
        )
    return query


def end_of_local_day(day: date) -> datetime:
    """The first UTC moment after `day` ends in Vietnam."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=LOCAL_TZ)


# --- The dashboard's figures ----------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The dashboard's figures for one filter (counts; money in whole dong)."""

    sessions_planned: int = 0
    sessions_held: int = 0
    sessions_cancelled: int = 0
    sessions_postponed: int = 0
    sessions_stale: int = 0
    reached: int = 0
    interested: int = 0
    followed_up: int = 0
    follow_ups_due: int = 0
    follow_ups_on_time: int = 0
    enrolled: dict[Product, int] = field(default_factory=dict)
    enrolled_people: int = 0
    household_members: int = 0
    contributions: int = 0
    state_support: int = 0

    @property
    def enrolments(self) -> int:
        return sum(self.enrolled.values())

    @property
    def conversion_rate(self) -> Decimal | None:
        return rate(self.enrolled_people, self.reached)

    @property
    def on_time_rate(self) -> Decimal | None:
        return rate(self.follow_ups_on_time, self.follow_ups_due)

    def value(self, name: str) -> int | Decimal | None:
        if name.startswith("enrolled_"):
            return self.enrolled.get(Product(name.removeprefix("enrolled_")), 0)
        return getattr(self, name)


def figures(f: ResultsFilter, now: datetime | None = None) -> Figures:
    """Every dashboard figure for the filter, in six grouped queries."""
    return figures_of(f, [f.period], now)[0]


def figures_with_previous(f: ResultsFilter, now: datetime | None = None) -> tuple[Figures, Figures]:
    """The filter's figures and the same figures for the period before, in nine queries (six
    for one period: the grouped counts read both periods at once)."""
    current, previous = figures_of(f, [f.period, f.period.previous()], now)
    return current, previous


class _Periods:
    """Several periods counted by one grouped query: it reads the days from the earliest start
    to the latest end and puts each row in its period by a CASE (rows between two periods that
    do not touch fall in none). With one period the CASE is left out, so its queries stay as
    simple as they were."""

    def __init__(self, f: ResultsFilter, periods: list[Period]) -> None:
        self.periods = periods
        self.span = f.with_period(
            Period(min(p.first for p in periods), max(p.last for p in periods))
        )

    def moment_in(self, index: int, column) -> sa.ColumnElement[bool] | None:
        """SQL: the aware UTC `column` falls in period `index` (None for a single period)."""
        if len(self.periods) == 1:
            return None
        start, end = self.periods[index].utc_bounds
        return sa.and_(column >= start, column < end)

    def day_in(self, index: int, column) -> sa.ColumnElement[bool] | None:
        """SQL: the local day `column` falls in period `index` (None for a single period)."""
        if len(self.periods) == 1:
            return None
        period = self.periods[index]
        return sa.and_(column >= period.first, column <= period.last)

    def which(self, condition) -> list[sa.ColumnElement]:
        """SQL: the index of the period a row falls in, by `condition(index)`, NULL for none; as
        a list of columns to select and group by first (empty for a single period)."""
        if len(self.periods) == 1:
            return []
        return [sa.case(*((condition(i), i) for i in range(len(self.periods))), else_=None)]

    def rows(self, which: list, result) -> Iterator[tuple]:
        """Each row of `result` (grouped by `which` first) as (period index, the rest...); rows
        of no period are left out."""
        for row in result:
            index, *rest = row if which else (0, *row)
            if index is not None:
                yield (index, *rest)


def figures_of(
    f: ResultsFilter, periods: list[Period], now: datetime | None = None
) -> list[Figures]:
    """Every dashboard figure for each of `periods` in the filter's scope, each the count the
    period would give alone: sessions, follow-ups due and enrolments in one grouped query for
    all periods (one index range, split by period), distinct people in one query per period."""
    now = now or now_utc()
    span = _Periods(f, periods)
    n = len(periods)
    fs = span.span

    def session_in(i):
        return span.moment_in(i, OutreachSession.starts_at)

    status: list[dict] = [{} for _ in range(n)]
    stale = [0] * n
    which = span.which(session_in)
    past = sa.case((OutreachSession.starts_at < now, 1), else_=0)
    for index, state, number, started in span.rows(
        which,
        db.session.execute(
            sa.select(*which, OutreachSession.status, sa.func.count(), sa.func.sum(past))
            .where(*session_where(fs))
            .group_by(*which, OutreachSession.status)
        ),
    ):
        status[index][state] = number
        if state == SessionStatus.PLANNED:
            # Stale: still planned after its start.
            stale[index] = int(started or 0)
    # Distinct people are counted one period at a time: on SQLite a FILTER per period costs
    # more (every row tests every period) than reading each period's index range alone.
    alone = [f.with_period(p) for p in periods]
    reach = [
        db.session.execute(reach_query(g, reached_people(), interested_people())).one()
        for g in alone
    ]
    follow_ups = follow_up_figures_of(f, span)
    followed_up = [db.session.scalar(followed_up_query(g)) for g in alone]

    # Counts and sums need no attribution: the enrolment index alone, unless the filter narrows.
    def enrolled_in(i):
        return span.day_in(i, Enrolment.enrolled_on)

    joined = EnrolmentJoin()
    enrolled: list[dict[Product, int]] = [{} for _ in range(n)]
    members, contributions, support = [0] * n, [0] * n, [0] * n
    which = span.which(enrolled_in)
    for index, product, number, member_sum, paid, supported in span.rows(
        which,
        db.session.execute(
            joined.query(
                fs,
                *which,
                Enrolment.product,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.func.coalesce(Enrolment.members, 1)), 0),
                sa.func.coalesce(sa.func.sum(Enrolment.monthly_contribution * Enrolment.months), 0),
                sa.func.coalesce(sa.func.sum(Enrolment.monthly_support * Enrolment.months), 0),
                with_session=False,
                with_person=False,
            ).group_by(*which, Enrolment.product)
        ),
    ):
        enrolled[index][Product(product)] = number
        if Product(product) == Product.HOUSEHOLD_HI:
            members[index] += int(member_sum)
        contributions[index] += int(paid)
        support[index] += int(supported)
    people = [
        db.session.scalar(
            joined.query(
                g,
                sa.func.count(sa.distinct(Enrolment.person_id)),
                with_session=False,
                with_person=False,
            )
        )
        for g in alone
    ]
    return [
        Figures(
            sessions_planned=status[i].get(SessionStatus.PLANNED, 0),
            sessions_held=status[i].get(SessionStatus.HELD, 0),
            sessions_cancelled=status[i].get(SessionStatus.CANCELLED, 0),
            sessions_postponed=status[i].get(SessionStatus.POSTPONED, 0),
            sessions_stale=stale[i],
            reached=reach[i][0] or 0,
            interested=reach[i][1] or 0,
            followed_up=followed_up[i] or 0,
            follow_ups_due=follow_ups[i][0],
            follow_ups_on_time=follow_ups[i][1],
            enrolled={p: enrolled[i].get(p, 0) for p in Product.single()},
            enrolled_people=people[i] or 0,
            household_members=members[i],
            contributions=contributions[i],
            state_support=support[i],
        )
        for i in range(n)
    ]


def before_end_of_local_day(moment, day):
    """SQL: `moment` (an aware UTC column) comes before the end of local day `day` (a date
    column), worked out by the database so counting needs no row in Python."""
    if db.engine.dialect.name == "postgresql":
        return moment < sa.func.timezone(
            LOCAL_TZ.key, sa.cast(day, sa.DateTime) + sa.text("interval '1 day'")
        )
    # SQLite keeps naive UTC text; Vietnam has had one offset (UTC+7) since 1975, no DST.
    offset = datetime(2026, 1, 1, tzinfo=UTC) - datetime(2026, 1, 1, tzinfo=LOCAL_TZ)  # 7 hours
    offset_days = offset.total_seconds() / 86400
    return sa.func.julianday(moment) < sa.func.julianday(day) + 1 - offset_days


def follow_up_figures(f: ResultsFilter) -> tuple[int, int]:
    """(due in the period, first contacted on or before the due day), in one query."""
    return follow_up_figures_of(f, _Periods(f, [f.period]))[0]


def follow_up_figures_of(f: ResultsFilter, span: _Periods) -> list[tuple[int, int]]:
    """(due, done on time) for each of the span's periods, in one query.

    "First contact on or before the due day" is "some contact before the due day ended": one
    probe of the (follow-up, at) index per follow-up, with no grouping or sorting.
    """
    on_time = (
        sa.select(FollowUpOutcome.id)
        .where(
            FollowUpOutcome.follow_up_id == FollowUp.id,
            before_end_of_local_day(FollowUpOutcome.at, FollowUp.due_on),
        )
        .correlate(FollowUp)
        .exists()
    )
    which = span.which(lambda i: span.day_in(i, FollowUp.due_on))
    counted = [(0, 0)] * len(span.periods)
    period = span.span.period
    for index, due, done in span.rows(
        which,
        db.session.execute(
            follow_up_query(
                f,
                *which,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.case((on_time, 1), else_=0)), 0),
            )
            .where(
                FollowUp.due_on >= period.first,
                FollowUp.due_on <= period.last,
                FollowUp.status != FollowUpStatus.CANCELLED,
            )
            .group_by(*which)
        ),
    ):
        counted[index] = (due, int(done))
    return counted


@dataclass(frozen=True)
class OfficerOverdue:
    officer_id: int
    name: str
    overdue: int


def overdue_by_officer(f: ResultsFilter, today: date | None = None) -> list[OfficerOverdue]:
    """Open follow-ups past their due day, per assigned officer, most first (today's state)."""
    today = today or today_local()
    rows = db.session.execute(
        follow_up_query(f, User.id, User.full_name, sa.func.count(FollowUp.id))
        .join(User, User.id == FollowUp.assigned_to_id)
        .where(FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_on < today)
        .group_by(User.id, User.full_name)
        .order_by(sa.func.count(FollowUp.id).desc(), vi_order(User.full_name))
    ).all()
    return [OfficerOverdue(i, name, n) for i, name, n in rows]
