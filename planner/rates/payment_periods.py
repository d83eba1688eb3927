"""How often each product may be paid: dated rows beside the rates (`PaymentPeriod`), never code.

Households pay household health insurance every 3, 6 or 12 months (Decree 146/2018); voluntary
social insurance is paid monthly, every 3, 6 or 12 months or several years ahead (Social
Insurance Law 2024). The rows ship in `payment_periods.csv` and migration 0014.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from planner.errors import PlannerError
from planner.extensions import db
from planner.rates.models import PaymentPeriod

PAYMENT_PERIODS_FILE = Path(__file__).with_name("payment_periods.csv")


def allowed_months(product: str, on: date) -> tuple[int, ...]:
    """The payment periods (in months, ascending) `product` allows on `on`; () if none."""
    rows = db.session.execute(
        sa.select(PaymentPeriod.months, PaymentPeriod.allowed)
        .where(PaymentPeriod.product == str(product), PaymentPeriod.valid_from <= on)
        .order_by(PaymentPeriod.valid_from)
    ).all()
    # Later rows replace earlier ones for the same period.
    state = {months: allowed for months, allowed in rows}
    return tuple(sorted(m for m, allowed in state.items() if allowed))


def period_label(months: int) -> str:
    """'Monthly', 'Every 3 months', 'Every 2 years' (several years ahead at once)."""
    if months == 1:
        return _("Monthly")
    if months % 12 == 0 and months > 12:
        return ngettext("Every %(num)d year", "Every %(num)d years", months // 12)
    return ngettext("Every %(num)d month", "Every %(num)d months", months)


def check_months(product: str, on: date, months: int | None, field: str = "months") -> int:
    """`months` if `product` may be paid that often on `on`; a PlannerError naming the periods
    allowed otherwise (or that no period is recorded for that date)."""
    allowed = allowed_months(product, on)
    if not allowed:
        raise PlannerError(
            _(
                "No payment period is recorded for this product on %(day)s; an administrator "
                "must load the rates.",
                day=format_date(on),
            ),
            code="missing_payment_period",
            field=field,
        )
    if months not in allowed:
        raise PlannerError(
            _(
                "Choose how often the person pays: %(periods)s.",
                periods=", ".join(period_label(m).lower() for m in allowed),
            ),
            code="payment_period",
            field=field,
        )
    return months


def seed_payment_periods(path: Path = PAYMENT_PERIODS_FILE) -> int:
    """Insert the periods at `path` (product, months, valid_from, allowed, source) that are not
    there yet; returns how many were added."""
    existing = set(
        db.session.execute(
            sa.select(PaymentPeriod.product, PaymentPeriod.months, PaymentPeriod.valid_from)
        ).all()
    )
    added = 0
    with path.open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            key = (row["product"], int(row["months"]), date.fromisoformat(row["valid_from"]))
            if key in existing:
                continue
            db.session.add(
                PaymentPeriod(
                    product=key[0],
                    months=key[1],
                    valid_from=key[2],
                    allowed=row["allowed"] == "1",
                    source=row["source"],
                )
            )
            added += 1
    db.session.flush()
    return added
