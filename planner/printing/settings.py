"""How an office prints: the flyer's paper, the sheet columns it hides, spare rows, masking."""

from __future__ import annotations

from flask_babel import gettext as _

from planner.accounts.models import User
from planner.errors import PlannerError
from planner.extensions import db
from planner.printing.columns import SHEET_COLUMNS
from planner.printing.models import PrintSettings
from planner.signals import printed_matter_changed

# "a4": one flyer per A4 page; "a5x2": two A5 flyers side by side on one A4 sheet.
FLYER_LAYOUTS = ("a4", "a5x2")


def print_settings(office_id: int) -> PrintSettings:
    """The office's settings, or the defaults (not saved) when it never changed them."""
    settings = db.session.get(PrintSettings, office_id)
    if settings is None:
        settings = PrintSettings(
            office_id=office_id,
            flyer_layout="a5x2",
            hidden_columns="",
            spare_rows=5,
            mask_phones=True,
        )
    return settings


def save_print_settings(
    office_id: int,
    flyer_layout: str,
    hidden_columns: list[str],
    spare_rows: int,
    mask_phones: bool = True,
    *,
    by: User,
) -> PrintSettings:
    """Change how an office prints, commit, and announce that its printed matter changed.

    Raises PlannerError (on the field at fault) for an unknown layout, a column that cannot be
    hidden, or spare rows outside 0-50; nothing is saved then.
    """
    if flyer_layout not in FLYER_LAYOUTS:
        raise PlannerError(_("Choose A4 or two A5 flyers per sheet."), field="flyer_layout")
    hideable = {c.key for c in SHEET_COLUMNS if c.hideable}
    if not set(hidden_columns) <= hideable:
        raise PlannerError(_("That column cannot be hidden."), field="hidden_columns")
    if not 0 <= spare_rows <= 50:
        raise PlannerError(_("Spare rows must be between 0 and 50."), field="spare_rows")
    settings = db.session.get(PrintSettings, office_id)
    if settings is None:
        settings = PrintSettings(office_id=office_id)
        db.session.add(settings)
    settings.flyer_layout = flyer_layout
    settings.hidden_columns = ",".join(c.key for c in SHEET_COLUMNS if c.key in hidden_columns)
    settings.spare_rows = spare_rows
    settings.mask_phones = mask_phones
    db.session.commit()
    printed_matter_changed.send(office_id, user_id=by.id)
    return settings
