"""Who a person is: checking what was written about them (CCCD, phone, names), matching
it to someone the office knows, and correcting what is known."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from planner.accounts.models import User
from planner.audit.services import actor_id, diff, record
from planner.enums import PriorityGroup
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.models import (
    Gender,
    Interest,
    Person,
    fold_name,
)
from planner.people.snapshots import person_snapshot
from planner.phones import display_phone, mask_phone, normalise_phone
from planner.places.models import Village
from planner.timezones import now_utc, today_local


@dataclass
class AttendeeInput:
    """One row of the attendance sheet, as typed by an officer or read from a spreadsheet."""

    full_name: str
    birth_year: int | None = None
    gender: Gender | None = None
    ethnicity: str = ""
    village_id: int | None = None
    phone: str = ""
    occupation: str = ""
    priority_group: PriorityGroup = PriorityGroup.OTHER
    has_health_insurance: bool | None = None
    interest: Interest = Interest.NONE
    registered_on_spot: bool = False
    consent_contact: bool = False
    notes: str = ""
    cccd: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def check_cccd(raw: str, birth_year: int | None, gender: Gender | None) -> tuple[str, int, Gender]:
    """Check a citizen ID against the year of birth and gender; return (digits, year, gender)."""
    digits = re.sub(r"[\s.\-]", "", raw or "")
    if not re.fullmatch(r"\d{12}", digits):
        raise PlannerError(_("A CCCD number has exactly 12 digits."), field="cccd")
    province = int(digits[:3])
    if not 1 <= province <= 96:
        raise PlannerError(
            _(
                "The first three digits of the CCCD (%(code)s) are not a province code "
                "(001 to 096).",
                code=digits[:3],
            ),
            field="cccd",
        )
    marker = int(digits[3])
    if marker > 3:
        raise PlannerError(
            _(
                "The fourth digit of the CCCD must be 0 to 3 (century and gender); it is "
                "%(digit)s.",
                digit=marker,
            ),
            field="cccd",
        )
    year = (1900 if marker < 2 else 2000) + int(digits[4:6])
    cccd_gender = Gender.MALE if marker % 2 == 0 else Gender.FEMALE
    if year > today_local().year:
        raise PlannerError(
            _("The CCCD gives a year of birth in the future (%(year)s).", year=year),
            field="cccd",
        )
    if birth_year is not None and birth_year != year:
        raise PlannerError(
            _(
                "The CCCD belongs to someone born in %(cccd_year)s, but the year of birth "
                "entered is %(year)s.",
                cccd_year=year,
                year=birth_year,
            ),
            field="cccd",
        )
    if gender is not None and gender != cccd_gender:
        raise PlannerError(
            _(
                "The CCCD belongs to a %(cccd_gender)s, but the gender entered is %(gender)s.",
                cccd_gender=cccd_gender.label.lower(),
                gender=gender.label.lower(),
            ),
            field="cccd",
        )
    return digits, year, cccd_gender


def clean_attendee(row: AttendeeInput) -> AttendeeInput:
    """The row tidied (name spacing, E.164 phone, CCCD digits) with its errors by field."""
    errors = dict(row.errors)
    name = " ".join((row.full_name or "").split())
    if not name:
        errors.setdefault("full_name", _("Enter the person's full name."))
    elif len(name) > 120:
        errors.setdefault("full_name", _("A name is at most 120 characters."))
    this_year = today_local().year
    birth_year, gender = row.birth_year, row.gender
    if birth_year is not None and not 1900 <= birth_year <= this_year:
        errors.setdefault(
            "birth_year",
            _("The year of birth must be between 1900 and %(year)s.", year=this_year),
        )
        birth_year = None
    phone = ""
    if (row.phone or "").strip():
        try:
            phone = normalise_phone(row.phone)
        except PlannerError as error:
            errors.setdefault("phone", error.message)
    cccd = ""
    if (row.cccd or "").strip() and "birth_year" not in errors:
        try:
            cccd, cccd_year, cccd_gender = check_cccd(row.cccd, birth_year, gender)
            birth_year, gender = cccd_year, cccd_gender
        except PlannerError as error:
            errors.setdefault("cccd", error.message)
    for name_of, limit in (("ethnicity", 60), ("occupation", 120), ("notes", 500)):
        if len(getattr(row, name_of) or "") > limit:
            errors.setdefault(
                name_of,
                ngettext(
                    "At most %(num)d character here.", "At most %(num)d characters here.", limit
                ),
            )
    return replace(
        row,
        full_name=name,
        birth_year=birth_year,
        gender=gender,
        phone=phone,
        cccd=cccd,
        ethnicity=(row.ethnicity or "").strip(),
        occupation=(row.occupation or "").strip(),
        notes=(row.notes or "").strip(),
        errors=errors,
    )


def person_label(person: Person) -> str:
    """The name people see; an erased person gets a neutral label."""
    if person.erased_at is not None:
        return erased_label(person.id)
    return person.full_name


def erased_label(person_id: int) -> str:
    """What an erased person is called (a list built from plain rows, not `Person`s, asks
    for it by id)."""
    return _("Erased person no. %(id)s", id=person_id)


def shown_phone(phone: str | None, masked: bool = False) -> str:
    if not phone:
        return ""
    return mask_phone(phone) if masked else display_phone(phone)


def _compatible(person: Person, row: AttendeeInput) -> bool:
    """Same phone and name is the same person, unless the CCCD or year of birth disagree."""
    if person.cccd and row.cccd and person.cccd != row.cccd:
        return False
    return not (person.birth_year and row.birth_year and person.birth_year != row.birth_year)


def match_people(office_id: int, rows: list[AttendeeInput]) -> list[Person | None]:
    """For each row, the office's person it is (same CCCD, or same phone and name), or None."""
    cccds = {r.cccd for r in rows if r.cccd}
    phones = {r.phone for r in rows if r.phone}
    if not cccds and not phones:
        return [None] * len(rows)
    candidates = db.session.scalars(
        sa.select(Person).where(
            Person.office_id == office_id,
            Person.confirmed,
            Person.erased_at.is_(None),
            sa.or_(Person.cccd.in_(cccds or {""}), Person.phone.in_(phones or {""})),
        )
    ).all()
    by_cccd = {p.cccd: p for p in candidates if p.cccd}
    by_phone: dict[str, list[Person]] = defaultdict(list)
    for person in sorted(candidates, key=lambda p: p.id):
        if person.phone:
            by_phone[person.phone].append(person)
    matches: list[Person | None] = []
    for row in rows:
        found = by_cccd.get(row.cccd) if row.cccd else None
        if found is None and row.phone:
            key = fold_name(row.full_name)
            found = next(
                (
                    p
                    for p in by_phone.get(row.phone, [])
                    if p.name_key == key and _compatible(p, row)
                ),
                None,
            )
        matches.append(found)
    return matches


