"""Results downloads: one table as CSV or XLSX, the monthly report and the workbook as jobs."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from planner.results import (
    bp,
    comparisons,
    coverage,
    exports,
    figures,
    jobs,
    ranking,
    records,
    tables,
    targets,
)
from planner.results.periods import ResultsFilter
from planner.results.routes.filters import (
    named_or_404,
    resolve_filter,
)
from planner.results.routes.pages import _records_table
from planner.web import file_response


def _table_by_key(f: ResultsFilter, key: str) -> tables.Table:
    if key == "funnel":
        return tables.funnel(comparisons.funnel(figures.figures(f)))
    if key.startswith("by_"):
        dimension = named_or_404(comparisons.Dimension, key.removeprefix("by_"))
        return tables.comparison(comparisons.breakdown(f, dimension))
    if key == "targets":
        return tables.targets(
            targets.progress(targets.targets_in(f.office_id, f.period, f.officer_ids, f.commune_id))
        )
    if key == "coverage":
        return tables.coverage(coverage.coverage_table(f.office_id, f.period.last, f.commune_id))
    if key == "where_next":
        return tables.ranking(ranking.where_next(f))
    if key == "overdue":
        return tables.overdue(figures.overdue_by_officer(f))
    if key.startswith("records_"):
        return _records_table(f, named_or_404(records.RecordList, key.removeprefix("records_")))
    abort(404)


@bp.get("/export/<key>.<fmt>")
@login_required
def export_table(key: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    f = resolve_filter()
    table = _table_by_key(f, key)
    name = f"ket-qua-{key}-{f.period.first:%Y%m%d}-{f.period.last:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return file_response(exports.table_csv(table), name, "text/csv")
    return file_response(exports.tables_xlsx([table]), name, exports.XLSX)


@bp.post("/report")
@login_required
def start_report():
    f = resolve_filter()
    job = jobs.start(jobs.REPORT, current_user, f, f"bao-cao-ket-qua-{f.period.first:%Y-%m}.pdf")
    return redirect(url_for("results.job", job_id=job.id))


@bp.post("/workbook")
@login_required
def start_workbook():
    f = resolve_filter()
    name = f"ket-qua-{f.period.first:%Y%m%d}-{f.period.last:%Y%m%d}.xlsx"
    job = jobs.start(jobs.EXPORT, current_user, f, name)
    return redirect(url_for("results.job", job_id=job.id))


def _own_job(job_id: str):
    job = jobs.office_job(job_id, current_user.office_id)
    if job is None:
        abort(404)
    return job


@bp.get("/jobs/<job_id>")
@login_required
def job(job_id: str):
    return render_template("results/job.html", job=_own_job(job_id))


@bp.get("/jobs/<job_id>/download")
@login_required
def job_download(job_id: str):
    job = _own_job(job_id)
    data = jobs.output(job) if job.status == "done" else None
    if data is None:
        abort(404)
    mimetype = "application/pdf" if job.kind == jobs.REPORT else exports.XLSX
    return file_response(data, job.filename, mimetype)
