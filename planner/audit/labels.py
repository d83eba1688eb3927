"""The change log as people read it: each entity's fields by name, values by label or name.

An audit entry stores raw values (`product: household_hi`, `gender: male`, ids of people and
sessions, ISO dates). `FIELDS` says, once per entity and field, what the field is called and
how its value is shown: a labelled enum's label, a date as 04/12/2026, money as 1.234.000 ₫,
a person's, commune's, village's, officer's or session's name instead of its number.
`shown_entries` turns a page of entries into what the trail shows, in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.accounts.models import User
from planner.audit.models import AuditEntry
from planner.enrolments.models import Enrolment
from planner.enums import LabelledEnum, PriorityGroup
from planner.extensions import db
from planner.followups.models import (
    FollowUp,
    FollowUpOrigin,
    FollowUpStatus,
    OutcomeKind,
    Product,
)
from planner.formats import shown_date, shown_money, shown_number
from planner.people.models import Attendance, AttendanceSource, Gender, Person
from planner.phones import display_phone
from planner.places.models import Commune, Venue, Village
from planner.sessions.models import OutreachSession, label_with_place


class Shown(StrEnum):
    """How a stored value is shown, apart from a labelled enum (which shows its label)."""

    TEXT = "text"
    YES_NO = "yes_no"
    DATE = "date"
    MONEY = "money"
    COUNT = "count"
    PHONE = "phone"
    PERSON = "person"
    COMMUNE = "commune"
    VILLAGE = "village"
    SESSION = "session"
    USER = "user"
    ATTENDANCE = "attendance"
    FIELDS = "fields"  # a list of this entity's field names (what an erasure cleared)


@dataclass(frozen=True)
class Field:
    """What a field is called and how its values are shown."""

    label: Any  # a lazy string
    shown: Shown | type[LabelledEnum] = Shown.TEXT


ENTITIES = {
    "person": _l("Person"),
    "attendance": _l("Attendance"),
    "follow_up": _l("Follow-up"),
    "enrolment": _l("Enrolment"),
    "office_settings": _l("Office settings"),
    "sheet_reading": _l("Sheet read back from a photo"),
}

ACTIONS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "merge": _l("merged with another record"),
    "merged_into": _l("merged into another record"),
    "merge_duplicate": _l("merged with a duplicate"),
    "not_duplicate": _l("marked as a different person"),
    "erase": _l("erased"),
    "export": _l("exported"),
    "self_check_in": _l("checked in by QR code"),
    "outcome": _l("contact result recorded"),
    "enrolled": _l("closed by an enrolment"),
    "reassign": _l("given to another officer"),
    "reschedule": _l("moved to another day"),
    "cancel": _l("cancelled"),
    "confirm": _l("confirmed"),
}

NOTES = Field(_l("Notes"))
CONFIRMED = Field(_l("Confirmed"), Shown.YES_NO)
PERSON = Field(_l("Person"), Shown.PERSON)
PRODUCT = Field(_l("Product"), Product)
PRIORITY_GROUP = Field(_l("Priority group"), PriorityGroup)

# One mapping per entity field. A field missing here shows its raw value under its own name;
# a test walks every snapshot so none is missing.
FIELDS: dict[str, dict[str, Field]] = {
    "person": {
        "full_name": Field(_l("Full name")),
        "birth_year": Field(_l("Year of birth")),
        "gender": Field(_l("Gender"), Gender),
        "ethnicity": Field(_l("Ethnicity")),
        "commune_id": Field(_l("Commune or ward"), Shown.COMMUNE),
        "village_id": Field(_l("Village"), Shown.VILLAGE),
        "phone": Field(_l("Phone"), Shown.PHONE),
        "cccd": Field(_l("CCCD")),
        "occupation": Field(_l("Occupation")),
        "priority_group": PRIORITY_GROUP,
        "has_health_insurance": Field(_l("Has a health insurance card now"), Shown.YES_NO),
        "consent_contact": Field(_l("Agrees to be contacted"), Shown.YES_NO),
        "notes": NOTES,
        "confirmed": CONFIRMED,
        "merged_person_id": Field(_l("Merged record"), Shown.PERSON),
        "kept_person_id": Field(_l("Kept record"), Shown.PERSON),
        "other_person_id": Field(_l("Other person"), Shown.PERSON),
        "fields": Field(_l("Fields cleared"), Shown.FIELDS),
    },
    "attendance": {
        "session_id": Field(_l("Session"), Shown.SESSION),
        "person_id": PERSON,
        "interested_voluntary_si": Field(
            _l("Interested in voluntary social insurance"), Shown.YES_NO
        ),
        "interested_household_hi": Field(
            _l("Interested in household health insurance"), Shown.YES_NO
        ),
        "registered_on_spot": Field(_l("Registered on the spot"), Shown.YES_NO),
        "source": Field(_l("Source"), AttendanceSource),
        "confirmed": CONFIRMED,
        "notes": NOTES,
        "merged_into_attendance_id": Field(_l("Merged into"), Shown.ATTENDANCE),
    },
    "follow_up": {
        "person_id": PERSON,
        "product": PRODUCT,
        "assigned_to_id": Field(_l("Officer"), Shown.USER),
        "due_on": Field(_l("Due on"), Shown.DATE),
        "status": Field(_l("Status"), FollowUpStatus),
        "notes": NOTES,
        "outcome": Field(_l("Contact result"), OutcomeKind),
        "call_back_on": Field(_l("Call back on"), Shown.DATE),
        # Added when interest at a session schedules it (followups.scheduling.created_from).
        "session_id": Field(_l("Session"), Shown.SESSION),
        "from": Field(_l("Created from"), FollowUpOrigin),
    },
    "enrolment": {
        "person_id": PERSON,
        "product": PRODUCT,
        "enrolled_on": Field(_l("Enrolled on"), Shown.DATE),
        "income": Field(_l("Chosen income"), Shown.MONEY),
        "priority_group": PRIORITY_GROUP,
        "members": Field(_l("Household members enrolled"), Shown.COUNT),
        "months": Field(_l("Months paid at once"), Shown.COUNT),
        "monthly_contribution": Field(_l("Contribution a month"), Shown.MONEY),
        "monthly_support": Field(_l("State support a month"), Shown.MONEY),
        "monthly_person_pays": Field(_l("Pays a month"), Shown.MONEY),
        "period_person_pays": Field(_l("Pays for the period"), Shown.MONEY),
        "receipt_number": Field(_l("Receipt or file number")),
        "notes": NOTES,
    },
    "office_settings": {
        "follow_up_due_days": Field(_l("Days until a follow-up is due"), Shown.COUNT),
        "credit_window_days": Field(
            _l("Days a session is credited with an enrolment"), Shown.COUNT
        ),
    },
    "sheet_reading": {
        "batch": Field(_l("Batch")),
        "session": Field(_l("Session"), Shown.SESSION),
        "page": Field(_l("Page"), Shown.COUNT),
        "source": Field(_l("File")),
    },
}

# The records an entry names, looked up by id, one query per kind.
REFERENCES = (
    Shown.PERSON,
    Shown.COMMUNE,
    Shown.VILLAGE,
    Shown.SESSION,
    Shown.USER,
    Shown.ATTENDANCE,
)


@dataclass(frozen=True)
class ShownChange:
    """One changed field: its name and its values as read; `before` is None for a plain value."""

    label: str
    after: str
    before: str | None = None


@dataclass(frozen=True)
class ShownEntry:
    """An audit entry as the trail shows it."""

    entry: AuditEntry
    record: str  # "Follow-up: Lò Văn Páo"
    link: str | None
    action: str
    changes: tuple[ShownChange, ...]


def field_of(entity: str, key: str) -> Field:
    """How `key` of `entity` is named and shown (its raw name when nobody described it)."""
    return FIELDS.get(entity, {}).get(key) or Field(key)


def _rows_for(ids: Iterable[int], select: sa.Select) -> Sequence[sa.Row]:
    """The rows of `select`, which looks up `ids`; no query for no ids (a page of entries
    refers to a few kinds of record, and each query is a round trip)."""
    return db.session.execute(select).all() if ids else ()


def _session_name(label_with_place: str, starts_at: datetime) -> str:
    return f"{label_with_place}, {shown_date(starts_at)}"


class Names:
    """The names of the records a page of entries refers to, loaded in one query per kind
    the entries refer to; `people` (id to name) and `attendances` (with their sessions, venues
    and communes loaded) are those the caller has already, not looked up again."""

    def __init__(
        self,
        office_id: int,
        wanted: dict[Shown, set[int]],
        people: Mapping[int, str],
        attendances: Sequence[Attendance],
    ) -> None:
        def ids(kind: Shown) -> list[int]:
            return sorted(i for i in wanted.get(kind, ()) if isinstance(i, int))

        self.attendances = {a.id: (a.person_id, a.session_id) for a in attendances}
        attendance_ids = [i for i in ids(Shown.ATTENDANCE) if i not in self.attendances]
        attendance_rows = _rows_for(
            attendance_ids,
            sa.select(Attendance.id, Attendance.person_id, Attendance.session_id).where(
                Attendance.office_id == office_id, Attendance.id.in_(attendance_ids)
            ),
        )
        self.attendances |= {row.id: (row.person_id, row.session_id) for row in attendance_rows}
        person_ids = sorted(
            (set(ids(Shown.PERSON)) | {p for p, _s in self.attendances.values()}) - set(people)
        )
        known_sessions = {
            a.session_id: _session_name(a.session.label_with_place, a.session.starts_at)
            for a in attendances
        }
        session_ids = sorted(
            (set(ids(Shown.SESSION)) | {s for _p, s in self.attendances.values()})
            - set(known_sessions)
        )
        self.people = dict(people) | dict(
            _rows_for(
                person_ids,
                sa.select(Person.id, Person.full_name).where(
                    Person.office_id == office_id, Person.id.in_(person_ids)
                ),
            )
        )
        commune_ids = ids(Shown.COMMUNE)
        self.communes = dict(
            _rows_for(
                commune_ids,
                sa.select(Commune.id, Commune.name).where(
                    Commune.office_id == office_id, Commune.id.in_(commune_ids)
                ),
            )
        )
        village_ids = ids(Shown.VILLAGE)
        self.villages = dict(
            _rows_for(
                village_ids,
                sa.select(Village.id, Village.name)
                .join(Commune, Village.commune_id == Commune.id)
                .where(Commune.office_id == office_id, Village.id.in_(village_ids)),
            )
        )
        user_ids = ids(Shown.USER)
        self.users = dict(
            _rows_for(
                user_ids,
                sa.select(User.id, User.full_name).where(
                    User.office_id == office_id, User.id.in_(user_ids)
                ),
            )
        )
        # The columns a session's name is made of, not whole sessions with their venue and
        # commune (three queries and hundreds of objects on a long history).
        sessions = _rows_for(
            session_ids,
            sa.select(
                OutreachSession.id,
                OutreachSession.title,
                OutreachSession.kind,
                OutreachSession.starts_at,
                sa.func.coalesce(Venue.name, Commune.name).label("place"),
            )
            .outerjoin(Venue, Venue.id == OutreachSession.venue_id)
            .join(Commune, Commune.id == OutreachSession.commune_id)
            .where(
                OutreachSession.office_id == office_id,
                OutreachSession.id.in_(session_ids),
            ),
        )
        self.sessions = known_sessions | {
            s.id: _session_name(label_with_place(s.title, s.kind, s.place), s.starts_at)
            for s in sessions
        }

    def person(self, person_id: Any) -> str:
        return self.people.get(person_id) or _("record %(id)s", id=person_id)

    def attendance(self, attendance_id: Any) -> str:
        if attendance_id not in self.attendances:
            return _("record %(id)s", id=attendance_id)
        person_id, session_id = self.attendances[attendance_id]
        return _(
            "%(person)s at %(session)s",
            person=self.person(person_id),
            session=self.sessions.get(session_id) or _("record %(id)s", id=session_id),
        )


def _show(entity: str, field: Field, value: Any, names: Names) -> str:
    """One stored value as people read it."""
    if value is None or value == "" or value == "—":
        return "—"
    shown = field.shown
    if isinstance(shown, type):
        try:
            return shown(value).label
        except ValueError:
            return str(value)
    if shown == Shown.YES_NO or isinstance(value, bool):
        return _("Yes") if value else _("No")
    if shown == Shown.DATE:
        try:
            return shown_date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if shown == Shown.MONEY and isinstance(value, int | float):
        return shown_money(int(value))
    if shown == Shown.COUNT and isinstance(value, int | float):
        return shown_number(value)
    if shown == Shown.PHONE:
        return display_phone(str(value))
    if shown == Shown.FIELDS and isinstance(value, list):
        return ", ".join(str(field_of(entity, str(key)).label) for key in value)
    lookups = {
        Shown.PERSON: names.person,
        Shown.ATTENDANCE: names.attendance,
        Shown.COMMUNE: lambda i: names.communes.get(i) or _("record %(id)s", id=i),
        Shown.VILLAGE: lambda i: names.villages.get(i) or _("record %(id)s", id=i),
        Shown.USER: lambda i: names.users.get(i) or _("record %(id)s", id=i),
        Shown.SESSION: lambda i: names.sessions.get(i) or _("record %(id)s", id=i),
    }
    if shown in lookups:
        return lookups[shown](value)
    return str(value)


def _changes(entry: AuditEntry, names: Names) -> tuple[ShownChange, ...]:
    shown = []
    for key, value in (entry.changes or {}).items():
        field = field_of(entry.entity, key)
        label = str(field.label)
        if entry.action == "erase" and value == "cleared":
            shown.append(ShownChange(label, _("cleared")))
        elif isinstance(value, list) and len(value) == 2 and field.shown != Shown.FIELDS:
            before, after = (_show(entry.entity, field, v, names) for v in value)
            shown.append(ShownChange(label, after, before))
        else:
            shown.append(ShownChange(label, _show(entry.entity, field, value, names)))
    return tuple(shown)


def _wanted(entries: Iterable[AuditEntry]) -> dict[Shown, set[int]]:
    """The ids each kind of reference needs, from the entries' records and their changes."""
    wanted: dict[Shown, set[int]] = {kind: set() for kind in REFERENCES}
    record_kinds = {"person": Shown.PERSON, "attendance": Shown.ATTENDANCE}
    for entry in entries:
        if entry.entity in record_kinds:
            wanted[record_kinds[entry.entity]].add(entry.entity_id)
        for key, value in (entry.changes or {}).items():
            kind = field_of(entry.entity, key).shown
            if kind in wanted:
                values = value if isinstance(value, list) else [value]
                wanted[kind].update(v for v in values if isinstance(v, int))
    return wanted


