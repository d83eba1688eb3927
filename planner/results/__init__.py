"""Results: what the sessions, follow-ups and enrolments achieved, against targets."""

from flask import Blueprint

bp = Blueprint("results", __name__, url_prefix="/results")

from planner.results import routes  # noqa: E402,F401  (routes register on the blueprint)
