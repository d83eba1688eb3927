"""Record changes as they happen, in the same transaction as the change itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from planner.accounts.models import User
from planner.audit.models import AuditEntry
from planner.extensions import db


def record(
    office_id: int,
    entity: str,
    entity_id: int,
    action: str,
    changes: dict[str, Any] | None,
    user_id: int | None,
) -> AuditEntry:
    """Add an audit entry by `user_id`, whoever acted (None only for the public check-in form):
    the caller names the actor, so a change made outside a request is not put on someone."""
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


def actor_id(user: User | None) -> int | None:
    """The id the trail records for whoever acted; None for the public check-in form."""
    return user.id if user is not None else None


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


def record_many(entries: list[dict[str, Any]]) -> None:
    """Add many entries at once (an imported sheet); each dict holds record()'s arguments,
    user_id included."""
    if not entries:
        return
    rows = [
        {
            "office_id": e["office_id"],
            "user_id": e["user_id"],
            "entity": e["entity"],
            "entity_id": e["entity_id"],
            "action": e["action"],
            "changes": _jsonable(e.get("changes") or {}),
        }
        for e in entries
    ]
    db.session.execute(sa.insert(AuditEntry), rows)


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
    page = max(1, page)
    query = (
        sa.select(AuditEntry)
        .where(AuditEntry.office_id == office_id)
        # Who did it, joined in: one query, not two.
        .options(joinedload(AuditEntry.user))
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
