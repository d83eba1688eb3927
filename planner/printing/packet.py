"""The week's packet: the plan of the week's sessions, and which of them get a flyer and a sheet."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from flask_babel import force_locale

from planner.accounts.models import Office
from planner.enums import SessionStatus
from planner.extensions import db
from planner.places.models import Commune
from planner.printing import render
from planner.printing.facts import session_facts
from planner.scope import Scope
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


def plan_title(scope: Scope, office: Office) -> str:
    """Whose plan the week's packet prints, in the document's language: a commune's name is
    named again here ("Xã Bắc Hà"), since the scope's title was made in the screen's language."""
    if scope.commune_id is not None:
        commune = db.session.get(Commune, scope.commune_id)
        if commune is not None and commune.office_id == office.id:
            with force_locale(render.DOCUMENT_LOCALE):
                return commune.display_name
    return scope.title or office.name


def printable(session: OutreachSession) -> bool:
    """Cancelled and postponed sessions are listed in the plan but get no flyer or sheet."""
    return session.status in (SessionStatus.PLANNED, SessionStatus.HELD)


def packet_key(part_keys: list[str]) -> str:
    return hashlib.sha256("\n".join(["packet", *part_keys]).encode()).hexdigest()
