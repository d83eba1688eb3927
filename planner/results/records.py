"""The records behind each figure: the sessions, people, follow-ups and enrolments it counts,
selected by the same definitions (planner.results.figures), each list in a fixed number of
queries. On screen a list comes a page (`Window`) at a time, in a stable order; an export takes
the whole list (no window)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, joinedload

from planner.enrolments.models import Enrolment
from planner.enums import LABELS, LabelledEnum, SessionKind, SessionStatus
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpOutcome, FollowUpStatus, Product
from planner.people.models import Attendance, Person
from planner.results.figures import (
    EnrolmentJoin,
    before_end_of_local_day,
    end_of_local_day,
    follow_up_query,
    interested_clause,
    reach_query,
    session_where,
)
from planner.results.periods import ResultsFilter
from planner.sessions.models import OutreachSession
from planner.timezones import now_utc, to_local, today_local

PER_PAGE = 100  # rows of a list on one screen: about 30 KiB of HTML, read on a phone


@dataclass(frozen=True)
class Window:
    """Page `page` (from 1) of `per_page` rows. A list asked for a window returns up to one row
    more than `per_page`, so the page knows whether another follows (see `Window.cut`)."""

    page: int = 1
    per_page: int = PER_PAGE

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.per_page

    def apply(self, query: sa.Select) -> sa.Select:
        return query.offset(self.offset).limit(self.per_page + 1)

    def cut(self, items: list) -> tuple[list, bool]:
        """The page's rows and whether there are more after them."""
        return items[: self.per_page], len(items) > self.per_page


def _windowed(query: sa.Select, window: Window | None) -> sa.Select:
    return window.apply(query) if window is not None else query


class RecordList(LabelledEnum):
    SESSIONS_PLANNED = "sessions_planned"
    SESSIONS_HELD = "sessions_held"
    SESSIONS_CANCELLED = "sessions_cancelled"
    SESSIONS_STALE = "sessions_stale"
    REACHED = "reached"
    INTERESTED = "interested"
    FOLLOW_UPS_DUE = "follow_ups_due"
    FOLLOW_UPS_ON_TIME = "follow_ups_on_time"
    FOLLOW_UPS_OVERDUE = "follow_ups_overdue"
    ENROLMENTS = "enrolments"

    @property
    def of_sessions(self) -> bool:
        return self.value.startswith("sessions_")

    @property
    def of_follow_ups(self) -> bool:
        return self.value.startswith("follow_ups_")


LABELS.update(
    [
        (RecordList.SESSIONS_PLANNED, _l("Sessions planned")),
        (RecordList.SESSIONS_HELD, _l("Sessions held")),
        (RecordList.SESSIONS_CANCELLED, _l("Sessions cancelled")),
        (RecordList.SESSIONS_STALE, _l("Past sessions still planned")),
        (RecordList.REACHED, _l("People reached")),
        (RecordList.INTERESTED, _l("People interested")),
        (RecordList.FOLLOW_UPS_DUE, _l("Follow-ups due")),
        (RecordList.FOLLOW_UPS_ON_TIME, _l("Follow-ups done on time")),
        (RecordList.FOLLOW_UPS_OVERDUE, _l("Overdue follow-ups")),
        (RecordList.ENROLMENTS, _l("Enrolments")),
    ]
)

STATUS_OF = {
    RecordList.SESSIONS_PLANNED: SessionStatus.PLANNED,
    RecordList.SESSIONS_HELD: SessionStatus.HELD,
    RecordList.SESSIONS_CANCELLED: SessionStatus.CANCELLED,
    RecordList.SESSIONS_STALE: SessionStatus.PLANNED,
}


@dataclass(frozen=True)
class Narrowing:
    """What a list may be narrowed by besides the filter: session kind and product."""

    kind: SessionKind | None = None
    product: Product | None = None


def sessions(
    f: ResultsFilter, which: RecordList, narrow: Narrowing, window: Window | None = None
) -> list[OutreachSession]:
    """The period's sessions of one status, by start; a window's rows (and one more) or all,
    in one query."""
    query = session_list_query(f, which, narrow, OutreachSession).options(
        joinedload(OutreachSession.commune),
        joinedload(OutreachSession.lead_officer),
        joinedload(OutreachSession.venue),
        joinedload(OutreachSession.partner),
    )
    return list(db.session.scalars(_windowed(query, window)))


