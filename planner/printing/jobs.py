"""Long renders as jobs: in the app's own threads by default, on RQ workers with a Redis URL.

A job is a PrintJob row; whoever runs it updates `done`/`total` as each document is ready, so
the page can show a progress bar by polling the job's JSON.
"""

from __future__ import annotations

import json
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _

from planner.accounts.models import Office, User
from planner.errors import PlannerError
from planner.extensions import db
from planner.printing import render, services
from planner.printing.models import PrintJob
from planner.signals import printed_matter_changed
from planner.timezones import now_utc

PACKET = "packet"
FLYER_BODIES = "flyer_bodies"
STALE_QUEUED = timedelta(minutes=10)
# A worker beats after every document (seconds apart); this long without a beat, it is gone.
STALE_RUNNING = timedelta(minutes=5)
_EXECUTOR: ThreadPoolExecutor | None = None
_EXECUTOR_LOCK = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _EXECUTOR
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None:
            # Renders take turns on one lock anyway; two workers let a short job start at once.
            _EXECUTOR = ThreadPoolExecutor(max_workers=2, thread_name_prefix="planner-print")
        return _EXECUTOR


def redis_url(app: Flask) -> str | None:
    """PLANNER_REDIS_URL (read by from_prefixed_env as REDIS_URL)."""
    return app.config.get("REDIS_URL") or app.config.get("PLANNER_REDIS_URL") or None


def start_packet_job(
    user: User, monday: date, officer_ids: set[int] | None, commune_id: int | None, title: str
) -> PrintJob:
    """Queue the week's packet for `user`'s office and return the job to follow."""
    job = PrintJob(
        id=secrets.token_hex(16),
        office_id=user.office_id,
        user_id=user.id,
        kind=PACKET,
        params_json=json.dumps(
            {
                "monday": monday.isoformat(),
                "officer_ids": sorted(officer_ids) if officer_ids is not None else None,
                "commune_id": commune_id,
                "title": title,
            }
        ),
        filename=f"tuan-{monday:%Y-%m-%d}.pdf",
    )
    db.session.add(job)
    db.session.commit()
    enqueue(job.id)
    return job


def start_flyer_preparation(office_id: int, user_id: int) -> PrintJob | None:
    """Queue the rendering of the flyer bodies the office's coming sessions need.

    None when PLANNER_PREPARE_FLYERS is off, or when such a job is already waiting (it will
    see the latest change when it runs).
    """
    config = current_app.config
    if not config.get("PLANNER_PREPARE_FLYERS", config.get("PREPARE_FLYERS", True)):
        return None
    waiting = db.session.scalar(
        sa.select(PrintJob.id).where(
            PrintJob.office_id == office_id,
            PrintJob.kind == FLYER_BODIES,
            PrintJob.status == "queued",
            # One left queued by a server that stopped will never run: do not wait on it.
            PrintJob.created_at > now_utc() - STALE_QUEUED,
        )
    )
    if waiting is not None:
        return None
    job = PrintJob(
        id=secrets.token_hex(16),
        office_id=office_id,
        user_id=user_id,
        kind=FLYER_BODIES,
        params_json=json.dumps({"days": services.PREPARE_DAYS}),
        filename="",
    )
    db.session.add(job)
    db.session.commit()
    enqueue(job.id)
    return job


@printed_matter_changed.connect
def _prepare_flyers_soon(office_id: int, user_id: int, **_extra) -> None:
    start_flyer_preparation(office_id, user_id)


def enqueue(job_id: str) -> None:
    """Hand the job to RQ when a Redis URL is set, else to this process's thread pool."""
    app = current_app._get_current_object()
    url = redis_url(app)
    if url:
        from redis import Redis
        from rq import Queue

        queue = Queue("planner-print", connection=Redis.from_url(url))
        queue.enqueue(run_job, job_id, job_timeout=600)
    else:
        _executor().submit(_run_in_app, app, job_id)


def _run_in_app(app: Flask, job_id: str) -> None:
    with app.app_context():
        run_job(job_id)


def run_job(job_id: str) -> None:
    """Run one job (RQ calls this in a worker; the thread pool calls it in an app context)."""
    if not has_app_context():
        from planner import create_app

        with create_app().app_context():
            return run_job(job_id)
    job = db.session.get(PrintJob, job_id)
    if job is None or job.status != "queued":
        return None
    # Claimed by one conditional UPDATE: of two workers handed the same job, one runs it.
    claimed = db.session.execute(
        sa.update(PrintJob)
        .where(PrintJob.id == job_id, PrintJob.status == "queued", PrintJob.attempt == job.attempt)
        .values(status="running", heartbeat_at=now_utc())
    ).rowcount
    db.session.commit()
    if not claimed:
        return None
    db.session.refresh(job)
    job.claimed_attempt = job.attempt  # not a column: what this worker runs
    try:
        with force_locale("vi"):
            if job.kind == FLYER_BODIES:
                _run_flyer_bodies(job)
            else:
                _run_packet(job)
    except JobTakenOver:
        db.session.rollback()
    except PlannerError as error:
        db.session.rollback()
        _fail(job_id, error.message)
    except Exception as error:  # a failed job must say so rather than spin forever
        db.session.rollback()
        current_app.logger.exception("Print job %s failed", job_id, exc_info=error)
        with force_locale("vi"):
            _fail(job_id, _("The packet could not be printed. Try again, or ask an administrator."))
    return None


