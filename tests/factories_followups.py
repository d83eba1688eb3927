"""Test data for follow-ups and enrolments: people and attendance made directly, as the people
domain would, with the attendance_recorded signal sent the way it sends it."""

from __future__ import annotations

from datetime import date

from planner.accounts.models import Office
from planner.enums import PriorityGroup
from planner.extensions import db
from planner.people.models import Attendance, Person
from planner.people.signals import attendance_recorded
from planner.sessions.models import OutreachSession
from planner.timezones import now_utc


def person(
    of: Office,
    full_name: str = "Giàng Thị Sua",
    phone: str | None = "+84912345678",
    consent: bool = True,
    priority_group: PriorityGroup = PriorityGroup.OTHER,
    village=None,
    notes: str = "",
) -> Person:
    record = Person(
        office_id=of.id,
        full_name=full_name,
        birth_year=1985,
        phone=phone,
        village=village,
        priority_group=priority_group,
        consent_contact=consent,
        consent_recorded_at=now_utc() if consent else None,
        notes=notes,
    )
    db.session.add(record)
    db.session.flush()
    return record


def attend(
    session: OutreachSession,
    who: Person,
    *,
    vsi: bool = False,
    hhi: bool = False,
    confirmed: bool = True,
    signal: bool = True,
) -> Attendance:
    """Record that `who` came to `session` and send the signal as the people domain does."""
    record = Attendance(
        office_id=session.office_id,
        session_id=session.id,
        person_id=who.id,
        interested_voluntary_si=vsi,
        interested_household_hi=hhi,
        confirmed=confirmed,
    )
    db.session.add(record)
    db.session.flush()
    if signal:
        attendance_recorded.send(record, user=None)
    return record


def day(text: str) -> date:
    return date.fromisoformat(text)
