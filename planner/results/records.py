"""The records behind each figure: the sessions, people, follow-ups and enrolments it counts,
selected by the same definitions (planner.results.figures), each list in a fixed number of
queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from planner.collation import vi_order
from planner.enrolments.models import Enrolment
from planner.enums import LABELS, LabelledEnum, SessionKind, SessionStatus
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpOutcome, FollowUpStatus, Product
from planner.people.models import Attendance, Person
from planner.results.figures import (
    EnrolmentJoin,
    end_of_local_day,
    follow_up_query,
    interested_clause,
    reach_query,
    session_where,
)
from planner.results.periods import ResultsFilter
from planner.sessions.models import OutreachSession
from planner.timezones import now_utc, to_local, today_local

LIMIT = 1000  # a list longer than this is exported, not read on screen


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


def sessions(f: ResultsFilter, which: RecordList, narrow: Narrowing) -> list[OutreachSession]:
    query = (
        sa.select(OutreachSession)
        .where(*session_where(f), OutreachSession.status == STATUS_OF[which])
        .options(
            selectinload(OutreachSession.commune),
            selectinload(OutreachSession.lead_officer),
            selectinload(OutreachSession.venue),
            selectinload(OutreachSession.partner),
        )
        .order_by(OutreachSession.starts_at, OutreachSession.id)
        .limit(LIMIT)
    )
    if which == RecordList.SESSIONS_STALE:
        query = query.where(OutreachSession.starts_at < now_utc())
    if narrow.kind:
        query = query.where(OutreachSession.kind == narrow.kind)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ReachedPerson:
    person: Person
    sessions: int
    interested: bool


def people(f: ResultsFilter, which: RecordList, narrow: Narrowing) -> list[ReachedPerson]:
    """People reached (or interested) with how many of the period's sessions they came to."""
    query = reach_query(
        f,
        Attendance.person_id,
        sa.func.count(sa.distinct(Attendance.session_id)),
        sa.func.max(sa.case((interested_clause(), 1), else_=0)),
    ).group_by(Attendance.person_id)
    if narrow.kind:
        query = query.where(OutreachSession.kind == narrow.kind)
    if which == RecordList.INTERESTED:
        query = query.having(sa.func.max(sa.case((interested_clause(), 1), else_=0)) == 1)
    counts = {pid: (n, bool(i)) for pid, n, i in db.session.execute(query.limit(LIMIT))}
    found = db.session.scalars(
        sa.select(Person)
        .where(Person.id.in_(counts), Person.office_id == f.office_id)
        .options(selectinload(Person.commune), selectinload(Person.village))
        .order_by(vi_order(Person.full_name), Person.id)
    )
    return [ReachedPerson(p, *counts[p.id]) for p in found]


@dataclass(frozen=True)
class FollowUpLine:
    follow_up: FollowUp
    first_contact_on: date | None
    on_time: bool


def follow_ups(
    f: ResultsFilter, which: RecordList, narrow: Narrowing, today: date | None = None
) -> list[FollowUpLine]:
    today = today or today_local()
    query = (
        follow_up_query(f, FollowUp.id, sa.func.min(FollowUpOutcome.at))
        .outerjoin(FollowUpOutcome, FollowUpOutcome.follow_up_id == FollowUp.id)
        .group_by(FollowUp.id)
    )
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
    first_contact = dict(db.session.execute(query.limit(LIMIT)).all())
    loaded = db.session.scalars(
        sa.select(FollowUp)
        .where(FollowUp.id.in_(first_contact))
        .options(
            selectinload(FollowUp.person),
            selectinload(FollowUp.assigned_to),
            selectinload(FollowUp.session),
        )
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    lines = []
    for follow_up in loaded:
        first = first_contact[follow_up.id]
        on_time = bool(first and first < end_of_local_day(follow_up.due_on))
        if which == RecordList.FOLLOW_UPS_ON_TIME and not on_time:
            continue
        lines.append(FollowUpLine(follow_up, to_local(first).date() if first else None, on_time))
    return lines


@dataclass(frozen=True)
class EnrolmentLine:
    enrolment: Enrolment
    main_session: OutreachSession | None


def enrolments(f: ResultsFilter, narrow: Narrowing) -> list[EnrolmentLine]:
    joined = EnrolmentJoin()
    query = joined.query(f, Enrolment.id, joined.session.id).limit(LIMIT)
    if narrow.product:
        query = query.where(Enrolment.product == narrow.product)
    if narrow.kind:
        query = query.where(joined.session.kind == narrow.kind)
    main = dict(db.session.execute(query).all())
    loaded = db.session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.id.in_(main))
        .options(selectinload(Enrolment.person), selectinload(Enrolment.recorded_by))
        .order_by(Enrolment.enrolled_on, Enrolment.id)
    ).all()
    session_ids = {s for s in main.values() if s}
    by_id = (
        {
            s.id: s
            for s in db.session.scalars(
                sa.select(OutreachSession)
                .where(OutreachSession.id.in_(session_ids))
                .options(
                    selectinload(OutreachSession.commune),
                    selectinload(OutreachSession.lead_officer),
                )
            )
        }
        if session_ids
        else {}
    )
    return [EnrolmentLine(e, by_id.get(main[e.id])) for e in loaded]
