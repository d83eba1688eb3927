"""The one job runner: long work (packets, flyer bodies, results reports, reading photos,
spreadsheet imports over a size) runs in this process's threads by default, and on RQ workers
when PLANNER_REDIS_URL is set.

A domain keeps its own job rows and what a job does (printing.jobs, results.jobs,
readback.jobs, planner.import_jobs); this module says where a job runs, gives it an app
context wherever that is, and claims it so that of two workers handed the same job, one runs it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

from planner.extensions import db

JobFunction = Callable[[str], None]
# What RQ allows one job before it kills the worker's attempt, in seconds.
JOB_TIMEOUT = 600


@dataclass(frozen=True)
class JobQueue:
    """Where one family of jobs runs: the RQ queue `rq_name` when a Redis URL is set, else a
    pool of `threads` threads of its own in this process (so a long report never waits behind a
    packet). `request_context`: the job builds URLs, so it runs in a test request context."""

    rq_name: str
    pool: str
    threads: int
    request_context: bool = False


# Renders take turns on one lock anyway; two threads let a short print job start at once.
PRINTING = JobQueue("planner-print", "planner-print", threads=2)
RESULTS = JobQueue("planner-print", "planner-results", threads=1, request_context=True)
READBACK = JobQueue("planner-readback", "planner-readback", threads=1)
# An import is seconds of database work: its own queue keeps it from waiting behind a packet.
IMPORTS = JobQueue("planner-import", "planner-import", threads=1)
QUEUES = (PRINTING, RESULTS, READBACK, IMPORTS)

_EXECUTORS: dict[str, ThreadPoolExecutor] = {}
_EXECUTORS_LOCK = threading.Lock()


def redis_url(app: Flask) -> str | None:
    """PLANNER_REDIS_URL (read by from_prefixed_env as REDIS_URL), or None: no Redis."""
    return app.config.get("REDIS_URL") or app.config.get("PLANNER_REDIS_URL") or None


def _executor(queue: JobQueue) -> ThreadPoolExecutor:
    with _EXECUTORS_LOCK:
        if queue.pool not in _EXECUTORS:
            _EXECUTORS[queue.pool] = ThreadPoolExecutor(
                max_workers=queue.threads, thread_name_prefix=queue.pool
            )
        return _EXECUTORS[queue.pool]


def enqueue(queue: JobQueue, run: JobFunction, job_id: str) -> None:
    """Hand `run(job_id)` to RQ when a Redis URL is set, else to the queue's thread pool.

    `run` is a module-level function decorated with `job_function`, so an RQ worker finds it by
    name and gives it an app context."""
    # The app itself, not the proxy, for the worker thread; Flask types the proxy as the app.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    url = redis_url(app)
    if url:
        from redis import Redis
        from rq import Queue

        connection = Redis.from_url(url)
        Queue(queue.rq_name, connection=connection).enqueue(run, job_id, job_timeout=JOB_TIMEOUT)
    else:
        _executor(queue).submit(_run_in, app, queue, run, job_id)


def _run_in(app: Flask, queue: JobQueue, run: JobFunction, job_id: str) -> None:
    with ExitStack() as contexts:
        contexts.enter_context(app.app_context())
        if queue.request_context:
            contexts.enter_context(app.test_request_context())
        run(job_id)


def job_function(queue: JobQueue) -> Callable[[JobFunction], JobFunction]:
    """Decorate a job's entry point: called where there is no app (an RQ worker), it makes one
    and runs in its context; in an app context (the thread pool, a test) it just runs."""

    def decorate(run: JobFunction) -> JobFunction:
        @functools.wraps(run)
        def in_app(job_id: str) -> None:
            if has_app_context():
                return run(job_id)
            from planner import create_app  # the app is made here, only in a worker

            return _run_in(create_app(), queue, run, job_id)

        return in_app

    return decorate


def updated(statement: sa.Update) -> int:
    """Run a conditional UPDATE and say how many rows it changed (0: another worker won)."""
    return cast(sa.CursorResult, db.session.execute(statement)).rowcount


def claim(statement: sa.Update) -> bool:
    """Run the UPDATE that marks one queued job running (its WHERE names the job, the queued
    status and whatever else must still hold) and commit: True for the one worker whose
    UPDATE changed the row, so a job handed to two workers runs once."""
    claimed = updated(statement)
    db.session.commit()
    return bool(claimed)
