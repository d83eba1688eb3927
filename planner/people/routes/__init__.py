"""Pages for attendance on a session, people, duplicates, import and privacy requests.

One module per sub-feature: `attendance` (a session's list, its export and import), `people`
(the list, a person, duplicates), `privacy` (export and erasure). All on the one `people`
blueprint, so endpoint names are `people.<function>` as before."""

from __future__ import annotations

from planner.people import bp
from planner.people.identity import person_label, shown_phone
from planner.people.routes import attendance, people, privacy
from planner.people.routes.attendance import people_panel

__all__ = ["attendance", "bp", "people", "people_panel", "person_label", "privacy", "shown_phone"]


@bp.app_context_processor
def _panel_helpers() -> dict:
    """The session page's people panel and how a person is shown, for every template."""
    return {"people_panel": people_panel, "person_label": person_label, "shown_phone": shown_phone}
