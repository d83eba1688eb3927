"""The whole list behind a figure as a file's rows: a year of a province's reach is 70,000
people, and loading them as entities (with their communes and villages), then translating each
row's labels again, took two thirds of a ten-second export.

Each list here selects only the columns its file shows, as plain rows, with the selection and
order of planner.results.records (the same query builders: `session_list_query`,
`reach_per_person`, `follow_up_list_query`, `enrolment_list_query`) and the cells of
tables.records (a test compares the two on every list). Labels are translated once per list;
people come in Vietnamese order through the `Person.sort_name` index, sorted by the database.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from planner.accounts.models import User
from planner.enrolments.models import Enrolment
from planner.enums import LabelledEnum, SessionKind, SessionStatus
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpStatus, Product
from planner.people.identity import erased_label
from planner.people.models import Gender, Person
from planner.places.models import Commune, Partner, Venue
from planner.results import tables
from planner.results.figures import EnrolmentJoin, end_of_local_day
from planner.results.periods import ResultsFilter
from planner.results.records import (
    Narrowing,
    RecordList,
    contacted_on_time,
    enrolment_list_query,
    follow_up_list_query,
    reach_per_person,
    session_list_query,
)
from planner.sessions.models import OutreachSession
from planner.timezones import to_local, today_local


def labels(vocabulary: type[LabelledEnum]) -> dict[StrEnum, str]:
    """Each member's label in the current language, translated once for a whole list."""
    return {member: member.label for member in vocabulary}


def inline_limit() -> int:
    """How many rows a file may have and still be made inside the request
    (RESULTS_EXPORT_INLINE_ROWS); a longer one is made as a job (planner.results.jobs)."""
    return int(current_app.config["RESULTS_EXPORT_INLINE_ROWS"])


def count_up_to(f: ResultsFilter, which: RecordList, narrow: Narrowing, cap: int) -> int:
    """How many rows the list has, counted no further than `cap` (so min(rows, cap)): deciding
    whether a list is long reads at most `cap` of its rows, in one query."""
    if which.of_sessions:
        query = session_list_query(f, which, narrow, OutreachSession.id)
    elif which.of_follow_ups:
        query = follow_up_list_query(f, which, narrow, today_local(), FollowUp.id)
    elif which == RecordList.ENROLMENTS:
        query = enrolment_list_query(f, narrow, Enrolment.id)
    else:
        query = reach_per_person(f, which, narrow)
    capped = query.order_by(None).limit(cap).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(capped)) or 0


def is_long(f: ResultsFilter, which: RecordList, narrow: Narrowing) -> bool:
    """Whether the list has more rows than a request may write (`inline_limit`)."""
    limit = inline_limit()
    return count_up_to(f, which, narrow, limit + 1) > limit


def table(f: ResultsFilter, which: RecordList, narrow: Narrowing) -> tables.Table:
    """The whole list as a table for a file (no links), in one query."""
    if which.of_sessions:
        rows = _session_rows(f, which, narrow)
    elif which.of_follow_ups:
        rows = _follow_up_rows(f, which, narrow)
    elif which == RecordList.ENROLMENTS:
        rows = _enrolment_rows(f, narrow)
    else:
        rows = _people_rows(f, which, narrow)
    return tables.Table(which.value, which.label, tables.record_columns(which), rows)


def _plain_rows(query: sa.Select) -> sa.CursorResult:
    """The query's rows as Core gives them: through the session's connection (its transaction),
    but without the ORM's result machinery, a tenth of a long list's reading."""
    return db.session.connection().execute(query)


def _session_rows(f: ResultsFilter, which: RecordList, narrow: Narrowing) -> list[list]:
    kinds, statuses = labels(SessionKind), labels(SessionStatus)
    query = (
        session_list_query(
            f,
            which,
            narrow,
            OutreachSession.starts_at,
            OutreachSession.title,
            OutreachSession.kind,
            Commune.name,
            Venue.name,
            User.full_name,
            Partner.name,
            OutreachSession.status,
        )
        .join(Commune, Commune.id == OutreachSession.commune_id)
        .join(User, User.id == OutreachSession.lead_officer_id)
        .outerjoin(Venue, Venue.id == OutreachSession.venue_id)
        .outerjoin(Partner, Partner.id == OutreachSession.partner_id)
    )
    return [
        [
            to_local(starts_at).date(),
            title or kinds[kind],
            kinds[kind],
            commune,
            venue or "",
            officer,
            partner or "",
            statuses[status],
        ]
        for starts_at, title, kind, commune, venue, officer, partner, status in _plain_rows(query)
    ]


