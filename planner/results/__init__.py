"""Results: what the sessions, follow-ups and enrolments achieved, against targets."""

from flask import Blueprint

bp = Blueprint("results", __name__, url_prefix="/results")
