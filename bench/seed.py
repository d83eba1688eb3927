# ruff: noqa: E501 (row literals read best one field group a line)
"""Generate a province's three years of outreach (or a nation's) into a scratch database.

Run: .venv/bin/python bench/seed.py [--seed N] [--scale 1.0|0.33|0.1] [--provinces 1|34]
     [--database-url URL]

At scale 1.0 one province is 100 communes, 1,500 villages, 60 officers, ~10,000 sessions,
~150,000 people, ~250,000 attendance rows, ~60,000 follow-ups and ~20,000 enrolments; the scale
shrinks the rows (sessions, people and what hangs off them), never the places or the officers.
The same seed gives the same rows. The schema comes from the app's migrations; rows are written
with Core `insert()` executemany in batches (PostgreSQL: streamed with COPY), ids assigned here so
rows can point at each other without reading back. Without --database-url the data goes to a file
in the system's temp folder (printed), never to `instance/`.
"""

from __future__ import annotations

import argparse
import enum
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from planner import create_app
from planner.accounts.models import Office, Team, User
from planner.audit.models import AuditEntry
from planner.collation import sort_name
from planner.enrolments.models import Enrolment, EnrolmentCredit
from planner.enums import (
    CommuneKind,
    Language,
    PriorityGroup,
    Role,
    SessionKind,
    SessionStatus,
    TargetGroup,
    Topic,
    VenueKind,
    VillageKind,
)
from planner.extensions import db
from planner.followups.models import (
    Channel,
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    OfficeSettings,
    OutcomeKind,
    Product,
)
from planner.people.models import (
    Attendance,
    AttendanceSource,
    Gender,
    Person,
    fold_name,
    name_search_keys,
)
from planner.places.models import Commune, Venue, Village
from planner.rates.services import seed_national_rates
from planner.sessions.models import OutreachSession, SessionSeries, session_facilitator
from planner.timezones import LOCAL_TZ

SEED_PASSWORD = "bench12345"  # noqa: S105 (scratch databases only)
BATCH = 5_000

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Lò", "Giàng", "Sùng", "Vàng", "Hà", "Đinh", "Triệu",
          "Lường", "Quàng", "Má", "Thào", "Mùa", "Cầm", "Nông"]  # fmt: skip
