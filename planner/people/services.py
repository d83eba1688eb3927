"""Rules about people and attendance: checking rows, matching, merging, erasing, exporting."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.accounts.models import User
from planner.audit.models import AuditEntry
from planner.audit.services import diff, record, record_many
from planner.enums import PriorityGroup, SessionStatus
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.limits import check_room
from planner.people.models import (
    Attendance,
    AttendanceSource,
    DistinctPeople,
    Gender,
    Interest,
    Person,
    fold_name,
)
from planner.people.signals import (
    attendance_recorded,
    attendance_removed,
    person_erased,
    person_exported,
    persons_merged,
)
from planner.phones import display_phone, mask_phone, normalise_phone
from planner.places.models import Commune, Village
from planner.sessions.models import OutreachSession
from planner.timezones import now_utc, to_local, today_local

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
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


# --- Checking what was written on the sheet -------------------------------------------------


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
            errors.setdefault(name_of, _("At most %(n)s characters here.", n=limit))
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


def check_session_open(session: OutreachSession) -> None:
    """Attendance is recorded for sessions that happened (or happen today), not cancelled ones."""
    if session.status == SessionStatus.CANCELLED:
        raise PlannerError(
            _("This session was cancelled; attendance cannot be recorded for it."),
            code="cancelled",
        )
    if to_local(session.starts_at).date() > today_local():
        raise PlannerError(
            _("This session has not happened yet; record attendance on or after its day."),
            code="future",
        )


# --- Snapshots for the audit trail and the export --------------------------------------------


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def person_snapshot(person: Person) -> dict[str, Any]:
    return {name: _plain(getattr(person, name)) for name in PERSON_FIELDS}


def attendance_snapshot(attendance: Attendance) -> dict[str, Any]:
    return {name: _plain(getattr(attendance, name)) for name in ATTENDANCE_FIELDS}


def person_label(person: Person) -> str:
    """The name people see; an erased person gets a neutral label."""
    if person.erased_at is not None:
        return _("Erased person no. %(id)s", id=person.id)
    return person.full_name


def shown_phone(phone: str | None, masked: bool = False) -> str:
    if not phone:
        return ""
    return mask_phone(phone) if masked else display_phone(phone)


def neutralise_formula(value: Any) -> Any:
    """Spreadsheets run cells starting with = + - @ as formulas; make such text plain text.

    Checked after compatibility normalisation: a spreadsheet may read a full-width "＝" as "=".
    """
    if isinstance(value, str) and unicodedata.normalize("NFKC", value).startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --- Matching people -----------------------------------------------------------------------


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


def _village_commune(village_id: int | None, fallback: int | None) -> int | None:
    if village_id is None:
        return fallback
    village = db.session.get(Village, village_id)
    return village.commune_id if village else fallback


def _apply_row(person: Person, row: AttendeeInput, commune_id: int | None) -> None:
    """Write what the sheet says onto the person; blanks on the sheet keep what we knew."""
    # A known person keeps their name as first written ("LO VAN PAO" must not replace "Lò Văn Páo").
    if not person.full_name:
        person.full_name = row.full_name
    for name in ("birth_year", "gender", "has_health_insurance"):
        value = getattr(row, name)
        if value is not None:
            setattr(person, name, value)
    for name in ("ethnicity", "occupation", "phone", "cccd"):
        value = getattr(row, name)
        if value:
            setattr(person, name, value)
    if row.village_id:
        person.village_id = row.village_id
        person.commune_id = commune_id
    elif person.commune_id is None:
        person.commune_id = commune_id
    if row.priority_group != PriorityGroup.OTHER or person.priority_group is None:
        person.priority_group = row.priority_group
    # Consent is whatever the person said last; withdrawing it is honoured at once.
    if person.consent_contact != row.consent_contact or person.consent_recorded_at is None:
        person.consent_contact = row.consent_contact
        person.consent_recorded_at = now_utc()


def record_attendances(
    session: OutreachSession,
    rows: list[AttendeeInput],
    user: User | None,
    source: AttendanceSource = AttendanceSource.SHEET,
) -> list[Attendance]:
    """Record clean rows at a session in the current transaction; refuse people already listed."""
    check_session_open(session)
    check_room(session.id, len(rows))
    office_id = session.office_id
    matches = match_people(office_id, rows)
    matched_ids = [p.id for p in matches if p is not None]
    already = (
        set(
            db.session.scalars(
                sa.select(Attendance.person_id).where(
                    Attendance.session_id == session.id, Attendance.person_id.in_(matched_ids)
                )
            )
        )
        if matched_ids
        else set()
    )
    village_communes = dict(
        db.session.execute(
            sa.select(Village.id, Village.commune_id)
            .join(Commune)
            .where(Commune.office_id == office_id)
        ).all()
    )
    user_id = user.id if user else None
    attendances, seen = [], set()
    for row, person in zip(rows, matches, strict=True):
        if row.village_id and row.village_id not in village_communes:
            raise PlannerError(_("Choose a village of your office."), field="village_id")
        commune_id = village_communes.get(row.village_id) or session.commune_id
        if person is not None:
            if person.id in already or person.id in seen:
                raise PlannerError(
                    _(
                        "%(name)s is already on this session's list.",
                        name=person.full_name,
                    ),
                    code="already_listed",
                    field="full_name",
                )
            before = person_snapshot(person)
            _apply_row(person, row, commune_id)
            changes = diff(before, person_snapshot(person))
            if changes:
                record(office_id, "person", person.id, "update", changes, user_id)
            seen.add(person.id)
        else:
            person = Person(office_id=office_id, confirmed=True)
            _apply_row(person, row, commune_id)
            db.session.add(person)
        attendance = Attendance(
            office_id=office_id,
            session_id=session.id,
            person=person,
            interested_voluntary_si=row.interest.voluntary_si,
            interested_household_hi=row.interest.household_hi,
            registered_on_spot=row.registered_on_spot,
            source=source,
            confirmed=True,
            notes=row.notes,
            recorded_by_id=user_id,
        )
        db.session.add(attendance)
        attendances.append(attendance)
    db.session.flush()
    trail = []
    for attendance in attendances:
        person = attendance.person
        if person.id not in matched_ids:
            trail.append(_entry(office_id, "person", person.id, person_snapshot(person), user_id))
        trail.append(
            _entry(office_id, "attendance", attendance.id, attendance_snapshot(attendance), user_id)
        )
    # One multi-row insert: a 1,000-row sheet makes 2,000 entries.
    record_many(trail)
    for attendance in attendances:
        attendance_recorded.send(attendance)
    return attendances


def _entry(office_id: int, entity: str, ident: int, changes: dict, user_id: int | None) -> dict:
    return {
        "office_id": office_id,
        "entity": entity,
        "entity_id": ident,
        "action": "create",
        "changes": changes,
        "user_id": user_id,
    }


def record_attendance(
    session: OutreachSession, row: AttendeeInput, user: User | None
) -> Attendance:
    """Record one attendee typed from the paper sheet."""
    return record_attendances(session, [row], user)[0]


def update_attendance(
    attendance: Attendance,
    interest: Interest,
    registered_on_spot: bool,
    notes: str,
    user: User | None,
) -> None:
    """Change what was noted about one person at one session."""
    before = attendance_snapshot(attendance)
    interest_before = attendance.interest
    attendance.interested_voluntary_si = interest.voluntary_si
    attendance.interested_household_hi = interest.household_hi
    attendance.registered_on_spot = registered_on_spot
    attendance.notes = notes.strip()[:500]
    changes = diff(before, attendance_snapshot(attendance))
    if changes:
        record(attendance.office_id, "attendance", attendance.id, "update", changes, _uid(user))
    if attendance.confirmed and attendance.interest != interest_before:
        attendance_recorded.send(attendance)


def remove_attendance(attendance: Attendance, user: User | None) -> None:
    """Take a row off a session's list (typed by mistake); the person stays."""
    record(
        attendance.office_id,
        "attendance",
        attendance.id,
        "delete",
        attendance_snapshot(attendance),
        _uid(user),
    )
    attendance_removed.send(attendance, user=user)
    db.session.delete(attendance)


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
        person.commune_id = _village_commune(village_id, person.commune_id)
    notes = (values.get("notes") or "").strip()
    if len(notes) > 4000:
        raise PlannerError(_("At most %(n)s characters here.", n=4000), field="notes")
    person.notes = notes
    consent = bool(values.get("consent_contact"))
    if consent != person.consent_contact:
        person.consent_contact = consent
        person.consent_recorded_at = now_utc()
    changes = diff(before, person_snapshot(person))
    if changes:
        record(person.office_id, "person", person.id, "update", changes, _uid(user))


