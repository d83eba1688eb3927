"""An entry made offline on a phone, recorded once under its idempotency key."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from planner.enums import enum_column
from planner.extensions import Model
from planner.timezones import UTCDateTime, now_utc


class EntryKind(StrEnum):
    """The three things an officer can do without signal."""

    ATTENDANCE = "attendance"  # add an attendee to a session
    OUTCOME = "outcome"  # record a follow-up outcome
    HELD = "held"  # mark a session held


class OfflineEntry(Model):
    """One key per user: the phone makes the key (a random UUID) when the entry is typed and
    sends it with every attempt, so a second attempt finds this row and records nothing."""

    __tablename__ = "offline_entry"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_offline_entry_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind))
    target_id: Mapped[int] = mapped_column()  # the session or the follow-up
    # What the first attempt answered, repeated to every later one.
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
