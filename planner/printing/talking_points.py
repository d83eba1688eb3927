"""Talking points: the shipped defaults, an office's own texts and which ones a session prints."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from planner.accounts.models import User
from planner.enums import Language, Topic
from planner.errors import PlannerError
from planner.extensions import db
from planner.printing import glyphs
from planner.printing.models import TalkingPoint
from planner.signals import printed_matter_changed

if TYPE_CHECKING:
    from planner.sessions.models import OutreachSession

DEFAULT_TALKING_POINTS_DIR = Path(__file__).with_name("default_talking_points")
TALKING_POINT_TOPICS = (Topic.VOLUNTARY_SI, Topic.HOUSEHOLD_HI)
MAX_TALKING_POINT_LENGTH = 4000


def seed_talking_points() -> int:
    """Add the shipped Vietnamese talking points that are missing; returns how many were added."""
    added = 0
    for path in sorted(DEFAULT_TALKING_POINTS_DIR.glob("*.txt")):
        topic_value, language_value = path.stem.split(".")
        topic, language = Topic(topic_value), Language(language_value)
        exists = db.session.scalar(
            sa.select(TalkingPoint.id).where(
                TalkingPoint.office_id.is_(None),
                TalkingPoint.topic == topic,
                TalkingPoint.language == language,
            )
        )
        if exists is None:
            body = path.read_text(encoding="utf-8").strip()
            db.session.add(TalkingPoint(office_id=None, topic=topic, language=language, body=body))
            added += 1
    db.session.flush()
    return added


def talking_points(
    office_id: int, topics: Sequence[Topic], languages: Collection[Language]
) -> dict[tuple[Topic, Language], TalkingPoint]:
    """For each topic and language: the office's own text, else the shipped default; pairs
    with neither (or only an empty text) are missing. One query."""
    rows = db.session.scalars(
        sa.select(TalkingPoint)
        .where(
            TalkingPoint.topic.in_(topics),
            TalkingPoint.language.in_(languages),
            sa.or_(TalkingPoint.office_id == office_id, TalkingPoint.office_id.is_(None)),
        )
        # The shipped default first, so the office's own text replaces it.
        .order_by(TalkingPoint.office_id.is_not(None))
    ).all()
    chosen = {(row.topic, row.language): row for row in rows}
    return {pair: row for pair, row in chosen.items() if row.body.strip()}


def session_talking_points(session: OutreachSession) -> dict[tuple[Topic, Language], TalkingPoint]:
    """`talking_points` for what a session's flyer prints: its topics, in Vietnamese and in the
    session's language. One query."""
    return talking_points(
        session.office_id, session_topics(session.topic), {Language.VIETNAMESE, session.language}
    )


def talking_point(office_id: int, topic: Topic, language: Language) -> TalkingPoint | None:
    """The office's own text for a topic and language, else the shipped default, else None."""
    return talking_points(office_id, [topic], [language]).get((topic, language))


def save_talking_point(
    office_id: int, topic: Topic, language: Language, body: str, user: User
) -> TalkingPoint:
    """Store an office's text for a topic and language (an empty text falls back to the default),
    commit, and announce that the office's printed matter changed (its flyers are prepared again).

    Raises PlannerError (field `topic` or `body`) and saves nothing when the text cannot be used:
    too long, or with a character no bundled font has (it would print as an empty box).
    """
    if topic not in TALKING_POINT_TOPICS:
        raise PlannerError(_("Choose one topic."), field="topic")
    body = (body or "").strip()
    if len(body) > MAX_TALKING_POINT_LENGTH:
        raise PlannerError(
            ngettext(
                "Keep talking points under %(num)d character.",
                "Keep talking points under %(num)d characters.",
                MAX_TALKING_POINT_LENGTH,
            ),
            field="body",
        )
    missing = glyphs.missing_characters(body)
    if missing:
        raise PlannerError(
            _(
                "%(chars)s cannot be printed: no printing font has them. Replace them (a letter "
                "with its marks, or a plain symbol) and save again.",
                chars=glyphs.describe(missing),
            ),
            code="unprintable",
            field="body",
        )
    record = db.session.scalar(
        sa.select(TalkingPoint).where(
            TalkingPoint.office_id == office_id,
            TalkingPoint.topic == topic,
            TalkingPoint.language == language,
        )
    )
    if record is None:
        record = TalkingPoint(office_id=office_id, topic=topic, language=language)
        db.session.add(record)
    record.body = body
    record.updated_by_id = user.id
    db.session.commit()
    printed_matter_changed.send(office_id, user_id=user.id)
    return record


def session_topics(topic: Topic) -> tuple[Topic, ...]:
    return TALKING_POINT_TOPICS if topic == Topic.BOTH else (topic,)
