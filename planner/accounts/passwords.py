"""How strong a password must be, and checking one in the same time whether the user exists.

Strength is estimated by zxcvbn (Dropbox's estimator: dictionaries of common passwords, names,
keyboard patterns, repeats, dates), so `password`, `12345678` and eight spaces are refused while
a phrase of a few words passes; the user's own name and username count as guessable.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from planner.errors import PlannerError

MIN_LENGTH = 8
# zxcvbn's scale 0-4; 3 is "safely unguessable: moderate protection from an offline attack".
MIN_SCORE = 3
# zxcvbn's time grows with the length; what lies past this adds strength, never removes it.
ESTIMATED_PREFIX = 64


def check_strength(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    """Refuse a password that is short or easy to guess; PlannerError on field `password`."""
    if len(password) < MIN_LENGTH:
        raise PlannerError(_("A password needs at least 8 characters."), field="password")
    inputs = [word for text in user_inputs for word in _guessable_words(text)]
    if zxcvbn(password[:ESTIMATED_PREFIX], user_inputs=inputs)["score"] < MIN_SCORE:
        raise PlannerError(
            _(
                "This password is too easy to guess. Use a phrase of three or four words "
                "that is not about you, with spaces or dashes between them."
            ),
            field="password",
        )


def _guessable_words(text: str) -> set[str]:
    """A name as someone guessing would type it: each word, all words run together, with and
    without Vietnamese diacritics ("Giàng Seo Pao" → giàng, giangseopao, ...)."""
    lowered = text.lower()
    folded = "".join(
        c
        for c in unicodedata.normalize("NFKD", lowered.replace("đ", "d"))
        if not unicodedata.combining(c)
    )
    words = set()
    for variant in (lowered, folded):
        words.update(variant.split())
        words.add("".join(variant.split()))
    return {w for w in words if w}


@cache
def _dummy_hash() -> str:
    return generate_password_hash("no user has this password")


def waste_a_check(password: str) -> None:
    """Hash as a real check would, so an unknown username answers in the same time."""
    check_password_hash(_dummy_hash(), password)
