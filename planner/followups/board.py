"""Reading follow-ups: the board of piles (overdue, today, upcoming) a page at a time, a person's
follow-ups, the office's officers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from planner.accounts.models import User
from planner.collation import vi_order
from planner.extensions import db
from planner.followups.models import (
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
)
from planner.people.models import Person
from planner.scope import Scope
from planner.timezones import today_local

PILE_SIZE = 8  # follow-ups shown per pile and page: each carries its outcome form (~3 KiB)


PILES = ("overdue", "today", "upcoming")


@dataclass(frozen=True)
class Pile:
    """One page of one pile: the follow-ups shown, how many the pile holds, which page this is."""

    key: str  # "overdue", "today" or "upcoming"
    items: list[FollowUp]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class Board:
    """Open follow-ups in the three piles an officer works through, one page of each."""

    today: date
    overdue: Pile
    due_today: Pile
    upcoming: Pile

    @property
    def total(self) -> int:
        return self.overdue.total + self.due_today.total + self.upcoming.total


def board(
    scope: Scope,
    today: date | None = None,
    pages: dict[str, int] | None = None,
    per_page: int = PILE_SIZE,
) -> Board:
    """One page of each pile (`pages` maps a pile key to its 1-based page) and each pile's size:
    three queries for the piles whatever their size (the counts, the page's rows with their
    people, sessions and officers, then their outcomes), so the office's thousands of open
    follow-ups are counted, never loaded."""
    today = today or today_local()
    pages = pages or {}
    open_here = [FollowUp.office_id == scope.office_id, FollowUp.status == FollowUpStatus.OPEN]
    officers = scope.officers_select()
    if officers is not None:
        open_here.append(FollowUp.assigned_to_id.in_(officers))
    conditions = {
        "overdue": FollowUp.due_on < today,
        "today": FollowUp.due_on == today,
        "upcoming": FollowUp.due_on > today,
    }
    totals = dict(
        zip(
            PILES,
            db.session.execute(
                sa.select(*(sa.func.count().filter(conditions[k]) for k in PILES)).where(*open_here)
            ).one(),
            strict=True,
        )
    )
    wanted = {}
    for key in PILES:
        last_page = max(1, -(-totals[key] // per_page))
        wanted[key] = min(max(1, pages.get(key, 1)), last_page)
    # Each pile's page of ids as a subquery (SQLite wants LIMIT inside one before UNION ALL).
    page_ids = sa.union_all(
        *(
            sa.select(
                sa.select(FollowUp.id)
                .where(*open_here, conditions[key])
                .order_by(FollowUp.due_on, FollowUp.id)
                .limit(per_page)
                .offset((wanted[key] - 1) * per_page)
                .subquery()
                .c.id
            )
            for key in PILES
        )
    )
    rows = db.session.scalars(
        sa.select(FollowUp)
        .where(FollowUp.id.in_(page_ids))
        .options(
            # One of each per follow-up: joined in (a round trip each otherwise, which counts
            # on PostgreSQL); the outcomes, a list, in one more query.
            joinedload(FollowUp.person).joinedload(Person.village),
            joinedload(FollowUp.session),
            joinedload(FollowUp.assigned_to),
            selectinload(FollowUp.outcomes),
        )
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()

    def pile(key: str, items: list[FollowUp]) -> Pile:
        return Pile(key, items, totals[key], wanted[key], per_page)

    return Board(
        today=today,
        overdue=pile("overdue", [f for f in rows if f.due_on < today]),
        due_today=pile("today", [f for f in rows if f.due_on == today]),
        upcoming=pile("upcoming", [f for f in rows if f.due_on > today]),
    )


def person_follow_ups(person: Person) -> list[FollowUp]:
    """Every follow-up about a person, newest first, with outcomes and officers loaded."""
    return list(
        db.session.scalars(
            sa.select(FollowUp)
            .where(FollowUp.person_id == person.id, FollowUp.office_id == person.office_id)
            .options(
                # One of each per row joined in, the outcomes (a list) in one more query.
                selectinload(FollowUp.outcomes).joinedload(FollowUpOutcome.by),
                joinedload(FollowUp.assigned_to),
                joinedload(FollowUp.session),
            )
            .order_by(FollowUp.created_at.desc(), FollowUp.id.desc())
        )
    )


def office_officers(office_id: int) -> list[User]:
    """Active users of the office, to assign follow-ups to."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.office_id == office_id, User.active)
            .order_by(vi_order(User.full_name))
        )
    )
