"""A household's quote: voluntary SI per payment with and without state support, and household
HI for its members, as an officer quotes it at a session (the quote sheet prints it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from planner.enums import PriorityGroup
from planner.errors import PlannerError
from planner.rates.payment_periods import allowed_months, check_months
from planner.rates.services import (
    HouseholdQuote,
    VoluntaryQuote,
    household_hi_quote,
    voluntary_si_quote,
)


def percent_text(value: Decimal) -> str:
    """A percentage as Vietnamese print it: 30% or 12,5%."""
    text = f"{value:f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


@dataclass(frozen=True)
class HouseholdQuoteRequest:
    """What an officer enters to quote a household."""

    on: date
    group: PriorityGroup
    income: int
    months: int
    members: int


@dataclass(frozen=True)
class HouseholdQuoteResult:
    """A household's quote: voluntary SI and household HI for the request, in dong."""

    request: HouseholdQuoteRequest
    vsi: VoluntaryQuote
    hi: HouseholdQuote
    support_pct: str  # state and province support together, as printed: "30%"
    total_period: int  # what the household pays each payment, both products
    hi_yearly: int


def household_quote(request: HouseholdQuoteRequest, office_id: int) -> HouseholdQuoteResult:
    """Voluntary SI per payment with and without state support, and household HI for members.

    Household HI is quoted at the chosen period when households may pay that often, otherwise at
    the nearest longer period they may (monthly becomes every 3 months): the periods are dated
    data (`planner.rates.payment_periods`)."""
    check_months("voluntary_si", request.on, request.months)
    hi_periods = allowed_months("household_hi", request.on)
    if not hi_periods:
        raise PlannerError(
            _("No payment period is recorded for household health insurance on that date."),
            field="months",
        )
    hi_months = next((m for m in hi_periods if m >= request.months), hi_periods[-1])
    vsi = voluntary_si_quote(request.on, request.income, request.group, request.months, office_id)
    hi = household_hi_quote(request.on, request.members, hi_months)
    return HouseholdQuoteResult(
        request=request,
        vsi=vsi,
        hi=hi,
        support_pct=percent_text(vsi.support_pct + vsi.province_support_pct),
        total_period=vsi.period_person_pays + hi.period_total,
        hi_yearly=hi.monthly_total * 12,
    )
