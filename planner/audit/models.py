"""An append-only trail of changes to personal records."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.extensions import Model
from planner.timezones import UTCDateTime, now_utc


class AuditEntry(Model):
    """Who did what to which record, and which fields changed (old and new values)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    entity: Mapped[str] = mapped_column(sa.String(40))  # person, attendance, follow_up, enrolment
    entity_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(sa.String(40))  # create, update, merge, erase, export, ...
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    user: Mapped[User | None] = relationship()

    __table_args__ = (sa.Index("ix_audit_entry_entity", "entity", "entity_id"),)
