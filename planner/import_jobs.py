"""Spreadsheet imports over a size run as jobs; smaller files are imported in the request.

A file is a job when it is larger than PLANNER_IMPORT_JOB_BYTES (default 16 KiB). Bytes, not
rows, because the size is known before anything is read: deciding must not itself be the long
work (counting an XLSX's rows means unpacking and parsing it). Measured on this app (the
attendance template, every column filled) a data row takes about 120 bytes of CSV and 60 of
XLSX, plus about 5 KB of workbook: 16 KiB is some 130 CSV rows or 190 XLSX rows. A small group
(10 to 40 people, DOMAIN.md) stays well under it and keeps its immediate answer; a customer
conference's list (up to PLANNER_PEOPLE_MAX_PER_SESSION, 300) goes to a job, as does a
2,000-row file that will be refused (reading and checking it is the same work). Timed through
`import_sheet` on a busy 2-core machine: 100 CSV rows 1.6 s, 300 XLSX rows 8 s, 2,000 XLSX
rows 38 s. A coverage row is about 45 bytes: a province's 100 communes on one day (5 KB) stay
in the request, a file of several counts per commune goes to a job.

A job is a PrintJob row of kind ATTENDANCE_IMPORT or COVERAGE_IMPORT (office scoping and status
as the results jobs); it runs through planner.jobs on the queue planner-import: this process's
threads by default, RQ workers with a Redis URL. The upload is kept in planner.storage under
`imports/<job id>/upload.bin` (any server or worker reads it) and deleted when the job ends,
whether it imported, refused or failed: an upload is personal data nobody needs afterwards.
What the job found (the counts, or the refusal and every problem) is written on the job row in
the import's own transaction, in the language of the officer who sent the file, so the job's
page shows the same summary and problems the request would have shown. The rules are the
domain's own import function, unchanged: a file with a bad row imports nothing.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from planner.accounts.models import User
from planner.errors import PlannerError
from planner.extensions import db
from planner.jobs import IMPORTS, JobFunction, claim, enqueue
from planner.people.importing import ImportRefused, SheetError
from planner.printing.models import JobKind, JobStatus, PrintJob
from planner.storage import store
from planner.timezones import now_utc

DEFAULT_JOB_BYTES = 16 * 1024

# What an import does with a job's file: the counts its summary is made of (all saved in the
# session, not yet committed), or ImportRefused / PlannerError (nothing saved).
ImportWork = Callable[[PrintJob, str, bytes], dict[str, Any]]


def job_bytes() -> int:
    """PLANNER_IMPORT_JOB_BYTES: an upload larger than this many bytes is imported as a job."""
    config = current_app.config
    return int(
        config.get("PLANNER_IMPORT_JOB_BYTES")
        or config.get("IMPORT_JOB_BYTES")
        or DEFAULT_JOB_BYTES
    )


def runs_as_job(content: bytes) -> bool:
    """Whether this upload is imported as a job rather than in the request."""
    return len(content) > job_bytes()


@dataclass(frozen=True)
class ImportOutcome:
    """What a finished import job found: `counts` when it imported, else why not (`message`
    and the `errors`, named as ImportRefused names them, so one template shows both)."""

    counts: dict[str, Any] | None
    message: str = ""
    errors: list[SheetError] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.counts is None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ImportOutcome | None:
        if not text:
            return None
        found = json.loads(text)
        return cls(found["counts"], found["message"], [SheetError(**e) for e in found["errors"]])


def upload_key(job_id: str) -> str:
    """Where a job's upload waits for its worker, in the store every server reads."""
    return f"imports/{job_id}/upload.bin"


def start(
    kind: JobKind,
    user: User,
    filename: str,
    content: bytes,
    params: dict[str, Any],
    run: JobFunction,
) -> PrintJob:
    """Keep the upload and queue `run` (the domain's job function) for it; return the job.

    `params` say what the import is for (the session, ...); the officer's language is added, so
    the problems are named in it."""
    job = PrintJob(
        id=secrets.token_hex(16),
        office_id=user.office_id,
        user_id=user.id,
        kind=kind,
        params_json=json.dumps({**params, "locale": str(get_locale() or "vi")}),
        filename=filename[:200],
    )
    # The file first, then the row: a database store writes on its own connection, which
    # SQLite would make wait for this session's open write.
    store().put(upload_key(job.id), content)
    db.session.add(job)
    db.session.commit()
    enqueue(IMPORTS, run, job.id)
    return job


def run(job_id: str, kind: JobKind, work: ImportWork) -> None:
    """Run one import job, claimed so that of two workers handed it, one imports the file.

    Whatever happens, the upload is deleted and the job ends done (imported or refused, with
    its outcome) or failed (with a message); it is never left running."""
    claimed = claim(
        sa.update(PrintJob)
        .where(PrintJob.id == job_id, PrintJob.kind == kind, PrintJob.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING)
    )
    job = db.session.get(PrintJob, job_id)
    if not claimed or job is None:
        return None
    db.session.refresh(job)
    locale = job.params.get("locale") or "vi"
    try:
        with force_locale(locale):
            _import(job, work)
    except Exception as error:  # a failed job must say so rather than spin forever
        db.session.rollback()
        current_app.logger.exception("Import job %s failed", job_id, exc_info=error)
        job = db.session.get_one(PrintJob, job_id)
        with force_locale(locale):
            job.error = _("The file could not be imported. Try again, or ask an administrator.")
        job.status = JobStatus.FAILED
        job.finished_at = now_utc()
        db.session.commit()
    finally:
        store().delete(upload_key(job_id))
    return None


def _import(job: PrintJob, work: ImportWork) -> None:
    content = store().get(upload_key(job.id))
    if content is None:
        raise FileNotFoundError(upload_key(job.id))
    try:
        outcome = ImportOutcome(work(job, job.filename, content))
    except ImportRefused as refused:
        db.session.rollback()
        outcome = ImportOutcome(None, refused.message, list(refused.errors))
    except PlannerError as error:
        db.session.rollback()
        outcome = ImportOutcome(None, error.message)
    # The rows and the job's end in one commit: an import is never saved without its outcome.
    job = db.session.get_one(PrintJob, job.id)
    job.outcome_json = outcome.to_json()
    job.done = job.total
    job.status = JobStatus.DONE
    job.finished_at = now_utc()
    db.session.commit()


def outcome(job: PrintJob) -> ImportOutcome | None:
    """What a finished import job found; None while it waits or runs, or when it failed."""
    return ImportOutcome.from_json(job.outcome_json) if job.status == JobStatus.DONE else None


def office_job(job_id: str, office_id: int, kind: JobKind) -> PrintJob | None:
    """An import job of this office and kind, or None (another office's job does not exist)."""
    return db.session.scalar(
        sa.select(PrintJob).where(
            PrintJob.id == job_id, PrintJob.office_id == office_id, PrintJob.kind == kind
        )
    )