def session_list_query(f: ResultsFilter, which: RecordList, narrow: Narrowing, *columns):
    """The selection and order of a list of sessions, selecting `columns` (entities for the
    screen, plain columns for a file: planner.results.record_rows)."""
    query = (
        sa.select(*columns)
        .select_from(OutreachSession)
        .where(*session_where(f), OutreachSession.status == STATUS_OF[which])
        .order_by(OutreachSession.starts_at, OutreachSession.id)
    )
    if which == RecordList.SESSIONS_STALE:
        query = query.where(OutreachSession.starts_at < now_utc())
    if narrow.kind:
        query = query.where(OutreachSession.kind == narrow.kind)
    return query


@dataclass(frozen=True)
class ReachedPerson:
    person: Person
    sessions: int
    interested: bool


def people(
    f: ResultsFilter, which: RecordList, narrow: Narrowing, window: Window | None = None
) -> list[ReachedPerson]:
    """People reached (or interested) with how many of the period's sessions they came to, by
    name; a window's rows (and one more) or all, in one query."""
    if window is not None:
        return _people_page(f, which, narrow, window)
    grouped = reach_per_person(f, which, narrow).subquery()
    listed = (
        sa.select(Person, grouped.c.sessions, grouped.c.interested)
        .join(grouped, grouped.c.person_id == Person.id)
        .where(Person.office_id == f.office_id)
        .options(joinedload(Person.commune), joinedload(Person.village))
        .order_by(Person.sort_name, Person.id)  # Vietnamese order, through its index
    )
    return [
        ReachedPerson(person, n, bool(i))
        for person, n, i in db.session.execute(_windowed(listed, window))
    ]


def reach_per_person(f: ResultsFilter, which: RecordList, narrow: Narrowing) -> sa.Select:
    """(person_id, sessions, interested 0/1) for each person the list counts, one row each."""
    interested = sa.func.max(sa.case((interested_clause(), 1), else_=0))
    query = reach_query(
        f,
        Attendance.person_id,
        sa.func.count(sa.distinct(Attendance.session_id)).label("sessions"),
        interested.label("interested"),
    ).group_by(Attendance.person_id)
    if narrow.kind:
        query = query.where(OutreachSession.kind == narrow.kind)
    if which == RecordList.INTERESTED:
        query = query.having(interested == 1)
    return query


def _people_page(
    f: ResultsFilter, which: RecordList, narrow: Narrowing, window: Window
) -> list[ReachedPerson]:
    """One page of `people`: the office's people walked in name order through their index,
    each kept when an attendance of theirs counts (so a page reads about as many people as it
    shows, not the period's whole reach), then their counts in one grouped query."""
    counts = reach_query(f, sa.literal(1)).where(Attendance.person_id == Person.id)
    if narrow.kind:
        counts = counts.where(OutreachSession.kind == narrow.kind)
    if which == RecordList.INTERESTED:
        counts = counts.where(interested_clause())
    found = list(
        db.session.scalars(
            window.apply(
                sa.select(Person)
                .where(Person.office_id == f.office_id, counts.exists())
                .options(joinedload(Person.commune), joinedload(Person.village))
                .order_by(Person.sort_name, Person.id)  # Vietnamese order, through its index
            )
        ).unique()
    )
    grouped = reach_query(
        f,
        Attendance.person_id,
        sa.func.count(sa.distinct(Attendance.session_id)),
        sa.func.max(sa.case((interested_clause(), 1), else_=0)),
    ).where(Attendance.person_id.in_([p.id for p in found]))
    if narrow.kind:
        grouped = grouped.where(OutreachSession.kind == narrow.kind)
    per_person = {
        pid: (n, bool(i))
        for pid, n, i in db.session.execute(grouped.group_by(Attendance.person_id))
    }
    return [ReachedPerson(p, *per_person[p.id]) for p in found]


