"""What a phone keeps for the signed-in officer, decided by the server: the app's static files,
this and next week's view, the officer's sessions of the next 14 days (the session page with
its invited people and attendance form, and its flyer and sheet PDFs) and "my follow-ups".

Each page is listed with the moment after which the phone must delete it (`until`, UTC): a
session's pages the day after it, the week views after next week, the follow-ups after a day.
Nothing personal outlives the officer's next 14 days of sessions on the phone.

`app_version()` names the app as it is deployed (templates, static files, code, translations):
the service worker's cache name carries it, so a new version replaces every kept page at once
and no officer stays on a form the server no longer reads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import url_for

from planner import STATIC_DIR, TEMPLATES_DIR
from planner.accounts.models import User
from planner.enums import SessionStatus
from planner.extensions import db
from planner.printing.render import render_version
from planner.sessions.days import monday_of
from planner.sessions.models import OutreachSession, session_facilitator
from planner.timezones import local_day_bounds, now_utc, today_local

# The officer's sessions kept: from yesterday (attendance is often typed the morning after an
# evening session) to 14 days ahead.
DAYS_BACK = 1
DAYS_AHEAD = 14
# Static folders the pages use; the PDF fonts stay on the server (the PDFs are kept rendered).
STATIC_FOLDERS = ("css", "js", "img", "offline")

_APP_VERSION: str | None = None


def app_version() -> str:
    """A short hash of the templates, static files, code and translations (computed once)."""
    global _APP_VERSION
    if _APP_VERSION is None:
        digest = hashlib.sha256(render_version().encode())
        paths = [*TEMPLATES_DIR.rglob("*.html")]
        for folder in STATIC_FOLDERS:
            paths.extend(p for p in (STATIC_DIR / folder).rglob("*") if p.is_file())
        for path in sorted(paths):
            digest.update(str(path.relative_to(STATIC_DIR.parent)).encode())
            digest.update(path.read_bytes())
        _APP_VERSION = digest.hexdigest()[:12]
    return _APP_VERSION


@dataclass(frozen=True)
class KeptPage:
    """One address the phone keeps, and when it must be deleted (aware UTC)."""

    url: str
    until: datetime


@dataclass(frozen=True)
class KeepList:
    """Everything the phone keeps for one officer (`files` are static, kept per version)."""

    version: str
    user_id: int
    pages: list[KeptPage]
    files: list[str]

    def as_json(self) -> dict:
        return {
            "version": self.version,
            "user": self.user_id,
            "pages": [{"url": p.url, "until": p.until.isoformat()} for p in self.pages],
            "files": self.files,
        }


def officer_sessions(user: User, today: date) -> list[OutreachSession]:
    """The sessions the officer leads or helps with from yesterday to 14 days ahead (cancelled
    ones left out: nothing is done at them), in their office only."""
    start, end = local_day_bounds(today - timedelta(days=DAYS_BACK), today + timedelta(DAYS_AHEAD))
    helping = sa.select(session_facilitator.c.session_id).where(
        session_facilitator.c.user_id == user.id
    )
    return list(
        db.session.scalars(
            sa.select(OutreachSession)
            .where(
                OutreachSession.office_id == user.office_id,
                OutreachSession.starts_at >= start,
                OutreachSession.starts_at < end,
                OutreachSession.status != SessionStatus.CANCELLED,
                sa.or_(
                    OutreachSession.lead_officer_id == user.id,
                    OutreachSession.id.in_(helping),
                ),
            )
            .order_by(OutreachSession.starts_at, OutreachSession.id)
        )
    )


def static_files() -> list[str]:
    """The URLs of the static files the pages use."""
    files = []
    for folder in STATIC_FOLDERS:
        for path in sorted((STATIC_DIR / folder).rglob("*")):
            if path.is_file() and path.name != "sw.js":
                files.append(url_for("static", filename=str(path.relative_to(STATIC_DIR))))
    return files


def keep_list(user: User) -> KeepList:
    """What the officer's phone keeps now (see the module's docstring)."""
    today = today_local()
    monday = monday_of(today)
    next_monday = monday + timedelta(days=7)
    _start, weeks_end = local_day_bounds(next_monday, next_monday + timedelta(days=6))
    _start, tomorrow = local_day_bounds(today, today)
    pages = [
        KeptPage(url_for("sessions.week"), weeks_end),
        KeptPage(url_for("sessions.week", week=monday.isoformat()), weeks_end),
        KeptPage(url_for("sessions.week", week=next_monday.isoformat()), weeks_end),
        KeptPage(url_for("followups.index"), tomorrow),
        KeptPage(url_for("offline.unavailable"), weeks_end),
    ]
    for session in officer_sessions(user, today):
        # Kept through the day after the session (attendance typed the next morning).
        _day_start, until = local_day_bounds(session.local_day, session.local_day + timedelta(1))
        pages.extend(
            KeptPage(url_for(endpoint, session_id=session.id), until)
            for endpoint in (
                "sessions.detail",
                "people.add_attendance",
                "printing.flyer",
                "printing.sheet",
            )
        )
    # Only what is still to come: a page whose moment passed is not handed out.
    now = now_utc()
    return KeepList(
        version=app_version(),
        user_id=user.id,
        pages=[p for p in pages if p.until > now],
        files=static_files(),
    )
