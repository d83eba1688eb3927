"""Follow-ups with people who showed interest, their outcomes, and the office's settings."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.enums import LabelledEnum, enum_column
from planner.extensions import Model
from planner.people.models import Attendance, Person
from planner.sessions.models import OutreachSession
from planner.timezones import UTCDateTime, now_utc

# Used until a supervisor saves the office's own figures; no national norm exists (DOMAIN.md).
DEFAULT_FOLLOW_UP_DUE_DAYS = 3
DEFAULT_CREDIT_WINDOW_DAYS = 90


class _Labelled(LabelledEnum):
    @property
    def label(self) -> str:
        return str(LABELS[self])


class Product(_Labelled):
    """What a person is interested in or enrols in."""

    VOLUNTARY_SI = "voluntary_si"
    HOUSEHOLD_HI = "household_hi"
    BOTH = "both"  # follow-ups only: one call about both products

    @property
    def covers(self) -> frozenset[Product]:
        """The single products this one stands for."""
        if self is Product.BOTH:
            return frozenset({Product.VOLUNTARY_SI, Product.HOUSEHOLD_HI})
        return frozenset({self})

    @property
    def short_label(self) -> str:
        """A label short enough for a badge on a phone."""
        return str(SHORT_LABELS[self])

    @classmethod
    def single(cls) -> list[Product]:
        return [cls.VOLUNTARY_SI, cls.HOUSEHOLD_HI]

    @classmethod
    def of(cls, products: set[Product]) -> Product | None:
        """The product standing for exactly these single products (None if empty)."""
        return cls.covering(products) if products else None

    @classmethod
    def covering(cls, products: set[Product]) -> Product:
        """The product standing for exactly these single products; ValueError if there are none."""
        if products >= {cls.VOLUNTARY_SI, cls.HOUSEHOLD_HI}:
            return cls.BOTH
        if not products:
            raise ValueError("a follow-up is about at least one product")
        return next(iter(products))


class FollowUpStatus(_Labelled):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class OutcomeKind(_Labelled):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    CALL_BACK = "call_back"
    DECLINED = "declined"
    ENROLLED = "enrolled"


class Channel(_Labelled):
    CALL = "call"
    HOME_VISIT = "home_visit"


class FollowUpOrigin(_Labelled):
    """What made a follow-up (its audit entry's "from")."""

    ATTENDANCE = "attendance"  # interest recorded at a session (planner.followups.scheduling)


LABELS = {
    Product.VOLUNTARY_SI: _l("Voluntary social insurance"),
    Product.HOUSEHOLD_HI: _l("Household health insurance"),
    Product.BOTH: _l("Voluntary social insurance and household health insurance"),
    FollowUpStatus.OPEN: _l("Open"),
    FollowUpStatus.DONE: _l("Done"),
    FollowUpStatus.CANCELLED: _l("Cancelled"),
    OutcomeKind.REACHED: _l("Reached, information given"),
    OutcomeKind.NO_ANSWER: _l("No answer"),
    OutcomeKind.CALL_BACK: _l("Call back on a date"),
    OutcomeKind.DECLINED: _l("Declined"),
    OutcomeKind.ENROLLED: _l("Enrolled"),
    Channel.CALL: _l("Phone call"),
    Channel.HOME_VISIT: _l("Visit at home"),
    FollowUpOrigin.ATTENDANCE: _l("Interest recorded at a session"),
}


SHORT_LABELS = {
    Product.VOLUNTARY_SI: _l("Voluntary SI"),
    Product.HOUSEHOLD_HI: _l("Household HI"),
    Product.BOTH: _l("Voluntary SI + household HI"),
}


class OfficeSettings(Model):
    """Figures each office decides for itself, edited by its supervisors."""

    __tablename__ = "office_settings"

    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), primary_key=True)
    follow_up_due_days: Mapped[int] = mapped_column(
        default=DEFAULT_FOLLOW_UP_DUE_DAYS, server_default=str(DEFAULT_FOLLOW_UP_DUE_DAYS)
    )
    credit_window_days: Mapped[int] = mapped_column(
        default=DEFAULT_CREDIT_WINDOW_DAYS, server_default=str(DEFAULT_CREDIT_WINDOW_DAYS)
    )
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)


class FollowUp(Model):
    """A promise to contact someone about a product by a date (chăm sóc, liên hệ lại)."""

    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic locking (planner/concurrency.py): every UPDATE matches this version or fails.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    # Where the interest was shown; kept when attendance rows are merged away.
    attendance_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("attendance.id", ondelete="SET NULL")
    )
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outreach_session.id", ondelete="SET NULL"), index=True
    )
    product: Mapped[Product] = mapped_column(enum_column(Product))
    # Indexed by ix_follow_up_assigned_status_due below, which begins with it.
    assigned_to_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    due_on: Mapped[date]
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_column(FollowUpStatus), default=FollowUpStatus.OPEN
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()
    attendance: Mapped[Attendance | None] = relationship()
    session: Mapped[OutreachSession | None] = relationship()
    assigned_to: Mapped[User] = relationship(foreign_keys=[assigned_to_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    outcomes: Mapped[list[FollowUpOutcome]] = relationship(
        back_populates="follow_up",
        order_by=lambda: (FollowUpOutcome.at, FollowUpOutcome.id),
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        sa.Index("ix_follow_up_office_status_due", "office_id", "status", "due_on"),
        # Also every lookup by officer alone: a one-column assigned_to_id index beside it made
        # PostgreSQL, in a nation's database, read a team's follow-ups through that one (it
        # rates an index of several columns lower) and filter ~900 closed ones an officer.
        sa.Index("ix_follow_up_assigned_status_due", "assigned_to_id", "status", "due_on"),
        # Results: the follow-ups due in a period, whatever their status, from the index alone.
        sa.Index("ix_follow_up_office_due", "office_id", "due_on", "status"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN

    @property
    def last_outcome(self) -> FollowUpOutcome | None:
        return self.outcomes[-1] if self.outcomes else None


class FollowUpOutcome(Model):
    """What happened when an officer tried to reach the person."""

    __tablename__ = "follow_up_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    follow_up_id: Mapped[int] = mapped_column(
        sa.ForeignKey("follow_up.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[OutcomeKind] = mapped_column(enum_column(OutcomeKind))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.CALL)
    call_back_on: Mapped[date | None]
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # The single product an "enrolled" outcome was about (a follow-up on both may go on).
    product: Mapped[Product | None] = mapped_column(enum_column(Product))
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)

    follow_up: Mapped[FollowUp] = relationship(back_populates="outcomes")
    by: Mapped[User | None] = relationship()

    __table_args__ = (
        # Results: a follow-up's first contact (min of `at`) without reading the rows.
        sa.Index("ix_follow_up_outcome_follow_up_at", "follow_up_id", "at"),
        # Results: the contacts logged in a period, per office (a nation shares one database).
        sa.Index("ix_follow_up_outcome_office_at", "office_id", "at", "kind", "follow_up_id"),
    )
