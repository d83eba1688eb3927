"""Prometheus metrics with the official client: request latency by endpoint, jobs, queue length.

Under gunicorn with several workers each process counts its own requests; set
PROMETHEUS_MULTIPROC_DIR (deploy/gunicorn.conf.py does) and the scrape adds them up.
"""

from __future__ import annotations

import ipaddress
import os
import secrets

from flask import Request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

# Buckets in seconds, around the pages' target (150 ms) and the load target (500 ms p95).
REQUEST_SECONDS = Histogram(
    "planner_request_duration_seconds",
    "Time to answer a request, by endpoint and status class.",
    ["endpoint", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
JOB_SECONDS = Histogram(
    "planner_job_duration_seconds",
    "Time a background job took from start to end, by kind and outcome.",
    ["kind", "outcome"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)


class JobQueueCollector:
    """Jobs waiting and running, read from the job table at scrape time (every server agrees)."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        from planner.operations.jobqueue import jobs_by_status

        gauge = GaugeMetricFamily(
            "planner_jobs", "Background jobs by kind and status, now.", labels=["kind", "status"]
        )
        with self.app.app_context():
            for (kind, status), count in jobs_by_status().items():
                gauge.add_metric([kind, status], count)
        yield gauge


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    """Count one answered request; unknown URLs share one label so they cannot explode it."""
    REQUEST_SECONDS.labels(endpoint or "unmatched", method, f"{status // 100}xx").observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The metrics text and its content type, summed over processes in multiprocess mode."""
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy target
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    queue = JobQueueCollector(app)
    body = generate_latest(registry) + generate_latest(_single(queue))
    return body, CONTENT_TYPE_LATEST


def _single(collector) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def scrape_allowed(request: Request, token: str | None) -> bool:
    """Loopback scrapes (the usual sidecar) or a matching bearer token; everyone else sees 404."""
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return secrets.compare_digest(given.encode(), token.encode())
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False
