"""Calendars: .ics downloads, subscription feeds and imports of market days and holidays."""

from flask import Blueprint

bp = Blueprint("calendars", __name__, url_prefix="/calendars")
