"""Contribution calculations for voluntary social insurance and household health insurance."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import g, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.enums import PriorityGroup
from planner.errors import PlannerError
from planner.extensions import db
from planner.formats import shown_date
from planner.rates.models import RateValue
from planner.rates.payment_periods import seed_payment_periods

# What each key means; admins see these labels when they update a figure.
RATE_KEYS: dict[str, str] = {
    "rural_poverty_line": _l("Rural poverty line, the lowest income to contribute on (VND/month)"),
    "reference_level": _l("Reference level (VND/month)"),
    "vsi_max_multiple": _l("Highest income as a multiple of the reference level"),
    "vsi_contribution_pct": _l(
        "Voluntary social insurance contribution (percent of chosen income)"
    ),
    "vsi_support_pct_poor": _l("State support for poor households (percent)"),
    "vsi_support_pct_near_poor": _l("State support for near-poor households (percent)"),
    "vsi_support_pct_ethnic_minority": _l("State support for ethnic minority people (percent)"),
    "vsi_support_pct_other": _l("State support for other people (percent)"),
    "vsi_support_max_months": _l("Months of state support at most"),
    "base_salary": _l("Base salary (VND/month)"),
    "hi_household_pct": _l("Household health insurance, first member (percent of base salary)"),
    "hi_member_2_pct": _l("Second member (percent of the first member's rate)"),
    "hi_member_3_pct": _l("Third member (percent of the first member's rate)"),
    "hi_member_4_pct": _l("Fourth member (percent of the first member's rate)"),
    "hi_member_5_pct": _l("Fifth member and later (percent of the first member's rate)"),
}

# Province top-ups use the same group keys with this prefix.
PROVINCE_PREFIX = "province_"
# Which periods a product allows is dated data (planner/rates/payment_periods.py); a quote
# only refuses what no product could allow.
MAX_PAYMENT_MONTHS = 120

ONE_HUNDRED = Decimal(100)


def vnd(amount: Decimal) -> int:
    """Round to a whole dong, halves up, as receipts do."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _lookups() -> dict | None:
    """Figures already looked up in this app context (a request or a print job)."""
    if not has_app_context():
        return None
    return g.setdefault("rate_lookups", {})


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _forget_lookups(session, _context, _instances) -> None:
    # A changed figure must be seen at once by the same request or job.
    changed = (*session.new, *session.dirty, *session.deleted)
    if has_app_context() and any(isinstance(obj, RateValue) for obj in changed):
        g.pop("rate_lookups", None)


def rates_in_force(on: date, office_id: int | None = None) -> dict[str, tuple[date, Decimal]]:
    """Every figure in force on `on` and the day it took effect: national ones, or one
    office's own top-ups. One query per day and scope, however many figures a quote needs."""
    lookups = _lookups()
    if lookups is not None and (on, office_id) in lookups:
        return lookups[on, office_id]
    rows = db.session.execute(
        sa.select(RateValue.key, RateValue.valid_from, RateValue.value)
        .where(
            RateValue.valid_from <= on,
            RateValue.office_id.is_(None)
            if office_id is None
            else RateValue.office_id == office_id,
        )
        .order_by(RateValue.valid_from)
    ).all()
    # Later rows replace earlier ones: what remains is the figure in force.
    figures = {key: (valid_from, Decimal(value)) for key, valid_from, value in rows}
    if lookups is not None:
        lookups[on, office_id] = figures
    return figures


def rate(key: str, on: date, office_id: int | None = None) -> Decimal:
    """The figure for `key` in force on `on` (national, or one office's own top-up)."""
    figure = rates_in_force(on, office_id).get(key)
    if figure is not None:
        return figure[1]
    if office_id is not None:
        return Decimal(0)  # no top-up from this office
    raise PlannerError(
        _(
            "No rate “%(key)s” is in force on %(day)s; an administrator must enter it.",
            key=key,
            day=shown_date(on),
        ),
        code="missing_rate",
    )


@dataclass(frozen=True)
class VoluntaryQuote:
    """What a person pays for voluntary social insurance, per month and per payment."""

    on: date
    income: int
    group: PriorityGroup
    months: int
    min_income: int
    max_income: int
    contribution_pct: Decimal
    support_pct: Decimal
    province_support_pct: Decimal
    monthly_contribution: int
    monthly_state_support: int
    monthly_province_support: int
    support_max_months: int

    @property
    def monthly_person_pays(self) -> int:
        return (
            self.monthly_contribution - self.monthly_state_support - self.monthly_province_support
        )

    @property
    def period_contribution(self) -> int:
        return self.monthly_contribution * self.months

    @property
    def period_support(self) -> int:
        return (self.monthly_state_support + self.monthly_province_support) * self.months

    @property
    def period_person_pays(self) -> int:
        return self.monthly_person_pays * self.months


def _check_months(months: int) -> None:
    if not 1 <= months <= MAX_PAYMENT_MONTHS:
        raise PlannerError(_("Choose how often the person pays."), field="months")


