"""Vietnamese phone numbers, normalised to E.164 with Google's phonenumbers data."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from flask_babel import gettext as _

from planner.errors import PlannerError


def normalise_phone(raw: str) -> str:
    """'0912 345 678' or '+84912345678' → '+84912345678'; raises PlannerError if not valid."""
    text = (raw or "").strip()
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise PlannerError(
            _(
                "“%(phone)s” is not a valid Vietnamese phone number (10 digits starting with 0).",
                phone=text[:30],
            ),
            code="invalid_phone",
            field="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Lists show hundreds of phones a page and parsing one is tens of microseconds: the shown forms
# depend on the number alone, so they are kept (a province's phones fit in a few MiB).
@lru_cache(maxsize=65536)
def display_phone(e164: str) -> str:
    """+84912345678 → 0912 345 678, as people write it."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@lru_cache(maxsize=65536)
def mask_phone(e164: str) -> str:
    """Keep the last three digits so a list can be printed without exposing the number."""
    shown = display_phone(e164)
    digits = [c for c in shown if c.isdigit()]
    if len(digits) < 4:
        return shown
    keep = 3
    masked, seen = [], 0
    total = len(digits)
    for c in shown:
        if c.isdigit():
            seen += 1
            masked.append(c if seen == 1 or seen > total - keep else "•")
        else:
            masked.append(c)
    return "".join(masked)