def _uid(user: User | None) -> int | None:
    return user.id if user is not None else None


# --- Likely duplicates and merging ---------------------------------------------------------


@dataclass
class DuplicatePair:
    first: Person
    second: Person
    reasons: list[str]


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def likely_duplicates(office_id: int) -> list[DuplicatePair]:
    """Pairs of people who may be one person: same phone, or same name, year and village."""
    live = sa.and_(Person.office_id == office_id, Person.confirmed, Person.erased_at.is_(None))
    phones = (
        sa.select(Person.phone)
        .where(live, Person.phone.is_not(None))
        .group_by(Person.phone)
        .having(sa.func.count() > 1)
    )
    same_details = (
        sa.select(Person.name_key, Person.birth_year, Person.village_id)
        .where(live, Person.birth_year.is_not(None), Person.village_id.is_not(None))
        .group_by(Person.name_key, Person.birth_year, Person.village_id)
        .having(sa.func.count() > 1)
    )
    detail_keys = {tuple(r) for r in db.session.execute(same_details)}
    people = db.session.scalars(
        sa.select(Person)
        .where(
            live,
            sa.or_(
                Person.phone.in_(phones),
                Person.name_key.in_({k[0] for k in detail_keys} or {""}),
            ),
        )
        .options(sa.orm.selectinload(Person.village))
        .order_by(Person.id)
    ).all()
    groups: dict[tuple, list[Person]] = defaultdict(list)
    for person in people:
        if person.phone:
            groups[("phone", person.phone)].append(person)
        key = (person.name_key, person.birth_year, person.village_id)
        if key in detail_keys:
            groups[("details", *key)].append(person)
    decided = {
        (d.first_id, d.second_id)
        for d in db.session.scalars(
            sa.select(DistinctPeople).where(DistinctPeople.office_id == office_id)
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
                ids = _pair(first.id, second.id)
                if ids in decided:
                    continue
                pair = pairs.setdefault(ids, DuplicatePair(first, second, []))
                pair.reasons.append(reason)
    return list(pairs.values())


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
                office_id=first.office_id, first_id=a, second_id=b, decided_by_id=_uid(user)
            )
        )
        record(first.office_id, "person", a, "not_duplicate", {"other_person_id": b}, _uid(user))


