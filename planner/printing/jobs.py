"""Long renders as jobs (run by planner.jobs: the app's own threads, or RQ workers with Redis).

A job is a PrintJob row; whoever runs it updates `done`/`total` as each document is ready, so
the page can show a progress bar by polling the job's JSON.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from planner.accounts.models import Office, User
from planner.errors import PlannerError
from planner.extensions import db
from planner.jobs import PRINTING, claim, job_function, updated
from planner.jobs import enqueue as enqueue_job
from planner.operations import metrics
from planner.printing import flyer, packet, render, sheet
from planner.printing.models import JobKind, JobStatus, PrintJob
from planner.scope import Scope
from planner.sessions.week import week_sessions
from planner.signals import printed_matter_changed
from planner.timezones import now_utc

STALE_QUEUED = timedelta(minutes=10)
# A worker beats after every document (seconds apart); this long without a beat, it is gone.
STALE_RUNNING = timedelta(minutes=5)


def start_packet_job(user: User, monday: date, scope: Scope) -> PrintJob:
    """Queue the week's packet of `scope` for `user` and return the job to follow."""
    job = PrintJob(
        id=secrets.token_hex(16),
        office_id=user.office_id,
        user_id=user.id,
        kind=JobKind.PACKET,
        params_json=json.dumps({"monday": monday.isoformat(), "scope": scope.to_params()}),
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
            PrintJob.kind == JobKind.FLYER_BODIES,
            PrintJob.status == JobStatus.QUEUED,
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
        kind=JobKind.FLYER_BODIES,
        params_json=json.dumps({"days": flyer.PREPARE_DAYS}),
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
    """Hand the job to RQ when a Redis URL is set, else to this process's print threads."""
    enqueue_job(PRINTING, run_job, job_id)


@job_function(PRINTING)
def run_job(job_id: str) -> None:
    """Run one job (RQ calls this in a worker; the thread pool calls it in an app context)."""
    job = db.session.get(PrintJob, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return None
    claimed = claim(
        sa.update(PrintJob)
        .where(
            PrintJob.id == job_id,
            PrintJob.status == JobStatus.QUEUED,
            PrintJob.attempt == job.attempt,
        )
        .values(status=JobStatus.RUNNING, heartbeat_at=now_utc())
    )
    if not claimed:
        return None
    db.session.refresh(job)
    job.claimed_attempt = job.attempt  # type: ignore[attr-defined]  # not a column: this run
    kind, started = job.kind, time.perf_counter()
    try:
        with force_locale("vi"):
            if job.kind == JobKind.FLYER_BODIES:
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
    finally:
        outcome = db.session.scalar(sa.select(PrintJob.status).where(PrintJob.id == job_id))
        metrics.JOB_SECONDS.labels(kind, outcome or "unknown").observe(
            time.perf_counter() - started
        )
    return None


def _fail(job_id: str, message: str) -> None:
    job = db.session.get_one(PrintJob, job_id)
    job.status = JobStatus.FAILED
    job.error = message[:500]
    job.finished_at = now_utc()
    db.session.commit()


class JobTakenOver(Exception):
    """This worker's attempt was marked stale and the job retried: stop quietly."""


def _beat(job: PrintJob, **values) -> None:
    """Write progress with a heartbeat, only while this worker's attempt is the running one."""
    attempt = getattr(job, "claimed_attempt", job.attempt)
    db.session.commit()  # what the step itself changed (a sheet version, ...)
    written = updated(
        sa.update(PrintJob)
        .where(
            PrintJob.id == job.id,
            PrintJob.status == JobStatus.RUNNING,
            PrintJob.attempt == attempt,
        )
        .values(heartbeat_at=now_utc(), **values)
    )
    db.session.commit()
    if not written:
        raise JobTakenOver(job.id)
    db.session.refresh(job)


def _progress(job: PrintJob, done: int) -> None:
    _beat(job, done=done)


def _finish(job: PrintJob) -> None:
    _beat(job, done=job.total, status=JobStatus.DONE, finished_at=now_utc(), pdf_key=job.pdf_key)


# Only these kinds beat after each document; results jobs (planner/results/jobs.py) share the
# table but not the heartbeat, so a long report is never taken for a dead worker.
BEATING_KINDS = (JobKind.PACKET, JobKind.FLYER_BODIES)


def expire_if_stale(job: PrintJob) -> PrintJob:
    """A running job without a heartbeat for STALE_RUNNING (its worker died), or one queued for
    STALE_QUEUED that no worker took, becomes failed in one conditional UPDATE (a beat that
    arrives meanwhile keeps it running). Jobs of other kinds than BEATING_KINDS are returned
    unchanged."""
    if job.kind not in BEATING_KINDS:
        return job
    last = job.heartbeat_at or job.created_at
    limit = {JobStatus.RUNNING: STALE_RUNNING, JobStatus.QUEUED: STALE_QUEUED}.get(
        JobStatus(job.status)
    )
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
        .values(status=JobStatus.FAILED, error=message[:500], finished_at=now_utc())
    )
    db.session.commit()
    db.session.refresh(job)
    return job


def retry(job: PrintJob) -> bool:
    """Run a failed job again from the start (a new attempt); False when it is not failed."""
    retried = updated(
        sa.update(PrintJob)
        .where(
            PrintJob.id == job.id,
            PrintJob.status == JobStatus.FAILED,
            PrintJob.attempt == job.attempt,
        )
        .values(
            status=JobStatus.QUEUED,
            attempt=PrintJob.attempt + 1,
            done=0,
            error="",
            heartbeat_at=None,
            finished_at=None,
            created_at=now_utc(),
        )
    )
    db.session.commit()
    if retried:
        db.session.refresh(job)
        enqueue(job.id)
    return bool(retried)


def _run_flyer_bodies(job: PrintJob) -> None:
    """Each flyer body the coming sessions need, rendered into the cache."""
    sessions = flyer.flyer_bodies_to_prepare(job.office_id, job.params["days"])
    job.total = len(sessions)
    _progress(job, 0)
    for session in sessions:
        flyer.prepare_flyer_body(session)
        _progress(job, job.done + 1)
    _finish(job)


def _run_packet(job: PrintJob) -> None:
    """The week plan, then each session's flyer and attendance sheet, as one PDF."""
    params = job.params
    office = db.session.get_one(Office, job.office_id)
    user = db.session.get(User, job.user_id)
    monday = date.fromisoformat(params["monday"])
    scope = Scope.from_params(params["scope"])
    sessions = list(week_sessions(scope, monday))
    to_print = [s for s in sessions if packet.printable(s)]
    job.total = 2 + 2 * len(to_print)  # plan, flyers and sheets, then joining them
    _progress(job, 0)
    plan_html = packet.week_plan_html(office, monday, sessions, packet.plan_title(scope, office))
    keys, parts = [], []
    key, pdf = render.cached_pdf(plan_html, packet.WEEK_STYLES)
    keys.append(key)
    parts.append(pdf)
    _progress(job, 1)
    for session in to_print:
        key, pdf = flyer.flyer_pdf(session)
        keys.append(key)
        parts.append(pdf)
        _progress(job, job.done + 1)
        version, pdf = sheet.attendance_sheet(session, user=user)
        keys.append(version.pdf_key)
        parts.append(pdf)
        _progress(job, job.done + 1)
    packet_key = packet.packet_key(keys)
    if render.cached(packet_key) is None:
        render.store(packet_key, render.merge(parts))
    job.pdf_key = packet_key
    _finish(job)


def office_job(job_id: str, office_id: int) -> PrintJob | None:
    """A job of this office, or None (another office's job does not exist for this user)."""
    return db.session.scalar(
        sa.select(PrintJob).where(
            PrintJob.id == job_id, PrintJob.office_id == office_id, PrintJob.kind == JobKind.PACKET
        )
    )