MIDDLE_M = ["Văn", "Đức", "Quốc", "Minh", "Hữu", "Seo", "A", "Công", "Xuân"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Thị Thu", "Kim"]
GIVEN_M = ["Hùng", "Dũng", "Tuấn", "Páo", "Chứ", "Sử", "Quý", "Thắng", "Cường", "Lực", "Phổng",
           "Tráng", "Khải", "Đạt", "Sơn", "Toàn", "Việt", "Hưng", "Lâm", "Vừ", "Dế", "Chơ"]  # fmt: skip
GIVEN_F = ["Hoa", "Mai", "Lan", "Hương", "Thủy", "Dung", "Mỷ", "Chở", "Sinh", "Pằng", "Xuyến",
           "Nguyệt", "Hằng", "Thắm", "Diệu", "Ánh", "Mý", "Dợ", "Của", "Giàng", "Ỷ", "Ngân"]  # fmt: skip
PLACE = ["Bắc Hà", "Si Ma Cai", "Mường Khương", "Bát Xát", "Sa Pa", "Văn Bàn", "Bảo Yên",
         "Bảo Thắng", "Lùng Phình", "Nậm Mòn", "Cốc Ly", "Thải Giàng Phố", "Hoàng Thu Phố",
         "Nậm Đét", "Tả Van", "Bản Hồ", "Phìn Ngan", "Trịnh Tường", "Y Tý", "Dền Sáng",
         "Quang Kim", "Pha Long", "Cao Sơn", "Lùng Khấu Nhin", "Tả Củ Tỷ", "Bản Phố", "Võ Lao",
         "Khánh Yên", "Dương Quỳ", "Minh Lương", "Nghĩa Đô", "Vĩnh Yên", "Xuân Hòa",
         "Phú Nhuận", "Sơn Thủy", "Gia Phú", "Xuân Quang", "Phong Niên"]  # fmt: skip
ETHNIC = ["Kinh", "Hmông", "Dao", "Tày", "Giáy", "Nùng", "Thái", "Phù Lá", "Hà Nhì"]
OCCUPATION = ["Làm nông", "Buôn bán nhỏ", "Lao động tự do", "Thợ may", "Chăn nuôi", "Nội trợ"]
PROVINCES = ["Lào Cai", "Lai Châu", "Hà Giang", "Điện Biên", "Sơn La", "Yên Bái", "Cao Bằng",
             "Lạng Sơn", "Tuyên Quang", "Thái Nguyên", "Phú Thọ", "Bắc Giang", "Quảng Ninh",
             "Hải Phòng", "Hà Nội", "Hưng Yên", "Ninh Bình", "Thanh Hóa", "Nghệ An", "Hà Tĩnh",
             "Quảng Trị", "Huế", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Đắk Lắk", "Khánh Hòa",
             "Lâm Đồng", "Đồng Nai", "Tây Ninh", "TP Hồ Chí Minh", "Đồng Tháp", "Vĩnh Long",
             "An Giang", "Cần Thơ", "Cà Mau"]  # fmt: skip
PREFIXES = ["91", "94", "98", "97", "96", "86", "88", "83", "84", "85", "81", "82", "70", "77"]


@dataclass(frozen=True)
class SeedSummary:
    """What was written: the database URL and rows per table (for the bench to print)."""

    url: str
    counts: dict[str, int]
    seconds: float
    # The officer, team supervisor and office supervisor the page bench logs in as, per office.
    offices: list[int]


def _with_python_defaults(table: sa.Table, rows: list[dict]) -> list[dict]:
    """Fill the columns a model defaults in Python (a session token, a version), as Core's
    insert does and COPY cannot: a column added later with such a default stays NOT NULL."""
    missing = [
        column
        for column in table.columns
        if column.name not in rows[0] and column.default is not None and not column.primary_key
    ]
    if not missing:
        return rows
    filled = []
    for row in rows:
        row = dict(row)
        for column in missing:
            default = column.default
            # A callable default is wrapped by SQLAlchemy to take the execution context.
            row[column.name] = default.arg(None) if default.is_callable else default.arg  # type: ignore[union-attr]
        filled.append(row)
    return filled


class Writer:
    """Writes rows of one table at a time: Core executemany in batches, or COPY on PostgreSQL."""

    def __init__(self, copy: bool) -> None:
        self.copy = copy and db.engine.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}
        self.next_ids: dict[str, int] = {}

    def new_id(self, table: sa.Table) -> int:
        if table.name not in self.next_ids:
            current = db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0
            self.next_ids[table.name] = current + 1
        ident = self.next_ids[table.name]
        self.next_ids[table.name] += 1
        return ident

    def write(self, table: sa.Table, rows: Iterable[dict]) -> None:
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self._flush(table, batch)
                batch = []
        if batch:
            self._flush(table, batch)

    def _flush(self, table: sa.Table, rows: list[dict]) -> None:
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        if not self.copy:
            db.session.execute(sa.insert(table), rows)
            return
        rows = _with_python_defaults(table, rows)
        names = list(rows[0])
        connection = db.session.connection().connection.driver_connection
        quoted = ", ".join(f'"{n}"' for n in names)
        statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([_plain(row[n]) for n in names])

    def fix_sequences(self) -> None:
        """COPY and explicit ids leave PostgreSQL's sequences behind; move them past the rows."""
        if db.engine.dialect.name != "postgresql":
            return
        for name in self.next_ids:
            latest = f'(SELECT coalesce(max(id), 1) FROM "{name}")'  # noqa: S608 (our tables)
            db.session.execute(
                sa.text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), {latest})")
            )


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), LOCAL_TZ).astimezone(UTC)


def _name(rng: random.Random, gender: Gender) -> str:
    if gender is Gender.MALE:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def _phone(rng: random.Random) -> str:
    return f"+84{rng.choice(PREFIXES)}{rng.randrange(10_000_000):07d}"


