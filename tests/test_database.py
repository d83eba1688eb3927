"""The schema moves only by migrations, and SQLite is set up for several officers at once."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from planner import create_app, instance_secret_key, normalise_database_url
from planner.extensions import db


def test_the_migrations_build_exactly_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}", "SECRET_KEY": "x"}
    )
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_postgres_urls_get_the_psycopg_driver():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_a_secret_key_is_made_once_and_kept_private(tmp_path):
    first = instance_secret_key(tmp_path)
    assert len(first) == 64
    assert instance_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_times_come_back_aware_in_utc(app, officer, places):
    from datetime import date

    from planner.sessions.models import OutreachSession
    from tests import factories

    factories.session(officer, places.commune, day=date(2026, 12, 2))
    db.session.commit()
    db.session.expire_all()
    session = db.session.scalar(sa.select(OutreachSession))
    assert session.starts_at.tzinfo is not None
    assert session.starts_at.utcoffset().total_seconds() == 0
    assert session.starts_at.hour == 12  # 19:00 in Hà Nội


def test_postgresql_lets_a_results_grouping_sort_in_memory(app):
    """A year of a province's reach sorts ~80,000 rows; at PostgreSQL's default work_mem
    (4MB) that spilled to disk (an external merge in the plan)."""
    import pytest

    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW work_mem").scalar() == "32MB"
        assert connection.exec_driver_sql("SHOW jit").scalar() == "off"


def test_a_work_mem_setting_that_is_not_a_size_is_refused_at_start(tmp_path):
    import pytest

    for bad in ("32MB'; DROP TABLE person; --", "lots", ""):
        with pytest.raises(ValueError, match="POSTGRES_WORK_MEM"):
            create_app(
                {
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.db'}",
                    "SECRET_KEY": "x",
                    "POSTGRES_WORK_MEM": bad,
                }
            )
