"""A person and an attendance row as the audit trail and the export record them."""

from __future__ import annotations

from typing import Any

from planner.people.models import (
    Attendance,
    Person,
)

# Fields of a person shown in the audit trail and the export, in this order.
PERSON_FIELDS = (
    "full_name",
    "birth_year",
    "gender",
    "ethnicity",
    "commune_id",
    "village_id",
    "phone",
    "cccd",
    "occupation",
    "priority_group",
    "has_health_insurance",
    "consent_contact",
    "notes",
    "confirmed",
)


ATTENDANCE_FIELDS = (
    "session_id",
    "person_id",
    "interested_voluntary_si",
    "interested_household_hi",
    "registered_on_spot",
    "source",
    "confirmed",
    "notes",
)


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def person_snapshot(person: Person) -> dict[str, Any]:
    return {name: _plain(getattr(person, name)) for name in PERSON_FIELDS}


def attendance_snapshot(attendance: Attendance) -> dict[str, Any]:
    return {name: _plain(getattr(attendance, name)) for name in ATTENDANCE_FIELDS}
