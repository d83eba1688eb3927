"""Coverage figures: typed in or imported from a sheet by supervisors, and the sheet template."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from planner import import_jobs
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.importing import ImportRefused
from planner.places.services import office_communes
from planner.results import (
    bp,
    coverage,
    exports,
    tables,
)
from planner.results.forms import CoverageForm, CoverageImportForm
from planner.results.periods import ResultsFilter
from planner.results.routes.filters import (
    filter_args,
    filter_context,
    resolve_filter,
)
from planner.timezones import today_local
from planner.web import file_response


@bp.route("/coverage", methods=["GET", "POST"])
@login_required
def coverage_page():
    f = resolve_filter()
    context = filter_context(f)
    form = CoverageForm(communes=context["communes"])
    import_form = CoverageImportForm(prefix="import")
    if request.method == "GET":
        form.as_of.data = today_local()
        form.commune_id.data = f.commune_id or 0
        return _coverage_page(f, form, import_form, None, context), 200
    if not current_user.is_supervisor:
        abort(403)
    refused = None
    if "import-sheet" in request.files or request.form.get("import-submit"):
        answer = _import_coverage(f, import_form)
        if isinstance(answer, str):
            return redirect(answer)
        refused = answer
    elif _record_coverage(f, form):
        return redirect(url_for("results.coverage_page", **filter_args(f)))
    return _coverage_page(f, form, import_form, refused, context), 400


def _import_coverage(
    f: ResultsFilter, import_form: CoverageImportForm
) -> str | ImportRefused | None:
    """Import the posted sheet and answer where to go next (the coverage page, or the job's
    page for a file over the job size), or why it was refused (None: the form says why)."""
    if not import_form.validate_on_submit():
        return None
    upload = import_form.sheet.data
    limit = current_app.config.get("PEOPLE_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
    filename, content = upload.filename or "", upload.read(limit + 1)
    if import_jobs.runs_as_job(content):
        job = coverage.start_coverage_import(current_user, filename, content, filter_args(f))
        return url_for("results.coverage_import_job", job_id=job.id)
    try:
        saved = coverage.import_coverage(f.office_id, filename, content, current_user)
        db.session.commit()
    except ImportRefused as error:
        db.session.rollback()
        return error
    flash(_coverage_summary(saved), "success")
    return url_for("results.coverage_page", **filter_args(f))


def _coverage_summary(saved: int) -> str:
    return ngettext(
        "%(num)d commune's figures were imported.",
        "%(num)d communes' figures were imported.",
        saved,
    )


@bp.get("/coverage/imports/<job_id>")
@login_required
def coverage_import_job(job_id: str):
    """A large coverage file imported as a job: its progress, then what the import found."""
    job = import_jobs.office_job(job_id, current_user.office_id, coverage.IMPORT_KIND)
    if job is None:
        abort(404)
    outcome = import_jobs.outcome(job)
    page = url_for("results.coverage_page", **job.params.get("page_args", {}))
    return render_template(
        "import_job.html",
        title=_("Import coverage figures"),
        job=job,
        outcome=outcome,
        summary=_coverage_summary(outcome.counts["communes"]) if outcome and outcome.counts else "",
        back_url=page,
        back_label=_("Coverage per commune"),
        done_label=_("Coverage per commune"),
        again_url=page,
    )


def _record_coverage(f: ResultsFilter, form: CoverageForm) -> bool:
    """Save the figures typed in; False leaves the errors on `form`."""
    if not form.validate_on_submit():
        return False
    try:
        coverage.record_coverage(f.office_id, form.to_input(), current_user)
        db.session.commit()
    except PlannerError as error:
        db.session.rollback()
        form.add_error(error, default="population")
        return False
    flash(_("The coverage figures were saved."), "success")
    return True


def _coverage_page(
    f: ResultsFilter, form, import_form, refused: ImportRefused | None, context: dict
) -> str:
    """The coverage page with its two forms as they stand."""
    rows = coverage.coverage_table(f.office_id, today_local(), f.commune_id)
    return render_template(
        "results/coverage.html",
        form=form,
        import_form=import_form,
        refused=refused,
        table=tables.coverage(rows),
        headers=coverage.template_headers(),
        **context,
    )


@bp.get("/coverage/template.csv")
@login_required
def coverage_template():
    table = tables.Table(
        "coverage_template",
        "",
        [tables.Column(h) for h in coverage.template_headers()],
        [
            [c.name, today_local(), None, None, None, None]
            for c in office_communes(current_user.office_id)
        ],
    )
    return file_response(exports.table_csv(table), "mau-so-lieu-bao-phu.csv", "text/csv")
