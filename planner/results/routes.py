"""Results pages: the dashboard, the lists behind each figure, comparisons, targets, coverage,
where to go next, exports and the monthly report. Thin: parse, call a service, render."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TypeVar

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from planner.accounts.models import User
from planner.bounds import parse_date
from planner.collation import vi_order
from planner.enums import SessionKind
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups.models import Product
from planner.people.importing import ImportRefused
from planner.places.services import office_communes
from planner.results import (
    bp,
    charts,
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
from planner.results.forms import CampaignForm, CoverageForm, CoverageImportForm, TargetForm
from planner.results.periods import (
    Period,
    PeriodKind,
    ResultsFilter,
    custom_period,
    period_of,
)
from planner.scope import ScopeError, ScopeKind, default_kind, resolve_scope
from planner.scoping import supervisor_required
from planner.timezones import today_local
from planner.web import file_response


class FilterRefused(PlannerError):
    """The page's filter cannot be used; `status` is the HTTP answer (400 or 404)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@bp.context_processor
def _template_helpers() -> dict:
    return {
        "shown": tables.shown,
        "target_scope": tables.target_scope,
        "on_track_text": tables.on_track_text,
    }


@bp.errorhandler(FilterRefused)
def _filter_refused(error: FilterRefused):
    return render_template("errors.html", code=error.status, message=error.message), error.status


# --- The one place a request becomes a ResultsFilter ----------------------------------------

# Whose results: the shared scope kinds (planner/scope.py); a commune narrows any of them.
RESULTS_KINDS = (ScopeKind.MINE, ScopeKind.TEAM, ScopeKind.OFFICE, ScopeKind.OFFICER)


def _day_arg(name: str) -> date | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise FilterRefused(_("%(text)s is not a date.", text=text)) from None


def _scope_args() -> dict[str, str]:
    """The scope arguments; choosing an officer in the office view shows that officer's."""
    args = {name: request.args.get(name, "") for name in ("scope", "officer")}
    args["scope"] = args["scope"] or default_kind(current_user).value
    if args["scope"] == ScopeKind.OFFICE and args["officer"].strip() not in ("", "0"):
        args["scope"] = ScopeKind.OFFICER.value
    return args


def _period() -> Period:
    kind = request.args.get("period") or PeriodKind.MONTH.value
    try:
        kind = PeriodKind(kind)
    except ValueError:
        raise FilterRefused(_("Choose a period: week, month, quarter, year or from/to.")) from None
    try:
        if kind == PeriodKind.CUSTOM:
            return custom_period(_day_arg("first"), _day_arg("last"))
        return period_of(kind, _day_arg("day") or today_local())
    except PlannerError as error:
        raise FilterRefused(error.message) from None


def resolve_filter() -> ResultsFilter:
    """The filter from the address: period (week, month, quarter, year, or from/to), scope (me,
    team, office, one officer; resolved by planner.scope like every other page) and commune.
    Officers see their own by default, supervisors the office. Another office's ids are a 404;
    an unknown kind, a malformed id or a bad period is a 400."""
    period = _period()
    commune = (request.args.get("commune") or "").strip()
    try:
        scope = resolve_scope(current_user, _scope_args(), kinds=RESULTS_KINDS)
        narrowed = (
            resolve_scope(
                current_user, {"scope": "commune", "commune": commune}, kinds=(ScopeKind.COMMUNE,)
            )
            if commune not in ("", "0")
            else None
        )
    except ScopeError as error:
        raise FilterRefused(error.message, error.status) from None
    officers = scope.officers_select()
    officer_ids = (
        frozenset(db.session.scalars(officers)) if isinstance(officers, sa.Select) else officers
    )
    return ResultsFilter(
        scope.office_id, officer_ids, narrowed.commune_id if narrowed else None, period
    )


def filter_args(f: ResultsFilter) -> dict:
    """The address arguments that give `f` back (for links and exports)."""
    args = {"period": f.period.kind.value}
    if f.period.kind == PeriodKind.CUSTOM:
        args |= {"first": f.period.first.isoformat(), "last": f.period.last.isoformat()}
    elif request.args.get("day"):
        args["day"] = f.period.first.isoformat()
    for name in ("scope", "officer", "commune"):
        if request.args.get(name):
            args[name] = request.args[name]
    return args


def _narrowing() -> records.Narrowing:
    kind = request.args.get("kind") or None
    product = request.args.get("product") or None
    try:
        return records.Narrowing(
            kind=SessionKind(kind) if kind else None, product=Product(product) if product else None
        )
    except ValueError:
        raise FilterRefused(_("Choose a session kind and a product from the lists.")) from None


