"""What a session's print panel says before anything is printed: the languages its flyer prints
in, and any character of its flyer or sheet that no bundled font has (printing those refuses)."""

from __future__ import annotations

from dataclasses import dataclass

from planner.printing import glyphs
from planner.printing.flyer import flyer_texts
from planner.printing.languages import FlyerLanguages, flyer_languages
from planner.printing.settings import print_settings
from planner.printing.sheet import invited_people, sheet_rows, sheet_texts
from planner.sessions.models import OutreachSession


@dataclass(frozen=True)
class PrintPanel:
    """The flyer's languages, and the characters (with where they are) that would not print."""

    languages: FlyerLanguages
    unprintable: tuple[glyphs.Unprintable, ...]


def print_panel(session: OutreachSession) -> PrintPanel:
    """What the session page says about its printed matter. A few queries, no rendering."""
    settings = print_settings(session.office_id)
    people = sheet_rows(invited_people(session, masked=settings.mask_phones), 0, 0)
    texts = [*flyer_texts(session), *sheet_texts(session, people)]
    return PrintPanel(
        languages=flyer_languages(session.office_id, session.topic, session.language),
        unprintable=tuple(glyphs.unprintable(texts)),
    )
