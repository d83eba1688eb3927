"""Targets, campaigns and the dated coverage figures of each commune."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.enums import LABELS, LabelledEnum, enum_column
from planner.extensions import Model
from planner.places.models import Commune
from planner.timezones import UTCDateTime, now_utc


class TargetMetric(LabelledEnum):
    """What a target counts; each is one figure of planner.results.figures."""

    ENROLLED_VOLUNTARY_SI = "enrolled_voluntary_si"
    ENROLLED_HOUSEHOLD_HI = "enrolled_household_hi"
    REACHED = "reached"
    SESSIONS_HELD = "sessions_held"


LABELS.update(
    [
        (TargetMetric.ENROLLED_VOLUNTARY_SI, _l("Enrolments in voluntary social insurance")),
        (TargetMetric.ENROLLED_HOUSEHOLD_HI, _l("Enrolments in household health insurance")),
        (TargetMetric.REACHED, _l("People reached")),
        (TargetMetric.SESSIONS_HELD, _l("Sessions held")),
    ]
)


class Campaign(Model):
    """A named drive ("30 ngày đêm") over a period, with its own per-commune targets."""

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    first_day: Mapped[date]
    last_day: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    targets: Mapped[list[Target]] = relationship(back_populates="campaign")


class Target(Model):
    """How many of `metric` an office, a commune or an officer should reach between two days.

    With neither commune nor officer it is the office's target. Inside a campaign the days are
    the campaign's.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    metric: Mapped[TargetMetric] = mapped_column(enum_column(TargetMetric, 32))
    first_day: Mapped[date]
    last_day: Mapped[date]
    value: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    campaign: Mapped[Campaign | None] = relationship(back_populates="targets")
    commune: Mapped[Commune | None] = relationship()
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])

    __table_args__ = (
        sa.CheckConstraint("value >= 0", name="target_value_not_negative"),
        sa.CheckConstraint("last_day >= first_day", name="target_days_in_order"),
        sa.Index("ix_target_office_days", "office_id", "first_day", "last_day"),
    )


class CommuneCoverage(Model):
    """A commune's population and how many are insured, as counted on `as_of` (dated figures
    from the commune and VSS; the latest row on or before a day is the one in force)."""

    __tablename__ = "commune_coverage"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    as_of: Mapped[date]
    population: Mapped[int]
    households: Mapped[int]
    with_health_insurance: Mapped[int]
    with_voluntary_si: Mapped[int]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    commune: Mapped[Commune] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("commune_id", "as_of", name="uq_commune_coverage_day"),
        sa.CheckConstraint(
            "population >= 0 AND households >= 0 AND with_health_insurance >= 0 "
            "AND with_voluntary_si >= 0",
            name="coverage_not_negative",
        ),
    )
