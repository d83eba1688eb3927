"""Likely duplicates: people an office probably typed twice, marking them distinct, merging."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.accounts.models import User
from planner.audit.services import actor_id, diff, record
from planner.enums import PriorityGroup
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.models import (
    Attendance,
    DistinctPeople,
    Person,
)
from planner.people.signals import (
    attendance_recorded,
    persons_merged,
)
from planner.people.snapshots import attendance_snapshot, person_snapshot


@dataclass
class DuplicatePair:
    first: Person
    second: Person
    reasons: list[str]


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


DUPLICATE_GROUPS_PER_PAGE = 10


@dataclass(frozen=True)
class DuplicatePage:
    """One page of likely duplicates: the pairs of up to `DUPLICATE_GROUPS_PER_PAGE` phone
    groups and as many name-year-village groups, and whether a next page has more."""

    pairs: list[DuplicatePair]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def likely_duplicates(office_id: int) -> list[DuplicatePair]:
    """Pairs of people who may be one person (the first page): same phone, or same name, year
    and village."""
    return duplicates_page(office_id).pairs


def duplicates_page(
    office_id: int, page: int = 1, per_page: int = DUPLICATE_GROUPS_PER_PAGE
) -> DuplicatePage:
    """A page of likely duplicates found by blocking keys: people sharing a phone, or a folded
    name, birth year and village. Each kind of key is grouped in key order through its index
    (`ix_person_office_phone`, `ix_person_office_details`) and stops after the page's groups,
    so the cost follows the page shown, not the office's size; a fixed number of queries."""
    page = max(1, page)
    live = sa.and_(Person.office_id == office_id, Person.confirmed, Person.erased_at.is_(None))
    skip = (page - 1) * per_page
    phones = db.session.scalars(
        sa.select(Person.phone)
        .where(live, Person.phone.is_not(None))
        .group_by(Person.phone)
        .having(sa.func.count() > 1)
        .order_by(Person.phone)
        .limit(per_page + 1)
        .offset(skip)
    ).all()
    detail_keys = [
        tuple(r)
        for r in db.session.execute(
            sa.select(Person.name_key, Person.birth_year, Person.village_id)
            .where(live, Person.birth_year.is_not(None), Person.village_id.is_not(None))
            .group_by(Person.name_key, Person.birth_year, Person.village_id)
            .having(sa.func.count() > 1)
            .order_by(Person.name_key, Person.birth_year, Person.village_id)
            .limit(per_page + 1)
            .offset(skip)
        )
    ]
    has_next = len(phones) > per_page or len(detail_keys) > per_page
    phones, detail_keys = phones[:per_page], detail_keys[:per_page]
    if not phones and not detail_keys:
        return DuplicatePage([], page, has_next)
    # One equality per key rather than a row-value IN, which SQLite answers by reading every
    # person of the office; equalities it looks up in the index, one by one.
    by_details = [
        sa.and_(Person.name_key == n, Person.birth_year == y, Person.village_id == v)
        for n, y, v in detail_keys
    ]
    people = db.session.scalars(
        sa.select(Person)
        .where(live, sa.or_(Person.phone.in_(phones), *by_details))
        .options(sa.orm.selectinload(Person.village))
        .order_by(Person.id)
    ).all()
    wanted_phones, wanted_details = set(phones), set(detail_keys)
    groups: dict[tuple, list[Person]] = defaultdict(list)
    for person in people:
        if person.phone in wanted_phones:
            groups[("phone", person.phone)].append(person)
        key = (person.name_key, person.birth_year, person.village_id)
        if key in wanted_details:
            groups[("details", *key)].append(person)
    ids = [p.id for p in people]
    decided = {
        (d.first_id, d.second_id)
        for d in db.session.execute(
            sa.select(DistinctPeople.first_id, DistinctPeople.second_id).where(
                DistinctPeople.office_id == office_id, DistinctPeople.first_id.in_(ids)
            )
        )
    }
    pairs: dict[tuple[int, int], DuplicatePair] = {}
    for key, members in groups.items():
        reason = (
            _("same phone number")
            if key[0] == "phone"
            else _("same name, year of birth and village")
        )
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                ids_pair = _pair(first.id, second.id)
                if ids_pair in decided:
                    continue
                pair = pairs.setdefault(ids_pair, DuplicatePair(first, second, []))
                pair.reasons.append(reason)
    return DuplicatePage(list(pairs.values()), page, has_next)


def mark_distinct(first: Person, second: Person, user: User | None) -> None:
    """The officer decided these two are different people: stop proposing them."""
    a, b = _pair(first.id, second.id)
    exists = db.session.scalar(
        sa.select(DistinctPeople.id).where(
            DistinctPeople.first_id == a, DistinctPeople.second_id == b
        )
    )
    if exists is None:
        db.session.add(
            DistinctPeople(
                office_id=first.office_id, first_id=a, second_id=b, decided_by_id=actor_id(user)
            )
        )
        record(
            first.office_id, "person", a, "not_duplicate", {"other_person_id": b}, actor_id(user)
        )


class PersonRow(Protocol):
    """A row of another domain about one person (an enrolment, a follow-up)."""

    id: int
    office_id: int
    person_id: int
    person: Person


def move_to_kept(
    rows: Iterable[PersonRow], entity: str, kept: Person, merged: Person, user: User | None
) -> None:
    """For a persons_merged receiver: hand each of its rows about the merged person to the
    person kept, with a "merge" entry in the trail for `entity`, and flush."""
    for row in rows:
        row.person_id = kept.id
        row.person = kept
        record(
            row.office_id,
            entity,
            row.id,
            "merge",
            {"person_id": [merged.id, kept.id]},
            actor_id(user),
        )
    db.session.flush()


