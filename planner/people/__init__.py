"""People reached by sessions and their attendance."""

from flask import Blueprint

bp = Blueprint("people", __name__)
