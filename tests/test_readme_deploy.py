"""The README's deploy section, followed literally on a fresh PostgreSQL database.

The commands are read from the README itself (the first ``sh`` block under "Deploying for a
province or the nation"), so the README cannot drift from what works. Only what names the
reader's own machines is replaced: the install directory (this checkout's virtualenv: installing
the wheel is `test_packaging.py`'s story), the database and Redis addresses, the secret, and the
address gunicorn binds. The admin's answers to `create-user` are typed on its prompts. Runs in
CI's PostgreSQL pass (it needs PostgreSQL and Redis).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_DATABASE_URL

README = Path(__file__).resolve().parents[1] / "README.md"
REDIS_URL = "redis://127.0.0.1:6379/12"
ADMIN_PASSWORD = "Ruộng bậc thang mùa lúa chín 2026"

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="the deployment needs PostgreSQL and Redis (CI's PostgreSQL run)",
)


def deploy_commands() -> list[str]:
    """The README's deploy block, one shell command per line (the shell drops the comments)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Deploying for a province or the nation", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the README's deploy section has no sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


@pytest.fixture
def fresh_database():
    """An empty PostgreSQL database next to the test one, dropped afterwards."""
    server = sa.engine.make_url(TEST_DATABASE_URL)
    name = f"planner_readme_{os.getpid()}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _reader_value(name: str, database_url: str) -> str | None:
    """What a reader on this machine puts where the README names their own machines."""
    return {
        "DATABASE_URL": database_url,
        "PLANNER_REDIS_URL": REDIS_URL,
        "PLANNER_SECRET_KEY": secrets.token_hex(32),
    }.get(name)


class Nginx:
    """Requests as nginx forwards them over HTTPS: X-Forwarded-Proto, one cookie jar by hand.

    urllib's cookie jar would not send a Secure cookie over the loopback's plain HTTP, which is
    the point of PLANNER_SESSION_COOKIE_SECURE behind nginx.
    """

    def __init__(self, url: str):
        self.url = url
        self.cookies: dict[str, str] = {}

    def request(self, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.7",
            # A browser sends the page it came from (Referrer-Policy: same-origin); over HTTPS
            # Flask-WTF checks it against the host.
            "Referer": f"https://{urllib.parse.urlsplit(self.url).netloc}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.url + path, data=data, headers=headers)  # noqa: S310
        opener = urllib.request.build_opener(_NoRedirect())
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.read().decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_following_the_readme_gives_a_working_province_deployment(fresh_database, tmp_path):
    from redis import Redis

    Redis.from_url(REDIS_URL).flushdb()
    bin_dir = str(Path(sys.executable).parent)
    port = _free_port()
    env = {
        **os.environ,
        # The reader's server: its own instance folder and the address nginx forwards to.
        "PLANNER_INSTANCE_PATH": str(tmp_path / "instance"),
        "PLANNER_BIND": f"127.0.0.1:{port}",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    for name in ("DATABASE_URL", "PLANNER_REDIS_URL", "PLANNER_SECRET_KEY", "PLANNER_STORAGE"):
        env.pop(name, None)
    background: list[subprocess.Popen] = []
    ran: list[str] = []
    try:
        for line in deploy_commands():
            command = line.replace("/opt/planner/bin/", bin_dir + "/")
            if command.startswith("python3 -m venv /opt/planner"):
                continue  # the install: this checkout's venv stands for /opt/planner
            if command.startswith("export "):
                words = shlex.split(command, comments=True)[1:]
                for word in words:
                    name, _, value = word.partition("=")
                    env[name] = _reader_value(name, fresh_database) or value
                continue
            ran.append(command)
            if " gunicorn " in f" {Path(command.split()[0]).name} " or "/rq worker" in command:
                background.append(
                    subprocess.Popen(
                        ["bash", "-c", command],
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        text=True,
                        start_new_session=True,
                    )
                )
                continue
            answers = "admin\nQuản trị viên tỉnh\n" + f"{ADMIN_PASSWORD}\n" * 2
            done = subprocess.run(
                ["bash", "-c", command],
                env=env,
                input=answers if "create-user" in command else None,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, (command, done.stdout, done.stderr)

        assert any("db upgrade" in c for c in ran) and any("check" in c for c in ran)
        assert len(background) == 2, ran  # gunicorn and the RQ worker
        nginx = Nginx(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while True:
            for process in background:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                status, _ = nginx.request("/readyz")
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server never became ready"
            time.sleep(0.3)

        status, page = nginx.request("/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert status == 200 and token
        status, _ = nginx.request(
            "/login",
            {"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": token.group(1)},
        )
        assert status == 302
        status, page = nginx.request("/")
        assert status == 200, page[:500]
        assert "Quản trị viên tỉnh" in page, page[:3000]

        engine = sa.create_engine(fresh_database.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as connection:
            offices = connection.execute(sa.text("SELECT name FROM office")).scalars().all()
        engine.dispose()
        assert offices == ["Bảo hiểm xã hội tỉnh Lào Cai"]

        # The RQ worker from the README is listening on every queue the app sends jobs to.
        from rq import Worker

        from planner.jobs import QUEUES

        wanted = {queue.rq_name for queue in QUEUES}
        deadline = time.monotonic() + 30
        while not any(
            wanted <= set(w.queue_names()) for w in Worker.all(Redis.from_url(REDIS_URL))
        ):
            assert time.monotonic() < deadline, "the README's worker never registered"
            time.sleep(0.3)
    finally:
        for process in background:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in background:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            if process.stdout:
                process.stdout.close()
