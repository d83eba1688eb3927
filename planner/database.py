"""Engine settings that make SQLite safe for several officers at once, and planner statistics."""

import contextlib
import re
import sqlite3

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from planner.collation import register_sqlite_collation

WORK_MEM = re.compile(r"[0-9]{1,7}(kB|MB|GB)")


def configure_engine(engine: Engine, postgres_work_mem: str = "32MB") -> None:
    """Turn on foreign keys, WAL and a busy timeout for every SQLite connection. On PostgreSQL,
    turn off JIT compilation, which spends ~100 ms compiling a results count (its cost estimate
    passes jit_above_cost) that runs in less without it, and let each sort or hash use
    `postgres_work_mem` (config POSTGRES_WORK_MEM, e.g. "32MB"; ValueError if not a size)."""
    # Checked on every engine, so a bad setting fails on the laptop before the province's server.
    if not WORK_MEM.fullmatch(postgres_work_mem):
        raise ValueError(f"POSTGRES_WORK_MEM must be a size such as 32MB: {postgres_work_mem}")
    if engine.dialect.name == "postgresql":

        @sa.event.listens_for(engine, "connect")
        def _postgresql_settings(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("SET jit = off")
            cursor.execute(f"SET work_mem = '{postgres_work_mem}'")  # checked above
            cursor.close()
            dbapi_connection.commit()

        return
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        # Names listed in Vietnamese alphabetical order (`planner.collation.vi_order`).
        register_sqlite_collation(dbapi_connection)

    @sa.event.listens_for(engine, "close")
    def _sqlite_optimize(dbapi_connection, _record):
        # SQLite's advice: before a connection closes, let it re-analyze the tables whose
        # statistics its queries missed, so the planner keeps choosing the office indexes.
        with contextlib.suppress(sqlite3.Error):  # a closing connection closes regardless
            dbapi_connection.execute("PRAGMA optimize")


def refresh_statistics(engine: Engine) -> None:
    """ANALYZE the database: without statistics SQLite treats `office_id` indexes as useless
    (one office per file) and sorts whole tables; run after migrations and bulk loads."""
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))