def contacted_on_time(
    first_contact: datetime | None, due_on: date, today: date, due_end: datetime | None = None
) -> bool | None:
    """Whether a follow-up's first contact came by the end of its due day in Vietnam time (the
    dashboard's "done on time", planner.results.figures); None while it is not yet late: no
    contact yet and the due day is today or later. `due_end` is end_of_local_day(due_on) when
    the caller has it already (a list works it out once per day)."""
    if first_contact is None:
        return None if due_on >= today else False
    return first_contact < (due_end or end_of_local_day(due_on))


@dataclass(frozen=True)
class FollowUpLine:
    follow_up: FollowUp
    first_contact_on: date | None
    on_time: bool | None  # None: not contacted yet, and not due before today


def follow_ups(
    f: ResultsFilter,
    which: RecordList,
    narrow: Narrowing,
    window: Window | None = None,
    today: date | None = None,
) -> list[FollowUpLine]:
    """Follow-ups due in the period (or done on time, or overdue today), by due day, with their
    first contact; a window's rows (and one more) or all, in one query."""
    today = today or today_local()
    query = follow_up_list_query(f, which, narrow, today, FollowUp).options(
        joinedload(FollowUp.person),
        joinedload(FollowUp.assigned_to),
        joinedload(FollowUp.session),
    )
    lines = []
    for follow_up, first in db.session.execute(_windowed(query, window)):
        on_time = contacted_on_time(first, follow_up.due_on, today)
        lines.append(FollowUpLine(follow_up, to_local(first).date() if first else None, on_time))
    return lines


def follow_up_list_query(
    f: ResultsFilter, which: RecordList, narrow: Narrowing, today: date, *columns
) -> sa.Select:
    """The selection and order of a list of follow-ups, selecting `columns` and then the first
    contact's time (aware UTC, or None) as `first_at`."""
    # The first contact through the (follow-up, at) index: a page reads its own rows only.
    first_at = (
        sa.select(sa.func.min(FollowUpOutcome.at))
        .where(FollowUpOutcome.follow_up_id == FollowUp.id)
        .correlate(FollowUp)
        .scalar_subquery()
    )
    query = follow_up_query(f, *columns, first_at.label("first_at"), with_session=bool(narrow.kind))
    if which == RecordList.FOLLOW_UPS_OVERDUE:
        query = query.where(FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_on < today)
    else:
        query = query.where(
            FollowUp.due_on >= f.period.first,
            FollowUp.due_on <= f.period.last,
            FollowUp.status != FollowUpStatus.CANCELLED,
        )
    if narrow.product:
        query = query.where(FollowUp.product.in_([narrow.product, Product.BOTH]))
    if narrow.kind:
        query = query.where(OutreachSession.kind == narrow.kind)
    if which == RecordList.FOLLOW_UPS_ON_TIME:
        # The same rule as the figure (figures.follow_up_figures), in the query so pages are full.
        query = query.where(
            first_at.is_not(None), before_end_of_local_day(first_at, FollowUp.due_on)
        )
    return query.order_by(FollowUp.due_on, FollowUp.id)


@dataclass(frozen=True)
class EnrolmentLine:
    enrolment: Enrolment
    main_session: OutreachSession | None


def enrolments(
    f: ResultsFilter, narrow: Narrowing, window: Window | None = None
) -> list[EnrolmentLine]:
    """The period's enrolments with their main session, by day; a window's rows (and one more)
    or all, in one query."""
    joined = EnrolmentJoin()
    query = enrolment_list_query(f, narrow, Enrolment, joined.session).options(
        contains_eager(Enrolment.person),
        joinedload(Enrolment.recorded_by),
        joinedload(joined.session.commune),
        joinedload(joined.session.lead_officer),
    )
    return [
        EnrolmentLine(enrolment, session)
        for enrolment, session in db.session.execute(_windowed(query, window))
    ]


def enrolment_list_query(f: ResultsFilter, narrow: Narrowing, *columns) -> sa.Select:
    """The selection and order of the list of enrolments, selecting `columns`; the person and
    the main session (`EnrolmentJoin().session`, outer) are joined."""
    joined = EnrolmentJoin()
    query = joined.query(f, *columns).order_by(Enrolment.enrolled_on, Enrolment.id)
    if narrow.product:
        query = query.where(Enrolment.product == narrow.product)
    if narrow.kind:
        query = query.where(joined.session.kind == narrow.kind)
    return query
