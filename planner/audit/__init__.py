"""Who changed what about people, follow-ups and enrolments."""

from flask import Blueprint

bp = Blueprint("audit", __name__)


@bp.app_context_processor
def _labels() -> dict:
    from planner.audit.routes import ACTIONS, ENTITIES, FIELDS

    return {
        "audit_entity_label": lambda key: ENTITIES.get(key, key),
        "audit_action_label": lambda key: ACTIONS.get(key, key),
        "audit_field_label": lambda key: FIELDS.get(key, key),
        "audit_value": _shown_value,
    }


def _shown_value(value) -> str:
    """A changed value as people read it: Có/Không for yes/no, a dash for nothing."""
    from flask_babel import gettext as _

    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if value is None or value == "":
        return "—"
    return str(value)


from planner.audit import routes  # noqa: E402,F401
