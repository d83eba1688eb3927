"""A Monday at a provincial office, replayed on loopback: latency per kind, errors, ceiling.

    .venv/bin/python bench/load.py --database-url postgresql+psycopg://postgres@127.0.0.1/planner_bench

The database must hold seeded data (`make seed`, bench/seed.py; the nation on PostgreSQL is the
issue's setting). The bench starts what a province runs: gunicorn (4 workers x 4 threads, the
settings of planner/operations/gunicorn_conf.py), PostgreSQL, Redis and one RQ worker; then
officers who log in and repeat their Monday (open the week, open a session, print its flyer and
sheet, add an attendee, log a follow-up outcome, poll their calendar feed every minute) and one
supervisor on the results dashboard. Before the mix, a bare route (/healthz) is timed in the same
run as the floor. Each step of --users runs --seconds; the last line names the ceiling, the first
step whose p95 crosses 1 s. With --ramp S a step's officers arrive evenly over S seconds (a
Monday morning); without it they all log in at once, the worst case. Bounded: every loop
stops at its deadline; traffic goes to 127.0.0.1.
It writes to the database it is given (attendees, outcomes, feed tokens, officers' passwords):
never point it at data anyone needs.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner import create_app
from planner.accounts.models import User
from planner.calendars.services import create_feed
from planner.enums import Role, SessionStatus
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpStatus
from planner.sessions.models import OutreachSession
from planner.timezones import now_utc

PASSWORD = "bench-Monday-2026!"  # noqa: S105  (a scratch database's officers, set by this bench)
SECRET = "bench-secret-" + "k" * 48


@dataclass
class Officer:
    username: str
    sessions: list[int]
    held: list[int]  # started already: attendance is recorded for these
    follow_ups: list[int]
    feed_token: str | None = None


@dataclass
class Samples:
    """Milliseconds by kind of request, with when each ended, and the errors."""

    latencies: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, ok: bool) -> None:
        with self.lock:
            self.latencies[kind].append((time.monotonic(), ms))
            if not ok:
                self.errors[kind] += 1


def prepare(database_url: str, users: int) -> tuple[list[Officer], str]:
    """Pick officers with sessions in the coming week, give them a known password and a feed."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET})
    with app.app_context():
        now = now_utc()
        busy = db.session.execute(
            sa.select(
                OutreachSession.lead_officer_id,
                sa.func.array_agg(OutreachSession.id),
                sa.func.array_agg(OutreachSession.id).filter(OutreachSession.starts_at <= now),
            )
            .where(
                OutreachSession.starts_at.between(now - timedelta(days=6), now + timedelta(days=7)),
                OutreachSession.status != SessionStatus.CANCELLED,
            )
            .group_by(OutreachSession.lead_officer_id)
            .having(sa.func.count().filter(OutreachSession.starts_at <= now) > 0)
            .limit(users)
        ).all()
        if len(busy) < users:
            sys.exit(f"only {len(busy)} officers have sessions this week; seed more or ask fewer")
        officers = []
        for lead_id, session_ids, held_ids in busy:
            user = db.session.get(User, lead_id)
            user.set_password(PASSWORD)
            follow_ups = db.session.scalars(
                sa.select(FollowUp.id)
                .where(FollowUp.assigned_to_id == lead_id, FollowUp.status == FollowUpStatus.OPEN)
                .limit(20)
            ).all()
            # A feed's token is shown once; on a re-run (the officer has a feed already) a new
            # one is issued, so every officer polls in every run.
            _feed, token = _officer_feed(user)
            officers.append(
                Officer(
                    user.username,
                    list(session_ids)[:10],
                    list(held_ids)[:5],
                    list(follow_ups),
                    token,
                )
            )
        supervisor = db.session.scalar(
            sa.select(User).where(User.role == Role.SUPERVISOR, User.active).limit(1)
        )
        supervisor.set_password(PASSWORD)
        db.session.commit()
        return officers, supervisor.username


def _officer_feed(user: User):
    """The officer's calendar feed and a fresh token for it (made when the officer has none)."""
    from planner.calendars.models import CalendarFeed
    from planner.calendars.services import regenerate_token

    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        return create_feed(user, "officer")
    return feed, regenerate_token(feed)


