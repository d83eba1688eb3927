"""Long results work as jobs with progress, like the week's packet: the monthly report (PDF),
the workbook of every table of a period (XLSX), and one list behind a figure too long to write
inside a request (XLSX or CSV; see record_rows.is_long).

A job is a printing PrintJob row (its progress columns and office scoping are the same) of kind
results_report or results_export; the file is kept in planner.storage, named by the job.
Jobs run through planner.jobs: this process's threads, or RQ workers when a Redis URL is set.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from planner import storage
from planner.accounts.models import Office, User
from planner.enums import SessionKind
from planner.extensions import db
from planner.followups.models import Product
from planner.jobs import RESULTS, claim, enqueue, job_function
from planner.printing.models import JobKind, JobStatus, PrintJob
from planner.results.periods import Period, PeriodKind, ResultsFilter
from planner.results.records import Narrowing, RecordList
from planner.timezones import now_utc

REPORT = JobKind.RESULTS_REPORT
EXPORT = JobKind.RESULTS_EXPORT
KINDS = (REPORT, EXPORT)


def _params(f: ResultsFilter) -> dict[str, Any]:
    return {
        "officer_ids": sorted(f.officer_ids) if f.officer_ids is not None else None,
        "commune_id": f.commune_id,
        "first": f.period.first.isoformat(),
        "last": f.period.last.isoformat(),
        "kind": f.period.kind.value,
    }


@dataclass(frozen=True)
class ListFile:
    """One list behind a figure as a file: which list, narrowed how, XLSX or CSV."""

    which: RecordList
    narrow: Narrowing
    fmt: str  # "xlsx" or "csv"

    def params(self) -> dict[str, Any]:
        return {
            "list": self.which.value,
            "session_kind": self.narrow.kind.value if self.narrow.kind else None,
            "product": self.narrow.product.value if self.narrow.product else None,
            "format": self.fmt,
        }


def list_file_of(job: PrintJob) -> ListFile | None:
    """The list a job writes, or None for the workbook of every table."""
    p = job.params
    if not p.get("list"):
        return None
    return ListFile(
        RecordList(p["list"]),
        Narrowing(
            SessionKind(p["session_kind"]) if p["session_kind"] else None,
            Product(p["product"]) if p["product"] else None,
        ),
        p["format"],
    )


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


def start(
    kind: JobKind, user: User, f: ResultsFilter, filename: str, listed: ListFile | None = None
) -> PrintJob:
    """Queue a results job for the user's office and return it to follow; an EXPORT job writes
    the list `listed`, or without one the workbook of every table."""
    job = create(kind, user, f, filename, listed)
    enqueue(RESULTS, run_job, job.id)
    return job


def create(
    kind: JobKind, user: User, f: ResultsFilter, filename: str, listed: ListFile | None = None
) -> PrintJob:
    """The job's row, queued and committed but not handed to a worker (`start` hands it on;
    bench/pages.py runs it in its own process with `run_job`, to time it)."""
    params = _params(f) | (listed.params() if listed else {})
    job = PrintJob(
        id=secrets.token_hex(16),
        office_id=f.office_id,
        user_id=user.id,
        kind=kind,
        params_json=json.dumps(params),
        filename=filename,
    )
    db.session.add(job)
    db.session.commit()
    return job


def output_key(job: PrintJob) -> str:
    """Where a finished job's file is kept, in the store every server reads (planner.storage)."""
    return f"results/{job.id}{Path(job.filename).suffix}"


def output(job: PrintJob) -> bytes | None:
    """A finished job's file, or None."""
    return storage.store().get(output_key(job))


def mimetype(job: PrintJob) -> str:
    """The media type of a job's file, by its name's suffix (.pdf, .xlsx or .csv)."""
    from planner.results import exports

    return {".pdf": "application/pdf", ".csv": "text/csv"}.get(
        Path(job.filename).suffix, exports.XLSX
    )


@job_function(RESULTS)
def run_job(job_id: str) -> None:
    """Run one results job; a failure is recorded on the job, never left spinning.

    Only a queued job is run, claimed as the week's packet is: a job another worker is already
    running is left to it (this used to run it a second time)."""
    claimed = claim(
        sa.update(PrintJob)
        .where(
            PrintJob.id == job_id,
            PrintJob.kind.in_(KINDS),
            PrintJob.status == JobStatus.QUEUED,
        )
        .values(status=JobStatus.RUNNING)
    )
    job = db.session.get(PrintJob, job_id)
    if not claimed or job is None:
        return None
    db.session.refresh(job)
    try:
        with force_locale("vi"):
            data = _build(job)
        storage.store().put(output_key(job), data)
        job.done = job.total
        job.status = JobStatus.DONE
        job.finished_at = now_utc()
        db.session.commit()
    except Exception as error:  # a failed job must say so
        db.session.rollback()
        current_app.logger.exception("Results job %s failed", job_id, exc_info=error)
        job = db.session.get_one(PrintJob, job_id)
        with force_locale("vi"):
            job.error = _("The report could not be made. Try again, or ask an administrator.")
        job.status = JobStatus.FAILED
        job.finished_at = now_utc()
        db.session.commit()
    return None


def _build(job: PrintJob) -> bytes:
    from planner.results import exports, record_rows

    f = filter_of(job)
    listed = list_file_of(job)
    if listed is not None:
        # Reading the rows, then writing them (reported every exports.PROGRESS_ROWS rows).
        job.total, job.done = 2, 0
        db.session.commit()
        table = record_rows.table(f, listed.which, listed.narrow)
        job.total, job.done = 2 * max(1, len(table.rows)), max(1, len(table.rows))
        db.session.commit()
        if listed.fmt == "csv":
            return exports.table_csv(table)
        return exports.tables_xlsx([table], progress=lambda n: _advance(job, n))
    job.total = 6
    job.done = 0
    db.session.commit()

    def step(n: int) -> None:
        _advance(job, n)

    if job.kind == REPORT:
        office = db.session.get_one(Office, job.office_id)
        return exports.report_pdf(exports.monthly_report(office, f, step))
    sheets = exports.all_tables(f, step)
    return exports.tables_xlsx(sheets)


def _advance(job: PrintJob, n: int) -> None:
    """`n` more units of the job done (never all of them: the job is done when its file is kept)."""
    job.done = min(job.total - 1, job.done + n)
    db.session.commit()


def office_job(job_id: str, office_id: int) -> PrintJob | None:
    """A results job of this office, or None (another office's job does not exist here)."""
    return db.session.scalar(
        sa.select(PrintJob).where(
            PrintJob.id == job_id, PrintJob.office_id == office_id, PrintJob.kind.in_(KINDS)
        )
    )
