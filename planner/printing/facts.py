"""What every printed document says about a session, as local, ready-to-print text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel import dates as babel_dates
from flask_babel import force_locale

from planner.accounts.models import User
from planner.phones import display_phone
from planner.printing.render import DOCUMENT_LOCALE
from planner.sessions.models import OutreachSession


def officer_line(user: User) -> str:
    """The officer as printed: name and phone, or only the name."""
    phone = display_phone(user.phone) if user.phone else ""
    return f"{user.full_name} – {phone}" if phone else user.full_name


def _place_line(session: OutreachSession) -> str:
    parts = []
    if session.venue is not None:
        parts.append(session.venue.name)
        if session.venue.address:
            parts.append(session.venue.address)
    if session.village is not None:
        parts.append(session.village.display_name)
    parts.append(session.commune.display_name)
    return ", ".join(dict.fromkeys(parts))


@dataclass(frozen=True)
class SessionFacts:
    """A session's details as printed: local date and time, place, officers, labels."""

    day: date  # the local day
    date_text: str  # "Thứ Hai, 07/12/2026"
    time_text: str  # "08:00 – 10:00", local
    place: str  # venue, its address, village and commune, each once
    officer: str  # the lead officer and their phone
    officers: str  # everyone's names
    partner: str
    kind: str
    topic: str
    title: str


def session_facts(session: OutreachSession) -> SessionFacts:
    """The details every document prints about a session, as local, ready-to-print text, in
    the document's language (Vietnamese) whatever the screen's language is: labels (the kind,
    the topic, "Xã" before a commune's name) are made into text here, under that language."""
    with force_locale(DOCUMENT_LOCALE):
        return _session_facts(session)


def _session_facts(session: OutreachSession) -> SessionFacts:
    starts, ends = session.local_start, session.local_end
    weekday = babel_dates.format_date(starts.date(), "EEEE", locale=DOCUMENT_LOCALE)
    return SessionFacts(
        day=starts.date(),
        date_text=f"{weekday}, {starts:%d/%m/%Y}",
        time_text=f"{starts:%H:%M} – {ends:%H:%M}",
        place=_place_line(session),
        officer=officer_line(session.lead_officer),
        officers=", ".join(u.full_name for u in session.officers),
        partner=session.partner.name if session.partner else "",
        kind=str(session.kind.label),
        topic=str(session.topic.label),
        title=session.title,
    )
