"""Running the planner: health and readiness, metrics, request logs, start-up checks, backups."""

from flask import Blueprint

bp = Blueprint("operations", __name__)

from planner.operations import routes  # noqa: E402, F401  (registers the routes on bp)
