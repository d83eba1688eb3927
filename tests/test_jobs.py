"""The one job runner (planner/jobs.py) that printing, results and readback hand their jobs to."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from planner import jobs, storage
from planner.extensions import db
from planner.printing.models import JobKind, JobStatus, PrintJob
from planner.results import jobs as results_jobs
from planner.results.periods import Period, PeriodKind, ResultsFilter

README = Path(__file__).resolve().parent.parent / "README.md"


def report_job(supervisor, status: JobStatus) -> PrintJob:
    october = Period(date(2026, 10, 1), date(2026, 10, 31), PeriodKind.MONTH)
    job = PrintJob(
        id="b" * 32,
        office_id=supervisor.office_id,
        user_id=supervisor.id,
        kind=JobKind.RESULTS_REPORT,
        params_json=json.dumps(
            results_jobs._params(ResultsFilter(supervisor.office_id, None, None, october))
        ),
        status=status,
        filename="bao-cao.pdf",
    )
    db.session.add(job)
    db.session.commit()
    return job


def claim_statement(job: PrintJob) -> sa.Update:
    return (
        sa.update(PrintJob)
        .where(PrintJob.id == job.id, PrintJob.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING)
    )


def test_of_two_workers_handed_one_job_only_the_first_claims_it(app, supervisor):
    job = report_job(supervisor, JobStatus.QUEUED)
    assert jobs.claim(claim_statement(job)) is True
    assert jobs.claim(claim_statement(job)) is False
    db.session.expire_all()
    assert db.session.get(PrintJob, job.id).status == JobStatus.RUNNING


def test_a_results_job_another_worker_is_running_is_left_to_it(app, supervisor):
    # The results copy of the runner used to mark any unfinished job running and build it again.
    job = report_job(supervisor, JobStatus.RUNNING)
    results_jobs.run_job(job.id)
    db.session.expire_all()
    again = db.session.get(PrintJob, job.id)
    assert (again.status, again.done, again.finished_at) == (JobStatus.RUNNING, 0, None)
    assert storage.store().get(results_jobs.output_key(again)) is None


def test_a_queued_results_job_is_claimed_and_made(app, supervisor):
    job = report_job(supervisor, JobStatus.QUEUED)
    with app.test_request_context():
        results_jobs.run_job(job.id)
    db.session.expire_all()
    done = db.session.get(PrintJob, job.id)
    assert done.status == JobStatus.DONE, done.error
    assert storage.store().get(results_jobs.output_key(done)).startswith(b"%PDF")


def test_each_job_family_has_its_own_threads(app):
    pools = {queue.pool: jobs._executor(queue) for queue in jobs.QUEUES}
    assert len(set(map(id, pools.values()))) == len(jobs.QUEUES)
    assert jobs._executor(jobs.PRINTING) is pools[jobs.PRINTING.pool]


def test_the_readme_starts_a_worker_on_every_queue_the_app_sends_jobs_to():
    # Photos were sent to planner-readback while the deployment started workers on planner-print.
    worker = re.search(r"rq worker .*", README.read_text(encoding="utf-8"))
    assert worker is not None
    for queue in jobs.QUEUES:
        assert queue.rq_name in worker.group(0).split(), queue
