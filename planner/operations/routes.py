"""Probes for the load balancer and the metrics scrape: no login, no page chrome."""

from __future__ import annotations

from flask import abort, current_app, jsonify, request

from planner.extensions import csrf, limiter
from planner.operations import bp, metrics
from planner.operations.health import readiness


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is alive and answers; says nothing about its dependencies."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """200 when the database (and Redis, when configured) answer, else 503 naming what failed."""
    found = readiness()
    ready = all(d.ok for d in found)
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {d.name: ("ok" if d.ok else f"failed: {d.detail}") for d in found},
    }
    return jsonify(body), (200 if ready else 503)


@bp.get("/metrics")
@limiter.exempt
@csrf.exempt
def prometheus_metrics():
    """Prometheus text format; only for loopback or a bearer token (PLANNER_METRICS_TOKEN)."""
    if not metrics.scrape_allowed(request, current_app.config.get("METRICS_TOKEN")):
        abort(404)
    body, content_type = metrics.exposition()
    return current_app.response_class(body, content_type=content_type)
