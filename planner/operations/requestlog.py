"""One log line per request, with a request id that the response and the jobs it starts carry."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request
from flask_login import current_user

from planner.operations import metrics

log = logging.getLogger("planner.requests")
# A proxy's id is kept only when it looks like one: it ends up in logs and headers.
INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    if not log.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def request_id() -> str | None:
    """This request's id (None outside a request)."""
    return g.get("request_id")


def _start() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if INCOMING_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response):
    started = g.pop("request_started", None)
    if started is None:
        return response
    seconds = time.perf_counter() - started
    response.headers["X-Request-ID"] = g.request_id
    metrics.observe_request(request.endpoint, request.method, response.status_code, seconds)
    # The user's id only: get_id() also carries the session token the login cookie holds, and
    # anyone reading the logs could end or (with the secret key) forge that user's sessions.
    user = current_user.id if current_user and current_user.is_authenticated else "-"
    # The path only: query strings can hold names and phone numbers searched for.
    log.info(
        "request_id=%s method=%s path=%s status=%d ms=%.1f user=%s",
        g.request_id,
        request.method,
        request.path,
        response.status_code,
        seconds * 1000,
        user,
    )
    return response
