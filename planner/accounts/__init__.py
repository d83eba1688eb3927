"""Logging in, languages and user administration."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
