"""Long results work as jobs with progress, like the week's packet: the monthly report (PDF)
and the workbook of every table of a period (XLSX).

A job is a printing PrintJob row (its progress columns and office scoping are the same) of kind
results_report or results_export; the file is kept under the cache folder, named by the job.
Jobs run in this process's thread pool, or on RQ workers when a Redis URL is set.
"""

from __future__ import annotations

import json
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _

from planner import storage
from planner.accounts.models import Office, User
from planner.extensions import db
from planner.printing.jobs import redis_url
from planner.printing.models import JobKind, PrintJob
from planner.results.periods import Period, PeriodKind, ResultsFilter
from planner.timezones import now_utc

REPORT = JobKind.RESULTS_REPORT
EXPORT = JobKind.RESULTS_EXPORT
KINDS = (REPORT, EXPORT)
_EXECUTOR: ThreadPoolExecutor | None = None
_LOCK = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _EXECUTOR
    with _LOCK:
        if _EXECUTOR is None:
            _EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner-results")
        return _EXECUTOR


def _params(f: ResultsFilter) -> dict:
    return {
        "officer_ids": sorted(f.officer_ids) if f.officer_ids is not None else None,
        "commune_id": f.commune_id,
        "first": f.period.first.isoformat(),
        "last": f.period.last.isoformat(),
        "kind": f.period.kind.value,
    }


def filter_of(job: PrintJob) -> ResultsFilter:
    """The filter the job was started with (ids were checked when it was started)."""
    p = job.params
    return ResultsFilter(
        job.office_id,
        frozenset(p["officer_ids"]) if p["officer_ids"] is not None else None,
        p["commune_id"],
        Period(
            date.fromisoformat(p["first"]), date.fromisoformat(p["last"]), PeriodKind(p["kind"])
        ),
    )


def start(kind: str, user: User, f: ResultsFilter, filename: str) -> PrintJob:
    """Queue a results job for the user's office and return it to follow."""
    job = PrintJob(
        id=secrets.token_hex(16),
        office_id=f.office_id,
        user_id=user.id,
        kind=kind,
        params_json=json.dumps(_params(f)),
        filename=filename,
    )
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()
    url = redis_url(app)
    if url:
        from redis import Redis
        from rq import Queue

        Queue("planner-print", connection=Redis.from_url(url)).enqueue(
            run_job, job.id, job_timeout=600
        )
    else:
        _executor().submit(_run_in_app, app, job.id)
    return job


def _run_in_app(app: Flask, job_id: str) -> None:
    with app.app_context(), app.test_request_context():
        run_job(job_id)


def output_key(job: PrintJob) -> str:
    """Where a finished job's file is kept, in the store every server reads (planner.storage)."""
    return f"results/{job.id}{Path(job.filename).suffix}"


def output(job: PrintJob) -> bytes | None:
    """A finished job's file, or None."""
    return storage.store().get(output_key(job))


def run_job(job_id: str) -> None:
    """Run one results job; a failure is recorded on the job, never left spinning."""
    if not has_app_context():
        from planner import create_app

        app = create_app()
        with app.app_context(), app.test_request_context():
            return run_job(job_id)
    job = db.session.get(PrintJob, job_id)
    if job is None or job.kind not in KINDS or job.status in ("done", "failed"):
        return None
    job.status = "running"
    db.session.commit()
    try:
        with force_locale("vi"):
            data = _build(job)
        storage.store().put(output_key(job), data)
        job.done = job.total
        job.status = "done"
        job.finished_at = now_utc()
        db.session.commit()
    except Exception as error:  # a failed job must say so
        db.session.rollback()
        current_app.logger.exception("Results job %s failed", job_id, exc_info=error)
        job = db.session.get(PrintJob, job_id)
        with force_locale("vi"):
            job.error = _("The report could not be made. Try again, or ask an administrator.")
        job.status = "failed"
        job.finished_at = now_utc()
        db.session.commit()
    return None


def _build(job: PrintJob) -> bytes:
    from planner.results import exports

    f = filter_of(job)
    job.total = 6
    job.done = 0
    db.session.commit()

    def step(n: int) -> None:
        job.done = min(job.total - 1, job.done + n)
        db.session.commit()

    if job.kind == REPORT:
        office = db.session.get(Office, job.office_id)
        return exports.report_pdf(exports.monthly_report(office, f, step))
    sheets = exports.all_tables(f, step)
    return exports.tables_xlsx(sheets)


def office_job(job_id: str, office_id: int) -> PrintJob | None:
    """A results job of this office, or None (another office's job does not exist here)."""
    return db.session.scalar(
        sa.select(PrintJob).where(
            PrintJob.id == job_id, PrintJob.office_id == office_id, PrintJob.kind.in_(KINDS)
        )
    )
