"""Subscription feeds (found by the hash of their secret token) and blocked days."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import Team, User
from planner.enums import enum_column
from planner.extensions import Model
from planner.places.models import Commune
from planner.timezones import UTCDateTime, now_utc


class FeedKind(StrEnum):
    """Whose sessions a subscription feed holds."""

    OFFICER = "officer"
    TEAM = "team"
    COMMUNE = "commune"


class CalendarFeed(Model):
    """A calendar app subscribes to this feed at a secret URL; only the token's hash is kept."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    # OFFICER: the sessions of `user`; TEAM: of every member of `team`; COMMUNE: in `commune`.
    kind: Mapped[FeedKind] = mapped_column(enum_column(FeedKind, length=10))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id", ondelete="CASCADE"))
    # sha256 of the URL token: a stolen database does not hand out working feed URLs.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    include_followups: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    # Minutes before each session a calendar app reminds (VALARM); None: no reminder.
    reminder_minutes: Mapped[int | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # Changes with the settings and with every new token, so cached copies are refreshed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
    token_created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    team: Mapped[Team | None] = relationship()
    commune: Mapped[Commune | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class BlockedDay(Model):
    """A day the office does not plan sessions on (a local holiday, a festival, a closure)."""

    __tablename__ = "blocked_day"
    __table_args__ = (sa.UniqueConstraint("office_id", "day", name="uq_blocked_day_office_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    day: Mapped[date]
    name: Mapped[str] = mapped_column(sa.String(200))
    # Where the day came from, e.g. the name of the imported file.
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
