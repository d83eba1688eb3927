"""An office's follow-up settings: how many days after a session a follow-up falls due, and how
long an enrolment is credited to the sessions before it.
"""

from __future__ import annotations

from flask_babel import ngettext

from planner.accounts.models import User
from planner.audit.services import diff, record
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups.models import (
    OfficeSettings,
)

MAX_DUE_DAYS = 60


MAX_CREDIT_WINDOW_DAYS = 730


def settings_for(office_id: int) -> OfficeSettings:
    """The office's settings, or the defaults (not saved) while a supervisor has set none."""
    settings = db.session.get(OfficeSettings, office_id)
    if settings is None:
        settings = OfficeSettings(office_id=office_id)
        # Column defaults apply only on insert; fill them in for reading now.
        settings.follow_up_due_days = OfficeSettings.follow_up_due_days.default.arg
        settings.credit_window_days = OfficeSettings.credit_window_days.default.arg
    return settings


def save_settings(office_id: int, due_days: int, window_days: int, by: User) -> OfficeSettings:
    """Change the office's follow-up delay and credit window."""
    if not 0 <= due_days <= MAX_DUE_DAYS:
        raise PlannerError(
            ngettext(
                "A follow-up is due between 0 and %(num)d day after the session.",
                "A follow-up is due between 0 and %(num)d days after the session.",
                MAX_DUE_DAYS,
            ),
            field="follow_up_due_days",
        )
    if not 1 <= window_days <= MAX_CREDIT_WINDOW_DAYS:
        raise PlannerError(
            ngettext(
                "The credit window is between 1 and %(num)d day.",
                "The credit window is between 1 and %(num)d days.",
                MAX_CREDIT_WINDOW_DAYS,
            ),
            field="credit_window_days",
        )
    settings = settings_for(office_id)
    before = _settings_snapshot(settings)
    settings.follow_up_due_days = due_days
    settings.credit_window_days = window_days
    settings.updated_by_id = by.id
    db.session.add(settings)
    changes = diff(before, _settings_snapshot(settings))
    if changes:
        record(office_id, "office_settings", office_id, "update", changes, user_id=by.id)
    return settings


def _settings_snapshot(settings: OfficeSettings) -> dict:
    return {
        "follow_up_due_days": settings.follow_up_due_days,
        "credit_window_days": settings.credit_window_days,
    }
