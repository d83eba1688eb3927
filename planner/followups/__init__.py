"""Follow-ups with interested people: scheduled from attendance, worked from "My follow-ups"."""

from flask import Blueprint

bp = Blueprint("followups", __name__, url_prefix="/follow-ups")