def _filter_context(f: ResultsFilter) -> dict:
    officers = db.session.scalars(
        sa.select(User)
        .where(User.office_id == f.office_id, User.active)
        .order_by(vi_order(User.full_name))
    ).all()
    return {
        "f": f,
        "args": filter_args(f),
        "communes": office_communes(f.office_id),
        "officers": officers,
        "period_kinds": list(PeriodKind),
        "scope": _scope_args()["scope"],
    }


# --- Pages ----------------------------------------------------------------------------------


@bp.get("/")
@login_required
def dashboard():
    f = resolve_filter()
    current = figures.figures(f)
    return render_template(
        "results/dashboard.html",
        **_figures_context(f, current),
        **_watch_context(f, current),
        dimensions=list(comparisons.Dimension),
        record_lists=records.RecordList,
        session_kinds=list(SessionKind),
        products=Product.single(),
        **_filter_context(f),
    )


def _figures_context(f: ResultsFilter, current: figures.Figures) -> dict:
    """The dashboard's figures against the period before, the funnel and the split by kind."""
    previous = figures.figures(f.with_period(f.period.previous()))
    steps = comparisons.funnel(current)
    by_kind = comparisons.breakdown(f, comparisons.Dimension.KIND)
    return {
        "figure_rows": exports.figure_rows(current, previous),
        "previous_period": f.period.previous(),
        "funnel_table": tables.funnel(steps),
        "funnel_chart": charts.bar_chart(
            _("From reach to enrolment"),
            [charts.Bar(s.label, s.value, note=charts.percent_note(s.share)) for s in steps],
        ),
        "kind_table": tables.comparison(by_kind),
        "kind_chart": exports.comparison_chart(_("By session kind"), by_kind),
    }


def _watch_context(f: ResultsFilter, current: figures.Figures) -> dict:
    """What the dashboard asks to watch: targets, stale sessions, overdue work, coverage."""
    progress = targets.progress(
        targets.targets_in(f.office_id, f.period, f.officer_ids, f.commune_id)
    )
    stale = records.sessions(
        f, records.RecordList.SESSIONS_STALE, records.Narrowing(), records.Window(1, 10)
    )
    overdue = figures.overdue_by_officer(f)
    cover = coverage.coverage_table(f.office_id, min(f.period.last, today_local()), f.commune_id)
    return {
        "progress": progress,
        "targets_table": tables.targets(progress),
        "stale": stale[:10],
        "stale_count": current.sessions_stale,
        "overdue_table": tables.overdue(overdue),
        "coverage_table": tables.coverage(cover),
    }


def _records_items(
    f: ResultsFilter, which: records.RecordList, window: records.Window | None
) -> list:
    narrow = _narrowing()
    if which.of_sessions:
        return records.sessions(f, which, narrow, window)
    if which.of_follow_ups:
        return records.follow_ups(f, which, narrow, window)
    if which == records.RecordList.ENROLMENTS:
        return records.enrolments(f, narrow, window)
    return records.people(f, which, narrow, window)


def _records_table(f: ResultsFilter, which: records.RecordList) -> tables.Table:
    """The whole list, for a download."""
    return tables.records(which, _records_items(f, which, None), url_for)


Named = TypeVar("Named", bound=StrEnum)


def _named_or_404(vocabulary: type[Named], name: str) -> Named:
    """A list or a comparison named in the URL; a name we do not have is a page that is not."""
    try:
        return vocabulary(name)
    except ValueError:
        abort(404)


@bp.get("/records/<which>")
@login_required
def record_list(which: str):
    f = resolve_filter()
    chosen = _named_or_404(records.RecordList, which)
    window = records.Window(max(1, request.args.get("page", 1, type=int) or 1), records.PER_PAGE)
    items, has_next = window.cut(_records_items(f, chosen, window))
    return render_template(
        "results/records.html",
        which=chosen,
        table=tables.records(chosen, items, url_for),
        window=window,
        has_next=has_next,
        session_kinds=list(SessionKind),
        products=Product.single(),
        narrowing=_narrowing(),
        **_filter_context(f),
    )


@bp.get("/compare/<dimension>")
@login_required
def compare(dimension: str):
    f = resolve_filter()
    chosen = _named_or_404(comparisons.Dimension, dimension)
    split = comparisons.breakdown(f, chosen)
    table = tables.comparison(split)
    return render_template(
        "results/compare.html",
        dimension=chosen,
        dimensions=list(comparisons.Dimension),
        table=table,
        chart=exports.comparison_chart(table.title, split),
        **_filter_context(f),
    )


# Communes shown as cards with their plan buttons; the ranking table lists them all (a province
# has 100 communes: 100 cards would be over 100 KiB on a phone).
WHERE_NEXT_CARDS = 20


@bp.get("/where-next")
@login_required
def where_next():
    f = resolve_filter()
    ranks = ranking.where_next(f)
    return render_template(
        "results/where_next.html",
        ranks=ranks,
        cards=WHERE_NEXT_CARDS,
        table=tables.ranking(ranks),
        **_filter_context(f),
    )


