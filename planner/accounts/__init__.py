"""Logging in, languages and user administration."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from planner.accounts import routes  # noqa: E402,F401
