"""Who sets which figure: national figures come from the decree table, loaded by a command of
the installation (`flask rates load`), never from an office's screen; an office adds only its own
province's support on top. Every figure used in a quote says whose it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.accounts.models import Office, User
from planner.enums import PriorityGroup
from planner.errors import PlannerError
from planner.extensions import db
from planner.rates.models import RateValue
from planner.rates.services import PROVINCE_PREFIX, RATE_KEYS, rates_in_force
from planner.signals import printed_matter_changed

PROVINCE_LABELS = {
    PriorityGroup.POOR: _l("Province support for poor households (percent, on top of the state's)"),
    PriorityGroup.NEAR_POOR: _l(
        "Province support for near-poor households (percent, on top of the state's)"
    ),
    PriorityGroup.ETHNIC_MINORITY: _l(
        "Province support for ethnic minority people (percent, on top of the state's)"
    ),
    PriorityGroup.OTHER: _l("Province support for other people (percent, on top of the state's)"),
}
# The only figures an office may set: its province's voluntary SI support, per priority group.
PROVINCE_KEYS: dict[str, str] = {
    f"{PROVINCE_PREFIX}vsi_support_pct_{group.value}": label
    for group, label in PROVINCE_LABELS.items()
}


def add_province_support(
    office_id: int, key: str, valid_from: date, value: Decimal, source: str, *, by: User
) -> RateValue:
    """A new value of the office's own province support from a date, committed and announced
    (the office's flyers print the new figure). National figures and other offices' rows are out
    of reach (PlannerError on `key`); a negative value, a percentage over 100 or a second value
    on the same date is refused too (PlannerError on that field)."""
    if key in RATE_KEYS:
        raise PlannerError(
            _(
                "National figures are set by decree for the whole country; no office can change "
                "them here. Your province's support is added on top of them."
            ),
            field="key",
            code="national",
        )
    if key not in PROVINCE_KEYS:
        raise PlannerError(_("Choose one of the listed figures."), field="key")
    if value < 0:
        raise PlannerError(_("A rate cannot be negative."), field="value")
    if value > 100:
        raise PlannerError(_("A percentage is at most 100."), field="value")
    clash = db.session.scalar(
        sa.select(RateValue.id).where(
            RateValue.key == key,
            RateValue.valid_from == valid_from,
            RateValue.office_id == office_id,
        )
    )
    if clash is not None:
        raise PlannerError(
            _("This figure already has a value from that date; choose another date."),
            field="valid_from",
        )
    record = RateValue(
        key=key, valid_from=valid_from, value=value, source=source.strip(), office_id=office_id
    )
    db.session.add(record)
    db.session.commit()
    printed_matter_changed.send(office_id, user_id=by.id)
    return record


@dataclass(frozen=True)
class FigureUsed:
    """One figure a quote used: its value, from when, on what legal basis, and whose it is."""

    key: str
    label: str
    value: Decimal
    valid_from: date
    source: str
    set_by: str  # "national" wording, or the office whose province support it is


def figures_used(on: date, office_id: int) -> list[FigureUsed]:
    """The national figures and this office's province support in force on `on` (2 queries)."""
    office_name = db.session.scalar(sa.select(Office.name).where(Office.id == office_id)) or ""
    sources = dict(
        db.session.execute(
            sa.select(RateValue.key, RateValue.source)
            .where(
                RateValue.valid_from <= on,
                sa.or_(RateValue.office_id.is_(None), RateValue.office_id == office_id),
            )
            .order_by(RateValue.valid_from)
        ).all()
    )
    used = []
    for scope, labels, whose in (
        (None, RATE_KEYS, _("National (decree)")),
        (office_id, PROVINCE_KEYS, office_name),
    ):
        for key, (valid_from, value) in rates_in_force(on, scope).items():
            if key in labels:
                used.append(
                    FigureUsed(
                        key, str(labels[key]), value, valid_from, sources.get(key, ""), whose
                    )
                )
    return used