# --- Exports --------------------------------------------------------------------------------


def _table_by_key(f: ResultsFilter, key: str) -> tables.Table:
    if key == "funnel":
        return tables.funnel(comparisons.funnel(figures.figures(f)))
    if key.startswith("by_"):
        dimension = _named_or_404(comparisons.Dimension, key.removeprefix("by_"))
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
        return _records_table(f, _named_or_404(records.RecordList, key.removeprefix("records_")))
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


# --- Targets and campaigns ------------------------------------------------------------------


def _target_forms(f: ResultsFilter):
    context = _filter_context(f)
    campaigns = targets.office_campaigns(f.office_id)
    form = TargetForm(
        communes=context["communes"], officers=context["officers"], campaigns=campaigns
    )
    if request.method == "GET":
        form.first_day.data = f.period.first
        form.last_day.data = f.period.last
        form.commune_id.data = f.commune_id or 0
    return form, CampaignForm(prefix="campaign"), campaigns, context


@bp.route("/targets", methods=["GET", "POST"])
@login_required
def targets_page():
    f = resolve_filter()
    form, campaign_form, campaigns, context = _target_forms(f)
    if request.method == "GET":
        return _targets_page(f, form, campaign_form, campaigns, context), 200
    if not current_user.is_supervisor:
        abort(403)
    status = _save_target(f, form)
    if status is None:
        flash(_("The target was saved."), "success")
        return redirect(url_for("results.targets_page", **filter_args(f)))
    return _targets_page(f, form, campaign_form, campaigns, context), status


def _save_target(f: ResultsFilter, form: TargetForm) -> int | None:
    """Save the posted target; None when saved, else the HTTP status (errors are on `form`)."""
    if not form.validate_on_submit():
        return 400
    try:
        targets.save_target(f.office_id, form.to_input(), current_user)
        db.session.commit()
    except PlannerError as error:
        db.session.rollback()
        form.add_error(error, default="value")
        return 404 if error.code == "not_found" else 400
    return None


def _targets_page(f: ResultsFilter, form, campaign_form, campaigns, context: dict) -> str:
    """The targets page with its two forms as they stand (filled in, or with errors)."""
    progress = targets.progress(targets.targets_in(f.office_id, f.period))
    return render_template(
        "results/targets.html",
        form=form,
        campaign_form=campaign_form,
        campaigns=campaigns,
        progress=progress,
        table=tables.targets(progress),
        **context,
    )


@bp.post("/campaigns")
@supervisor_required
def new_campaign():
    f = resolve_filter()
    form, campaign_form, campaigns, context = _target_forms(f)
    if campaign_form.validate_on_submit():
        try:
            campaign = targets.save_campaign(
                f.office_id,
                campaign_form.name.data,
                campaign_form.first_day.data,
                campaign_form.last_day.data,
                current_user,
            )
            db.session.commit()
            flash(_("The campaign %(name)s was created.", name=campaign.name), "success")
            return redirect(url_for("results.targets_page", **filter_args(f)))
        except PlannerError as error:
            db.session.rollback()
            campaign_form.add_error(error, default="name")
    return _targets_page(f, form, campaign_form, campaigns, context), 400


@bp.post("/targets/<int:target_id>/delete")
@supervisor_required
def delete_target(target_id: int):
    try:
        targets.delete_target(current_user.office_id, target_id)
    except PlannerError:
        abort(404)
    db.session.commit()
    flash(_("The target was removed."), "success")
    return redirect(url_for("results.targets_page"))


# --- Coverage -------------------------------------------------------------------------------


@bp.route("/coverage", methods=["GET", "POST"])
@login_required
def coverage_page():
    f = resolve_filter()
    context = _filter_context(f)
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
        saved, refused = _import_coverage(f, import_form)
    else:
        saved = _record_coverage(f, form)
    if saved:
        return redirect(url_for("results.coverage_page", **filter_args(f)))
    return _coverage_page(f, form, import_form, refused, context), 400


def _import_coverage(
    f: ResultsFilter, import_form: CoverageImportForm
) -> tuple[bool, ImportRefused | None]:
    """Import the posted sheet: (saved, why it was refused)."""
    if not import_form.validate_on_submit():
        return False, None
    upload = import_form.sheet.data
    limit = current_app.config.get("PEOPLE_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
    try:
        saved = coverage.import_coverage(
            f.office_id, upload.filename or "", upload.read(limit + 1), current_user
        )
        db.session.commit()
    except ImportRefused as error:
        db.session.rollback()
        return False, error
    flash(
        ngettext(
            "%(num)d commune's figures were imported.",
            "%(num)d communes' figures were imported.",
            saved,
        ),
        "success",
    )
    return True, None


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
