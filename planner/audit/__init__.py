"""Who changed what about people, follow-ups and enrolments."""

from flask import Blueprint

bp = Blueprint("audit", __name__)
