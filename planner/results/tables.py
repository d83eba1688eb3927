"""Every results table as one shape (title, typed columns, raw rows), so the page, the XLSX and
CSV exports and the monthly report show the same numbers from the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from babel import Locale, dates, numbers
from flask import g
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from planner.people.identity import person_label
from planner.results.comparisons import Breakdown, FunnelStep
from planner.results.coverage import CommuneCoverageRow
from planner.results.figures import OfficerOverdue
from planner.results.ranking import CommuneRank, MarketDay
from planner.results.records import (
    EnrolmentLine,
    FollowUpLine,
    ReachedPerson,
    RecordList,
)
from planner.results.targets import Progress
from planner.sessions.models import OutreachSession
from planner.timezones import to_local


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    PERCENT = "percent"
    MONEY = "money"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = Kind.TEXT


@dataclass
class Table:
    """`rows` hold raw values (int, Decimal, date, str or None); `links` an address per row for
    its first cell, or None."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)

    def shown(self, row: list) -> list[str]:
        return [shown(value, column.kind) for value, column in zip(row, self.columns, strict=True)]


def _symbols() -> tuple[str, str, Locale]:
    """(group symbol, decimal symbol, locale) of the request, looked up once: a page shows
    hundreds of cells, and formatting each through Babel's pattern machinery was most of the
    page's time."""
    if "results_symbols" not in g:
        locale = get_locale()
        g.results_symbols = (
            numbers.get_group_symbol(locale),
            numbers.get_decimal_symbol(locale),
            locale,
        )
    return g.results_symbols


def _grouped(value, decimals: int) -> str:
    group, point, _locale = _symbols()
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", point).replace("\x00", group)


def shown(value, kind: Kind) -> str:
    """A cell as a person reads it, in the user's language (Vietnamese: 1.234, 12,5 %)."""
    if value is None:
        return "—"
    if kind == Kind.PERCENT:
        return f"{_grouped(value, 1)} %"
    if kind == Kind.MONEY:
        return f"{_grouped(value, 0)} ₫"
    if kind == Kind.COUNT:
        return _grouped(value, 0 if float(value).is_integer() else 1)
    if kind == Kind.DATE and isinstance(value, date):
        return dates.format_date(value, "dd/MM/yyyy", locale=_symbols()[2])
    return str(value)


