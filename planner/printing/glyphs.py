"""Whether every character a document prints is in a bundled font, checked before rendering.

WeasyPrint draws a character no font has as an empty box, or takes it from whatever font the
server happens to have: printed matter uses only the fonts under static/fonts (base.css lists
them: Noto Sans, then the symbols and extra Latin letters of "Planner Symbols"). Their character
maps are read once; a text is checked in its composed form (NFC), and a character no font has
still prints when its decomposed form does (the shaper composes it from a letter and its marks).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from fontTools.ttLib import TTFont

from planner import STATIC_DIR
from planner.errors import PlannerError

FONTS_DIR = STATIC_DIR / "fonts"
# Characters that take no glyph: line breaks, tabs, soft hyphens, joiners, direction marks.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf"})
# How many missing characters a message names before it says "and N more".
NAMED_AT_MOST = 12


@functools.cache
def bundled_code_points() -> frozenset[int]:
    """Every code point that some bundled font (static/fonts/*.ttf) maps to a glyph."""
    covered: set[int] = set()
    for path in sorted(FONTS_DIR.glob("*.ttf")):
        font = TTFont(path, lazy=True)
        covered.update(font.getBestCmap())
        font.close()
    return frozenset(covered)


def printable_ranges() -> list[tuple[int, int]]:
    """The bundled code points as inclusive (first, last) ranges, for the editor's hint."""
    ranges: list[tuple[int, int]] = []
    for point in sorted(bundled_code_points()):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    return ranges


@functools.lru_cache(maxsize=4096)
def _printable(character: str) -> bool:
    covered = bundled_code_points()
    if ord(character) in covered or unicodedata.category(character) in _INVISIBLE_CATEGORIES:
        return True
    parts = unicodedata.normalize("NFD", character)
    return len(parts) > 1 and all(_printable(part) for part in parts)


def missing_characters(text: str) -> tuple[str, ...]:
    """The characters of `text` no bundled font can draw, each once, in order of appearance."""
    if not text:
        return ()
    composed = unicodedata.normalize("NFC", text)
    return tuple(c for c in dict.fromkeys(composed) if not _printable(c))


def describe(characters: Iterable[str]) -> str:
    """Characters as a person can find them in their text: “ɛ” (U+025B), …"""
    characters = list(characters)
    named = [f"“{c}” (U+{ord(c):04X})" for c in characters[:NAMED_AT_MOST]]
    more = len(characters) - len(named)
    if more:
        named.append(ngettext("and %(num)d more", "and %(num)d more", more))
    return ", ".join(named)


@dataclass(frozen=True)
class Unprintable:
    """Characters no bundled font has, and where they are (as a person names it)."""

    where: str
    characters: tuple[str, ...]

    @property
    def message(self) -> str:
        return _(
            "%(where)s: %(chars)s cannot be printed (no printing font has them).",
            where=self.where,
            chars=describe(self.characters),
        )


class UnprintableText(PlannerError):
    """A document would print characters as empty boxes; nothing was rendered."""

    def __init__(self, problems: list[Unprintable]):
        self.problems = problems
        lines = " ".join(p.message for p in problems)
        super().__init__(
            _("Nothing was printed. %(problems)s Replace these characters and print again.")
            % {"problems": lines},
            code="unprintable",
        )


def unprintable(texts: Iterable[tuple[str, str]]) -> list[Unprintable]:
    """For each (where, text) with characters no bundled font has: where and which."""
    found: dict[str, list[str]] = {}
    for where, text in texts:
        missing = missing_characters(text)
        if missing:
            found.setdefault(where, [])
            found[where].extend(c for c in missing if c not in found[where])
    return [Unprintable(where, tuple(chars)) for where, chars in found.items()]


def require_printable(texts: Iterable[tuple[str, str]]) -> None:
    """Raise UnprintableText naming every character (and where it is) that would not print."""
    problems = unprintable(texts)
    if problems:
        raise UnprintableText(problems)


_TAG = re.compile(r"<(?:style|script|title)\b.*?</(?:style|script|title)>|<[^>]*>", re.S | re.I)


def html_text(document: str) -> str:
    """The text a document's HTML prints: its tags (and styles, title) left out, entities read."""
    return html.unescape(_TAG.sub(" ", document))


def require_printable_html(document: str) -> None:
    """The last check before a document is laid out: every character of its text is bundled."""
    missing = missing_characters(html_text(document))
    if missing:
        raise UnprintableText([Unprintable(_("This document"), missing)])
