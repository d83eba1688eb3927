"""What a session's print panel says before anything is printed: the languages its flyer prints
in, and any character of its flyer or sheet that no bundled font has (printing those refuses)."""

from __future__ import annotations

from dataclasses import dataclass

from planner.accounts.models import Office
from planner.extensions import db
from planner.printing import glyphs
from planner.printing.flyer import flyer_texts, talking_texts
from planner.printing.languages import FlyerLanguages, flyer_languages
from planner.printing.settings import print_settings
from planner.printing.sheet import invited_people, sheet_rows, sheet_texts
from planner.printing.talking_points import session_talking_points
from planner.sessions.models import OutreachSession


@dataclass(frozen=True)
class PrintPanel:
    """The flyer's languages, and the characters (with where they are) that would not print."""

    languages: FlyerLanguages
    unprintable: tuple[glyphs.Unprintable, ...]
    spare_rows: int  # blank rows the office's sheets add after the expected attendance


def print_panel(session: OutreachSession) -> PrintPanel:
    """What the session page says about its printed matter. A few queries (the settings and
    the office once each), no rendering."""
    settings = print_settings(session.office_id)
    office = db.session.get_one(Office, session.office_id)
    people = sheet_rows(invited_people(session, masked=settings.mask_phones), 0, 0)
    # The talking points once, for the texts and for the languages (a session in Hmông, say).
    points = session_talking_points(session)
    texts = [
        *flyer_texts(session, talking_texts(session, points), office=office),
        *sheet_texts(session, people, office=office),
    ]
    return PrintPanel(
        languages=flyer_languages(session.office_id, session.topic, session.language, points),
        unprintable=tuple(glyphs.unprintable(texts)),
        spare_rows=settings.spare_rows,
    )
