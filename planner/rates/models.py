"""Rates change by decree, so every figure is a dated row, never a literal in code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from planner.extensions import Model


class RateValue(Model):
    """One figure (see rates.services.RATE_KEYS) valid from a date until a later row replaces it.

    office_id is empty for national figures; a row with an office is that province's own
    support added on top of the national one.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(60), index=True)
    valid_from: Mapped[date]
    value: Mapped[Decimal] = mapped_column(sa.Numeric(16, 4))
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("office.id"), index=True)
    source: Mapped[str] = mapped_column(sa.String(300), default="")

    __table_args__ = (sa.UniqueConstraint("key", "valid_from", "office_id", name="uq_rate_value"),)


class PaymentPeriod(Model):
    """How often a product may be paid (every `months` months), from a date (a decree).

    A later row for the same product and period replaces an earlier one: `allowed` False from a
    date withdraws a period. Seeded by migration 0014 from the law and decrees in force.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    product: Mapped[str] = mapped_column(sa.String(20), index=True)
    months: Mapped[int]
    valid_from: Mapped[date]
    allowed: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(sa.String(300), default="")

    __table_args__ = (
        sa.UniqueConstraint("product", "months", "valid_from", name="uq_payment_period"),
    )
