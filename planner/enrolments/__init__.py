"""Enrolments (conversions), their contributions and the credits to sessions and follow-ups."""

from flask import Blueprint

bp = Blueprint("enrolments", __name__, url_prefix="/enrolments")
