"""Which languages a session's flyer prints in, said before it is printed.

A flyer prints its talking points in Vietnamese and, for a session held in another language,
in that language beside them, topic by topic (flyer.talking_texts). A topic with no talking
points in the session's language prints in Vietnamese only: officers are told so when they plan
the session and on its print panel, rather than finding out at the market.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from planner.enums import Language, Topic
from planner.printing.models import TalkingPoint
from planner.printing.talking_points import TALKING_POINT_TOPICS, session_topics, talking_points


@dataclass(frozen=True)
class FlyerLanguages:
    """The languages a flyer prints (Vietnamese first) and, for a session held in another
    language, the topics that have no talking points in it and print in Vietnamese only."""

    held_in: Language
    printed: tuple[Language, ...]
    vietnamese_only: tuple[Topic, ...]

    @property
    def complete(self) -> bool:
        """Every topic prints in the session's own language (always so in Vietnamese)."""
        return not self.vietnamese_only

    @property
    def message(self) -> str:
        """What the flyer prints in, as a sentence for the officer (the screen's language)."""
        language = self.held_in.label
        if self.held_in == Language.VIETNAMESE:
            return _("The flyer prints in Vietnamese.")
        if self.held_in not in self.printed:
            return _(
                "This session is held in %(language)s, but there are no talking points in "
                "%(language)s: the flyer prints in Vietnamese only. An administrator can add "
                "them under Talking points.",
                language=language,
            )
        if self.vietnamese_only:
            return _(
                "The flyer prints in Vietnamese and %(language)s, except %(topics)s, which has "
                "no talking points in %(language)s and prints in Vietnamese only.",
                language=language,
                topics=", ".join(topic.label for topic in self.vietnamese_only),
            )
        return _("The flyer prints in Vietnamese and %(language)s.", language=language)


def flyer_languages(
    office_id: int,
    topic: Topic,
    language: Language,
    points: Mapping[tuple[Topic, Language], TalkingPoint] | None = None,
) -> FlyerLanguages:
    """The languages a flyer on `topic` for a session held in `language` prints in: one
    query, none when the caller passes the session's `points` (`session_talking_points`)."""
    topics = session_topics(topic)
    if language == Language.VIETNAMESE:
        return FlyerLanguages(language, (Language.VIETNAMESE,), ())
    if points is None:
        points = talking_points(office_id, topics, [language])
    missing = tuple(t for t in topics if (t, language) not in points)
    printed = (
        (Language.VIETNAMESE,) if len(missing) == len(topics) else (Language.VIETNAMESE, language)
    )
    return FlyerLanguages(language, printed, missing)


def languages_with_talking_points(office_id: int) -> list[Language]:
    """The languages other than Vietnamese that have talking points on some topic (the
    office's own or the shipped ones), in the order of Language. One query."""
    others = [language for language in Language if language != Language.VIETNAMESE]
    points = talking_points(office_id, TALKING_POINT_TOPICS, others)
    having = {language for (_topic, language) in points}
    return [language for language in others if language in having]


def planning_hint(office_id: int) -> str:
    """The planning form's hint under the session's language: which languages flyers can
    print in besides Vietnamese."""
    having = languages_with_talking_points(office_id)
    if not having:
        return _("Flyers print in Vietnamese only: no other language has talking points yet.")
    return _(
        "Flyers print talking points in Vietnamese and, for a session in %(languages)s, in that "
        "language too; in any other language they print in Vietnamese only.",
        languages=", ".join(language.label for language in having),
    )
