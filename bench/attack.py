"""A bounded attack run against gunicorn on 127.0.0.1: odd input on every URL rule and form,
redirect tricks, cross-office reads and writes, and races (two officers closing one follow-up,
two stale edits of one person, two prints of one new sheet). Prints the figures, not a verdict.

Run: .venv/bin/python bench/attack.py [--requests 3000] [--seconds 240] [--races 20]
     [--database postgresql+psycopg://postgres@127.0.0.1:5432/planner_attack]   (empty; SQLite
     in a temporary folder by default)
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NASTY = [
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "＝1+1",
    "<script>alert(1)</script>",
    "'; DROP TABLE person; --",
    "\u202e",
    "x" * 5000,
    "__unknown_choice__",
]
PATH_INTS = ["1", "2", "3", "0", "2147483647", "2147483648", "9223372036854775808", "1" * 20]
QUERY_NAMES = [
    "week", "day", "from", "to", "on", "person", "page", "first", "second", "commune", "user",
    "follow_up", "product", "scope", "q", "key", "next", "entity", "mask", "lang", "income",
    "members", "months",
]  # fmt: skip
REDIRECT_TRICKS = [
    "////evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example",
    "https://evil.example", "https:evil.example", "/\t/evil.example", "%2F%2Fevil.example",
    "/%5Cevil.example", "/%09/evil.example", "/%252F%252Fevil.example", "javascript:alert(1)",
]  # fmt: skip


class Budget:
    def __init__(self, requests: int, seconds: float):
        self.left = requests
        self.deadline = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.tried = 0
        self.server_errors: list[str] = []

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() > self.deadline:
                return False
            self.left -= 1
            self.tried += 1
            return True


class Browser:
    """One person's cookies over plain http.client; never follows redirects."""

    def __init__(self, port: int, budget: Budget):
        self.port, self.budget, self.cookies, self.token = port, budget, {}, ""

    def send(self, method: str, path: str, data: dict | None = None, count: bool = True):
        if count and not self.budget.take():
            raise TimeoutError("budget spent")
        body = urlencode(data or {}, doseq=True).encode() if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["expires"] and "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.status >= 500:
            self.budget.server_errors.append(f"{response.status} {method} {path[:120]}")
        return response.status, response.headers, text

    def refresh_token(self, path: str = "/") -> None:
        _status, _headers, text = self.send("GET", path, count=False)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text)
        if match:
            self.token = match.group(1)

    def login(self, username: str, password: str) -> Browser:
        self.refresh_token("/login")
        status, _h, _t = self.send(
            "POST",
            "/login",
            {"username": username, "password": password, "csrf_token": self.token},
            count=False,
        )
        assert status == 302, f"login {username}: {status}"
        self.refresh_token("/")
        return self

    def post(self, path: str, data: dict, count: bool = True):
        return self.send("POST", path, {**data, "csrf_token": self.token}, count=count)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(database_url: str) -> dict:
    """Migrate, load the demo offices and a second office's admin, and give office A follow-ups;
    returns the ids the attack uses."""
    from flask_migrate import upgrade

    from planner import create_app
    from planner.accounts.models import Office, User
    from planner.accounts.services import create_user
    from planner.demo import load_demo_data
    from planner.enums import Role
    from planner.extensions import db
    from planner.followups.models import FollowUp, FollowUpStatus
    from planner.people.models import Attendance, Person
    from planner.people.signals import attendance_recorded
    from planner.rates.services import seed_national_rates
    from planner.sessions.models import OutreachSession
    from planner.timezones import now_utc

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "attack"})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed_national_rates()
        lao_cai = load_demo_data()
        db.session.flush()
        other = db.session.scalar(db.select(Office).where(Office.id != lao_cai.id))
        create_user(other, "admin-b", "Quản trị B", "bình minh trên núi Pú Ta Leng", Role.ADMIN)
        create_user(other, "officer-b", "Cán bộ B", "bình minh trên núi Pú Ta Leng")
        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        sessions = db.session.scalars(
            db.select(OutreachSession).where(OutreachSession.office_id == lao_cai.id)
        ).all()
        people = []
        for n in range(40):
            person = Person(
                office_id=lao_cai.id,
                full_name=f"Người thử {n}",
                birth_year=1980 + n % 20,
                consent_contact=True,
                consent_recorded_at=now_utc(),
            )
            db.session.add(person)
            db.session.flush()
            attendance = Attendance(
                office_id=lao_cai.id,
                session_id=sessions[n % len(sessions)].id,
                person_id=person.id,
                interested_voluntary_si=True,
                confirmed=True,
            )
            db.session.add(attendance)
            db.session.flush()
            attendance_recorded.send(attendance, user=None)
            people.append(person.id)
        db.session.commit()
        ids = {
            "office_a": lao_cai.id,
            "admin_a": admin.id,
            "sessions": [s.id for s in sessions],
            "people": people,
            # Open ones: closing a closed follow-up is refused to both, which is right.
            "follow_ups": db.session.scalars(
                db.select(FollowUp.id).where(
                    FollowUp.office_id == lao_cai.id, FollowUp.status == FollowUpStatus.OPEN
                )
            ).all(),
            "attendance": db.session.scalars(
                db.select(Attendance.id).where(Attendance.office_id == lao_cai.id)
            ).all(),
        }
        ids["rules"] = [
            (rule.rule, sorted(rule.methods & {"GET", "POST"}), list(rule.arguments))
            for rule in app.url_map.iter_rules()
            if rule.endpoint not in ("static", "accounts.logout")
        ]
        db.engine.dispose()
    return ids


