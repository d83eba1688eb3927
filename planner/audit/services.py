"""Record changes as they happen, in the same transaction as the change itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_login import current_user

from planner.audit.models import AuditEntry
from planner.extensions import db


def record(
    office_id: int,
    entity: str,
    entity_id: int,
    action: str,
    changes: dict[str, Any] | None = None,
    user_id: int | None = None,
) -> AuditEntry:
    """Add an audit entry; the user defaults to whoever is logged in (None for the public form)."""
    if user_id is None and current_user and getattr(current_user, "is_authenticated", False):
        user_id = current_user.id
    entry = AuditEntry(
        office_id=office_id,
        user_id=user_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        changes=_jsonable(changes or {}),
    )
    db.session.add(entry)
    return entry


def diff(record_before: dict[str, Any], record_after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose values differ."""
    return {
        key: [record_before.get(key), value]
        for key, value in record_after.items()
        if record_before.get(key) != value
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def entries_for_person(person) -> list[AuditEntry]:
    """The trail about one person and their attendance rows, newest first."""
    import sqlalchemy as sa
    from sqlalchemy.orm import selectinload

    from planner.people.models import Attendance

    attendance_ids = sa.select(Attendance.id).where(Attendance.person_id == person.id)
    # A UNION of the two lookups, each through the (entity, entity_id) index: with an OR the
    # database walked the whole trail of the office.
    about = sa.union_all(
        sa.select(AuditEntry.id).where(
            AuditEntry.entity == "person", AuditEntry.entity_id == person.id
        ),
        sa.select(AuditEntry.id).where(
            AuditEntry.entity == "attendance", AuditEntry.entity_id.in_(attendance_ids)
        ),
    )
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.office_id == person.office_id, AuditEntry.id.in_(about))
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    ).all()


def record_many(entries: list[dict[str, Any]]) -> None:
    """Add many entries at once (an imported sheet); each dict holds record()'s arguments."""
    if not entries:
        return
    from sqlalchemy import insert

    user_id = None
    if current_user and getattr(current_user, "is_authenticated", False):
        user_id = current_user.id
    rows = [
        {
            "office_id": e["office_id"],
            "user_id": e.get("user_id") if e.get("user_id") is not None else user_id,
            "entity": e["entity"],
            "entity_id": e["entity_id"],
            "action": e["action"],
            "changes": _jsonable(e.get("changes") or {}),
        }
        for e in entries
    ]
    db.session.execute(insert(AuditEntry), rows)


TRAIL_PAGE_SIZE = 50


@dataclass(frozen=True)
class TrailPage:
    """One page of an office's trail, newest first; `has_next` when older entries remain."""

    items: list[AuditEntry]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def office_trail(
    office_id: int,
    entity: str | None = None,
    user_id: int | None = None,
    page: int = 1,
    per_page: int = TRAIL_PAGE_SIZE,
) -> TrailPage:
    """A page of the office's trail through (office_id, at, id), one entry past the page to
    know if there is more: counting half a million entries for a page count cost more than
    the page itself."""
    import sqlalchemy as sa
    from sqlalchemy.orm import selectinload

    page = max(1, page)
    query = (
        sa.select(AuditEntry)
        .where(AuditEntry.office_id == office_id)
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    rows = db.session.scalars(query).all()
    return TrailPage(list(rows[:per_page]), page, len(rows) > per_page)
