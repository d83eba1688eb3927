"""Planning sessions and the week view."""

from flask import Blueprint

bp = Blueprint("sessions", __name__)