def _people_rows(f: ResultsFilter, which: RecordList, narrow: Narrowing) -> list[list]:
    genders = labels(Gender)
    yes, no = _("Yes"), _("No")
    grouped = reach_per_person(f, which, narrow).subquery()
    query = (
        sa.select(
            Person.id,
            Person.full_name,
            Person.erased_at.is_not(None),
            Person.birth_year,
            Person.gender,
            Person.ethnicity,
            Commune.name,
            grouped.c.sessions,
            grouped.c.interested,
        )
        .select_from(grouped)
        .join(Person, Person.id == grouped.c.person_id)
        .outerjoin(Commune, Commune.id == Person.commune_id)
        .where(Person.office_id == f.office_id)
        .order_by(Person.sort_name, Person.id)  # Vietnamese order, through its index
    )
    return [
        [
            erased_label(person_id) if erased else name,
            birth_year,
            genders[gender] if gender else "",
            ethnicity,
            commune or "",
            sessions,
            yes if interested else no,
        ]
        for (
            person_id,
            name,
            erased,
            birth_year,
            gender,
            ethnicity,
            commune,
            sessions,
            interested,
        ) in _plain_rows(query)
    ]


def _follow_up_rows(f: ResultsFilter, which: RecordList, narrow: Narrowing) -> list[list]:
    products, statuses = labels(Product), labels(FollowUpStatus)
    answers = {True: _("Yes"), False: _("No"), None: _("Not yet due")}
    today = today_local()
    # An alias: the list's query joins Person itself when a commune narrows it.
    person = aliased(Person, name="listed_person")
    query = (
        follow_up_list_query(
            f,
            which,
            narrow,
            today,
            person.id,
            person.full_name,
            person.erased_at.is_not(None),
            FollowUp.product,
            User.full_name,
            FollowUp.due_on,
            FollowUp.status,
        )
        .join(person, person.id == FollowUp.person_id)
        .join(User, User.id == FollowUp.assigned_to_id)
    )
    day_ends: dict[date, datetime] = {}
    rows = []
    for person_id, name, erased, product, officer, due_on, status, first in _plain_rows(query):
        if due_on not in day_ends:
            day_ends[due_on] = end_of_local_day(due_on)
        rows.append(
            [
                erased_label(person_id) if erased else name,
                products[product],
                officer,
                due_on,
                to_local(first).date() if first else None,
                answers[contacted_on_time(first, due_on, today, day_ends[due_on])],
                statuses[status],
            ]
        )
    return rows


def _enrolment_rows(f: ResultsFilter, narrow: Narrowing) -> list[list]:
    products = labels(Product)
    session = EnrolmentJoin().session
    session_commune = aliased(Commune, name="session_commune")
    lead = aliased(User, name="lead_officer")
    recorder = aliased(User, name="recorder")
    query = (
        enrolment_list_query(
            f,
            narrow,
            Person.id,
            Person.full_name,
            Person.erased_at.is_not(None),
            Enrolment.product,
            Enrolment.enrolled_on,
            Enrolment.members,
            Enrolment.monthly_contribution * Enrolment.months,
            Enrolment.monthly_support * Enrolment.months,
            session.starts_at,
            session_commune.name,
            lead.full_name,
            recorder.full_name,
        )
        .outerjoin(session_commune, session_commune.id == session.commune_id)
        .outerjoin(lead, lead.id == session.lead_officer_id)
        .outerjoin(recorder, recorder.id == Enrolment.recorded_by_id)
    )
    rows = []
    for (
        person_id,
        name,
        erased,
        product,
        enrolled_on,
        members,
        contribution,
        support,
        starts_at,
        commune,
        lead_name,
        recorder_name,
    ) in _plain_rows(query):
        # The main session's lead officer is credited; without one, whoever recorded it.
        officer = lead_name if starts_at is not None else recorder_name
        rows.append(
            [
                erased_label(person_id) if erased else name,
                products[product],
                enrolled_on,
                members,
                contribution,
                support,
                f"{to_local(starts_at):%d/%m/%Y} · {commune}" if starts_at is not None else "",
                officer or "",
            ]
        )
    return rows