def fill(rule: str, arguments: list[str], value) -> str:
    path = rule
    for name in arguments:
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value(name)), path)
    return path


def odd_input(browser: Browser, ids: dict, rng: random.Random, rounds: int) -> None:
    """Every rule with odd path ints, odd query values and odd form values."""
    fields = [
        "full_name", "title", "notes", "name", "day", "due_on", "income", "members",
        "receipt_number", "version", "base", "kind", "status", "village_id", "value",
        "valid_from", "key", "source", "phone", "cccd", "birth_year", "reason", "q",
        "expected_attendance", "count", "until", "lead_officer_id", "week", "scope",
    ]  # fmt: skip
    for _round in range(rounds):
        for rule, methods, arguments in ids["rules"]:

            def value(name):
                if name in ("fmt",):
                    return rng.choice(["csv", "xlsx", "pdf", "x"])
                if name in ("code",):
                    return rng.choice(["vi", "en", "xx"])
                if "token" in name or name == "job_id" or name == "filename":
                    return rng.choice(["x", "a" * 40, "%00"])
                return rng.choice(PATH_INTS)

            path = fill(rule, arguments, value)
            query = {n: rng.choice(NASTY) for n in rng.sample(QUERY_NAMES, 3)}
            method = rng.choice(methods)
            target = f"{path}?{urlencode(query)}"
            if method == "GET":
                browser.send("GET", target)
            else:
                data = {n: rng.choice(NASTY) for n in rng.sample(fields, 8)}
                browser.post(target, data)


def redirects(browser: Browser) -> int:
    """Redirect tricks on the language switch; how many led off the site."""
    off_site = 0
    for trick in REDIRECT_TRICKS:
        _s, headers, _t = browser.send("GET", f"/language/vi?{urlencode({'next': trick})}")
        location = headers.get("Location", "")
        parts = urlsplit(location)
        if parts.netloc or location.startswith("//") or "\\" in location:
            off_site += 1
    return off_site


def cross_office(browser_b: Browser, ids: dict) -> tuple[int, int]:
    """Office B's admin asks for office A's records; (tries, answers that were not refused)."""
    tried = leaked = 0
    for session_id in ids["sessions"][:10]:
        for path in (f"/sessions/{session_id}", f"/sessions/{session_id}/edit",
                     f"/printing/sessions/{session_id}/sheet.pdf"):  # fmt: skip
            status, _h, _t = browser_b.send("GET", path)
            tried += 1
            leaked += status == 200
    for person_id in ids["people"][:10]:
        status, _h, _t = browser_b.send("GET", f"/people/{person_id}")
        tried += 1
        leaked += status == 200
        status, _h, _t = browser_b.post(f"/people/{person_id}/edit", {"full_name": "Đổi tên"})
        tried += 1
        leaked += status in (200, 302)
    for follow_up_id in ids["follow_ups"][:10]:
        status, _h, _t = browser_b.post(
            f"/follow-ups/{follow_up_id}/cancel", {"reason": "không liên quan"}
        )
        tried += 1
        leaked += status in (200, 302)
    return tried, leaked


