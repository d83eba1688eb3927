"""Running the planner: probes, metrics, request ids, the production check, backups, migrations."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from planner import create_app
from planner.accounts.models import Office
from planner.extensions import db
from planner.operations import backup as backups
from planner.operations.checks import production_findings
from planner.places.models import Commune
from tests.conftest import TEST_DATABASE_URL

# --- Probes ---------------------------------------------------------------------------------


def test_healthz_answers_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_names_each_dependency_it_checked(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok"}


@pytest.mark.parametrize("app_config", [{"REDIS_URL": "redis://127.0.0.1:1/0"}])
def test_readyz_is_503_when_the_configured_redis_does_not_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["redis"].startswith("failed")


# --- Metrics and request ids ----------------------------------------------------------------


def test_metrics_count_requests_by_endpoint(officer_client):
    officer_client.get("/")
    body = officer_client.get("/metrics").get_data(as_text=True)
    assert (
        'planner_request_duration_seconds_count{endpoint="sessions.week",method="GET",status="2xx"}'
        in body
    )
    assert "planner_jobs" in body


def test_metrics_time_each_job_by_kind_and_outcome(officer_client, officer, app):
    from planner.printing import jobs
    from planner.printing.models import PrintJob

    job = PrintJob(id="a" * 32, office_id=officer.office_id, user_id=officer.id, kind="packet")
    job.params_json = '{"monday": "not a date"}'
    db.session.add(job)
    db.session.commit()
    jobs.run_job(job.id)
    body = officer_client.get("/metrics").get_data(as_text=True)
    assert 'planner_job_duration_seconds_count{kind="packet",outcome="failed"}' in body


def test_metrics_are_hidden_from_other_addresses(client):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 404


@pytest.mark.parametrize("app_config", [{"METRICS_TOKEN": "s3cret-token"}])
def test_metrics_with_a_token_need_the_token(client):
    assert client.get("/metrics").status_code == 404
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert response.status_code == 200


def test_every_response_carries_a_request_id_and_keeps_a_proxys(client, caplog):
    fresh = client.get("/healthz").headers["X-Request-ID"]
    assert len(fresh) == 32
    assert (
        client.get("/healthz", headers={"X-Request-ID": "nginx-abc12345"}).headers["X-Request-ID"]
        == "nginx-abc12345"
    )
    # Something that could forge a log line is replaced, not echoed.
    forged = client.get("/healthz", headers={"X-Request-ID": "x status=200 user=1"})
    assert forged.headers["X-Request-ID"] != "x status=200 user=1"


def test_one_log_line_per_request_without_the_query_string(client, caplog):
    caplog.set_level("INFO", logger="planner.requests")
    client.get("/login?next=/people/?q=0912345678")
    lines = [r.getMessage() for r in caplog.records if r.name == "planner.requests"]
    assert len(lines) == 1
    assert "path=/login " in lines[0] and "status=200" in lines[0]
    assert "0912345678" not in lines[0]


def test_a_request_is_logged_with_the_users_id_never_their_session_token(
    officer_client, officer, caplog
):
    caplog.set_level("INFO", logger="planner.requests")
    officer_client.get("/people")
    lines = [r.getMessage() for r in caplog.records if r.name == "planner.requests"]
    assert lines and lines[-1].endswith(f"user={officer.id}")
    assert officer.session_token not in "".join(lines)


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(client):
    outside = {"X-Forwarded-For": "203.0.113.9"}
    assert client.get("/metrics", headers=outside).status_code == 404
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


# --- The production check -------------------------------------------------------------------


def _production_app(tmp_path, **config):
    settings = {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://planner@db.invalid/planner",
        "SECRET_KEY": "x" * 64,
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        **config,
    }
    return create_app(settings)


def test_a_safe_production_setup_passes_the_check(tmp_path):
    assert production_findings(_production_app(tmp_path), workers=4) == []


@pytest.mark.parametrize(
    ("config", "workers", "code"),
    [
        ({"DEBUG": True}, 1, "debug"),
        ({"SECRET_KEY": None}, 1, "secret-key"),
        ({"SESSION_COOKIE_SECURE": False}, 1, "insecure-cookie"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}, 4, "sqlite-workers"),
        ({"REDIS_URL": None}, 4, "no-redis"),
    ],
)
def test_unsafe_production_settings_are_refused(tmp_path, config, workers, code):
    findings = production_findings(_production_app(tmp_path, **config), workers=workers)
    assert code in [f.code for f in findings]


def test_check_command_exits_1_and_says_what_to_change(runner):
    result = runner.invoke(args=["check", "--workers", "4"])
    assert result.exit_code == 1
    assert "PLANNER_SESSION_COOKIE_SECURE" in result.output


def _gunicorn(tmp_path, env: dict, *args: str) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen(
        [
            str(gunicorn),
            "-c",
            "python:planner.operations.gunicorn_conf",
            *args,
            "planner:create_app()",
        ],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_the_deploy_configuration_refuses_to_start_with_unsafe_settings(tmp_path):
    server = _gunicorn(
        tmp_path,
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "WEB_CONCURRENCY": "2"},
        "--bind",
        "127.0.0.1:0",
    )
    output, _ = server.communicate(timeout=60)
    assert server.returncode != 0
    assert "refusing to start [sqlite-workers]" in output
    assert "refusing to start [secret-key]" in output


# --- Backups --------------------------------------------------------------------------------


def _migrated_sqlite(path: Path) -> str:
    url = f"sqlite:///{path}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    return url


def _tables(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    names = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        if not r[0].startswith("sqlite_")
    ]
    return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall()) for n in names}  # noqa: S608


def _keep_writing(url: str, stop: threading.Event, written: list[int], failed: list) -> None:
    """Officers at work: one office and its commune per transaction, until told to stop."""
    engine = sa.create_engine(url)
    try:
        while not stop.is_set():
            with engine.begin() as conn:
                office = conn.execute(
                    Office.__table__.insert().values(
                        name=f"Văn phòng {uuid.uuid4().hex[:8]}", province="Lào Cai"
                    )
                ).inserted_primary_key[0]
                conn.execute(Commune.__table__.insert().values(office_id=office, name="Bắc Hà"))
            written.append(office)
    except Exception as error:  # the test waits on this thread: it must hear of a failure
        failed.append(error)
    finally:
        engine.dispose()


def _wait_for(written: list, failed: list, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(written) < count:
        assert not failed, failed
        assert time.monotonic() < deadline, "the writer stalled"
        time.sleep(0.01)


def test_a_backup_taken_while_officers_write_is_consistent_and_restores_whole(tmp_path):
    source = tmp_path / "live.db"
    url = _migrated_sqlite(source)
    stop, written, failed = threading.Event(), [], []
    writer = threading.Thread(target=_keep_writing, args=(url, stop, written, failed))
    writer.start()
    try:
        _wait_for(written, failed, 20)
        backups.backup(url, tmp_path / "during.db")
        assert len(written) >= 20
    finally:
        stop.set()
        writer.join()
    assert not failed, failed
    with sqlite3.connect(tmp_path / "during.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
        offices = copy.execute("SELECT count(*) FROM office").fetchone()[0]
        communes = copy.execute("SELECT count(*) FROM commune").fetchone()[0]
    assert offices == communes  # never an office without the commune of its transaction
    assert 20 <= offices <= len(written)

    # Once writes stop, a backup restored into an empty database equals the live one, table by
    # table.
    backups.backup(url, tmp_path / "after.db")
    restored = tmp_path / "restored.db"
    backups.restore(tmp_path / "after.db", f"sqlite:///{restored}")
    with sqlite3.connect(source) as live, sqlite3.connect(restored) as back:
        assert _tables(back) == _tables(live)
        assert len(_tables(back)["office"]) == len(written)


def test_restore_refuses_a_database_holding_data_and_a_file_that_is_no_backup(tmp_path):
    url = _migrated_sqlite(tmp_path / "live.db")
    backups.backup(url, tmp_path / "copy.db")
    with sqlite3.connect(tmp_path / "live.db") as conn:
        conn.execute(
            "INSERT INTO office (name, province, address, phone, contact_link) "
            "VALUES ('A', 'B', '', '', '')"
        )
    with pytest.raises(backups.PlannerError, match="holds data"):
        backups.restore(tmp_path / "copy.db", url)
    (tmp_path / "notes.txt").write_text("not a database")
    with pytest.raises(backups.PlannerError, match="not a readable SQLite backup"):
        backups.restore(tmp_path / "notes.txt", f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(backups.PlannerError, match="exists already"):
        backups.backup(url, tmp_path / "copy.db")


def test_backup_and_restore_commands(runner, tmp_path, app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the PostgreSQL round trip is tested below")
    result = runner.invoke(args=["backup", str(tmp_path / "b.db")])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["backup", str(tmp_path / "b.db")])
    assert again.exit_code == 1 and "exists already" in again.output


@pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"), reason="needs the PostgreSQL run"
)
def test_a_postgresql_backup_taken_while_writing_restores_into_an_empty_database(tmp_path):
    server = TEST_DATABASE_URL.rsplit("/", 1)[0]
    names = [f"planner_bk_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    live_url, empty_url = (f"{server}/{n}" for n in names)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": live_url, "TESTING": True, "SECRET_KEY": "t"})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            db.engine.dispose()
        live = sa.create_engine(live_url)
        stop, written, failed = threading.Event(), [], []
        writer = threading.Thread(target=_keep_writing, args=(live_url, stop, written, failed))
        writer.start()
        try:
            _wait_for(written, failed, 20)
            backups.backup(live_url, tmp_path / "pg.dump")
        finally:
            stop.set()
            writer.join()
        assert not failed, failed
        backups.restore(tmp_path / "pg.dump", empty_url)
        restored = sa.create_engine(empty_url)
        with restored.connect() as conn:
            offices = conn.execute(sa.text("SELECT count(*) FROM office")).scalar_one()
            communes = conn.execute(sa.text("SELECT count(*) FROM commune")).scalar_one()
            tables = set(sa.inspect(conn).get_table_names())
        assert offices == communes and offices > 0
        assert tables == set(sa.inspect(live).get_table_names())
        live.dispose()
        restored.dispose()
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- Migrations run both ways ---------------------------------------------------------------


def _fresh_database_url(tmp_path) -> tuple[str, callable]:
    if (TEST_DATABASE_URL or "").startswith("postgresql"):
        server = TEST_DATABASE_URL.rsplit("/", 1)[0]
        name = f"planner_mig_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

        def drop():
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        return f"{server}/{name}", drop
    return f"sqlite:///{tmp_path / 'migrations.db'}", lambda: None


def test_migrations_run_down_to_empty_and_up_again(tmp_path):
    url, drop = _fresh_database_url(tmp_path)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "t"})
        directory = app.extensions["migrate"].directory
        with app.app_context():
            upgrade(directory=directory)
            at_head = set(sa.inspect(db.engine).get_table_names())
            downgrade(directory=directory, revision="base")
            assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade(directory=directory)
            assert set(sa.inspect(db.engine).get_table_names()) == at_head
            db.engine.dispose()
    finally:
        drop()