def _owners(office_id: int, entries: Sequence[AuditEntry]) -> dict[tuple[str, int], int]:
    """The person each follow-up and enrolment entry is about, in one query per kind that
    appears."""
    owners: dict[tuple[str, int], int] = {}
    for entity, model in (("follow_up", FollowUp), ("enrolment", Enrolment)):
        ids = sorted({e.entity_id for e in entries if e.entity == entity})
        rows = _rows_for(
            ids,
            sa.select(model.id, model.person_id).where(
                model.office_id == office_id, model.id.in_(ids)
            ),
        )
        owners.update({(entity, row.id): row.person_id for row in rows})
    return owners


def _record(entry: AuditEntry, names: Names, owners: dict) -> tuple[str, str | None]:
    """What the entry is about, by name, and where to see it."""
    entity = ENTITIES.get(entry.entity, entry.entity)
    if entry.entity == "person":
        name = names.person(entry.entity_id)
        return f"{entity}: {name}", url_for("people.detail", person_id=entry.entity_id)
    if entry.entity == "attendance":
        return f"{entity}: {names.attendance(entry.entity_id)}", None
    if (entry.entity, entry.entity_id) in owners:
        name = names.person(owners[(entry.entity, entry.entity_id)])
        if entry.entity == "follow_up":
            link = url_for("followups.detail", follow_up_id=entry.entity_id)
        else:
            link = url_for("enrolments.detail", enrolment_id=entry.entity_id)
        return f"{entity}: {name}", link
    return str(entity), None


def shown_entries(
    office_id: int,
    entries: Sequence[AuditEntry],
    people: Mapping[int, str] | None = None,
    attendances: Sequence[Attendance] = (),
) -> list[ShownEntry]:
    """Entries of office `office_id` as the trail shows them, names loaded in at most 8
    queries (one per kind of record the entries refer to). A caller that has names already
    passes them: `people` maps a person's id to their name, `attendances` are attendance rows
    with their sessions (venue and commune) loaded; a person's own trail names mostly them."""
    owners = _owners(office_id, entries)
    wanted = _wanted(entries)
    wanted[Shown.PERSON].update(owners.values())
    names = Names(office_id, wanted, people or {}, attendances)
    shown = []
    for entry in entries:
        record, link = _record(entry, names, owners)
        action = str(ACTIONS.get(entry.action, entry.action))
        shown.append(ShownEntry(entry, record, link, action, _changes(entry, names)))
    return shown
