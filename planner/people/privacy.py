"""A person's rights over their data: the export of everything held about them, and erasure."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from planner.accounts.models import User
from planner.audit.models import AuditEntry
from planner.audit.services import actor_id, record
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.attendance import person_attendances
from planner.people.models import (
    Attendance,
    DistinctPeople,
    Person,
)
from planner.people.signals import (
    person_erased,
    person_exported,
)
from planner.people.snapshots import PERSON_FIELDS, person_snapshot
from planner.phones import display_phone
from planner.timezones import now_utc, to_local

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """Spreadsheets run cells starting with = + - @ as formulas; make such text plain text.

    Checked after compatibility normalisation: a spreadsheet may read a full-width "＝" as "=".
    """
    if isinstance(value, str) and unicodedata.normalize("NFKC", value).startswith(FORMULA_STARTS):
        return "'" + value
    return value


def person_trail(person: Person) -> Sequence[AuditEntry]:
    """The audit trail about one person and their attendance rows, oldest first."""
    attendance_ids = sa.select(Attendance.id).where(Attendance.person_id == person.id)
    # UNION, not OR: each lookup goes through the (entity, entity_id) index.
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
        .options(joinedload(AuditEntry.user))
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()


def export_person(person: Person, user: User | None) -> dict[str, Any]:
    """Everything held about one person, for a supervisor answering a data request."""
    village = person.village
    data: dict[str, Any] = {
        "person": {
            "id": person.id,
            **person_snapshot(person),
            "phone": display_phone(person.phone) if person.phone else "",
            "village": village.display_name if village else "",
            "commune": person.commune.display_name if person.commune else "",
            "consent_recorded_at": _iso(person.consent_recorded_at),
            "created_at": _iso(person.created_at),
            "updated_at": _iso(person.updated_at),
            "erased_at": _iso(person.erased_at),
        },
        "attendance": [
            {
                "session_id": a.session_id,
                "date": to_local(a.session.starts_at).date().isoformat(),
                "session": a.session.title or str(a.session.kind.label),
                "venue": a.session.venue.name if a.session.venue else "",
                "commune": a.session.commune.name,
                "interest": a.interest.value,
                "registered_on_spot": a.registered_on_spot,
                "source": a.source.value,
                "confirmed": a.confirmed,
                "notes": a.notes,
                "recorded_at": _iso(a.created_at),
            }
            for a in person_attendances(person)
        ],
        "audit": [
            {
                "at": _iso(e.at),
                "user_id": e.user_id,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "action": e.action,
                "changes": e.changes,
            }
            for e in person_trail(person)
        ],
    }
    for _receiver, section in person_exported.send(person):
        if section:
            title, rows = section
            data[str(title)] = rows
    record(person.office_id, "person", person.id, "export", {}, actor_id(user))
    return data


def export_rows(data: dict[str, Any]) -> list[list[Any]]:
    """The export flattened to (section, row, field, value) lines for a CSV file."""
    lines: list[list[Any]] = [["section", "row", "field", "value"]]
    for section, content in data.items():
        rows = content if isinstance(content, list) else [content]
        for number, item in enumerate(rows, start=1):
            if not isinstance(item, dict):
                item = {"value": item}
            for name, value in item.items():
                shown = (
                    value
                    if isinstance(value, str | int | float | bool) or value is None
                    else (str(value))
                )
                lines.append([section, number, name, shown])
    return [[neutralise_formula(cell) for cell in line] for line in lines]


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def erase_person(person: Person, user: User | None) -> None:
    """Erase a person's personal data; their attendance rows stay, anonymous, so counts hold."""
    if person.erased_at is not None:
        raise PlannerError(_("This person's data was already erased."))
    person_erased.send(person, user=user)
    cleared = [name for name in PERSON_FIELDS if name not in ("commune_id", "village_id")]
    person.full_name = f"#{person.id}"
    person.birth_year = None
    person.ethnicity = ""
    person.phone = None
    person.cccd = None
    person.occupation = ""
    person.notes = ""
    person.consent_contact = False
    person.consent_recorded_at = None
    person.erased_at = now_utc()
    attendances = db.session.scalars(
        sa.select(Attendance).where(Attendance.person_id == person.id)
    ).all()
    for attendance in attendances:
        attendance.notes = ""
    # The trail keeps who did what and when, but not the erased values themselves.
    for entry in person_trail(person):
        entry.changes = {key: "—" for key in (entry.changes or {})}
    db.session.execute(
        sa.delete(DistinctPeople).where(
            sa.or_(DistinctPeople.first_id == person.id, DistinctPeople.second_id == person.id)
        )
    )
    record(person.office_id, "person", person.id, "erase", {"fields": cleared}, actor_id(user))