def _fail(job_id: str, message: str) -> None:
    job = db.session.get(PrintJob, job_id)
    job.status = "failed"
    job.error = message[:500]
    job.finished_at = now_utc()
    db.session.commit()


class JobTakenOver(Exception):
    """This worker's attempt was marked stale and the job retried: stop quietly."""


def _beat(job: PrintJob, **values) -> None:
    """Write progress with a heartbeat, only while this worker's attempt is the running one."""
    attempt = getattr(job, "claimed_attempt", job.attempt)
    db.session.commit()  # what the step itself changed (a sheet version, ...)
    written = db.session.execute(
        sa.update(PrintJob)
        .where(PrintJob.id == job.id, PrintJob.status == "running", PrintJob.attempt == attempt)
        .values(heartbeat_at=now_utc(), **values)
    ).rowcount
    db.session.commit()
    if not written:
        raise JobTakenOver(job.id)
    db.session.refresh(job)


def _progress(job: PrintJob, done: int) -> None:
    _beat(job, done=done)


def _finish(job: PrintJob) -> None:
    _beat(job, done=job.total, status="done", finished_at=now_utc(), pdf_key=job.pdf_key)


def expire_if_stale(job: PrintJob) -> PrintJob:
    """A running job without a heartbeat for STALE_RUNNING (its worker died), or one queued for
    STALE_QUEUED that no worker took, becomes failed in one conditional UPDATE (a beat that
    arrives meanwhile keeps it running)."""
    last = job.heartbeat_at or job.created_at
    limit = {"running": STALE_RUNNING, "queued": STALE_QUEUED}.get(job.status)
    if limit is None or last > now_utc() - limit:
        return job
    with force_locale("vi"):
        message = _("The printing stopped (the server was restarted). Try again.")
    db.session.execute(
        sa.update(PrintJob)
        .where(
            PrintJob.id == job.id,
            PrintJob.status == job.status,
            PrintJob.attempt == job.attempt,
            sa.or_(PrintJob.heartbeat_at.is_(None), PrintJob.heartbeat_at <= last),
        )
        .values(status="failed", error=message[:500], finished_at=now_utc())
    )
    db.session.commit()
    db.session.refresh(job)
    return job


def retry(job: PrintJob) -> bool:
    """Run a failed job again from the start (a new attempt); False when it is not failed."""
    retried = db.session.execute(
        sa.update(PrintJob)
        .where(PrintJob.id == job.id, PrintJob.status == "failed", PrintJob.attempt == job.attempt)
        .values(
            status="queued",
            attempt=PrintJob.attempt + 1,
            done=0,
            error="",
            heartbeat_at=None,
            finished_at=None,
            created_at=now_utc(),
        )
    ).rowcount
    db.session.commit()
    if retried:
        db.session.refresh(job)
        enqueue(job.id)
    return bool(retried)


def _run_flyer_bodies(job: PrintJob) -> None:
    """Each flyer body the coming sessions need, rendered into the cache."""
    sessions = services.flyer_bodies_to_prepare(job.office_id, job.params["days"])
    job.total = len(sessions)
    _progress(job, 0)
    for session in sessions:
        services.prepare_flyer_body(session)
        _progress(job, job.done + 1)
    _finish(job)


def _run_packet(job: PrintJob) -> None:
    """The week plan, then each session's flyer and attendance sheet, as one PDF."""
    params = job.params
    office = db.session.get(Office, job.office_id)
    user = db.session.get(User, job.user_id)
    monday = date.fromisoformat(params["monday"])
    officer_ids = set(params["officer_ids"]) if params["officer_ids"] is not None else None
    sessions = services.packet_sessions(office.id, monday, officer_ids, params["commune_id"])
    to_print = [s for s in sessions if services.printable(s)]
    job.total = 2 + 2 * len(to_print)  # plan, flyers and sheets, then joining them
    _progress(job, 0)
    plan_html = services.week_plan_html(office, monday, sessions, params.get("title", ""))
    keys, parts = [], []
    key, pdf = render.cached_pdf(plan_html, services.WEEK_STYLES)
    keys.append(key)
    parts.append(pdf)
    _progress(job, 1)
    for session in to_print:
        key, pdf = services.flyer_pdf(session)
        keys.append(key)
        parts.append(pdf)
        _progress(job, job.done + 1)
        version, pdf = services.attendance_sheet(session, user=user)
        keys.append(version.pdf_key)
        parts.append(pdf)
        _progress(job, job.done + 1)
    packet_key = services.packet_key(keys)
    if render.cached(packet_key) is None:
        render.store(packet_key, render.merge(parts))
    job.pdf_key = packet_key
    _finish(job)


def office_job(job_id: str, office_id: int) -> PrintJob | None:
    """A job of this office, or None (another office's job does not exist for this user)."""
    return db.session.scalar(
        sa.select(PrintJob).where(
            PrintJob.id == job_id, PrintJob.office_id == office_id, PrintJob.kind == PACKET
        )
    )
