"""Results pages: the dashboard, the lists behind each figure, comparisons, targets, coverage,
where to go next, exports and the monthly report. Thin: parse, call a service, render.

One module per sub-feature (`pages`, `downloads`, `target_pages`, `coverage_pages`), all on the
one `results` blueprint, so endpoint names stay `results.<function>`; `filters` turns the address
into a ResultsFilter for all of them."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _

from planner.results import bp, tables
from planner.results.routes import coverage_pages, downloads, pages, target_pages
from planner.results.routes.filters import FilterRefused, filter_args, resolve_filter

__all__ = [
    "bp",
    "coverage_pages",
    "downloads",
    "filter_args",
    "pages",
    "resolve_filter",
    "target_pages",
]


@bp.context_processor
def _template_helpers() -> dict:
    return {
        "shown": tables.shown,
        "target_scope": tables.target_scope,
        "on_track_text": tables.on_track_text,
    }


@bp.errorhandler(FilterRefused)
def _filter_refused(error: FilterRefused):
    # Back to the results with the default filter: the one asked for is what was refused.
    back = (url_for("results.dashboard"), _("Back to the results"))
    return render_template(
        "errors.html", code=error.status, message=error.message, back=back
    ), error.status
