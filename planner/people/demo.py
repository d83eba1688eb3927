"""Demo attendance for the demo office, called by planner.demo.load_demo_data()."""

from __future__ import annotations

import sqlalchemy as sa

from planner.accounts.models import Office
from planner.enums import PriorityGroup
from planner.extensions import db
from planner.people.attendance import record_attendances
from planner.people.identity import AttendeeInput, clean_attendee
from planner.people.models import Attendance, Gender, Interest
from planner.sessions.models import OutreachSession
from planner.timezones import now_utc

# (name, year, gender, ethnicity, phone, priority, interest, consent)
DEMO_ATTENDEES = [
    (
        "Giàng Seo Chứ",
        1979,
        Gender.MALE,
        "Mông",
        "0912 110 001",
        PriorityGroup.POOR,
        Interest.VOLUNTARY_SI,
        True,
    ),
    (
        "Giàng Thị Dợ",
        1983,
        Gender.FEMALE,
        "Mông",
        "0912 110 001",
        PriorityGroup.POOR,
        Interest.HOUSEHOLD_HI,
        True,
    ),  # shares her husband's phone: proposed as a likely duplicate
    (
        "Lý Thị Mẩy",
        1990,
        Gender.FEMALE,
        "Dao",
        "0987 220 002",
        PriorityGroup.NEAR_POOR,
        Interest.BOTH,
        True,
    ),
    (
        "Hoàng Văn Pằng",
        1968,
        Gender.MALE,
        "Tày",
        "",
        PriorityGroup.ETHNIC_MINORITY,
        Interest.NONE,
        False,
    ),
    (
        "Vàng Thị Sính",
        1995,
        Gender.FEMALE,
        "Mông",
        "0978 330 003",
        PriorityGroup.ETHNIC_MINORITY,
        Interest.VOLUNTARY_SI,
        False,
    ),
]


def add_demo_attendance(office: Office) -> int:
    """Record the demo attendees at the office's sessions that already took place."""
    sessions = db.session.scalars(
        sa.select(OutreachSession)
        .where(OutreachSession.office_id == office.id, OutreachSession.starts_at < now_utc())
        .order_by(OutreachSession.starts_at)
        .limit(2)
    ).all()
    count = 0
    for session in sessions:
        if db.session.scalar(
            sa.select(sa.func.count(Attendance.id)).where(Attendance.session_id == session.id)
        ):
            continue
        rows = [
            clean_attendee(
                AttendeeInput(
                    full_name=name,
                    birth_year=year,
                    gender=gender,
                    ethnicity=ethnicity,
                    village_id=session.village_id,
                    phone=phone,
                    priority_group=priority,
                    interest=interest,
                    consent_contact=consent,
                )
            )
            for name, year, gender, ethnicity, phone, priority, interest, consent in DEMO_ATTENDEES
        ]
        count += len(record_attendances(session, rows, session.lead_officer))
    return count