def voluntary_si_limits(on: date) -> tuple[int, int]:
    """The lowest and highest income a person may choose on `on`."""
    low = rate("rural_poverty_line", on)
    high = rate("reference_level", on) * rate("vsi_max_multiple", on)
    return vnd(low), vnd(high)


def voluntary_si_quote(
    on: date,
    income: int,
    group: PriorityGroup | str,
    months: int = 1,
    office_id: int | None = None,
) -> VoluntaryQuote:
    """Contribution, state support (computed on the minimum income) and what the person pays."""
    group = PriorityGroup(group)
    _check_months(months)
    low, high = voluntary_si_limits(on)
    if not low <= income <= high:
        raise PlannerError(
            _(
                "The chosen income must be between %(low)s and %(high)s VND a month.",
                low=f"{low:,}".replace(",", "."),
                high=f"{high:,}".replace(",", "."),
            ),
            code="income_out_of_range",
            field="income",
        )
    pct = rate("vsi_contribution_pct", on)
    support_pct = rate(f"vsi_support_pct_{group.value}", on)
    province_pct = (
        rate(f"{PROVINCE_PREFIX}vsi_support_pct_{group.value}", on, office_id)
        if office_id is not None
        else Decimal(0)
    )
    min_contribution = Decimal(low) * pct / ONE_HUNDRED
    return VoluntaryQuote(
        on=on,
        income=income,
        group=group,
        months=months,
        min_income=low,
        max_income=high,
        contribution_pct=pct,
        support_pct=support_pct,
        province_support_pct=province_pct,
        monthly_contribution=vnd(Decimal(income) * pct / ONE_HUNDRED),
        monthly_state_support=vnd(min_contribution * support_pct / ONE_HUNDRED),
        monthly_province_support=vnd(min_contribution * province_pct / ONE_HUNDRED),
        support_max_months=int(rate("vsi_support_max_months", on)),
    )


@dataclass(frozen=True)
class HouseholdQuote:
    """Household health insurance for a number of members joining in the same year."""

    on: date
    members: int
    monthly_by_member: tuple[int, ...]
    months: int

    @property
    def monthly_total(self) -> int:
        return sum(self.monthly_by_member)

    @property
    def period_total(self) -> int:
        return self.monthly_total * self.months


def household_hi_quote(on: date, members: int, months: int = 12) -> HouseholdQuote:
    """The first member pays a share of the base salary; later members a falling share of that."""
    if not 1 <= members <= 30:
        raise PlannerError(_("A household has between 1 and 30 members."), field="members")
    _check_months(months)
    first = rate("base_salary", on) * rate("hi_household_pct", on) / ONE_HUNDRED
    amounts = [vnd(first)]
    for n in range(2, members + 1):
        share = rate(f"hi_member_{min(n, 5)}_pct", on)
        amounts.append(vnd(first * share / ONE_HUNDRED))
    return HouseholdQuote(on=on, members=members, monthly_by_member=tuple(amounts), months=months)


# National figures shipped with the app; loaded on first run, and a newer decree table by
# `flask rates load FILE`: no office's screen changes them.
NATIONAL_RATES_FILE = Path(__file__).with_name("national_rates.csv")


def seed_national_rates(path: Path = NATIONAL_RATES_FILE) -> int:
    """Insert the national figures (the decree table at `path`: key, valid_from, value, source)
    that are not there yet; returns how many were added."""
    existing = set(
        db.session.execute(
            sa.select(RateValue.key, RateValue.valid_from).where(RateValue.office_id.is_(None))
        ).all()
    )
    added = 0
    with path.open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            day = date.fromisoformat(row["valid_from"])
            if (row["key"], day) in existing:
                continue
            if row["key"] not in RATE_KEYS:
                raise PlannerError(_("Choose one of the listed figures."), field="key")
            db.session.add(
                RateValue(
                    key=row["key"],
                    valid_from=day,
                    value=Decimal(row["value"]),
                    source=row["source"],
                )
            )
            added += 1
    # The payment periods are the same decree table's neighbour: loaded with it.
    seed_payment_periods()
    return added


def add_rate_value(key: str, valid_from: date, value: Decimal, source: str) -> RateValue:
    """A new national figure from a date (a decree); earlier values stay for earlier dates."""
    if key not in RATE_KEYS:
        raise PlannerError(_("Choose one of the listed figures."), field="key")
    if value < 0:
        raise PlannerError(_("A rate cannot be negative."), field="value")
    if "_pct" in key and value > 100:
        raise PlannerError(_("A percentage is at most 100."), field="value")
    clash = db.session.scalar(
        sa.select(RateValue.id).where(
            RateValue.key == key, RateValue.valid_from == valid_from, RateValue.office_id.is_(None)
        )
    )
    if clash is not None:
        raise PlannerError(
            _("This figure already has a value from that date; choose another date."),
            field="valid_from",
        )
    record = RateValue(key=key, valid_from=valid_from, value=value, source=source.strip())
    db.session.add(record)
    db.session.flush()
    return record
