"""Time a subscription feed of 1,000 sessions (50 of them recurring series) and its 304 answer.

Run from the repository root: `.venv/bin/python bench/ics.py`. It builds a throwaway SQLite
database through the app's own migrations and services, then prints medians: a cold build (no
cache at all), a rebuild after one session changed (the usual case: the events that did not
change come from the serialised-event cache), an unchanged feed, and a 304. Targets: a feed
under 200 ms, a 304 under 10 ms.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask_migrate import upgrade

from planner import create_app
from planner.calendars.services import clear_caches, create_feed
from planner.enums import SessionKind, Topic
from planner.extensions import db
from planner.sessions.drafts import Recurrence, SessionDraft
from planner.sessions.models import OutreachSession
from planner.sessions.planning import create_sessions, update_session
from planner.sessions.status import set_status
from planner.timezones import today_local
from tests import factories

SERIES = 50
OCCURRENCES = 10
ONE_OFFS = 1000 - SERIES * OCCURRENCES
BUILD_RUNS = 25
COLD_RUNS = 7
NOT_MODIFIED_RUNS = 200


def plan(officer, places) -> None:
    """1,000 sessions: 500 one-offs and 50 weekly or every-N-days series of 10."""
    rng = random.Random(7)
    today = today_local()
    kinds = list(SessionKind)
    for i in range(ONE_OFFS):
        day = today + timedelta(days=rng.randint(-55, 360))
        start = clock(rng.choice([7, 8, 14, 19]), 0)
        draft = SessionDraft(
            kind=kinds[i % len(kinds)],
            topic=Topic.BOTH,
            day=day,
            start=start,
            end=clock(start.hour + 2, 0),
            commune_id=places.commune.id,
            village_id=places.village.id,
            venue_id=places.house.id,
            lead_officer_id=officer.id,
            partner_id=places.partner.id,
            title=f"Họp thôn {i}; nhắc đóng BHYT, BHXH tự nguyện",
        )
        create_sessions(officer.office_id, draft, officer)
    for i in range(SERIES):
        day = today + timedelta(days=rng.randint(-40, 250))
        draft = SessionDraft(
            kind=SessionKind.MARKET,
            topic=Topic.VOLUNTARY_SI,
            day=day,
            start=clock(7, 30),
            end=clock(10, 0),
            commune_id=places.commune.id,
            venue_id=places.market.id,
            lead_officer_id=officer.id,
            title=f"Chợ phiên {i}",
        )
        if i % 2:
            recurrence = Recurrence(rule="weekly", weekdays=frozenset({6}), count=OCCURRENCES)
        else:
            recurrence = Recurrence(rule="interval", interval_days=6, count=OCCURRENCES)
        rows = create_sessions(officer.office_id, draft, officer, recurrence)
        set_status(rows[2], "cancelled", "Mưa lũ")
        moved = rows[4]
        update_session(
            moved,
            SessionDraft(
                **{
                    **draft.__dict__,
                    "day": moved.occurrence_date,
                    "start": clock(14),
                    "end": clock(16),
                }
            ),
            base_version=moved.version,
        )
    db.session.commit()


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "RATELIMIT_ENABLED": False,
                "SERVER_NAME": "planner.bench",
            }
        )
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            office = factories.office()
            officer = factories.user(office)
            places = factories.places(office)
            started = time.perf_counter()
            plan(officer, places)
            _feed, token = create_feed(officer, "officer")
            db.session.commit()
            print(f"planned 1,000 sessions in {time.perf_counter() - started:.1f} s")
            client = app.test_client()
            url = f"/calendars/feed/{token}.ics"
            one_off = db.session.scalars(
                sa.select(OutreachSession).where(OutreachSession.series_id.is_(None))
            ).first()

            cpu: dict[str, list[float]] = {}

            def timed_get(headers=None, label="other"):
                # Wall time is what a calendar app waits; CPU time shows the work done when
                # other processes share the machine's two cores.
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url, headers=headers or {})
                cpu.setdefault(label, []).append(time.process_time() - started_cpu)
                return time.perf_counter() - started, response

            # Cold: nothing cached, every event serialised by icalendar.
            cold = []
            for _run in range(COLD_RUNS):
                clear_caches()
                elapsed, response = timed_get(label="cold")
                assert response.status_code == 200
                cold.append(elapsed)
            # The usual case: one session changed since the last poll, so the feed is rebuilt
            # from the database (ETag changed); unchanged events come from the event cache.
            builds = []
            for run in range(BUILD_RUNS):
                one_off.title = f"Họp thôn lần {run}"
                db.session.commit()
                elapsed, response = timed_get(label="rebuilt")
                assert response.status_code == 200
                assert f"lần {run}".encode() in response.data
                builds.append(elapsed)
            # Nothing changed and the app ignores ETags: the body is served from memory.
            unchanged = [timed_get(label="unchanged")[0] for _run in range(BUILD_RUNS)]
            size = len(response.data)
            etag = response.headers["ETag"]
            events = response.data.count(b"BEGIN:VEVENT")

            not_modified = []
            for _run in range(NOT_MODIFIED_RUNS):
                elapsed, answer = timed_get({"If-None-Match": etag}, label="304")
                assert answer.status_code == 304
                not_modified.append(elapsed)
            db.session.remove()
            db.engine.dispose()

    print(f"feed: {events} VEVENTs, {size / 1024:.0f} KiB; medians, wall time (CPU time)")
    rows = [
        ("cold feed, no caches", cold, "cold", ""),
        ("feed rebuilt after a change", builds, "rebuilt", " (target < 200 ms)"),
        ("unchanged feed, plain GET", unchanged, "unchanged", ""),
        ("304 Not Modified", not_modified, "304", " (target < 10 ms)"),
    ]
    for label, samples, key, target in rows:
        print(
            f"  {label:<28} {median_ms(samples):7.1f} ms ({median_ms(cpu[key]):6.1f} ms CPU)"
            f" over {len(samples)} runs{target}"
        )


if __name__ == "__main__":
    main()
