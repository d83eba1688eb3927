"""gunicorn settings for a province or national deployment (README, "Deploying").

    gunicorn -c python:planner.operations.gunicorn_conf 'planner:create_app()'

Every setting can be changed by the environment variable named beside it. The server refuses to
start when `flask check` would refuse the settings (debug, a generated key, insecure cookies,
SQLite or no Redis with several workers).
"""

import os
import shutil
import tempfile

bind = os.environ.get("PLANNER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# Threads let a worker answer pages while another request waits on PostgreSQL.
worker_class = "gthread"
threads = int(os.environ.get("PLANNER_THREADS", "4"))
timeout = int(os.environ.get("PLANNER_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then, so a slow leak cannot grow for weeks.
max_requests = 5000
max_requests_jitter = 500
# nginx on the same machine sets X-Forwarded-For/Proto; the app trusts one proxy hop
# (PLANNER_TRUSTED_PROXIES=1) and logs one line per request itself, with its id.
forwarded_allow_ips = os.environ.get("PLANNER_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"

# Each worker writes its metrics here and /metrics adds them up; set before any worker imports
# prometheus_client, emptied at start so a dead worker's counts from a previous run do not stay.
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "planner-metrics")
)


def on_starting(server):
    """Empty the metrics folder and refuse unsafe settings before any worker starts."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)
    from planner import create_app
    from planner.operations.checks import production_findings

    findings = production_findings(create_app(), workers=server.cfg.workers)
    for finding in findings:
        server.log.error("refusing to start [%s]: %s", finding.code, finding.message)
    if findings:
        raise SystemExit(1)


def child_exit(server, worker):
    """A worker that ended no longer counts in the live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
