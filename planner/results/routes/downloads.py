"""Results downloads: one table as CSV or XLSX, the period's report and the workbook as jobs."""

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
    record_rows,
    records,
    tables,
    targets,
)
from planner.results.periods import ResultsFilter, period_file_part
from planner.results.routes.filters import (
    named_or_404,
    narrowing,
    resolve_filter,
)
from planner.text import file_stem
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
    abort(404)


FORMATS = ("csv", "xlsx")


def _file_name(f: ResultsFilter, title: str, fmt: str) -> str:
    """e.g. ket-qua-nguoi-duoc-tiep-can-2026.xlsx: the table's title (not our key) and its
    period as every results file names it (`period_file_part`)."""
    return f"ket-qua-{file_stem(title)}-{period_file_part(f.period)}.{fmt}"


def _list_file(key: str, fmt: str) -> jobs.ListFile:
    """The list behind a figure an export address names; any other table is a 404 here."""
    if fmt not in FORMATS or not key.startswith("records_"):
        abort(404)
    return jobs.ListFile(
        named_or_404(records.RecordList, key.removeprefix("records_")), narrowing(), fmt
    )


@bp.get("/export/<key>.<fmt>")
@login_required
def export_table(key: str, fmt: str):
    """The table as a file; a list too long to write inside the request is a page that offers
    to prepare it as a job (a GET starts no work)."""
    if fmt not in FORMATS:
        abort(404)
    f = resolve_filter()
    if key.startswith("records_"):
        listed = _list_file(key, fmt)
        if record_rows.is_long(f, listed.which, listed.narrow):
            return render_template(
                "results/export_long.html",
                listed=listed,
                limit=record_rows.inline_limit(),
            )
        table = record_rows.table(f, listed.which, listed.narrow)
    else:
        table = _table_by_key(f, key)
    name = _file_name(f, table.title, fmt)
    if fmt == "csv":
        return file_response(exports.table_csv(table), name, "text/csv")
    return file_response(exports.tables_xlsx([table]), name, exports.XLSX)


@bp.post("/export/<key>.<fmt>")
@login_required
def start_export(key: str, fmt: str):
    """Prepare a list behind a figure as a file in the background, then follow its job."""
    listed = _list_file(key, fmt)
    f = resolve_filter()
    job = jobs.start(jobs.EXPORT, current_user, f, _file_name(f, listed.which.label, fmt), listed)
    return redirect(url_for("results.job", job_id=job.id))


@bp.post("/report")
@login_required
def start_report():
    f = resolve_filter()
    name = f"bao-cao-ket-qua-{period_file_part(f.period)}.pdf"
    job = jobs.start(jobs.REPORT, current_user, f, name)
    return redirect(url_for("results.job", job_id=job.id))


@bp.post("/workbook")
@login_required
def start_workbook():
    f = resolve_filter()
    name = f"ket-qua-{period_file_part(f.period)}.xlsx"
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
    return file_response(data, job.filename, jobs.mimetype(job))
