"""Engine settings that make SQLite safe for several officers at once."""

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def configure_engine(engine: Engine) -> None:
    """Turn on foreign keys, WAL and a busy timeout for every SQLite connection."""
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
