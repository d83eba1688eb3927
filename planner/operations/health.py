"""What `/readyz` checks: the database answers, and Redis when one is configured."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from planner.extensions import db


@dataclass(frozen=True)
class Dependency:
    """One thing the app needs to serve requests, and whether it answered."""

    name: str
    ok: bool
    detail: str = ""


def check_database() -> Dependency:
    """SELECT 1 on the app's database; the error's class name when it fails (no secrets)."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        return Dependency("database", True)
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return Dependency("database", False, type(error).__name__)


def check_redis() -> Dependency | None:
    """PING the configured Redis; None when the app runs without one (the embedded default)."""
    from planner.jobs import redis_url

    url = redis_url(current_app)
    if not url:
        return None
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return Dependency("redis", True)
    except RedisError as error:
        return Dependency("redis", False, type(error).__name__)


def readiness() -> list[Dependency]:
    """Every dependency this instance is configured with, checked now."""
    found = [check_database(), check_redis()]
    return [d for d in found if d is not None]
