"""A province's deployment: two app servers and one print worker, no disk in common.

Each server and the worker is its own process with its own instance folder, all on the same
PostgreSQL and Redis, as behind nginx. Runs in CI's PostgreSQL pass (needs Redis too).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from pathlib import Path

import pytest

from planner.calendars.services import create_feed
from planner.extensions import db
from planner.printing import talking_points
from planner.sessions.days import monday_of
from planner.timezones import today_local
from tests import factories
from tests.conftest import TEST_DATABASE_URL

REDIS_URL = "redis://127.0.0.1:6379/13"
pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="several servers share PostgreSQL and Redis (CI's PostgreSQL run)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


@pytest.fixture(scope="module")
def servers(tmp_path_factory, database_url):
    """Started once for the module: two app servers and a worker (a few seconds each)."""
    tmp_path = tmp_path_factory.mktemp("deployment")
    bin_dir = Path(sys.executable).parent
    common = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PLANNER_REDIS_URL": REDIS_URL,
        "PLANNER_STORAGE": "database",
        "PLANNER_SECRET_KEY": "one-key-for-every-server-" + "x" * 40,
        "PLANNER_LOGIN_RATE_LIMIT": "3 per minute",
        "PLANNER_PREPARE_FLYERS": "false",
    }
    processes, urls = [], []
    try:
        for name in ("a", "b"):
            port = _free_port()
            server = subprocess.Popen(
                [
                    str(bin_dir / "gunicorn"),
                    "-w",
                    "1",
                    "-b",
                    f"127.0.0.1:{port}",
                    "planner:create_app()",
                ],
                env={**common, "PLANNER_INSTANCE_PATH": str(tmp_path / name)},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            processes.append(server)
            urls.append(f"http://127.0.0.1:{port}")
        worker = subprocess.Popen(
            [str(bin_dir / "rq"), "worker", "--url", REDIS_URL, "planner-print"],
            env={**common, "PLANNER_INSTANCE_PATH": str(tmp_path / "worker")},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(worker)
        for url, process in zip(urls, processes, strict=False):
            _wait_until_up(url, process)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message
    body: bytes


@pytest.fixture
def deployment(servers, app):
    """The servers, with the tables emptied (by `app`) and no counts left in Redis."""
    from redis import Redis

    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    redis.close()
    return servers


class Browser:
    """An officer's browser: one cookie jar, pointed at whichever server nginx picks."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def get(self, url: str, headers: dict | None = None):
        return self._open(urllib.request.Request(url, headers=headers or {}))  # noqa: S310

    def post(self, url: str, form: dict):
        body = urllib.parse.urlencode(form).encode()
        return self._open(urllib.request.Request(url, data=body, method="POST"))  # noqa: S310

    def _open(self, request) -> Answer:
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            return Answer(response.status, response.headers, response.read())

    def csrf(self, url: str) -> str:
        response = self.get(url)
        page = response.body.decode()
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert found, (response.status, page[:2000])
        return found.group(1)

    def login(self, server: str, username: str, password: str):
        token = self.csrf(f"{server}/login")
        return self.post(
            f"{server}/login", {"username": username, "password": password, "csrf_token": token}
        )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_packet_asked_of_one_server_is_printed_by_the_worker_and_fetched_from_the_other(
    deployment, officer, places
):
    first, second = deployment
    factories.rates()
    talking_points.seed_talking_points()
    monday = monday_of(today_local() + timedelta(days=7))
    factories.session(officer, places.commune, day=monday + timedelta(days=2))
    db.session.commit()

    browser = Browser()
    assert browser.login(first, officer.username, factories.PASSWORD).status == 302
    token = browser.csrf(f"{first}/?week={monday.isoformat()}")
    asked = browser.post(
        f"{first}/printing/packet",
        {"week": monday.isoformat(), "scope": "me", "commune": "", "csrf_token": token},
    )
    assert asked.status == 302
    job_url = asked.headers["Location"]
    job_path = urllib.parse.urlsplit(job_url).path

    deadline, state = time.monotonic() + 120, {}
    while time.monotonic() < deadline:
        state = json.loads(browser.get(f"{second}{job_path}.json").body)
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
    assert state["status"] == "done", state
    download = browser.get(f"{second}{urllib.parse.urlsplit(state['download_url']).path}")
    assert download.status == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.body.startswith(b"%PDF")


def test_login_attempts_count_across_servers(deployment, officer):
    first, second = deployment
    attempts = [
        Browser().login(server, officer.username, "not-the-password").status
        for server in (first, second, first, second)
    ]
    assert attempts[:3] == [200, 200, 200]
    assert attempts[3] == 429


def test_a_feed_has_the_same_etag_from_every_server(deployment, officer, places):
    first, second = deployment
    factories.session(officer, places.commune, day=today_local() + timedelta(days=2))
    _feed, token = create_feed(officer, "officer")
    db.session.commit()
    from_first = Browser().get(f"{first}/calendars/feed/{token}.ics")
    from_second = Browser().get(f"{second}/calendars/feed/{token}.ics")
    assert from_first.status == from_second.status == 200
    assert from_first.headers["ETag"] == from_second.headers["ETag"]
    unchanged = Browser().get(
        f"{second}/calendars/feed/{token}.ics", {"If-None-Match": from_first.headers["ETag"]}
    )
    assert unchanged.status == 304
