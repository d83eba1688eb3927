"""Follow-ups with interested people: scheduled from attendance, worked from "My follow-ups"."""

from flask import Blueprint

bp = Blueprint("followups", __name__, url_prefix="/follow-ups")

from planner.followups import calendar, routes  # noqa: E402,F401  (receivers and feed source connect)
