"""The week's packet: the plan of the week's sessions, and which of them get a flyer and a sheet."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from planner.accounts.models import Office
from planner.enums import SessionStatus
from planner.printing import render
from planner.printing.facts import session_facts
from planner.sessions.models import OutreachSession

WEEK_STYLES = ("base", "week_plan")


def week_plan_html(office: Office, monday: date, sessions: list[OutreachSession], title: str):
    rows = []
    for s in sessions:
        facts = session_facts(s)
        rows.append({"session": s, "facts": facts, "cancelled": s.status != SessionStatus.PLANNED})
    return render.template_html(
        "week_plan",
        office=office,
        monday=monday,
        sunday=monday + timedelta(days=6),
        rows=rows,
        title=title,
    )


def printable(session: OutreachSession) -> bool:
    """Cancelled and postponed sessions are listed in the plan but get no flyer or sheet."""
    return session.status in (SessionStatus.PLANNED, SessionStatus.HELD)


def packet_key(part_keys: list[str]) -> str:
    return hashlib.sha256("\n".join(["packet", *part_keys]).encode()).hexdigest()
