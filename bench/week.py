"""Time the week view (the home page) on a busy office week; prints medians, not a verdict.

Run: .venv/bin/python bench/week.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from bench.timing import median_ms
from planner import create_app
from planner.demo import DEMO_PASSWORD, load_demo_data
from planner.extensions import db
from planner.rates.services import seed_national_rates


def main() -> None:
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
            upgrade(directory=app.extensions["migrate"].directory)
            seed_national_rates()
            office = load_demo_data()
            db.session.commit()
            # A busy week: 20 more officers, 10 sessions each.
            from planner.accounts.services import create_user
            from planner.places.models import Venue
            from planner.sessions.days import monday_of
            from planner.sessions.drafts import SessionDraft
            from planner.sessions.planning import create_sessions
            from planner.timezones import today_local

            venue = db.session.scalars(db.select(Venue).where(Venue.office_id == office.id)).first()
            monday = monday_of(today_local())
            for n in range(20):
                user = create_user(office, f"bench{n}", f"Cán bộ {n}", "bench-password")
                db.session.flush()
                for k in range(10):
                    day = monday + timedelta(days=k % 7)
                    start = clock(7 + k % 12)
                    create_sessions(
                        office.id,
                        SessionDraft(
                            kind="village_meeting",
                            topic="both",
                            day=day,
                            start=start,
                            end=clock(start.hour + 1),
                            commune_id=venue.commune_id,
                            lead_officer_id=user.id,
                            title=f"Họp thôn {n}-{k}",
                        ),
                        user,
                    )
            db.session.commit()

        client = app.test_client()
        client.post("/login", data={"username": "hoa", "password": DEMO_PASSWORD})
        response = client.get("/?scope=office")
        assert response.status_code == 200
        sessions_shown = response.get_data(as_text=True).count('class="session ')
        week = median_ms(lambda: client.get("/?scope=office"), 30)
        mine = median_ms(lambda: client.get("/?scope=me"), 30)
        form = median_ms(lambda: client.get("/sessions/new"), 30)
        css = (Path(app.static_folder) / "css" / "app.css").stat().st_size
        print(
            f"week view, whole office ({sessions_shown} sessions): median {week:.1f} ms, "
            f"{len(response.data) / 1024:.0f} KiB HTML"
        )
        print(f"week view, one officer: median {mine:.1f} ms")
        print(f"planning form: median {form:.1f} ms")
        print(f"stylesheet: {css / 1024:.1f} KiB; no fonts or scripts needed to read the week")


if __name__ == "__main__":
    main()