class Client:
    """One browser: a cookie jar and a CSRF token, against one base URL."""

    def __init__(self, base: str, samples: Samples):
        self.base, self.samples = base, samples
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        self.csrf = ""

    def request(self, kind: str, path: str, form: dict | None = None) -> bytes:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data)  # noqa: S310 (loopback)
        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=30) as response:
                body, status = response.read(), response.status
        except urllib.error.HTTPError as error:
            body, status = error.read(), error.code
        except OSError:
            body, status = b"", 599
        self.samples.add(kind, (time.perf_counter() - start) * 1000, status < 400)
        return body

    def login(self, username: str) -> None:
        page = self.request("login page", "/login").decode()
        self.csrf = _csrf(page)
        self.request(
            "login", "/login", {"username": username, "password": PASSWORD, "csrf_token": self.csrf}
        )
        self.csrf = _csrf(self.request("week", "/").decode()) or self.csrf


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return found.group(1) if found else ""


def officer_day(
    client: Client, officer: Officer, deadline: float, think: float, arrives: float = 0.0
) -> None:
    """An officer's Monday, action after action until the deadline, from `arrives` seconds
    into the step."""
    time.sleep(arrives)
    rng = random.Random(officer.username)
    client.login(officer.username)
    next_feed_poll = time.monotonic()
    while time.monotonic() < deadline:
        session_id = rng.choice(officer.sessions)
        action = rng.choices(
            ["week", "session", "flyer", "sheet", "attendee", "outcome"], [4, 4, 1, 1, 2, 2]
        )[0]
        if action == "week":
            client.request("week", "/")
        elif action == "session":
            client.request("session page", f"/sessions/{session_id}")
        elif action == "flyer":
            client.request("flyer pdf", f"/printing/sessions/{session_id}/flyer.pdf")
        elif action == "sheet":
            client.request("sheet pdf", f"/printing/sessions/{session_id}/sheet.pdf")
        elif action == "attendee":
            client.request(
                "add attendee",
                f"/sessions/{rng.choice(officer.held)}/attendance",
                {
                    "csrf_token": client.csrf,
                    "full_name": f"Người Thử {rng.randrange(10**6)}",
                    "birth_year": str(rng.randrange(1950, 2005)),
                    "gender": rng.choice(["male", "female"]),
                    "interest": "none",
                    "priority_group": "other",
                },
            )
        elif action == "outcome" and officer.follow_ups:
            follow_up = rng.choice(officer.follow_ups)
            # Each follow-up's outcome form has its own field prefix (several on one page).
            prefix = f"fu{follow_up}-"
            client.request(
                "follow-up outcome",
                f"/follow-ups/{follow_up}/outcome",
                {
                    prefix + "csrf_token": client.csrf,
                    prefix + "kind": "no_answer",
                    prefix + "channel": "call",
                },
            )
        if officer.feed_token and time.monotonic() >= next_feed_poll:
            client.request("feed poll", f"/calendars/feed/{officer.feed_token}.ics")
            next_feed_poll += 60
        time.sleep(rng.expovariate(1 / think))


def supervisor_day(client: Client, username: str, deadline: float) -> None:
    client.login(username)
    while time.monotonic() < deadline:
        client.request("dashboard", "/results/")
        time.sleep(10)