def seed_province(
    writer: Writer, rng: random.Random, province: str, scale: float, today: date, password: str
) -> int:
    """One office with its places, officers and three years of work; returns the office id."""
    now = datetime.now(UTC)
    office_id = writer.new_id(Office.__table__)
    writer.write(
        Office.__table__,
        [
            {
                "id": office_id,
                "name": f"Bảo hiểm xã hội tỉnh {province}",
                "province": province,
                "address": f"Số 1 đường Hoàng Liên, {province}",
                "phone": "02143840000",
                "contact_link": "https://baohiemxahoi.gov.vn",
            }
        ],
    )
    writer.write(
        OfficeSettings.__table__,
        [{"office_id": office_id, "follow_up_due_days": 3, "credit_window_days": 90,
          "updated_at": now}],
    )  # fmt: skip

    # Places: 100 communes of 15 villages each, a market in every other commune.
    communes, villages, venues = [], [], []
    village_ids: dict[int, list[int]] = {}
    for c in range(100):
        commune_id = writer.new_id(Commune.__table__)
        communes.append(
            {
                "id": commune_id,
                "office_id": office_id,
                "name": f"{PLACE[c % len(PLACE)]}{'' if c < len(PLACE) else f' {c // len(PLACE) + 1}'}",
                "updated_at": now,
                "kind": CommuneKind.WARD if c % 10 == 0 else CommuneKind.COMMUNE,
                "former_district": PLACE[(c * 7) % len(PLACE)],
            }
        )
        village_ids[commune_id] = []
        for v in range(15):
            village_id = writer.new_id(Village.__table__)
            village_ids[commune_id].append(village_id)
            villages.append(
                {
                    "id": village_id,
                    "commune_id": commune_id,
                    "name": f"{rng.choice(PLACE)} {v + 1}",
                    "updated_at": now,
                    "kind": VillageKind.BAN if v % 3 == 0 else VillageKind.THON,
                }
            )
    commune_ids = [c["id"] for c in communes]
    markets = []
    for i, commune_id in enumerate(commune_ids):
        venue_id = writer.new_id(Venue.__table__)
        is_market = i % 2 == 0
        venues.append(
            {
                "id": venue_id,
                "office_id": office_id,
                "commune_id": commune_id,
                "village_id": village_ids[commune_id][0],
                "kind": VenueKind.MARKET if is_market else VenueKind.MEETING_PLACE,
                "name": f"Chợ {communes[i]['name']}" if is_market else f"Nhà văn hóa {communes[i]['name']}",
                "address": "",
                "updated_at": now,
                "market_weekdays": str(i % 7) if is_market else "",
                "market_cycle_days": None,
                "market_anchor_date": None,
                "active": True,
            }
        )  # fmt: skip
        if is_market:
            markets.append((venue_id, commune_id, i % 7))
    writer.write(Commune.__table__, communes)
    writer.write(Village.__table__, villages)
    writer.write(Venue.__table__, venues)

    # People who log in: one admin, two supervisors, 60 officers in 6 teams.
    teams = []
    for t in range(6):
        teams.append({"id": writer.new_id(Team.__table__), "office_id": office_id,
                      "name": f"Tổ truyền thông {PLACE[t * 5]}"})  # fmt: skip
    writer.write(Team.__table__, teams)
    users, officers = [], []
    prefix = f"p{office_id}"
    for role, n in ((Role.ADMIN, 1), (Role.SUPERVISOR, 2), (Role.OFFICER, 60)):
        for k in range(n):
            user_id = writer.new_id(User.__table__)
            gender = Gender.FEMALE if k % 2 else Gender.MALE
            users.append(
                {
                    "id": user_id,
                    "office_id": office_id,
                    "team_id": teams[k % 6]["id"] if role is not Role.ADMIN else None,
                    "username": f"{prefix}{role.value}{k}",
                    "full_name": _name(rng, gender),
                    "phone": f"09{rng.randrange(10**8):08d}",
                    "role": role,
                    "password_hash": password,
                    "active": True,
                    "created_at": now,
                }
            )
            if role is Role.OFFICER:
                officers.append(user_id)
    writer.write(User.__table__, users)
    # Each officer works a tenth of the province's communes, so people meet the same officers.
    officer_communes = {o: commune_ids[(i * 10) % 100 : (i * 10) % 100 + 10] for i, o in
                        enumerate(officers)}  # fmt: skip
    commune_officers: dict[int, list[int]] = {c: [] for c in commune_ids}
    for officer, cs in officer_communes.items():
        for c in cs:
            commune_officers[c].append(officer)

    # Sessions over three years up to a month ahead: weekly market series, village meetings,
    # home visits and a few conferences.
    first_day = today - timedelta(days=3 * 365)
    last_day = today + timedelta(days=30)
    target = int(10_000 * scale)
    market_series = max(1, round(len(markets) * 0.4))
    sessions, series_rows, facilitators = [], [], []
    per_market = (last_day - first_day).days // 7
    for venue_id, commune_id, weekday in markets[:market_series]:
        series_id = writer.new_id(SessionSeries.__table__)
        start = first_day + timedelta(days=(weekday - first_day.weekday()) % 7)
        every = 7 if scale >= 0.9 else max(7, round(7 / scale / 1.0))
        count = (last_day - start).days // every + 1
        series_rows.append(
            {"id": series_id, "office_id": office_id, "rule": "interval" if every != 7 else "weekly",
             "weekdays": str(weekday) if every == 7 else "", "interval_days": every if every != 7 else None,
             "first_day": start, "until": None, "count": count, "start_time": clock(7, 0),
             "duration_minutes": 120, "created_at": now, "updated_at": now, "sequence": 0}
        )  # fmt: skip
        lead = rng.choice(commune_officers[commune_id])
        for k in range(count):
            day = start + timedelta(days=k * every)
            sessions.append(
                (day, 7, SessionKind.MARKET, commune_id, venue_id, None, lead, series_id)
            )
    del per_market
    kinds = (
        [SessionKind.VILLAGE_MEETING] * 6 + [SessionKind.HOME_VISIT] * 3 + [SessionKind.CONFERENCE]
    )
    span = (last_day - first_day).days
    while len(sessions) < target:
        commune_id = rng.choice(commune_ids)
        kind = rng.choice(kinds)
        day = first_day + timedelta(days=rng.randrange(span))
        village = rng.choice(village_ids[commune_id])
        hour = 19 if kind is SessionKind.VILLAGE_MEETING else rng.choice([8, 9, 14, 15])
        lead = rng.choice(commune_officers[commune_id])
        sessions.append((day, hour, kind, commune_id, None, village, lead, None))
    sessions.sort(key=lambda s: (s[0], s[1]))
    session_rows = []
    held = []  # (session_id, day, commune_id, lead, village_id, expected)
    for day, hour, kind, commune_id, venue_id, village, lead, series_id in sessions:
        session_id = writer.new_id(OutreachSession.__table__)
        past = day < today
        status = SessionStatus.PLANNED
        if past:
            status = SessionStatus.CANCELLED if rng.random() < 0.04 else SessionStatus.HELD
        starts = _at(day, hour)
        expected = (
            60 if kind is SessionKind.CONFERENCE else (8 if kind is SessionKind.HOME_VISIT else 30)
        )
        session_rows.append(
            {"id": session_id, "office_id": office_id, "series_id": series_id,
             "occurrence_date": day if series_id else None, "detached": False, "kind": kind,
             "topic": rng.choice(list(Topic)),
             "title": "" if kind is SessionKind.MARKET else f"Tuyên truyền BHXH tự nguyện, BHYT hộ gia đình lần {rng.randrange(1, 9)}",
             "starts_at": starts, "ends_at": starts + timedelta(hours=2), "venue_id": venue_id,
             "commune_id": commune_id, "village_id": village, "lead_officer_id": lead,
             "partner_id": None, "target_group": rng.choice(list(TargetGroup)),
             "language": Language.HMONG if rng.random() < 0.15 else Language.VIETNAMESE,
             "interpreter_needed": False, "expected_attendance": expected, "status": status,
             "status_reason": "Mưa lớn, đường trơn" if status is SessionStatus.CANCELLED else "",
             "notes": "", "created_by_id": lead, "created_at": starts - timedelta(days=10),
             "updated_at": starts - timedelta(days=10), "version": 1, "sequence": 0}
        )  # fmt: skip
        if rng.random() < 0.3:
            other = rng.choice(commune_officers[commune_id])
            if other != lead:
                facilitators.append({"session_id": session_id, "user_id": other})
        if status is SessionStatus.HELD:
            held.append((session_id, day, commune_id, lead, village, expected))
    writer.write(SessionSeries.__table__, series_rows)
    writer.write(OutreachSession.__table__, session_rows)
    writer.write(session_facilitator, facilitators)
    del session_rows, series_rows

    # People and attendance: ~250,000 rows, four in ten by someone seen before in the commune,
    # so ~150,000 people; one in sixty new records is a duplicate of someone already known.
    attendance_target = int(250_000 * scale)
    per_session = max(1, round(attendance_target * 1.15 / max(1, len(held))))
    people, attendance, audit = [], [], []
    known: dict[int, list[dict]] = {c: [] for c in commune_ids}
    interested = []  # (attendance_id, person_id, session_id, day, lead, product)
    for session_id, day, commune_id, lead, village, expected in held:
        size = max(1, min(expected * 2, int(rng.gauss(per_session, per_session / 3))))
        at_session: set[int] = set()
        seen_at = _at(day, 21)
        for _k in range(size):
            pool = known[commune_id]
            if pool and rng.random() < 0.4:
                person = rng.choice(pool)
            else:
                person_id = writer.new_id(Person.__table__)
                gender = rng.choice([Gender.MALE, Gender.FEMALE])
                village_id = village or rng.choice(village_ids[commune_id])
                if pool and rng.random() < 1 / 60:
                    # The same person typed again: same phone, or same name, year and village.
                    twin = rng.choice(pool)
                    name = twin["full_name"] if rng.random() < 0.5 else twin["full_name"].upper()
                    phone = twin["phone"] if twin["phone"] else _phone(rng)
                    birth_year, village_id = twin["birth_year"], twin["village_id"]
                    gender = twin["gender"]
                else:
                    name = _name(rng, gender)
                    phone = _phone(rng) if rng.random() < 0.7 else None
                    birth_year = rng.randrange(1955, 2006) if rng.random() < 0.85 else None
                person = {
                    "id": person_id, "office_id": office_id, "full_name": name,
                    "name_key": fold_name(name), "sort_name": sort_name(name),
                    "birth_year": birth_year,
                    **dict(zip(("name_key_2", "name_key_3", "name_key_last"),
                               name_search_keys(fold_name(name)), strict=True)), "gender": gender,
                    "ethnicity": rng.choice(ETHNIC), "commune_id": commune_id,
                    "village_id": village_id, "phone": phone, "cccd": None,
                    "occupation": rng.choice(OCCUPATION), "priority_group": PriorityGroup.OTHER,
                    "has_health_insurance": rng.choice([True, False, None]),
                    "consent_contact": rng.random() < 0.8, "consent_recorded_at": seen_at,
                    "notes": "", "confirmed": True, "erased_at": None, "created_at": seen_at,
                    "updated_at": seen_at,
                }  # fmt: skip
                people.append(person)
                pool.append(person)
                audit.append((office_id, lead, seen_at, "person", person_id, "create"))
            if person["id"] in at_session:
                continue
            at_session.add(person["id"])
            attendance_id = writer.new_id(Attendance.__table__)
            vsi, hhi = rng.random() < 0.17, rng.random() < 0.14
            attendance.append(
                {"id": attendance_id, "office_id": office_id, "session_id": session_id,
                 "person_id": person["id"], "interested_voluntary_si": vsi,
                 "interested_household_hi": hhi, "registered_on_spot": rng.random() < 0.03,
                 "source": AttendanceSource.SHEET if rng.random() < 0.9 else AttendanceSource.IMPORT,
                 "confirmed": True, "notes": "", "recorded_by_id": lead, "created_at": seen_at}
            )  # fmt: skip
            audit.append((office_id, lead, seen_at, "attendance", attendance_id, "create"))
            if (vsi or hhi) and person["consent_contact"]:
                product = Product.of({p for p, on in ((Product.VOLUNTARY_SI, vsi),
                                                      (Product.HOUSEHOLD_HI, hhi)) if on})  # fmt: skip
                interested.append((attendance_id, person["id"], session_id, day, lead, product))
    writer.write(Person.__table__, people)
    writer.write(Attendance.__table__, attendance)
    del people, attendance

    # Follow-ups: one per interested attendance; old ones mostly done, recent ones open (some
    # overdue); a third of the done ones ended in an enrolment credited to the session.
    follow_ups, outcomes, enrolments, credits = [], [], [], []
    for attendance_id, person_id, session_id, day, lead, product in interested:
        follow_up_id = writer.new_id(FollowUp.__table__)
        due = day + timedelta(days=3)
        age = (today - day).days
        created = _at(day, 21)
        status = FollowUpStatus.OPEN
        if age > 20 and rng.random() < min(0.97, 0.6 + age / 400):
            status = FollowUpStatus.CANCELLED if rng.random() < 0.05 else FollowUpStatus.DONE
        closed = (
            _at(due + timedelta(days=rng.randrange(0, 20)), 10)
            if status is not FollowUpStatus.OPEN
            else None
        )
        follow_ups.append(
            {"id": follow_up_id, "office_id": office_id, "person_id": person_id,
             "attendance_id": attendance_id, "session_id": session_id, "product": product,
             "assigned_to_id": lead, "due_on": due, "status": status, "notes": "",
             "created_by_id": lead, "created_at": created, "updated_at": closed or created,
             "closed_at": closed}
        )  # fmt: skip
        audit.append((office_id, lead, created, "follow_up", follow_up_id, "create"))
        tries = rng.randrange(0, 3) if status is FollowUpStatus.OPEN else rng.randrange(1, 3)
        for t in range(tries):
            last = t == tries - 1 and status is FollowUpStatus.DONE
            enrolled = last and rng.random() < 0.33
            kind = OutcomeKind.ENROLLED if enrolled else (
                OutcomeKind.DECLINED if last else rng.choice([OutcomeKind.NO_ANSWER, OutcomeKind.CALL_BACK, OutcomeKind.REACHED]))  # fmt: skip
            at = _at(due + timedelta(days=t * 3), 9 + t)
            single = (
                Product.VOLUNTARY_SI
                if product is not Product.HOUSEHOLD_HI
                else Product.HOUSEHOLD_HI
            )
            outcomes.append(
                {"id": writer.new_id(FollowUpOutcome.__table__), "office_id": office_id,
                 "follow_up_id": follow_up_id, "kind": kind,
                 "channel": Channel.CALL if rng.random() < 0.8 else Channel.HOME_VISIT,
                 "call_back_on": due + timedelta(days=t * 3 + 7) if kind is OutcomeKind.CALL_BACK else None,
                 "reason": "Chưa đủ tiền" if kind is OutcomeKind.DECLINED else "",
                 "notes": "", "product": single if enrolled else None, "by_id": lead, "at": at}
            )  # fmt: skip
            audit.append((office_id, lead, at, "follow_up", follow_up_id, "outcome"))
            if enrolled:
                enrolment_id = writer.new_id(Enrolment.__table__)
                enrolled_on = (at.astimezone(LOCAL_TZ)).date()
                months = rng.choice([1, 3, 6, 12])
                if single is Product.VOLUNTARY_SI:
                    income = rng.choice([1_500_000, 2_000_000, 3_000_000, 5_000_000])
                    monthly = income * 22 // 100
                    support = 1_500_000 * 22 // 100 * 10 // 100
                    members = None
                else:
                    income, members = None, rng.randrange(1, 6)
                    monthly = 2_340_000 * 45 // 1000 * members
                    support = 0
                enrolments.append(
                    {"id": enrolment_id, "office_id": office_id, "person_id": person_id,
                     "product": single, "enrolled_on": enrolled_on, "income": income,
                     "priority_group": PriorityGroup.OTHER if income else None,
                     "members": members, "months": months, "monthly_contribution": monthly,
                     "monthly_support": support, "monthly_person_pays": monthly - support,
                     "period_person_pays": (monthly - support) * months,
                     "receipt_number": f"BL{enrolment_id:07d}", "notes": "",
                     "recorded_by_id": lead, "created_at": at, "updated_at": at}
                )  # fmt: skip
                credits.append({"id": writer.new_id(EnrolmentCredit.__table__), "office_id": office_id,
                                "enrolment_id": enrolment_id, "session_id": session_id,
                                "follow_up_id": None, "main": True})  # fmt: skip
                credits.append({"id": writer.new_id(EnrolmentCredit.__table__), "office_id": office_id,
                                "enrolment_id": enrolment_id, "session_id": None,
                                "follow_up_id": follow_up_id, "main": False})  # fmt: skip
                audit.append((office_id, lead, at, "enrolment", enrolment_id, "create"))
    writer.write(FollowUp.__table__, follow_ups)
    writer.write(FollowUpOutcome.__table__, outcomes)
    writer.write(Enrolment.__table__, enrolments)
    writer.write(EnrolmentCredit.__table__, credits)
    del follow_ups, outcomes, enrolments, credits

    audit.sort(key=lambda a: a[2])
    writer.write(
        AuditEntry.__table__,
        (
            {"id": writer.new_id(AuditEntry.__table__), "office_id": o, "user_id": u, "at": at,
             "entity": entity, "entity_id": ident, "action": action, "changes": {}}
            for o, u, at, entity, ident, action in audit
        ),
    )  # fmt: skip
    return office_id


