"""Planning sessions and the week view."""

from flask import Blueprint

bp = Blueprint("sessions", __name__)

from planner.sessions import routes  # noqa: E402,F401
