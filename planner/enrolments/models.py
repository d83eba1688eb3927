"""Enrolments (conversions) and the sessions and follow-ups they are credited to."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.enums import PriorityGroup, enum_column
from planner.extensions import Model
from planner.followups.models import FollowUp, Product
from planner.people.models import Person
from planner.sessions.models import OutreachSession
from planner.timezones import UTCDateTime, now_utc


class Enrolment(Model):
    """A person joined voluntary SI or household HI; amounts are frozen at the rates of the day."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic locking (planner/concurrency.py): every UPDATE matches this version or fails.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    # Indexed by ix_enrolment_office_enrolled_on below, which begins with it.
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    product: Mapped[Product] = mapped_column(enum_column(Product))
    enrolled_on: Mapped[date] = mapped_column(index=True)
    # Voluntary social insurance: the chosen income and the group that decides state support.
    income: Mapped[int | None] = mapped_column(sa.BigInteger)
    priority_group: Mapped[PriorityGroup | None] = mapped_column(enum_column(PriorityGroup))
    # Household health insurance: members joining together.
    members: Mapped[int | None]
    # Months paid at a time (1, 3, 6 or 12).
    months: Mapped[int] = mapped_column(default=1)
    # Whole dong, computed from the dated rate tables on `enrolled_on` and never recomputed.
    monthly_contribution: Mapped[int] = mapped_column(sa.BigInteger)
    monthly_support: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    monthly_person_pays: Mapped[int] = mapped_column(sa.BigInteger)
    period_person_pays: Mapped[int] = mapped_column(sa.BigInteger)
    receipt_number: Mapped[str] = mapped_column(sa.String(60))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    person: Mapped[Person] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    credits: Mapped[list[EnrolmentCredit]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan", order_by="EnrolmentCredit.id"
    )

    # Also every lookup by office alone: a one-column office_id index beside it made
    # PostgreSQL, in a nation's database, count a period's enrolments through that one (it
    # rates an index of several columns lower) and filter out the office's other years.
    __table_args__ = (sa.Index("ix_enrolment_office_enrolled_on", "office_id", "enrolled_on"),)

    @property
    def session_credits(self) -> list[EnrolmentCredit]:
        return [c for c in self.credits if c.session_id is not None]

    @property
    def follow_up_credits(self) -> list[EnrolmentCredit]:
        return [c for c in self.credits if c.follow_up_id is not None]


class EnrolmentCredit(Model):
    """One session or follow-up that led to an enrolment; the last session before it is main."""

    __tablename__ = "enrolment_credit"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outreach_session.id"), index=True)
    follow_up_id: Mapped[int | None] = mapped_column(sa.ForeignKey("follow_up.id"), index=True)
    main: Mapped[bool] = mapped_column(default=False)

    enrolment: Mapped[Enrolment] = relationship(back_populates="credits")
    session: Mapped[OutreachSession | None] = relationship()
    follow_up: Mapped[FollowUp | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "(session_id IS NULL) <> (follow_up_id IS NULL)", name="session_or_follow_up"
        ),
    )
