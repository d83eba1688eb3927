"""The audit trail page: supervisors see who changed what in their office."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from planner.accounts.models import User
from planner.audit import bp
from planner.audit.services import office_trail
from planner.collation import vi_order
from planner.extensions import db
from planner.scoping import supervisor_required

ENTITIES = {
    "person": _l("Person"),
    "attendance": _l("Attendance"),
    "follow_up": _l("Follow-up"),
    "enrolment": _l("Enrolment"),
}
ACTIONS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "merge": _l("merged with another record"),
    "merged_into": _l("merged into another record"),
    "not_duplicate": _l("marked as a different person"),
    "erase": _l("erased"),
    "export": _l("exported"),
    "self_check_in": _l("checked in by QR code"),
}

FIELDS = {
    "full_name": _l("Full name"),
    "birth_year": _l("Year of birth"),
    "gender": _l("Gender"),
    "ethnicity": _l("Ethnicity"),
    "commune_id": _l("Commune or ward"),
    "village_id": _l("Village"),
    "phone": _l("Phone"),
    "cccd": _l("CCCD"),
    "occupation": _l("Occupation"),
    "priority_group": _l("Priority group"),
    "has_health_insurance": _l("Has a health insurance card now"),
    "consent_contact": _l("Agrees to be contacted"),
    "notes": _l("Notes"),
    "confirmed": _l("Confirmed"),
    "session_id": _l("Session"),
    "person_id": _l("Person"),
    "interested_voluntary_si": _l("Interested in voluntary social insurance"),
    "interested_household_hi": _l("Interested in household health insurance"),
    "registered_on_spot": _l("Registered on the spot"),
    "source": _l("Source"),
}


@bp.app_context_processor
def _labels() -> dict:
    return {
        "audit_entity_label": lambda key: ENTITIES.get(key, key),
        "audit_action_label": lambda key: ACTIONS.get(key, key),
        "audit_field_label": lambda key: FIELDS.get(key, key),
        "audit_value": _shown_value,
    }


def _shown_value(value) -> str:
    """A changed value as people read it: Có/Không for yes/no, a dash for nothing."""
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if value is None or value == "":
        return "—"
    return str(value)


@bp.get("/audit")
@supervisor_required
def index():
    entity = request.args.get("entity", "")
    user_id = request.args.get("user", type=int)
    page = office_trail(
        current_user.office_id,
        entity if entity in ENTITIES else None,
        user_id,
        request.args.get("page", 1, type=int),
    )
    users = db.session.scalars(
        sa.select(User)
        .where(User.office_id == current_user.office_id)
        .order_by(vi_order(User.full_name))
    ).all()
    return render_template(
        "audit/index.html",
        page=page,
        entity=entity,
        user_id=user_id,
        users=users,
        entities=ENTITIES,
        actions=ACTIONS,
    )
