"""The funnel and the comparisons: the figures split by session kind, commune, officer, partner,
target group, ethnicity, sex or week, each in a fixed number of grouped queries."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.accounts.models import User
from planner.enrolments.models import Enrolment
from planner.enums import LABELS, LabelledEnum, SessionKind, SessionStatus, TargetGroup
from planner.extensions import db
from planner.followups.models import Product
from planner.people.models import Attendance, Gender, Person
from planner.places.models import Commune, Partner
from planner.results.figures import (
    EnrolmentJoin,
    Figures,
    interested_clause,
    interested_people,
    rate,
    reach_query,
    reached_people,
    session_where,
)
from planner.results.periods import ResultsFilter
from planner.sessions.models import OutreachSession
from planner.timezones import local_day_bounds


class Dimension(LabelledEnum):
    KIND = "kind"
    COMMUNE = "commune"
    OFFICER = "officer"
    PARTNER = "partner"
    TARGET_GROUP = "target_group"
    ETHNICITY = "ethnicity"
    SEX = "sex"
    WEEK = "week"

    @property
    def of_person(self) -> bool:
        """Split by who was reached rather than by the session."""
        return self in (Dimension.ETHNICITY, Dimension.SEX)


LABELS.update(
    [
        (Dimension.KIND, _l("Session kind")),
        (Dimension.COMMUNE, _l("Commune")),
        (Dimension.OFFICER, _l("Officer")),
        (Dimension.PARTNER, _l("Partner organisation")),
        (Dimension.TARGET_GROUP, _l("Target group")),
        (Dimension.ETHNICITY, _l("Ethnicity")),
        (Dimension.SEX, _l("Sex")),
        (Dimension.WEEK, _l("Week")),
    ]
)


@dataclass(frozen=True)
class Row:
    """One group's figures; `key` is what the group is (an id, an enum value, a week's Monday)."""

    key: object
    label: str
    sessions_held: int = 0
    reached: int = 0
    interested: int = 0
    enrolled_vsi: int = 0
    enrolled_hhi: int = 0

    @property
    def enrolled(self) -> int:
        return self.enrolled_vsi + self.enrolled_hhi

    @property
    def conversion_rate(self) -> Decimal | None:
        """Enrolments per person reached in this group, in percent."""
        return rate(self.enrolled, self.reached)


@dataclass(frozen=True)
class Breakdown:
    dimension: Dimension
    rows: list[Row]


def _week_case(column, f: ResultsFilter, as_date: bool):
    """The Monday (ISO text) of the local week `column` falls in: a CASE over the period's
    weeks, so grouping by week works the same on SQLite and PostgreSQL."""
    first = f.period.first - timedelta(days=f.period.first.weekday())
    whens = []
    monday = first
    while monday <= f.period.last:
        following = monday + timedelta(days=7)
        bound = following if as_date else local_day_bounds(following, following)[0]
        whens.append((column < bound, monday.isoformat()))
        monday = following
    return sa.case(*whens, else_=None)


def _session_key(dimension: Dimension, session, f: ResultsFilter):
    return (
        {
            Dimension.KIND: session.kind,
            Dimension.COMMUNE: session.commune_id,
            Dimension.OFFICER: session.lead_officer_id,
            Dimension.PARTNER: session.partner_id,
            Dimension.TARGET_GROUP: session.target_group,
            Dimension.ETHNICITY: Person.ethnicity,
            Dimension.SEX: Person.gender,
        }.get(dimension)
        if dimension != Dimension.WEEK
        else _week_case(session.starts_at, f, False)
    )


# Dimensions whose enrolment key reads the person (a commune falls back to the person's own).
_ENROLMENT_BY_PERSON = (Dimension.COMMUNE, Dimension.ETHNICITY, Dimension.SEX)


def _enrolment_key(dimension: Dimension, joined: EnrolmentJoin, f: ResultsFilter):
    if dimension == Dimension.COMMUNE:
        return joined.commune
    if dimension == Dimension.OFFICER:
        return joined.officer
    if dimension == Dimension.WEEK:
        return _week_case(Enrolment.enrolled_on, f, True)
    return _session_key(dimension, joined.session, f)


def breakdown(f: ResultsFilter, dimension: Dimension | str) -> Breakdown:
    """The figures split by `dimension`, one row per group that has any, in three queries
    plus one for the names of communes, officers or partners."""
    dimension = Dimension(dimension)
    key = _session_key(dimension, OutreachSession, f)
    rows: dict[object, dict[str, int]] = {}

    def row(value) -> dict[str, int]:
        return rows.setdefault(_plain(value), {})

    if not dimension.of_person:
        for value, held in db.session.execute(
            sa.select(key, sa.func.count())
            .select_from(OutreachSession)
            .where(
                *session_where(f),
                OutreachSession.status == SessionStatus.HELD,
            )
            .group_by(key)
        ):
            row(value)["sessions_held"] = held
    for value, reached, interested in db.session.execute(_reach_by(dimension, f, key)):
        row(value).update(reached=reached, interested=interested)
    joined = EnrolmentJoin()
    enrolment_key = _enrolment_key(dimension, joined, f)
    for value, product, number in db.session.execute(
        joined.query(
            f,
            enrolment_key,
            Enrolment.product,
            sa.func.count(),
            # A person's own groups (sex, ethnicity) and weeks (the enrolment's own day) need
            # no credited session: joining it read the nation's credits (by week: 101 -> 3 ms).
            with_session=not (dimension.of_person or dimension == Dimension.WEEK),
            with_person=dimension in _ENROLMENT_BY_PERSON,
        ).group_by(enrolment_key, Enrolment.product)
    ):
        name = "enrolled_vsi" if Product(product) == Product.VOLUNTARY_SI else "enrolled_hhi"
        row(value)[name] = row(value).get(name, 0) + number
    labels = _labels(dimension, f.office_id, set(rows))
    result = [Row(key=k, label=labels.get(k, str(k)), **v) for k, v in rows.items()]
    if dimension == Dimension.WEEK:
        result.sort(key=lambda r: (r.key is None, r.key or ""))
    else:
        result.sort(key=lambda r: (r.key is None, -r.reached, -r.enrolled, r.label))
    return Breakdown(dimension, result)


def _reach_by(dimension: Dimension, f: ResultsFilter, key) -> sa.Select:
    """(group, people reached, people interested) per group, in one query shaped so the
    database does the least work: a person's own groups (sex, ethnicity) count each reached
    person once after grouping the period's attendance by person; weeks are worked out once per
    session (a materialised CTE) rather than once per attendance row."""
    if dimension.of_person:
        per_person = (
            reach_query(
                f,
                Attendance.person_id.label("person_id"),
                sa.func.max(sa.case((interested_clause(), 1), else_=0)).label("interested"),
            )
            .group_by(Attendance.person_id)
            .subquery()
        )
        return (
            sa.select(
                key, sa.func.count(), sa.func.coalesce(sa.func.sum(per_person.c.interested), 0)
            )
            .select_from(per_person)
            # The office condition is implied, but it lets PostgreSQL read the office's people
            # by index rather than hash the nation's (ethnicity, a year: 1.5 s -> 0.35 s).
            .join(
                Person,
                sa.and_(Person.id == per_person.c.person_id, Person.office_id == f.office_id),
            )
            .group_by(key)
        )
    if dimension == Dimension.WEEK:
        weeks = (
            sa.select(OutreachSession.id.label("session_id"), key.label("week"))
            .where(*session_where(f), OutreachSession.status != SessionStatus.CANCELLED)
            .cte("session_week")
            .prefix_with("MATERIALIZED")
        )
        return (
            sa.select(
                weeks.c.week,
                reached_people(),
                interested_people(),
            )
            .select_from(Attendance)
            .join(weeks, weeks.c.session_id == Attendance.session_id)
            .where(Attendance.confirmed.is_(True))
            .group_by(weeks.c.week)
        )
    return reach_query(f, key, reached_people(), interested_people()).group_by(key)


def _plain(value):
    """Enum members and strings as plain values, so keys from the three queries meet."""
    if isinstance(value, str) and value == "":
        return None
    return getattr(value, "value", value)


def _labels(dimension: Dimension, office_id: int, keys: set) -> dict[object, str]:
    ids = [k for k in keys if isinstance(k, int)]
    none = {
        Dimension.PARTNER: _("No partner"),
        Dimension.ETHNICITY: _("Not recorded"),
        Dimension.SEX: _("Not recorded"),
        Dimension.COMMUNE: _("Not recorded"),
    }.get(dimension, _("Enrolled without a session"))
    labels: dict[object, str] = {None: none}
    # Dimensions keyed by a record of the office: (its id, its name, its office) columns.
    named = {
        Dimension.COMMUNE: (Commune.id, Commune.name, Commune.office_id),
        Dimension.OFFICER: (User.id, User.full_name, User.office_id),
        Dimension.PARTNER: (Partner.id, Partner.name, Partner.office_id),
    }
    if dimension in named:
        key, name, office = named[dimension]
        if ids:
            query = sa.select(key, name).where(office == office_id, key.in_(ids))
            labels |= {row[0]: row[1] for row in db.session.execute(query)}
    elif dimension == Dimension.KIND:
        labels |= {k.value: k.label for k in SessionKind}
    elif dimension == Dimension.TARGET_GROUP:
        labels |= {k.value: k.label for k in TargetGroup}
    elif dimension == Dimension.SEX:
        labels |= {k.value: k.label for k in Gender}
    elif dimension == Dimension.WEEK:
        for k in keys:
            if isinstance(k, str):
                labels[k] = _("Week of %(day)s", day=format_date(date.fromisoformat(k), "dd/MM"))
    return labels


@dataclass(frozen=True)
class FunnelStep:
    name: str
    label: str
    value: int
    share: Decimal | None  # of the people reached, in percent


def funnel(figures: Figures) -> list[FunnelStep]:
    """Reached, interested, followed up, enrolled: the dashboard's figures as one funnel."""
    steps = [
        ("reached", _("Reached"), figures.reached),
        ("interested", _("Interested"), figures.interested),
        ("followed_up", _("Followed up"), figures.followed_up),
        ("enrolled", _("Enrolled"), figures.enrolled_people),
    ]
    return [FunnelStep(n, label, v, rate(v, figures.reached)) for n, label, v in steps]


def with_label(row: Row, label: str) -> Row:
    return replace(row, label=label)
