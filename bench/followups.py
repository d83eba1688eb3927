"""Time "My follow-ups" and recording an enrolment on a busy office; prints medians and counts.

Run: .venv/bin/python bench/followups.py [people]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.timing import median_ms
from planner import create_app
from planner.demo import DEMO_PASSWORD, load_demo_data
from planner.extensions import db
from planner.rates.services import seed_national_rates


def count_queries(fn) -> int:
    seen = []

    def listener(*_args):
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            from planner.accounts.models import User
            from planner.enrolments.services import EnrolmentInput, record_enrolment
            from planner.followups.models import FollowUp, Product
            from planner.followups.outcomes import OutcomeInput, log_outcome
            from planner.people.models import Attendance, Person
            from planner.people.signals import attendance_recorded
            from planner.places.models import Venue
            from planner.sessions.drafts import SessionDraft
            from planner.sessions.planning import create_sessions
            from planner.timezones import today_local

            upgrade(directory=app.extensions["migrate"].directory)
            seed_national_rates()
            office = load_demo_data()
            db.session.commit()
            officers = db.session.scalars(sa.select(User).where(User.office_id == office.id)).all()
            venue = db.session.scalars(sa.select(Venue).where(Venue.office_id == office.id)).first()
            sessions = []
            for k in range(30):
                lead = officers[k % len(officers)]
                draft = SessionDraft(
                    kind="village_meeting",
                    topic="both",
                    day=today_local() - timedelta(days=k),
                    start=time_of(19),
                    end=time_of(21),
                    commune_id=venue.commune_id,
                    lead_officer_id=lead.id,
                    title=f"Họp thôn {k}",
                )
                sessions.extend(create_sessions(office.id, draft, lead))
            db.session.flush()
            for n in range(people):
                person = Person(
                    office_id=office.id,
                    full_name=f"Người dân {n}",
                    phone=f"+849{10000000 + n}",
                    consent_contact=True,
                )
                db.session.add(person)
                db.session.flush()
                attendance = Attendance(
                    office_id=office.id,
                    session_id=sessions[n % len(sessions)].id,
                    person_id=person.id,
                    interested_voluntary_si=True,
                    interested_household_hi=n % 3 == 0,
                )
                db.session.add(attendance)
                db.session.flush()
                attendance_recorded.send(attendance, user=None)
            for i, follow_up in enumerate(db.session.scalars(sa.select(FollowUp)).all()):
                if i % 2:
                    log_outcome(follow_up, OutcomeInput(kind="no_answer", notes="Gọi lại"), None)
            db.session.commit()
            total = db.session.scalar(sa.select(sa.func.count(FollowUp.id)))

        client = app.test_client()
        client.post("/login", data={"username": "hoa", "password": DEMO_PASSWORD})
        response = client.get("/follow-ups/?scope=office")
        assert response.status_code == 200
        with app.app_context():
            queries = count_queries(lambda: client.get("/follow-ups/?scope=office"))
        office_ms = median_ms(lambda: client.get("/follow-ups/?scope=office"), 15)
        everything = client.get("/follow-ups/?scope=office&all=1")
        all_ms = median_ms(lambda: client.get("/follow-ups/?scope=office&all=1"), runs=5)
        mine_ms = median_ms(lambda: client.get("/follow-ups/"), 15)
        mine = client.get("/follow-ups/")
        print(
            f"follow-ups, whole office ({total} open, 50 a pile shown): median {office_ms:.0f} ms, "
            f"{len(response.data) / 1024:.0f} KiB HTML, {queries} queries"
        )
        print(
            f"follow-ups, whole office, all {total} shown: median {all_ms:.0f} ms, "
            f"{len(everything.data) / 1024:.0f} KiB HTML"
        )
        print(
            f"my follow-ups (one supervisor, {mine.get_data(as_text=True).count('fu-item')} "
            f"open): median {mine_ms:.0f} ms"
        )

        with app.app_context():
            supervisor = db.session.scalar(sa.select(User).where(User.username == "hoa"))
            ids = db.session.scalars(sa.select(Person).limit(20)).all()
            timings = []
            for person in ids:
                start = time.perf_counter()
                record_enrolment(
                    person,
                    EnrolmentInput(
                        product=Product.VOLUNTARY_SI,
                        enrolled_on=today_local(),
                        receipt_number=f"BL-{person.id}",
                        income=1_500_000,
                        months=3,
                    ),
                    supervisor,
                )
                db.session.commit()
                timings.append((time.perf_counter() - start) * 1000)
            print(
                f"record an enrolment (quote, credits, closing follow-ups): "
                f"median {statistics.median(timings):.1f} ms"
            )


def time_of(hour: int):
    from datetime import time as clock

    return clock(hour, 0)


if __name__ == "__main__":
    main()