def merge_people(kept: Person, removed: Person, user: User | None) -> Person:
    """Make two records one: the removed person's attendance moves to the kept one."""
    if kept.id == removed.id or kept.office_id != removed.office_id:
        raise PlannerError(_("Choose two different people of your office to merge."))
    if kept.erased_at is not None or removed.erased_at is not None:
        raise PlannerError(_("An erased person cannot be merged."))
    office_id, uid = kept.office_id, _uid(user)
    before = person_snapshot(kept)
    # Other domains (follow-ups, enrolments) move their rows first, in this transaction.
    persons_merged.send(kept, merged=removed)
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
            attendance_recorded.send(twin)
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


# --- Self check-in -------------------------------------------------------------------------


def check_in_open(session: OutreachSession, today: date | None = None) -> bool:
    """Self check-in is open on the session's own local day only, and never when cancelled."""
    day = today or today_local()
    return session.status != SessionStatus.CANCELLED and to_local(session.starts_at).date() == day


def self_check_in(
    session: OutreachSession,
    full_name: str,
    phone: str,
    village_id: int | None,
    interest: Interest,
    consent: bool,
) -> Attendance:
    """Add an unconfirmed attendee from the public form; an officer confirms them later."""
    if not check_in_open(session):
        raise PlannerError(_("Check-in for this session is closed."), code="closed")
    row = clean_attendee(AttendeeInput(full_name=full_name, phone=phone))
    if row.errors:
        name, message = next(iter(row.errors.items()))
        raise PlannerError(message, field=name)
    if village_id is not None:
        village = db.session.get(Village, village_id)
        if village is None or village.commune_id != session.commune_id:
            raise PlannerError(_("Choose your village from the list."), field="village_id")
    # Sending the form twice (a slow network) must not list the person twice.
    key = fold_name(row.full_name)
    for attendance in db.session.scalars(
        sa.select(Attendance)
        .join(Person)
        .where(
            Attendance.session_id == session.id,
            Attendance.source == AttendanceSource.SELF_CHECKIN,
            Attendance.confirmed.is_(False),
            Person.name_key == key,
        )
    ):
        if attendance.person.phone == (row.phone or None):
            return attendance
    person = Person(
        office_id=session.office_id,
        full_name=row.full_name,
        phone=row.phone or None,
        village_id=village_id,
        commune_id=session.commune_id,
        consent_contact=consent,
        consent_recorded_at=now_utc(),
        confirmed=False,
    )
    attendance = Attendance(
        office_id=session.office_id,
        session_id=session.id,
        person=person,
        interested_voluntary_si=interest.voluntary_si,
        interested_household_hi=interest.household_hi,
        source=AttendanceSource.SELF_CHECKIN,
        confirmed=False,
    )
    db.session.add_all([person, attendance])
    db.session.flush()
    record(session.office_id, "person", person.id, "self_check_in", person_snapshot(person), None)
    record(
        session.office_id,
        "attendance",
        attendance.id,
        "self_check_in",
        attendance_snapshot(attendance),
        None,
    )
    return attendance


