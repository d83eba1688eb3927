"""Dated contribution rates and the calculations built on them; the rates admin and quote page."""

from flask import Blueprint

bp = Blueprint("rates", __name__, url_prefix="/rates")
