"""The people list and search: a page at a time, found by prefix through indexed search keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from planner.extensions import db
from planner.people.models import Attendance, Person, fold_name


def _starts_with(column: Any, prefix: str) -> sa.ColumnElement[bool]:
    # A range rather than LIKE 'x%': both engines walk a plain index for a range (SQLite's LIKE
    # is case-insensitive and skips it); the bound sorts after every character.
    return sa.and_(column >= prefix, column < prefix + "\U0010ffff")


def person_search(text: str) -> sa.ColumnElement[bool]:
    """Who `text` finds, each branch by prefix through an index: a name without diacritics or
    case from the start of any word ("pao", "van pao", "lo van pao"), a phone in any format
    from its first digits ("0912 345", "+84 912", "84912"), or a CCCD from its first digits."""
    conditions: list[sa.ColumnElement[bool]] = []
    key = fold_name(text)
    if key:
        conditions.extend(
            _starts_with(column, key)
            for column in (Person.name_key, Person.name_key_2, Person.name_key_3)
        )
        conditions.append(_starts_with(Person.name_key_last, key))
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) >= 3:
        national = digits[2:] if digits.startswith("84") else digits.removeprefix("0")
        conditions.append(_starts_with(Person.phone, "+84" + national))
        conditions.append(_starts_with(Person.cccd, digits))
    return sa.or_(*conditions) if conditions else sa.false()


PEOPLE_PAGE_SIZE = 50


@dataclass(frozen=True)
class PeoplePage:
    """One page of the people list (or of a search), and the confirmed rows each person has."""

    items: list[Person]
    attendances: dict[int, int]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def people_page(
    office_id: int, text: str = "", page: int = 1, per_page: int = PEOPLE_PAGE_SIZE
) -> PeoplePage:
    """A page of the office's people in Vietnamese alphabetical order (`Person.sort_name`,
    indexed), found by `person_search` when `text` is given. One row past the page says whether
    a next one exists: no count of the whole office (a scan of every person), so three queries
    whatever it holds."""
    page = max(1, page)
    query = (
        sa.select(Person)
        .where(Person.office_id == office_id, Person.confirmed)
        .options(sa.orm.selectinload(Person.village))
        .order_by(Person.sort_name, Person.id)
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    if text:
        # Matches found through the search indexes first, then sorted: ordering by the name
        # index and filtering would read every person when few match.
        # The office inside the subquery too: every search index leads with `office_id`.
        found = sa.select(Person.id).where(Person.office_id == office_id, person_search(text))
        query = query.where(Person.id.in_(found))
    rows = db.session.scalars(query).all()
    items = list(rows[:per_page])
    attendances = (
        dict(
            db.session.execute(
                sa.select(Attendance.person_id, sa.func.count())
                .where(Attendance.person_id.in_([p.id for p in items]), Attendance.confirmed)
                .group_by(Attendance.person_id)
            ).all()
        )
        if items
        else {}
    )
    return PeoplePage(items, attendances, page, len(rows) > per_page)
