"""Printed matter: flyers, attendance sheets, quote sheets and the week's packet, as PDF."""

from flask import Blueprint

bp = Blueprint("printing", __name__, url_prefix="/printing")