def merge_chosen(first: Person, second: Person, keep_id: int | None, user: User | None) -> Person:
    """Merge the pair the duplicates page showed, keeping the record the user chose.

    `keep_id` is the id of `first` or `second` (from the form's "keep" choice). Returns the kept
    person. Raises PlannerError (field "keep") when no record of the pair was chosen, or when
    `merge_people` refuses.
    """
    if keep_id not in (first.id, second.id):
        raise PlannerError(_("Choose which record to keep."), field="keep")
    kept, removed = (first, second) if keep_id == first.id else (second, first)
    return merge_people(kept, removed, user)


def merge_people(kept: Person, removed: Person, user: User | None) -> Person:
    """Make two records one: the removed person's attendance moves to the kept one."""
    if kept.id == removed.id or kept.office_id != removed.office_id:
        raise PlannerError(_("Choose two different people of your office to merge."))
    if kept.erased_at is not None or removed.erased_at is not None:
        raise PlannerError(_("An erased person cannot be merged."))
    office_id, uid = kept.office_id, actor_id(user)
    before = person_snapshot(kept)
    # Other domains (follow-ups, enrolments) move their rows first, in this transaction.
    persons_merged.send(kept, merged=removed, user=user)
    kept_rows = {
        a.session_id: a
        for a in db.session.scalars(sa.select(Attendance).where(Attendance.person_id == kept.id))
    }
    moved = db.session.scalars(
        sa.select(Attendance).where(Attendance.person_id == removed.id)
    ).all()
    for attendance in moved:
        twin = kept_rows.get(attendance.session_id)
        if twin is None:
            attendance.person_id = kept.id
            record(
                office_id,
                "attendance",
                attendance.id,
                "update",
                {"person_id": [removed.id, kept.id]},
                uid,
            )
            continue
        # Both records were on the same session's list: keep one row with everything noted.
        twin_before = attendance_snapshot(twin)
        interest_before = twin.interest
        twin.interested_voluntary_si |= attendance.interested_voluntary_si
        twin.interested_household_hi |= attendance.interested_household_hi
        twin.registered_on_spot |= attendance.registered_on_spot
        twin.confirmed |= attendance.confirmed
        if attendance.notes and attendance.notes not in twin.notes:
            twin.notes = "; ".join(n for n in (twin.notes, attendance.notes) if n)[:500]
        changes = diff(twin_before, attendance_snapshot(twin))
        if changes:
            record(office_id, "attendance", twin.id, "update", changes, uid)
        record(
            office_id,
            "attendance",
            attendance.id,
            "delete",
            {"merged_into_attendance_id": twin.id},
            uid,
        )
        db.session.delete(attendance)
        if twin.interest != interest_before:
            db.session.flush()
            attendance_recorded.send(twin, user=user)
    for name in (
        "birth_year",
        "gender",
        "village_id",
        "commune_id",
        "phone",
        "cccd",
        "has_health_insurance",
    ):
        if getattr(kept, name) in (None, "") and getattr(removed, name) not in (None, ""):
            setattr(kept, name, getattr(removed, name))
    for name in ("ethnicity", "occupation"):
        if not getattr(kept, name) and getattr(removed, name):
            setattr(kept, name, getattr(removed, name))
    if removed.notes and removed.notes not in kept.notes:
        kept.notes = "\n".join(n for n in (kept.notes, removed.notes) if n)
    if kept.priority_group == PriorityGroup.OTHER:
        kept.priority_group = removed.priority_group
    # The consent given last is the one that counts.
    if removed.consent_recorded_at and (
        kept.consent_recorded_at is None or removed.consent_recorded_at > kept.consent_recorded_at
    ):
        kept.consent_contact = removed.consent_contact
        kept.consent_recorded_at = removed.consent_recorded_at
    changes = diff(before, person_snapshot(kept))
    record(office_id, "person", kept.id, "merge", {"merged_person_id": removed.id, **changes}, uid)
    record(office_id, "person", removed.id, "merged_into", {"kept_person_id": kept.id}, uid)
    db.session.execute(
        sa.delete(DistinctPeople).where(
            sa.or_(DistinctPeople.first_id == removed.id, DistinctPeople.second_id == removed.id)
        )
    )
    db.session.flush()
    db.session.expire(removed, ["attendances"])
    db.session.delete(removed)
    db.session.flush()
    db.session.expire(kept, ["attendances"])
    return kept


def surviving_people(office_id: int, person_ids: set[int]) -> dict[int, int]:
    """Where each merged-away person now lives: {removed person id: kept person id}.

    A merge deletes the removed record and says in the audit trail which one it went into
    (`merged_into`, also written when a self check-in is merged into a known person); a paper
    sheet or an offline entry printed before the merge still names the removed id. Chains
    (A into B, then B into C) are followed to the end. Ids never merged are left out.
    """
    from planner.audit.models import AuditEntry

    survivors: dict[int, int] = {}
    pending = set(person_ids)
    for _step in range(10):  # each step follows one merge; ten is far more than happens
        if not pending:
            break
        found = {
            entry.entity_id: int(entry.changes["kept_person_id"])
            for entry in db.session.scalars(
                sa.select(AuditEntry).where(
                    AuditEntry.office_id == office_id,
                    AuditEntry.entity == "person",
                    AuditEntry.action == "merged_into",
                    AuditEntry.entity_id.in_(pending),
                )
            )
        }
        for original, current in list(survivors.items()):
            if current in found:
                survivors[original] = found[current]
        for removed, kept in found.items():
            if removed in person_ids:
                survivors[removed] = kept
        pending = set(found.values())
    return survivors
