"""Vietnamese alphabetical order for every list of names (people, communes, villages, officers,
partners, venues, teams).

Code points put "Âu Lâu" after "UBND" and "Đoàn Thanh niên" after "Zô"; the Unicode Collation
Algorithm (pyuca, DUCET) treats ă, â, ê, ô, ơ, ư and đ as accented a, e, o, u, d. Vietnamese
dictionaries order them as letters of their own (a < ă < â, d < đ, e < ê, o < ô < ơ, u < ư) and
the tones as a second level (none, huyền, hỏi, ngã, sắc, nặng), as CLDR's "vi" tailoring does;
`sort_key` applies that tailoring to pyuca's table. In SQL (lists paged in the database) the same
order is PostgreSQL's ICU collation "vi-x-icu", or on SQLite the collation "vi" registered here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import TypeVar

import sqlalchemy as sa
from pyuca import Collator

from planner.extensions import db

T = TypeVar("T")

SQLITE_COLLATION = "vi"
POSTGRES_COLLATION = "vi-x-icu"

# Letters that follow their base letter (the mark combined with it, and its rank after it).
VIETNAMESE_LETTERS = {
    ("a", "\u0306"): 1,  # ă
    ("a", "\u0302"): 2,  # â
    ("e", "\u0302"): 1,  # ê
    ("o", "\u0302"): 1,  # ô
    ("o", "\u031b"): 2,  # ơ
    ("u", "\u031b"): 1,  # ư
}
# The tones in dictionary order: huyền, hỏi, ngã, sắc, nặng (no mark comes first).
TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
# Primary weights above every letter's: "ăn" sorts after "anh", before "b".
AFTER_LETTERS = 0xFFF0


@cache
def _collator() -> Collator:
    collator = Collator()
    table = collator.table

    def elements(text: str) -> list[list[int]]:
        return [list(e) for e in collator.collation_elements(text)]

    for (base, mark), rank in VIETNAMESE_LETTERS.items():
        for letter in (base, base.upper()):
            extra = [AFTER_LETTERS + rank, 0x0020, elements(letter)[0][2]]
            table.add([ord(letter), ord(mark)], [*elements(letter), extra])
    for stroke, letter in (("đ", "d"), ("Đ", "D")):
        extra = [AFTER_LETTERS + 1, 0x0020, elements(letter)[0][2]]
        table.add([ord(stroke)], [*elements(letter), extra])
    # Secondary weights for the tones in dictionary order, from the lowest DUCET gives them.
    secondaries = sorted(elements(tone)[0][1] for tone in TONES)
    for tone, secondary in zip(TONES, secondaries, strict=True):
        table.add([ord(tone)], [[0, secondary, 0x0002]])
    return collator


@lru_cache(maxsize=65536)
def sort_key(text: str) -> tuple[int, ...]:
    """A key that sorts `text` in Vietnamese alphabetical order (case and tones second)."""
    return _collator().sort_key(text or "")


SORT_NAME_LENGTH = 600


def sort_name(text: str) -> str:
    """`sort_key(text)` as text that sorts the same byte by byte (four hex digits a weight), for
    a column an index can walk in Vietnamese order (`Person.sort_name`)."""
    return "".join(f"{weight:04x}" for weight in sort_key(text))[:SORT_NAME_LENGTH]


def vi_sorted(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """`items` in Vietnamese alphabetical order of `key(item)`."""
    return sorted(items, key=lambda item: sort_key(key(item)))


def _compare(first: str, second: str) -> int:
    a, b = sort_key(first), sort_key(second)
    return (a > b) - (a < b)


def register_sqlite_collation(dbapi_connection: sqlite3.Connection) -> None:
    """Give an SQLite connection the collation "vi" (`ORDER BY name COLLATE vi`)."""
    dbapi_connection.create_collation(SQLITE_COLLATION, _compare)


_postgres_has_icu: dict[str, bool] = {}


def vi_order(column, bind: sa.engine.Engine | None = None):
    """`column` in Vietnamese order for ORDER BY on the app's database (or `bind`'s): the ICU
    collation on PostgreSQL when the server has it, the registered one on SQLite, else as
    stored."""
    bind = bind if bind is not None else db.engine
    dialect = bind.dialect.name
    if dialect == "sqlite":
        return column.collate(SQLITE_COLLATION)
    if dialect == "postgresql":
        url = str(bind.url)
        if url not in _postgres_has_icu:
            with bind.connect() as connection:
                _postgres_has_icu[url] = bool(
                    connection.scalar(
                        sa.text("SELECT 1 FROM pg_collation WHERE collname = :name"),
                        {"name": POSTGRES_COLLATION},
                    )
                )
        if _postgres_has_icu[url]:
            return column.collate(POSTGRES_COLLATION)
    return column
