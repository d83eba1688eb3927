"""Enrolments (conversions), their contributions and the credits to sessions and follow-ups."""

from flask import Blueprint

bp = Blueprint("enrolments", __name__, url_prefix="/enrolments")

from planner.enrolments import routes  # noqa: E402,F401  (routes import services: receivers connect)
