"""Where files that outlive a request are kept, so that any server can read what another wrote.

One small interface, `Store`, with two places behind it:
- `DirectoryStore`: a folder (default `instance/cache`); the embedded default, one machine.
- `DatabaseStore`: rows of the `stored_file` table, in the database every server already shares;
  for several app servers and RQ workers without a shared disk (`PLANNER_STORAGE=database`).
Keys are namespaced (`pdf/…`, `uploads/…`); a value is bytes, written whole or not at all.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from planner.extensions import Model, db
from planner.timezones import UTCDateTime, now_utc

# Keys become paths in a DirectoryStore: letters, digits and a few separators, no "..".
KEY = re.compile(r"^[a-z0-9_-]+(/[A-Za-z0-9_.-]+)+$")


class StoredFile(Model):
    """One stored file of a DatabaseStore."""

    __tablename__ = "stored_file"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)


class Store(Protocol):
    """What the app asks of a store."""

    def get(self, key: str) -> bytes | None:
        """The bytes stored under `key`, or None."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, replacing what was there; readers never see half of it."""

    def exists(self, key: str) -> bool:
        """Whether something is stored under `key`."""

    def delete(self, key: str) -> None:
        """Forget `key` (nothing happens when it is not there)."""


def check_key(key: str) -> str:
    """`key` when it is a valid store key; ValueError otherwise (keys never come from users)."""
    if not KEY.match(key) or ".." in key:
        raise ValueError(f"not a store key: {key!r}")
    return key


class DirectoryStore:
    """Files under one folder, written beside their place and renamed into it."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        namespace, _, name = check_key(key).partition("/")
        # Two letters of fan-out keep folders small when names are hashes.
        return self.root / namespace / name[:2] / name

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class DatabaseStore:
    """Rows of `stored_file`, written in their own short transaction (not the request's)."""

    def _engine(self) -> sa.Engine:
        return db.engine

    def get(self, key: str) -> bytes | None:
        with self._engine().connect() as conn:
            return conn.scalar(sa.select(StoredFile.data).where(StoredFile.key == check_key(key)))

    def put(self, key: str, data: bytes) -> None:
        row = {"key": check_key(key), "data": data, "size": len(data), "created_at": now_utc()}
        with self._engine().begin() as conn:
            # Two servers rendering the same content write the same bytes: last one wins.
            conn.execute(sa.delete(StoredFile).where(StoredFile.key == key))
            conn.execute(sa.insert(StoredFile).values(**row))

    def exists(self, key: str) -> bool:
        with self._engine().connect() as conn:
            found = conn.scalar(sa.select(StoredFile.key).where(StoredFile.key == check_key(key)))
        return found is not None

    def delete(self, key: str) -> None:
        with self._engine().begin() as conn:
            conn.execute(sa.delete(StoredFile).where(StoredFile.key == check_key(key)))


def store() -> Store:
    """The store this app is configured with (PLANNER_STORAGE: `directory` or `database`)."""
    config = current_app.config
    kind = (config.get("STORAGE") or "directory").lower()
    if kind == "database":
        return DatabaseStore()
    if kind != "directory":
        raise RuntimeError(f"PLANNER_STORAGE must be 'directory' or 'database', not {kind!r}")
    configured = config.get("PLANNER_CACHE_DIR") or config.get("CACHE_DIR")
    root = Path(configured) if configured else Path(current_app.instance_path) / "cache"
    return DirectoryStore(root)
