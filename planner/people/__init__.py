"""People reached by sessions and their attendance."""

from flask import Blueprint

bp = Blueprint("people", __name__)


@bp.app_context_processor
def _panel_helpers() -> dict:
    from planner.people.routes import people_panel, person_label, shown_phone

    return {"people_panel": people_panel, "person_label": person_label, "shown_phone": shown_phone}


from planner.people import checkin, routes  # noqa: E402,F401
