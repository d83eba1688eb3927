"""Outreach sessions and the recurring series they may belong to."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.enums import (
    Language,
    SessionKind,
    SessionStatus,
    TargetGroup,
    Topic,
    enum_column,
)
from planner.extensions import Model, db
from planner.formats import shown_date
from planner.places.models import Commune, Partner, Venue, Village
from planner.timezones import UTCDateTime, now_utc, to_local


class RepeatRule(StrEnum):
    """How a series repeats: every week on some weekdays, or every N days (a market cycle)."""

    WEEKLY = "weekly"
    INTERVAL = "interval"


session_facilitator = sa.Table(
    "session_facilitator",
    db.metadata,
    sa.Column(
        "session_id", sa.ForeignKey("outreach_session.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    # An officer's sessions as co-facilitator (week view, feeds) without reading every row.
    sa.Index("ix_session_facilitator_user_id", "user_id"),
)


class SessionSeries(Model):
    """The rule behind recurring sessions; each occurrence is its own OutreachSession row."""

    __tablename__ = "session_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    # "weekly" on `weekdays` (digits, 0 = Monday), or "interval" every `interval_days` days.
    rule: Mapped[RepeatRule] = mapped_column(enum_column(RepeatRule, length=10))
    weekdays: Mapped[str] = mapped_column(sa.String(7), default="")
    interval_days: Mapped[int | None]
    first_day: Mapped[date]
    until: Mapped[date | None]
    count: Mapped[int | None]
    start_time: Mapped[time]
    duration_minutes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
    # Raised whenever the rule itself changes, so calendar apps pick up the new series.
    sequence: Mapped[int] = mapped_column(default=0)

    sessions: Mapped[list[OutreachSession]] = relationship(
        back_populates="series", order_by="OutreachSession.starts_at"
    )

    @property
    def summary(self) -> str:
        """How the series repeats, how many sessions and between which days, in the locale:
        "Hằng tuần vào Thứ Bảy, 8 buổi (05/12/2026 – 23/01/2027)"."""
        days = [s.occurrence_date or s.local_day for s in self.sessions]
        count = ngettext("%(num)s session", "%(num)s sessions", len(days))
        span = f"{shown_date(min(days))} – {shown_date(max(days))}" if days else ""
        if self.rule == RepeatRule.INTERVAL and self.interval_days:
            rule = ngettext("Every %(num)d day", "Every %(num)d days", self.interval_days)
        else:
            numbers = sorted({int(d) for d in self.weekdays} or {self.first_day.weekday()})
            # 2024-01-01 was a Monday: its week names each weekday in the locale.
            names = [format_date(date(2024, 1, 1 + d), "EEEE") for d in numbers]
            rule = _("Every week on %(days)s", days=", ".join(names))
        return f"{rule}, {count} ({span})" if span else f"{rule}, {count}"


class OutreachSession(Model):
    """One communication session (buổi truyền thông) at one time and place."""

    __tablename__ = "outreach_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("session_series.id"), index=True)
    # The local date this occurrence was generated for; calendars use it as RECURRENCE-ID.
    occurrence_date: Mapped[date | None]
    # True once this occurrence was changed on its own, so series edits leave it alone.
    detached: Mapped[bool] = mapped_column(default=False)

    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind))
    topic: Mapped[Topic] = mapped_column(enum_column(Topic))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("venue.id"), index=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"))
    lead_officer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner.id"))
    target_group: Mapped[TargetGroup] = mapped_column(
        enum_column(TargetGroup), default=TargetGroup.GENERAL
    )
    language: Mapped[Language] = mapped_column(enum_column(Language), default=Language.VIETNAMESE)
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    expected_attendance: Mapped[int] = mapped_column(default=20)
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus), default=SessionStatus.PLANNED
    )
    status_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
    # Optimistic locking: a save based on an older version is refused, never silently applied.
    version: Mapped[int] = mapped_column(default=1)
    # iCalendar SEQUENCE: raised on changes an attendee would care about (time, place, status).
    sequence: Mapped[int] = mapped_column(default=0)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.Index("ix_outreach_session_office_starts", "office_id", "starts_at"),)

    series: Mapped[SessionSeries | None] = relationship(back_populates="sessions")
    venue: Mapped[Venue | None] = relationship()
    commune: Mapped[Commune] = relationship()
    village: Mapped[Village | None] = relationship()
    lead_officer: Mapped[User] = relationship(foreign_keys=[lead_officer_id])
    partner: Mapped[Partner | None] = relationship()
    facilitators: Mapped[list[User]] = relationship(
        secondary=session_facilitator, order_by=User.full_name
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def local_start(self) -> datetime:
        """When the session starts, in local wall-clock time (aware, in LOCAL_TZ)."""
        return to_local(self.starts_at)

    @property
    def local_end(self) -> datetime:
        """When the session ends, in local wall-clock time (aware, in LOCAL_TZ)."""
        return to_local(self.ends_at)

    @property
    def local_day(self) -> date:
        """The local date the session is held on."""
        return self.local_start.date()

    @property
    def label(self) -> str:
        """What people call the session: its title, or else its kind."""
        return self.title or self.kind.label

    @property
    def place_name(self) -> str:
        """Where it is held: the venue's name, else the commune's."""
        return self.venue.name if self.venue else self.commune.name

    @property
    def label_with_place(self) -> str:
        """Its title, or else its kind and place ("Market session – Chợ phiên Bắc Hà")."""
        return label_with_place(self.title, self.kind, self.place_name)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def officers(self) -> list[User]:
        """The lead officer first, then the co-facilitators."""
        return [self.lead_officer, *[u for u in self.facilitators if u.id != self.lead_officer_id]]


def label_with_place(title: str, kind: SessionKind, place_name: str) -> str:
    """`OutreachSession.label_with_place` from its columns, for lists that read only those."""
    return title or f"{kind.label} – {place_name}"
