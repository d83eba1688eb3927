"""The review and the confirmation of a batch: what the officer sees, and the attendance it
records through the same services as typed entry (people.attendance), in one transaction.

A line is one row of one page that was signed (or may have been), had a name written or a box
ticked. Its key is "<reading id>-<row>"; the route turns the posted form into `LineChoice`s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.accounts.models import User
from planner.audit.services import record
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.attendance import check_session_open, record_attendances, update_attendance
from planner.people.duplicates import surviving_people
from planner.people.identity import AttendeeInput, clean_attendee, note_health_insurance_card
from planner.people.models import Attendance, Interest, Person
from planner.readback import retention, storage
from planner.readback.models import BatchStatus, PageOutcome, PageReading, ReadingBatch
from planner.sessions.models import OutreachSession
from planner.timezones import now_utc

BOX_COLUMNS = ("has_hi", "wants_vsi", "wants_hhi", "registered")


def confirmed_page_key(sheet_version_id: int | None, page: int | None) -> str:
    """The key that stops a page being confirmed twice (only read pages, which have both)."""
    return f"{sheet_version_id}-{page}"


def page_already_confirmed(key: str) -> bool:
    return (
        db.session.scalar(sa.select(PageReading.id).where(PageReading.confirmed_key == key))
        is not None
    )


@dataclass(frozen=True)
class ReviewLine:
    """One row to review: who (an invited person, or a walk-in to type), the marks as read."""

    key: str
    reading_id: int
    page: int
    row: int
    person: Person | None
    signature: dict
    handwriting: dict
    boxes: dict[str, dict]
    crop: str | None  # file name of the row's crop, for walk-ins

    @property
    def walk_in(self) -> bool:
        return self.person is None

    def proposed(self, column: str) -> bool | None:
        """True/False as read; None when uncertain (unset until the officer decides)."""
        decision = self.boxes[column]["decision"]
        return None if decision == "uncertain" else decision == "yes"

    @property
    def signed(self) -> bool | None:
        decision = self.signature["decision"]
        return None if decision == "uncertain" else decision == "yes"


@dataclass(frozen=True)
class LineChoice:
    """What the officer decided on one line."""

    include: bool
    boxes: dict[str, bool | None] = field(default_factory=dict)
    full_name: str = ""
    birth_year: str = ""
    phone: str = ""
    consent_contact: bool = False


def read_pages(batch: ReadingBatch) -> list[PageReading]:
    return [p for p in batch.pages if p.outcome == PageOutcome.READ]


def _people(office_id: int, ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {
        p.id: p
        for p in db.session.scalars(
            sa.select(Person).where(Person.id.in_(ids), Person.office_id == office_id)
        )
    }


def review_lines(batch: ReadingBatch) -> list[ReviewLine]:
    """The lines of every page read in the batch, page by page, row by row (one query)."""
    readings = read_pages(batch)
    rows = [(reading, row) for reading in readings for row in reading.rows]
    person_ids = {row["person_id"] for _reading, row in rows if row.get("person_id")}
    people = _people(batch.office_id, person_ids)
    # A row printed for someone merged since into another record is that other record's row.
    survivors = surviving_people(batch.office_id, person_ids - people.keys())
    if survivors:
        kept = _people(batch.office_id, set(survivors.values()))
        for removed, ident in survivors.items():
            if ident in kept:
                people[removed] = kept[ident]
    lines = []
    for reading, row in rows:
        boxes = row["boxes"]
        marked = any(b["decision"] == "yes" for b in boxes.values())
        shown = (
            row["signature"]["decision"] != "no"
            or row["handwriting"]["decision"] == "yes"
            or marked
        )
        if not shown:
            continue
        person_id = row.get("person_id")
        person = people.get(person_id) if person_id is not None else None
        crop = f"row-{reading.id}-{row['row']}.jpg"
        lines.append(
            ReviewLine(
                key=f"{reading.id}-{row['row']}",
                reading_id=reading.id,
                page=reading.page or 0,
                row=row["row"],
                person=person,
                signature=row["signature"],
                handwriting=row["handwriting"],
                boxes=boxes,
                crop=crop if person is None and storage.has_image(batch.id, crop) else None,
            )
        )
    return lines


@dataclass(frozen=True)
class Confirmed:
    walk_ins: int
    invited: int


def _year(text: str, row: int) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise PlannerError(
            _("Row %(row)s: the year of birth is four digits, like 1985.", row=row),
            field="birth_year",
        )
    return int(text)


def confirm_batch(batch: ReadingBatch, choices: dict[str, LineChoice], user: User) -> Confirmed:
    """Record the reviewed lines as attendance and mark the batch's pages confirmed.

    Walk-ins go through `record_attendances` (matched to known people by phone and name, or
    added); invited people's boxes through `update_attendance`. Everything is in the caller's
    transaction: the route commits, or rolls back on any PlannerError. Raises PlannerError
    when the batch is not ready, a page was confirmed already, a box is still undecided or a
    walk-in's details are wrong (each message names the row).
    """
    if batch.status == BatchStatus.CONFIRMED:
        raise PlannerError(_("These photos were already confirmed."), code="already_confirmed")
    if batch.status != BatchStatus.DONE:
        raise PlannerError(_("The photos are still being read; wait until they are."))
    session = db.session.get_one(OutreachSession, batch.session_id)
    check_session_open(session)
    readings = read_pages(batch)
    if not readings:
        raise PlannerError(_("No page could be read from these photos; nothing to confirm."))
    for reading in readings:
        key = confirmed_page_key(reading.sheet_version_id, reading.page)
        if page_already_confirmed(key):
            raise PlannerError(
                _("Page %(page)s was already confirmed from other photos.", page=reading.page),
                code="already_confirmed",
            )
    problems: list[str] = []
    walk_ins: list[AttendeeInput] = []
    invited: list[tuple[Person, dict[str, bool]]] = []
    for line in review_lines(batch):
        choice = choices.get(line.key, LineChoice(include=False))
        if not choice.include:
            continue
        boxes = {}
        for column in line.boxes:
            value = choice.boxes.get(column)
            if value is None:
                problems.append(
                    _(
                        "Page %(page)s, row %(row)s: decide the boxes marked uncertain.",
                        page=line.page,
                        row=line.row,
                    )
                )
                break
            boxes[column] = value
        else:
            if line.walk_in:
                try:
                    year = _year(choice.birth_year, line.row)
                except PlannerError as error:
                    problems.append(error.message)
                    continue
                row = clean_attendee(
                    AttendeeInput(
                        full_name=choice.full_name,
                        birth_year=year,
                        phone=choice.phone,
                        has_health_insurance=boxes.get("has_hi"),
                        interest=Interest.of(
                            boxes.get("wants_vsi", False), boxes.get("wants_hhi", False)
                        ),
                        registered_on_spot=boxes.get("registered", False),
                        consent_contact=choice.consent_contact,
                    )
                )
                for message in row.errors.values():
                    problems.append(
                        _(
                            "Page %(page)s, row %(row)s: %(problem)s",
                            page=line.page,
                            row=line.row,
                            problem=message,
                        )
                    )
                if not row.errors:
                    walk_ins.append(row)
            elif line.person is not None:  # not a walk-in: the printed row names its person
                invited.append((line.person, boxes))
    if problems:
        raise PlannerError(" ".join(dict.fromkeys(problems)), code="invalid")
    for person, boxes in invited:
        attendance = db.session.scalar(
            sa.select(Attendance).where(
                Attendance.session_id == session.id,
                Attendance.person_id == person.id,
                Attendance.office_id == session.office_id,
            )
        )
        if attendance is None:
            # Taken off the list after printing, yet signed: listed again as typed entry does.
            walk_ins.append(
                AttendeeInput(
                    full_name=person.full_name,
                    birth_year=person.birth_year,
                    phone=person.phone or "",
                    cccd=person.cccd or "",
                    has_health_insurance=True if boxes.get("has_hi") else None,
                    interest=Interest.of(
                        boxes.get("wants_vsi", False), boxes.get("wants_hhi", False)
                    ),
                    registered_on_spot=boxes.get("registered", False),
                )
            )
            continue
        update_attendance(
            attendance,
            Interest.of(boxes.get("wants_vsi", False), boxes.get("wants_hhi", False)),
            boxes.get("registered", False),
            attendance.notes,
            user,
        )
        if boxes.get("has_hi"):
            note_health_insurance_card(person, user)
    if walk_ins:
        record_attendances(session, walk_ins, user)
    now = now_utc()
    for reading in readings:
        reading.confirmed_key = confirmed_page_key(reading.sheet_version_id, reading.page)
        record(
            batch.office_id,
            "sheet_reading",
            reading.id,
            "confirm",
            {
                "batch": batch.id,
                "session": session.id,
                "page": reading.page,
                "source": reading.source,
            },
            user.id,
        )
    batch.status = BatchStatus.CONFIRMED
    batch.confirmed_at = now
    batch.confirmed_by_id = user.id
    batch.purge_after = now + timedelta(days=retention.keep_days(batch.office_id))
    db.session.flush()
    return Confirmed(walk_ins=len(walk_ins), invited=len(invited))