def confirm_check_in(attendance: Attendance, user: User | None) -> Attendance:
    """An officer confirms a self check-in; a known person is recognised instead of duplicated."""
    if attendance.confirmed:
        return attendance
    newcomer = attendance.person
    office_id, uid = attendance.office_id, _uid(user)
    row = AttendeeInput(full_name=newcomer.full_name, phone=newcomer.phone or "")
    known = match_people(office_id, [row])[0]
    if known is not None and known.id != newcomer.id:
        listed = db.session.scalar(
            sa.select(Attendance).where(
                Attendance.session_id == attendance.session_id, Attendance.person_id == known.id
            )
        )
        before = person_snapshot(known)
        if newcomer.village_id:
            known.village_id, known.commune_id = newcomer.village_id, newcomer.commune_id
        if known.consent_contact != newcomer.consent_contact:
            known.consent_contact = newcomer.consent_contact
            known.consent_recorded_at = newcomer.consent_recorded_at
        changes = diff(before, person_snapshot(known))
        if changes:
            record(office_id, "person", known.id, "update", changes, uid)
        if listed is not None:
            # Already on the list (typed from the sheet too): keep that row, note the interest.
            update_attendance(
                listed,
                Interest.of(
                    listed.interested_voluntary_si or attendance.interested_voluntary_si,
                    listed.interested_household_hi or attendance.interested_household_hi,
                ),
                listed.registered_on_spot,
                listed.notes,
                user,
            )
            reject_check_in(attendance, user, action="merged_into")
            return listed
        attendance.person = known
        record(
            office_id,
            "attendance",
            attendance.id,
            "update",
            {"person_id": [newcomer.id, known.id]},
            uid,
        )
        db.session.flush()
        record(office_id, "person", newcomer.id, "merged_into", {"kept_person_id": known.id}, uid)
        db.session.delete(newcomer)
    else:
        newcomer.confirmed = True
        record(office_id, "person", newcomer.id, "update", {"confirmed": [False, True]}, uid)
    attendance.confirmed = True
    attendance.recorded_by_id = uid
    record(office_id, "attendance", attendance.id, "update", {"confirmed": [False, True]}, uid)
    db.session.flush()
    attendance_recorded.send(attendance)
    return attendance


