"""Consistent copies of a live database, and putting one back.

SQLite: the online backup API copies the database in one step under a read transaction, so the
copy is the database at one instant even while officers keep writing (WAL mode). PostgreSQL:
pg_dump's snapshot gives the same guarantee; the command runs pg_dump/pg_restore (custom format).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from planner.errors import PlannerError


def backup(database_url: str, destination: Path) -> Path:
    """Write a consistent copy of the database at `database_url` to `destination`.

    Raises PlannerError when the destination exists (a backup never overwrites one) or the
    database's engine has no backup here.
    """
    if destination.exists():
        raise PlannerError(f"{destination} exists already; choose a new file for the backup.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(url), destination)
    elif url.get_backend_name() == "postgresql":
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--file={destination}",
                _libpq(url),
            ]
        )
    else:
        raise PlannerError(f"No backup for {url.get_backend_name()} databases.")
    return destination


def restore(source: Path, database_url: str, replace: bool = False) -> None:
    """Put the backup `source` into the database at `database_url`.

    The target must be empty unless `replace` is given (then it is overwritten whole).
    Raises PlannerError when the backup is missing or unreadable, or the target holds data.
    """
    if not source.is_file():
        raise PlannerError(f"No backup file at {source}.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        target = _sqlite_path(url)
        _check_sqlite_backup(source)
        if not replace and _sqlite_has_tables(target):
            raise PlannerError(
                f"{target} holds data already; restore into an empty database or pass --replace."
            )
        _sqlite_copy(source, target)
    elif url.get_backend_name() == "postgresql":
        args = [_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={_libpq(url)}"]
        if replace:
            args += ["--clean", "--if-exists"]
        _run([*args, str(source)])
    else:
        raise PlannerError(f"No restore for {url.get_backend_name()} databases.")


def _sqlite_path(url) -> Path:
    if not url.database or url.database == ":memory:":
        raise PlannerError("An in-memory SQLite database has nothing to back up.")
    return Path(url.database)


def _sqlite_copy(source: Path, destination: Path) -> None:
    # Read through SQLite, not the file system: a plain copy of a WAL database can miss commits
    # still in the -wal file, or catch a page half-written.
    with (
        sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src,
        sqlite3.connect(destination) as dst,
    ):
        src.backup(dst)
    src.close()
    dst.close()


def _check_sqlite_backup(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as conn:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        conn.close()
    except sqlite3.DatabaseError as error:
        raise PlannerError(f"{source} is not a readable SQLite backup ({error}).") from error
    if ok != "ok":
        raise PlannerError(f"{source} is damaged: {ok}")


def _sqlite_has_tables(path: Path) -> bool:
    if not path.exists():
        return False
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        has_rows = any(
            conn.execute(f'SELECT 1 FROM "{n}" LIMIT 1').fetchone()  # noqa: S608  (names from sqlite_master)
            for n in names
            if n != "alembic_version" and not n.startswith("sqlite_")
        )
    conn.close()
    return has_rows


def _libpq(url) -> str:
    """The URL without SQLAlchemy's driver name, as libpq's tools read it."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise PlannerError(f"{name} is not installed; install the PostgreSQL client tools.")
    return path


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise PlannerError(f"{Path(args[0]).name} failed: {done.stderr.strip()[:500]}")