def raw(value):
    """A cell as a spreadsheet keeps it: numbers stay numbers."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def comparison(breakdown: Breakdown) -> Table:
    table = Table(
        f"by_{breakdown.dimension.value}",
        _("By %(what)s", what=breakdown.dimension.label.lower()),
        [
            Column(breakdown.dimension.label),
            Column(_("Sessions held"), Kind.COUNT),
            Column(_("Reached"), Kind.COUNT),
            Column(_("Interested"), Kind.COUNT),
            Column(_("Voluntary SI"), Kind.COUNT),
            Column(_("Household HI"), Kind.COUNT),
            Column(_("Conversion rate"), Kind.PERCENT),
        ],
    )
    for r in breakdown.rows:
        table.rows.append(
            [
                r.label,
                None if breakdown.dimension.of_person else r.sessions_held,
                r.reached,
                r.interested,
                r.enrolled_vsi,
                r.enrolled_hhi,
                r.conversion_rate,
            ]
        )
    return table


def funnel(steps: list[FunnelStep]) -> Table:
    return Table(
        "funnel",
        _("From reach to enrolment"),
        [
            Column(_("Step")),
            Column(_("People"), Kind.COUNT),
            Column(_("Of those reached"), Kind.PERCENT),
        ],
        [[s.label, s.value, s.share] for s in steps],
    )


def _session_cells(s: OutreachSession) -> list:
    return [
        to_local(s.starts_at).date(),
        s.title or s.kind.label,
        s.kind.label,
        s.commune.name,
        s.venue.name if s.venue else "",
        s.lead_officer.full_name,
        s.partner.name if s.partner else "",
        s.status.label,
    ]


def record_columns(which: RecordList) -> list[Column]:
    """The columns of the list behind a figure, on screen and in a file alike."""
    if which.of_sessions:
        return [
            Column(_("Day"), Kind.DATE),
            Column(_("Session")),
            Column(_("Kind")),
            Column(_("Commune")),
            Column(_("Venue")),
            Column(_("Lead officer")),
            Column(_("Partner")),
            Column(_("Status")),
        ]
    if which in (RecordList.REACHED, RecordList.INTERESTED):
        return [
            Column(_("Name")),
            Column(_("Year of birth")),
            Column(_("Sex")),
            Column(_("Ethnicity")),
            Column(_("Commune")),
            Column(_("Sessions attended"), Kind.COUNT),
            Column(_("Interested")),
        ]
    if which.of_follow_ups:
        return [
            Column(_("Person")),
            Column(_("Product")),
            Column(_("Officer")),
            Column(_("Due"), Kind.DATE),
            Column(_("First contact"), Kind.DATE),
            Column(_("On time")),
            Column(_("Status")),
        ]
    return [
        Column(_("Person")),
        Column(_("Product")),
        Column(_("Enrolled on"), Kind.DATE),
        Column(_("Household members"), Kind.COUNT),
        Column(_("Contribution recorded"), Kind.MONEY),
        Column(_("State support"), Kind.MONEY),
        Column(_("Main session")),
        Column(_("Officer")),
    ]


def records(which: RecordList, items: Sequence[Any], url_for) -> Table:
    """A page of the list behind a figure; `url_for` builds the link to each record's own page.
    (A whole list for a file is built from plain rows by planner.results.record_rows, with the
    same columns and cells.)"""
    table = Table(which.value, which.label, record_columns(which))
    if which.of_sessions:
        for s in items:
            table.rows.append(_session_cells(s))
            table.links.append(url_for("sessions.detail", session_id=s.id))
    elif which in (RecordList.REACHED, RecordList.INTERESTED):
        for item in items:
            if not isinstance(item, ReachedPerson):
                raise TypeError(f"{which} lists reached people, not {type(item).__name__}")
            p = item.person
            table.rows.append(
                [
                    person_label(p),
                    p.birth_year,
                    p.gender.label if p.gender else "",
                    p.ethnicity,
                    p.commune.name if p.commune else "",
                    item.sessions,
                    _("Yes") if item.interested else _("No"),
                ]
            )
            table.links.append(url_for("people.detail", person_id=p.id))
    elif which.of_follow_ups:
        for line in items:
            if not isinstance(line, FollowUpLine):
                raise TypeError(f"{which} lists FollowUpLine rows, not {type(line).__name__}")
            fu = line.follow_up
            table.rows.append(
                [
                    person_label(fu.person),
                    fu.product.label,
                    fu.assigned_to.full_name,
                    fu.due_on,
                    line.first_contact_on,
                    _("Not yet due")
                    if line.on_time is None
                    else (_("Yes") if line.on_time else _("No")),
                    fu.status.label,
                ]
            )
            table.links.append(url_for("followups.detail", follow_up_id=fu.id))
    else:
        for line in items:
            if not isinstance(line, EnrolmentLine):
                raise TypeError(f"{which} lists EnrolmentLine rows, not {type(line).__name__}")
            e, s = line.enrolment, line.main_session
            officer = s.lead_officer if s else e.recorded_by
            table.rows.append(
                [
                    person_label(e.person),
                    e.product.label,
                    e.enrolled_on,
                    e.members,
                    e.monthly_contribution * e.months,
                    e.monthly_support * e.months,
                    f"{to_local(s.starts_at):%d/%m/%Y} · {s.commune.name}" if s else "",
                    officer.full_name if officer else "",
                ]
            )
            table.links.append(url_for("enrolments.detail", enrolment_id=e.id))
    return table


def ranking(ranks: list[CommuneRank]) -> Table:
    table = Table(
        "where_next",
        _("Where to go next"),
        [
            Column(_("Commune")),
            Column(_("Enrolments still missing"), Kind.COUNT),
            Column(_("Uninsured (estimate)"), Kind.COUNT),
            Column(_("Reached in 12 months"), Kind.COUNT),
            Column(_("Enrolled in 12 months"), Kind.COUNT),
            Column(_("Conversion rate"), Kind.PERCENT),
            Column(_("Converts best at")),
            Column(_("Next free market days")),
            Column(_("Market days already planned")),
        ],
    )
    for r in ranks:
        table.rows.append(
            [
                r.name,
                r.target_gap,
                r.uninsured_estimate,
                r.reached,
                r.enrolled,
                r.conversion_rate,
                r.best_kind.label if r.best_kind else "",
                _market_days(r.next_markets.free),
                _market_days(r.next_markets.taken),
            ]
        )
    return table


def _market_days(markets: list[MarketDay]) -> str:
    return ", ".join(f"{m.venue} {format_date(m.day, 'EEE dd/MM')}" for m in markets)


def coverage(rows: list[CommuneCoverageRow]) -> Table:
    table = Table(
        "coverage",
        _("Coverage per commune"),
        [
            Column(_("Commune")),
            Column(_("Figures of"), Kind.DATE),
            Column(_("Population"), Kind.COUNT),
            Column(_("Households"), Kind.COUNT),
            Column(_("With health insurance"), Kind.COUNT),
            Column(_("Enrolled in household HI since"), Kind.COUNT),
            Column(_("Health insurance coverage"), Kind.PERCENT),
            Column(_("With voluntary SI"), Kind.COUNT),
            Column(_("Voluntary SI coverage"), Kind.PERCENT),
            Column(_("Uninsured (estimate)"), Kind.COUNT),
        ],
    )
    for r in rows:
        table.rows.append(
            [
                r.name,
                r.as_of,
                r.population if r.as_of else None,
                r.households if r.as_of else None,
                r.with_health_insurance if r.as_of else None,
                r.members_enrolled_since if r.as_of else None,
                r.health_insurance_rate,
                r.with_voluntary_si if r.as_of else None,
                r.voluntary_si_rate,
                r.uninsured_estimate,
            ]
        )
    return table


def targets(items: list[Progress]) -> Table:
    table = Table(
        "targets",
        _("Targets"),
        [
            Column(_("Target")),
            Column(_("For")),
            Column(_("From"), Kind.DATE),
            Column(_("To"), Kind.DATE),
            Column(_("Target"), Kind.COUNT),
            Column(_("Done"), Kind.COUNT),
            Column(_("Still needed"), Kind.COUNT),
            Column(_("Needed per week"), Kind.COUNT),
            Column(_("At today's rate"), Kind.COUNT),
            Column(_("On track")),
            Column(_("Sessions planned for the rest"), Kind.COUNT),
        ],
    )
    for item in items:
        t, p = item.target, item.pace
        table.rows.append(
            [
                t.metric.label,
                target_scope(t),
                t.first_day,
                t.last_day,
                t.value,
                p.actual,
                p.remaining,
                None if p.needed_per_week is None else round(p.needed_per_week, 1),
                p.projected,
                on_track_text(p.on_track),
                item.planned_left,
            ]
        )
    return table


def target_scope(target) -> str:
    prefix = f"{target.campaign.name} · " if target.campaign else ""
    if target.commune:
        return prefix + target.commune.name
    if target.officer:
        return prefix + target.officer.full_name
    return prefix + _("The whole office")


def on_track_text(on_track: bool | None) -> str:
    if on_track is None:
        return _("Not started")
    return _("On track") if on_track else _("Behind")


def overdue(rows: list[OfficerOverdue]) -> Table:
    return Table(
        "overdue",
        _("Overdue follow-ups per officer"),
        [Column(_("Officer")), Column(_("Overdue"), Kind.COUNT)],
        [[r.name, r.overdue] for r in rows],
    )