def floor(base: str, seconds: float) -> tuple[float, float]:
    """Requests per second and median ms of /healthz with 4 clients, the bare route's floor."""
    samples = Samples()
    deadline = time.monotonic() + seconds

    def loop():
        client = Client(base, samples)
        while time.monotonic() < deadline:
            client.request("bare", "/healthz")

    threads = [threading.Thread(target=loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ms = [m for _t, m in samples.latencies["bare"]]
    return len(ms) / seconds, statistics.median(ms)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_step(base, officers, supervisor, users, seconds, think, ramp=0.0) -> Samples:
    """One step: `users` officers (arriving evenly over `ramp` seconds) and the supervisor."""
    samples = Samples()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=officer_day,
            args=(Client(base, samples), o, deadline, think, ramp * i / users),
        )
        for i, o in enumerate(officers[:users])
    ]
    threads.append(
        threading.Thread(target=supervisor_day, args=(Client(base, samples), supervisor, deadline))
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def report(users: int, seconds: float, samples: Samples) -> float:
    """Print the step's table; return the p95 of page requests (not PDFs)."""
    total = sum(len(v) for v in samples.latencies.values())
    print(f"\n== {users} officers + 1 supervisor, {seconds:.0f} s: {total / seconds:.1f} req/s")
    print(f"{'kind':<20}{'n':>6}{'p50':>9}{'p95':>9}{'p99':>9}{'errors':>8}")
    pages: list[tuple[float, float]] = []
    for kind in sorted(samples.latencies):
        rows = samples.latencies[kind]
        ms = [m for _t, m in rows]
        # Pages: not PDFs (print jobs have their own targets) nor the login itself, whose password
        # hash is slow on purpose and happens once a day.
        if not kind.endswith("pdf") and not kind.startswith("login"):
            pages.extend(rows)
        print(
            f"{kind:<20}{len(ms):>6}{percentile(ms, 0.5):>9.1f}{percentile(ms, 0.95):>9.1f}"
            f"{percentile(ms, 0.99):>9.1f}{samples.errors.get(kind, 0):>8}"
        )
    pages.sort()
    thirds = [pages[i * len(pages) // 3 : (i + 1) * len(pages) // 3] for i in range(3)]
    growth = " / ".join(f"{percentile([m for _t, m in part], 0.95):.0f}" for part in thirds if part)
    p95 = percentile([m for _t, m in pages], 0.95)
    print(f"pages p95 {p95:.0f} ms; by thirds of the run {growth} ms (growth check)")
    return p95


def start_services(database_url: str, redis_url: str, port: int, workers: int):
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PLANNER_REDIS_URL": redis_url,
        "PLANNER_STORAGE": "database",
        "PLANNER_SECRET_KEY": SECRET,
        # Every simulated officer comes from 127.0.0.1; the guards against password guessing
        # would refuse the load generator itself (50 officers log in within seconds), which is
        # not what this bench measures. Real officers log in from their own phones' addresses.
        "PLANNER_LOGIN_RATE_LIMIT": "100000 per minute",
        "PLANNER_LOGIN_RATE_LIMIT_PER_ADDRESS": "100000 per minute",
    }
    log = open(os.devnull, "w")  # noqa: SIM115  (closed with the processes)
    web = subprocess.Popen(  # noqa: S603
        [
            *(str(bin_dir / "gunicorn"), "-w", str(workers), "-k", "gthread", "--threads", "4"),
            *("-b", f"127.0.0.1:{port}", "planner:create_app()"),
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    worker = subprocess.Popen(  # noqa: S603
        [str(bin_dir / "rq"), "worker", "--url", redis_url, "planner-print"],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=1):  # noqa: S310 (loopback)
                break
        except OSError:
            time.sleep(0.2)
    return base, [web, worker], log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="a seeded scratch database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--users", default="10,25,50", help="officers per step, in order")
    parser.add_argument("--seconds", type=float, default=60, help="length of each step")
    parser.add_argument("--think", type=float, default=3.0, help="mean seconds between actions")
    parser.add_argument(
        "--ramp",
        type=float,
        default=0.0,
        help="seconds over which a step's officers arrive (0: all log in at once, the worst case)",
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=20, help="seconds of unmeasured warm-up")
    args = parser.parse_args()
    steps = [int(n) for n in args.users.split(",")]

    officers, supervisor = prepare(args.database_url, max(steps))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base, processes, log = start_services(args.database_url, args.redis_url, port, args.workers)
    try:
        # Each worker parses stylesheets, loads fonts and fills its caches on its first requests:
        # a warm-up the figures leave out, as a server that has been up a while would have had.
        run_step(base, officers, supervisor, min(steps), args.warmup, args.think)
        rps, bare_ms = floor(base, 5)
        print(f"floor  /healthz with 4 clients: {rps:.0f} req/s, median {bare_ms:.1f} ms")
        ceiling = None
        for users in steps:
            samples = run_step(
                base, officers, supervisor, users, args.seconds, args.think, args.ramp
            )
            if report(users, args.seconds, samples) > 1000 and ceiling is None:
                ceiling = users
        print(
            f"\nceiling: p95 of pages crossed 1 s at {ceiling} officers"
            if ceiling
            else f"\nceiling: not reached; p95 of pages stayed under 1 s up to {steps[-1]} officers"
        )
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