def at_once(*calls):
    """Start the calls together in threads; return their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    return results


def races(admin: Browser, supervisor: Browser, ids: dict, count: int, database_url: str) -> dict:
    tried = lost = 0
    seen: dict[str, list] = {"closing": [], "stale_edit": [], "sheet": []}
    # Two officers closing one follow-up at once: "reached" and "declined".
    for follow_up_id in ids["follow_ups"][:count]:
        prefix = f"fu{follow_up_id}-"
        results = at_once(
            lambda f=follow_up_id, p=prefix: admin.post(
                f"/follow-ups/{f}/outcome", {p + "kind": "reached", p + "channel": "call"}
            ),
            lambda f=follow_up_id, p=prefix: supervisor.post(
                f"/follow-ups/{f}/outcome",
                {p + "kind": "declined", p + "channel": "call", p + "reason": "Không có tiền"},
            ),
        )
        tried += 1
        won = [r for r in results if isinstance(r, tuple) and r[0] == 302]
        lost += len(won) != 1
        seen["closing"].append([r[0] if isinstance(r, tuple) else repr(r) for r in results])
    # Two stale edits of one person: the second must be told, not overwrite the first.
    for person_id in ids["people"][: count // 2]:
        url = f"/people/{person_id}/edit"
        forms = []
        for browser in (admin, supervisor):
            _s, _h, page = browser.send("GET", url)
            values = dict(re.findall(r'name="([a-z_]+)" type="hidden" value="([^"]*)"', page))
            name = re.search(r'id="full_name" [^>]*value="([^"]*)"', page)
            forms.append(
                {
                    "version": values.get("version", ""),
                    "base": html.unescape(values.get("base", "")),
                    "full_name": html.unescape(name.group(1)) if name else "x",
                    "consent_contact": "y",
                    "priority_group": "other",
                    "village_id": "0",
                }
            )
        first = admin.post(url, {**forms[0], "full_name": forms[0]["full_name"] + " A"})
        second = supervisor.post(url, {**forms[1], "full_name": forms[1]["full_name"] + " B"})
        tried += 1
        lost += first[0] == 302 and second[0] == 302
        seen["stale_edit"].append([first[0], second[0]])
    # Two people printing the same new sheet at once.
    for session_id in ids["sessions"][: max(1, count // 4)]:
        results = at_once(
            lambda s=session_id: admin.send("GET", f"/printing/sessions/{s}/sheet.pdf"),
            lambda s=session_id: supervisor.send("GET", f"/printing/sessions/{s}/sheet.pdf"),
        )
        tried += 1
        lost += any(not isinstance(r, tuple) or r[0] >= 500 for r in results)
        seen["sheet"].append([r[0] if isinstance(r, tuple) else repr(r) for r in results])
    return {
        "races": tried,
        "lost": lost,
        "closes_checked": _closing_outcomes(ids, database_url),
        "race_statuses": seen,
    }


def _closing_outcomes(ids: dict, database_url: str) -> int:
    """Follow-ups closed by more than one outcome (data doubled) after the races."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        doubled = connection.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT follow_up_id FROM follow_up_outcome "
                "WHERE kind IN ('reached', 'declined', 'REACHED', 'DECLINED') "
                "GROUP BY follow_up_id HAVING count(*) > 1) AS doubled"
            )
        ).scalar()
    engine.dispose()
    return doubled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=240)
    parser.add_argument("--races", type=int, default=20)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    rng = random.Random(15)
    with tempfile.TemporaryDirectory() as tmp:
        database_url = args.database or f"sqlite:///{tmp}/attack.db"
        ids = prepare(database_url)
        port = free_port()
        # The server's own log, so a 5xx seen here can be traced to its exception.
        server_log = open(f"{tmp}/server.log", "w+")  # noqa: SIM115 (closed below)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "PLANNER_SECRET_KEY": "attack-secret",
            "PLANNER_PREPARE_FLYERS": "false",
            "PLANNER_CACHE_DIR": f"{tmp}/cache",
            "PLANNER_LOGIN_RATE_LIMIT_PER_ADDRESS": "1000 per minute",
        }
        server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [str(ROOT / ".venv/bin/gunicorn"), "--workers", "1", "--threads", "8",
             "--bind", f"127.0.0.1:{port}", "--timeout", "120", "planner:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=server_log,
        )  # fmt: skip
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            budget = Budget(args.requests, args.seconds)
            started = time.monotonic()
            admin = Browser(port, budget).login("admin", "demo12345")
            supervisor = Browser(port, budget).login("hoa", "demo12345")
            admin_b = Browser(port, budget).login("admin-b", "bình minh trên núi Pú Ta Leng")
            figures: dict = {}
            try:
                figures["open_redirects"] = redirects(admin)
                figures["cross_office_tries"], figures["cross_office_leaks"] = cross_office(
                    admin_b, ids
                )
                figures.update(races(admin, supervisor, ids, args.races, database_url))
                odd_input(admin, ids, rng, rounds=50)
            except TimeoutError:
                pass
            figures.update(
                requests=budget.tried,
                server_errors=len(budget.server_errors),
                seconds=round(time.monotonic() - started, 1),
            )
            print(json.dumps(figures, indent=2))
            for line in budget.server_errors[:20]:
                print("5xx:", line)
        finally:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            server_log.seek(0)
            traces = [line for line in server_log if "Error" in line or "Traceback" in line]
            server_log.close()
            for line in traces[:40]:
                print("server:", line.rstrip())


if __name__ == "__main__":
    main()
