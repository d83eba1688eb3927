"""Fixtures: an app on a migrated database (SQLite, or PostgreSQL when asked), clients and data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from jinja2 import BytecodeCache

from planner import create_app
from planner.extensions import db
from planner.timezones import today_local
from tests import factories

# CI sets this to a throwaway PostgreSQL database; by default the suite runs on SQLite.
TEST_DATABASE_URL = os.environ.get("PLANNER_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """One database for the whole run, built by the migrations (never by create_all)."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'planner-test.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    return url


def _empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


class SharedTemplateCache(BytecodeCache):
    """Compiled templates shared by the many apps the suite creates (one per test)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = SharedTemplateCache()


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context (its own `g` and db session), as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change settings (CSRF is on only where a test asks)."""
    return {}


@pytest.fixture
def app(database_url, app_config, tmp_path):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "planner.test",
        "PLANNER_CACHE_DIR": str(tmp_path / "cache"),
        # Rendering flyers ahead after each change is tested on its own (test_printing_jobs).
        "PLANNER_PREPARE_FLYERS": False,
        # One round instead of scrypt's cost: the suite hashes a password for every user it
        # makes and every login (test_accounts checks the real default).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        **app_config,
    }
    app = create_app(config)
    app.test_client_class = FreshContextClient
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    with app.app_context():
        _empty_all_tables()
        yield app
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def office(app):
    office = factories.office()
    db.session.commit()
    return office


@pytest.fixture
def officer(office):
    user = factories.user(office, username="mai", full_name="Lý Thị Mai")
    db.session.commit()
    return user


@pytest.fixture
def supervisor(office):
    user = factories.user(office, username="hoa", full_name="Nguyễn Thị Hoa", role="supervisor")
    db.session.commit()
    return user


@pytest.fixture
def admin(office):
    user = factories.user(office, username="admin", full_name="Phạm Quốc Hùng", role="admin")
    db.session.commit()
    return user


def login(client, user, password: str = factories.PASSWORD):
    response = client.post("/login", data={"username": user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def officer_client(client, officer):
    """A client logged in as an officer (Vietnamese, the default language)."""
    return login(client, officer)


@pytest.fixture
def supervisor_client(client, supervisor):
    return login(client, supervisor)


@pytest.fixture
def admin_client(client, admin):
    return login(client, admin)


@pytest.fixture
def places(office):
    """A commune with a village, a Sunday market, a cultural house and a partner."""
    data = factories.places(office)
    db.session.commit()
    return data


class QueryCounter:
    """Counts the SQL statements the app runs, for tests that a page's queries stay fixed as its
    rows grow: `few = count_queries.page(client, url)`, add rows, `== few` again."""

    @contextmanager
    def __call__(self) -> Iterator[list[str]]:
        """`with count_queries() as statements:` collects the statements run inside."""
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)

    def page(self, client: FlaskClient, url: str) -> int:
        """How many statements one GET of `url` runs; the page must answer 200."""
        with self() as statements:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(statements)


@pytest.fixture
def count_queries(app) -> QueryCounter:
    return QueryCounter()


@pytest.fixture
def held(officer, places):
    """A village meeting held yesterday at the cultural house of Na Hối, led by the officer."""
    session = factories.session(
        officer, places.commune, day=today_local() - timedelta(days=1), venue=places.house
    )
    db.session.commit()
    return session


@pytest.fixture
def rates(app):
    """The national contribution rates and state support in force."""
    factories.rates()
    db.session.commit()


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]


def pytest_collection_modifyitems(config, items):
    root = Path(__file__).parent
    for item in items:
        if (root / "browser") in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
