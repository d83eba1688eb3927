"""Settings that must never reach production: checked by `flask check` and by gunicorn's start.

A finding is a sentence an administrator can act on; the deploy refuses to start with any.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask


@dataclass(frozen=True)
class Finding:
    """One unsafe setting: a stable code (for tests and scripts) and what to do about it."""

    code: str
    message: str


def production_findings(app: Flask, workers: int = 1) -> list[Finding]:
    """Everything that makes `app` unsafe to serve in production with `workers` processes."""
    config = app.config
    found: list[Finding] = []
    if app.debug or config.get("DEBUG"):
        found.append(
            Finding(
                "debug",
                "Debug mode is on: it shows code and lets anyone run it. Unset FLASK_DEBUG.",
            )
        )
    if config.get("SECRET_KEY_GENERATED"):
        found.append(
            Finding(
                "secret-key",
                "The secret key was generated into instance/secret_key: each server would sign "
                "sessions with its own. Set PLANNER_SECRET_KEY to one long random value for all.",
            )
        )
    if not config.get("SESSION_COOKIE_SECURE"):
        found.append(
            Finding(
                "insecure-cookie",
                "Session cookies may travel without HTTPS. Serve over HTTPS and set "
                "PLANNER_SESSION_COOKIE_SECURE=true.",
            )
        )
    engine = str(config.get("SQLALCHEMY_DATABASE_URI", ""))
    if engine.startswith("sqlite") and workers > 1:
        found.append(
            Finding(
                "sqlite-workers",
                f"SQLite with {workers} workers: rate limits, jobs and writes are not shared "
                "safely. Use PostgreSQL (DATABASE_URL) and Redis (PLANNER_REDIS_URL), "
                "or one worker.",
            )
        )
    if workers > 1 and not config.get("REDIS_URL"):
        found.append(
            Finding(
                "no-redis",
                f"{workers} workers without Redis: login limits and print jobs would be counted "
                "and run per process. Set PLANNER_REDIS_URL.",
            )
        )
    return found