def reject_check_in(attendance: Attendance, user: User | None, action: str = "delete") -> None:
    """Remove a self check-in that was a mistake or a prank, with its unconfirmed person."""
    if attendance.confirmed:
        raise PlannerError(_("Only unconfirmed check-ins can be rejected."))
    person = attendance.person
    record(
        attendance.office_id,
        "attendance",
        attendance.id,
        action,
        attendance_snapshot(attendance),
        _uid(user),
    )
    db.session.delete(attendance)
    db.session.flush()
    if not person.confirmed:
        record(person.office_id, "person", person.id, "delete", {}, _uid(user))
        db.session.delete(person)


# --- Privacy: export and erasure -----------------------------------------------------------


def _audit_rows(person: Person) -> list[AuditEntry]:
    attendance_ids = sa.select(Attendance.id).where(Attendance.person_id == person.id)
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(
            AuditEntry.office_id == person.office_id,
            sa.or_(
                sa.and_(AuditEntry.entity == "person", AuditEntry.entity_id == person.id),
                sa.and_(
                    AuditEntry.entity == "attendance", AuditEntry.entity_id.in_(attendance_ids)
                ),
            ),
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()


def person_attendances(person: Person) -> list[Attendance]:
    return db.session.scalars(
        sa.select(Attendance)
        .join(OutreachSession)
        .where(Attendance.person_id == person.id)
        .options(
            sa.orm.contains_eager(Attendance.session).selectinload(OutreachSession.venue),
            sa.orm.contains_eager(Attendance.session).selectinload(OutreachSession.commune),
        )
        .order_by(OutreachSession.starts_at.desc())
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
            for e in _audit_rows(person)
        ],
    }
    for _receiver, section in person_exported.send(person):
        if section:
            title, rows = section
            data[str(title)] = rows
    record(person.office_id, "person", person.id, "export", {}, _uid(user))
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
    person_erased.send(person)
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
    for entry in _audit_rows(person):
        entry.changes = {key: "—" for key in (entry.changes or {})}
    db.session.execute(
        sa.delete(DistinctPeople).where(
            sa.or_(DistinctPeople.first_id == person.id, DistinctPeople.second_id == person.id)
        )
    )
    record(person.office_id, "person", person.id, "erase", {"fields": cleared}, _uid(user))


# --- Counts --------------------------------------------------------------------------------


@dataclass
class SessionCounts:
    attended: int
    interested: int
    registered: int
    consenting: int
    unconfirmed: int


def session_counts(session_id: int) -> SessionCounts:
    """Counts for one session's list; each row is a distinct person at that session."""
    confirmed = Attendance.confirmed.is_(True)
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(confirmed),
            sa.func.count().filter(
                confirmed,
                sa.or_(Attendance.interested_voluntary_si, Attendance.interested_household_hi),
            ),
            sa.func.count().filter(confirmed, Attendance.registered_on_spot),
            sa.func.count().filter(confirmed, Person.consent_contact),
            sa.func.count().filter(Attendance.confirmed.is_(False)),
        )
        .select_from(Attendance)
        .join(Person)
        .where(Attendance.session_id == session_id)
    ).one()
    return SessionCounts(*row)


def office_reach(office_id: int, since: date | None = None) -> tuple[int, int]:
    """(distinct people reached, attendance rows) for an office, counting confirmed rows."""
    query = sa.select(sa.func.count(sa.distinct(Attendance.person_id)), sa.func.count()).where(
        Attendance.office_id == office_id, Attendance.confirmed
    )
    if since is not None:
        from planner.timezones import local_day_bounds

        start, _end = local_day_bounds(since, since)
        query = query.join(OutreachSession).where(OutreachSession.starts_at >= start)
    people, rows = db.session.execute(query).one()
    return people, rows