def bench_app(url: str) -> Flask:
    """The app as the benches run it, on `url`."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def seed(url: str, seed_number: int = 1, scale: float = 1.0, provinces: int = 1) -> SeedSummary:
    """Migrate the database at `url` and fill it; the same arguments give the same rows."""
    if provinces > 1 and not url.startswith("postgresql"):
        raise SystemExit("A nation (several provinces) is for PostgreSQL only.")
    started = time.perf_counter()
    app = bench_app(url)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed_national_rates()
        from werkzeug.security import generate_password_hash

        password = generate_password_hash(SEED_PASSWORD)
        writer = Writer(copy=True)
        today = date.today()
        offices = []
        for p in range(provinces):
            rng = random.Random(seed_number * 1000 + p)
            offices.append(seed_province(writer, rng, PROVINCES[p % len(PROVINCES)], scale,
                                         today, password))  # fmt: skip
            db.session.commit()
            print(f"  province {p + 1}/{provinces} written ({time.perf_counter() - started:.0f} s)",
                  file=sys.stderr)  # fmt: skip
        writer.fix_sequences()
        db.session.commit()
        from planner.database import refresh_statistics

        refresh_statistics(db.engine)
        if db.engine.dialect.name == "postgresql":
            # A database that has lived for three years has been vacuumed by autovacuum; one just
            # filled by COPY has not, and until its visibility map is set PostgreSQL cannot
            # answer counts from an index alone: a bench on it would measure the seed, not the app.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(sa.text("VACUUM (ANALYZE)"))
    return SeedSummary(url, writer.counts, time.perf_counter() - started, offices)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--provinces", type=int, default=1)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url
    if not url:
        folder = Path(tempfile.gettempdir()) / "planner-bench"
        folder.mkdir(exist_ok=True)
        path = folder / f"province-seed{args.seed}-scale{args.scale}.db"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    if "instance/" in url:
        raise SystemExit("Seed a scratch database, not the app's instance folder.")
    summary = seed(url, args.seed, args.scale, args.provinces)
    print(f"seeded {summary.url} in {summary.seconds:.0f} s")
    for table, count in sorted(summary.counts.items()):
        print(f"  {table:20} {count:>9,}")


if __name__ == "__main__":
    main()
