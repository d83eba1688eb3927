"""Running the planner: health and readiness, metrics, request logs, start-up checks, backups."""

from flask import Blueprint, Flask

bp = Blueprint("operations", __name__)


def init_app(app: Flask) -> None:
    """Trust the configured number of proxies, then log and measure every request."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from planner.operations import requestlog

    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies:
        # Behind nginx the client's address (rate limits, /metrics) and the scheme (secure
        # cookies, HSTS) come from X-Forwarded-*; trusted only for this many hops.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # as Flask documents
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    requestlog.init_app(app)


from planner.operations import routes  # noqa: E402, F401  (registers the routes on bp)
