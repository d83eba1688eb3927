"""An attendance sheet over the job size (planner.import_jobs) imported as a job: the same
`import_sheet`, all rows or none, run by a worker instead of the request."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from planner import import_jobs
from planner.accounts.models import User
from planner.extensions import db
from planner.jobs import IMPORTS, job_function
from planner.people.importing import ImportResult, import_sheet
from planner.printing.models import JobKind, PrintJob
from planner.sessions.models import OutreachSession

KIND = JobKind.ATTENDANCE_IMPORT


def start_attendance_import(
    session: OutreachSession, user: User, filename: str, content: bytes
) -> PrintJob:
    """Keep the file and queue its import at `session` (one of the user's office's)."""
    params = {"session_id": session.id}
    return import_jobs.start(KIND, user, filename, content, params, run_attendance_import)


@job_function(IMPORTS)
def run_attendance_import(job_id: str) -> None:
    """Import the job's file at its session (RQ calls this in a worker; the pool in the app)."""
    import_jobs.run(job_id, KIND, _import)


def _import(job: PrintJob, filename: str, content: bytes) -> dict[str, Any]:
    session = db.session.get_one(OutreachSession, job.params["session_id"])
    return asdict(import_sheet(session, filename, content, db.session.get(User, job.user_id)))


def session_of(job: PrintJob) -> OutreachSession:
    """The session the job imports to (of the job's office: it was checked when it started)."""
    return db.session.get_one(OutreachSession, job.params["session_id"])


def result_of(counts: dict[str, Any]) -> ImportResult:
    """The counts an import job kept, as the result its summary is written from."""
    return ImportResult(**counts)