def village_commune(village_id: int | None, fallback: int | None) -> int | None:
    if village_id is None:
        return fallback
    village = db.session.get(Village, village_id)
    return village.commune_id if village else fallback


def note_health_insurance_card(person: Person, user: User | None) -> None:
    """The person showed or ticked that they hold a health insurance card now.

    An unticked box on a sheet is not a "no" (people leave boxes they do not understand
    blank), so only a tick changes what we knew, and the change is in the audit trail.
    """
    if person.has_health_insurance is True or person.erased_at is not None:
        return
    before = person_snapshot(person)
    person.has_health_insurance = True
    record(
        person.office_id,
        "person",
        person.id,
        "update",
        diff(before, person_snapshot(person)),
        actor_id(user),
    )


def update_person(person: Person, values: dict[str, Any], user: User | None) -> None:
    """Change a person's details from their page, checking phone and CCCD like the sheet does."""
    if person.erased_at is not None:
        raise PlannerError(_("This person's data was erased; it cannot be changed."))
    row = clean_attendee(
        AttendeeInput(
            full_name=values.get("full_name", ""),
            birth_year=values.get("birth_year"),
            gender=values.get("gender"),
            phone=values.get("phone") or "",
            cccd=values.get("cccd") or "",
            ethnicity=values.get("ethnicity") or "",
            occupation=values.get("occupation") or "",
            notes="",
        )
    )
    if row.errors:
        name, message = next(iter(row.errors.items()))
        raise PlannerError(message, field=name)
    before = person_snapshot(person)
    person.full_name = row.full_name
    person.birth_year = row.birth_year
    person.gender = row.gender
    person.phone = row.phone or None
    person.cccd = row.cccd or None
    person.ethnicity = row.ethnicity
    person.occupation = row.occupation
    person.priority_group = values.get("priority_group", person.priority_group)
    person.has_health_insurance = values.get("has_health_insurance")
    village_id = values.get("village_id") or None
    if village_id != person.village_id:
        person.village_id = village_id
        person.commune_id = village_commune(village_id, person.commune_id)
    notes = (values.get("notes") or "").strip()
    if len(notes) > 4000:
        raise PlannerError(
            ngettext("At most %(num)d character here.", "At most %(num)d characters here.", 4000),
            field="notes",
        )
    person.notes = notes
    consent = bool(values.get("consent_contact"))
    if consent != person.consent_contact:
        person.consent_contact = consent
        person.consent_recorded_at = now_utc()
    changes = diff(before, person_snapshot(person))
    if changes:
        record(person.office_id, "person", person.id, "update", changes, actor_id(user))
