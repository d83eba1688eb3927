"""The quote sheet: a household's quote (rates.quotes) printed for the family to keep."""

from __future__ import annotations

from flask_babel import force_locale

from planner.accounts.models import Office, User
from planner.printing import render
from planner.printing.facts import DOCUMENT_LOCALE, officer_line
from planner.rates.quotes import HouseholdQuoteResult

QUOTE_STYLES = ("base", "quote_sheet")


def quote_sheet_html(quote: HouseholdQuoteResult, office: Office, officer: User) -> str:
    """The printable quote for one household, in Vietnamese whatever the screen's language."""
    with force_locale(DOCUMENT_LOCALE):
        group_label = str(quote.request.group.label)
    return render.template_html(
        "quote_sheet",
        quote=quote,
        office=office,
        officer=officer_line(officer),
        group_label=group_label,
    )


def quote_sheet_pdf(quote: HouseholdQuoteResult, office: Office, officer: User) -> bytes:
    return render.cached_pdf(quote_sheet_html(quote, office, officer), QUOTE_STYLES)[1]
