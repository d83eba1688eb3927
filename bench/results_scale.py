"""Time the results dashboard on a province-sized year (SQLite): 40 officers, 60 communes,
about 8,000 sessions, 30,000 people, 120,000 attendance rows, 40,000 follow-ups and 8,000
enrolments, inserted in bulk. Prints medians, not a verdict.

Run: .venv/bin/python bench/results_scale.py
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.timing import median_ms
from planner import create_app
from planner.accounts.models import Office, User
from planner.collation import sort_name
from planner.enrolments.models import Enrolment, EnrolmentCredit
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpOutcome
from planner.people.models import Attendance, Person
from planner.places.models import Commune
from planner.sessions.models import OutreachSession
from planner.timezones import local_to_utc, today_local

OFFICERS, COMMUNES, PEOPLE, SESSIONS_PER_OFFICER_WEEK = 40, 60, 30_000, 4
KINDS = ["market", "village_meeting", "home_visit", "conference"]


def build(rng: random.Random) -> int:
    office = Office(name="Bảo hiểm xã hội tỉnh Lào Cai", province="Lào Cai")
    db.session.add(office)
    db.session.flush()
    communes = [Commune(office_id=office.id, name=f"Xã {n}") for n in range(COMMUNES)]
    db.session.add_all(communes)
    users = [
        User(
            office_id=office.id,
            username=f"u{n}",
            full_name=f"Cán bộ {n}",
            password_hash="!",  # noqa: S106  (bench officers never log in)
        )
        for n in range(OFFICERS)
    ]
    supervisor = User(
        office_id=office.id, username="hoa", full_name="Nguyễn Thị Hoa", role="supervisor"
    )
    supervisor.set_password("bench-password")
    db.session.add_all([*users, supervisor])
    db.session.flush()
    commune_ids = [c.id for c in communes]
    user_ids = [u.id for u in users]
    now = datetime.now(UTC)
    db.session.execute(
        sa.insert(Person),
        [
            {
                "office_id": office.id,
                "full_name": f"Người {n}",
                "name_key": f"nguoi {n}",
                "sort_name": sort_name(f"Người {n}"),
                "commune_id": rng.choice(commune_ids),
                "gender": rng.choice(["male", "female"]),
                "ethnicity": rng.choice(["Mông", "Dao", "Tày", "Kinh"]),
                "consent_contact": True,
            }
            for n in range(PEOPLE)
        ],
    )
    first_person = db.session.scalar(sa.select(sa.func.min(Person.id)))
    today = today_local()
    start = today - timedelta(days=364)
    sessions = []
    for officer in user_ids:
        for week in range(52):
            for slot in range(SESSIONS_PER_OFFICER_WEEK):
                day = start + timedelta(days=7 * week + rng.randint(0, 6))
                at = local_to_utc(day, clock(8 + slot * 3))
                sessions.append(
                    {
                        "office_id": office.id,
                        "kind": rng.choice(KINDS),
                        "topic": "both",
                        "starts_at": at,
                        "ends_at": at + timedelta(hours=2),
                        "commune_id": rng.choice(commune_ids),
                        "lead_officer_id": officer,
                        "status": "held" if day < today else "planned",
                        "version": 1,
                    }
                )
    db.session.execute(sa.insert(OutreachSession), sessions)
    rows = db.session.execute(sa.select(OutreachSession.id, OutreachSession.starts_at)).all()
    attendance, follow_ups = [], []
    for session_id, starts_at in rows:
        for person in rng.sample(range(PEOPLE), 15):
            interested = rng.random() < 0.3
            attendance.append(
                {
                    "office_id": office.id,
                    "session_id": session_id,
                    "person_id": first_person + person,
                    "interested_voluntary_si": interested,
                    "confirmed": True,
                }
            )
            if interested:
                follow_ups.append(
                    {
                        "office_id": office.id,
                        "person_id": first_person + person,
                        "session_id": session_id,
                        "product": "voluntary_si",
                        "assigned_to_id": rng.choice(user_ids),
                        "due_on": starts_at.date() + timedelta(days=3),
                        "status": "done",
                    }
                )
    db.session.execute(sa.insert(Attendance), attendance)
    db.session.execute(sa.insert(FollowUp), follow_ups)
    fu_rows = db.session.execute(sa.select(FollowUp.id, FollowUp.due_on)).all()
    db.session.execute(
        sa.insert(FollowUpOutcome),
        [
            {
                "office_id": office.id,
                "follow_up_id": fid,
                "kind": "reached",
                "channel": "call",
                "at": local_to_utc(due + timedelta(days=rng.randint(-2, 3)), now.time()),
            }
            for fid, due in fu_rows
            if rng.random() < 0.8
        ],
    )
    enrolments = []
    for n in range(8000):
        day = start + timedelta(days=rng.randint(0, 364))
        enrolments.append(
            {
                "office_id": office.id,
                "person_id": first_person + rng.randrange(PEOPLE),
                "product": rng.choice(["voluntary_si", "household_hi"]),
                "enrolled_on": day,
                "members": rng.randint(1, 4),
                "months": 12,
                "monthly_contribution": 330_000,
                "monthly_support": 66_000,
                "monthly_person_pays": 264_000,
                "period_person_pays": 3_168_000,
                "receipt_number": f"BL-{n}",
            }
        )
    db.session.execute(sa.insert(Enrolment), enrolments)
    session_ids = [r[0] for r in rows]
    db.session.execute(
        sa.insert(EnrolmentCredit),
        [
            {"office_id": office.id, "enrolment_id": eid, "session_id": sid, "main": main}
            for eid in db.session.scalars(sa.select(Enrolment.id))
            for sid, main in ((rng.choice(session_ids), True), (rng.choice(session_ids), False))
        ],
    )
    db.session.commit()
    return len(attendance)


def main() -> None:
    rng = random.Random(12)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "PLANNER_PREPARE_FLYERS": False,
            }
        )
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            began = time.perf_counter()
            rows = build(rng)
            print(f"built {rows} attendance rows in {time.perf_counter() - began:.0f} s")
        client = app.test_client()
        client.post("/login", data={"username": "hoa", "password": "bench-password"})
        first = (today_local() - timedelta(days=364)).isoformat()
        for path in [
            "/results/?period=month",
            "/results/?period=quarter",
            f"/results/?period=custom&first={first}&last={today_local().isoformat()}",
            "/results/compare/commune?period=year",
            "/results/compare/week?period=year",
            "/results/compare/sex?period=year",
            "/results/where-next",
        ]:

            def get(path=path):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)

            print(f"{path[:70]:70s} {median_ms(get, 5, warm=True):8.1f} ms")


if __name__ == "__main__":
    main()
