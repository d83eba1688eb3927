"""Download a session's flyer and sheet, print the week's packet as a job, edit talking points."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from planner.bounds import parse_date
from planner.enums import Language, Topic
from planner.errors import PlannerError
from planner.extensions import db
from planner.forms import required
from planner.printing import bp, glyphs, jobs, render
from planner.printing.columns import SHEET_COLUMNS
from planner.printing.flyer import flyer_pdf
from planner.printing.forms import PacketForm, PrintSettingsForm, TalkingPointForm
from planner.printing.languages import planning_hint
from planner.printing.markup import render_markup
from planner.printing.models import JobStatus, SheetVersion
from planner.printing.panel import PrintPanel, print_panel
from planner.printing.quote_sheet import quote_sheet_pdf
from planner.printing.settings import print_settings, save_print_settings
from planner.printing.sheet import attendance_sheet
from planner.printing.talking_points import TALKING_POINT_TOPICS, save_talking_point, talking_point
from planner.rates.forms import QuoteForm
from planner.rates.quotes import household_quote
from planner.scope import ScopeKind, requested_scope
from planner.scoping import admin_required, get_owned_or_404
from planner.sessions.days import monday_of
from planner.sessions.models import OutreachSession
from planner.web import file_response

PDF = "application/pdf"


def _problem(error: PlannerError, back: str):
    """A rule broken while printing (a missing rate, say): say so, change nothing."""
    db.session.rollback()
    return render_template("printing/problem.html", message=error.message, back=back), 422


@bp.get("/sessions/<int:session_id>/flyer.pdf")
@login_required
def flyer(session_id: int):
    session = get_owned_or_404(OutreachSession, session_id)
    try:
        _key, pdf = flyer_pdf(session)
    except PlannerError as error:
        return _problem(error, url_for("sessions.detail", session_id=session.id))
    day = session.local_day
    return file_response(pdf, f"to-roi-{day:%Y-%m-%d}-{session.id}.pdf", PDF, inline=True)


@bp.get("/sessions/<int:session_id>/sheet.pdf")
@login_required
def sheet(session_id: int):
    session = get_owned_or_404(OutreachSession, session_id)
    try:
        version, pdf = attendance_sheet(session, user=current_user)
        db.session.commit()
    except PlannerError as error:
        return _problem(error, url_for("sessions.detail", session_id=session.id))
    day = session.local_day
    return file_response(
        pdf, f"danh-sach-{day:%Y-%m-%d}-{session.id}-v{version.number}.pdf", PDF, inline=True
    )


@bp.get("/sheets/<int:version_id>/layout.json")
@login_required
def sheet_layout(version_id: int):
    """Where each page's markers, QR code and tick boxes are, for reading a photo back."""
    version = get_owned_or_404(SheetVersion, version_id)
    return jsonify(version.layout)


@bp.get("/quote.pdf")
@login_required
def quote_sheet():
    form = QuoteForm(request.args, meta={"csrf": False})
    query: dict[str, Any] = request.args.to_dict()  # Any: url_for's own keywords are not str
    if not form.validate():
        return redirect(url_for("rates.quote", **query))
    try:
        quote = household_quote(form.quote_request(), current_user.office_id)
        pdf = quote_sheet_pdf(quote, current_user.office, current_user)
    except PlannerError as error:
        return _problem(error, url_for("rates.quote", **query))
    return file_response(pdf, "bao-gia-ho-gia-dinh.pdf", PDF, inline=True)


@bp.post("/packet")
@login_required
def packet():
    form = PacketForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        monday = monday_of(parse_date(form.week.data or ""))
    except ValueError:
        abort(400)
    scope = requested_scope(current_user, request.form, default=ScopeKind.MINE)
    job = jobs.start_packet_job(current_user, monday, scope)
    return redirect(url_for("printing.job", job_id=job.id))


def _own_job(job_id: str):
    job = jobs.office_job(job_id, current_user.office_id)
    if job is None:
        abort(404)
    return jobs.expire_if_stale(job)


def job_message(job) -> str:
    """What the job page says: making the PDF, done with its page count, or what went wrong."""
    if job.status == JobStatus.DONE:
        pages = render.page_count(job.pdf_key) if job.pdf_key else None
        if pages:
            return ngettext(
                "Done – download it to print (%(num)s A4 page)",
                "Done – download it to print (%(num)s A4 pages)",
                pages,
            )
        return _("Done – download it to print")
    if job.status == JobStatus.FAILED:
        return job.error or _("The PDF could not be made.")
    return _("Making the PDF file…")


def job_state(job) -> dict:
    return {
        "message": job_message(job),
        "id": job.id,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "error": job.error or None,
        "download_url": url_for("printing.job_download", job_id=job.id)
        if job.status == JobStatus.DONE
        else None,
    }


@bp.get("/jobs/<job_id>")
@login_required
def job(job_id: str):
    job = _own_job(job_id)
    return render_template("printing/job.html", job=job, state=job_state(job))


@bp.get("/jobs/<job_id>.json")
@login_required
def job_progress(job_id: str):
    return jsonify(job_state(_own_job(job_id)))


@bp.post("/jobs/<job_id>/retry")
@login_required
def job_retry(job_id: str):
    job = _own_job(job_id)
    if not jobs.retry(job):
        flash(_("This job is not failed; it needs no retry."), "info")
    return redirect(url_for("printing.job", job_id=job.id))


@bp.get("/jobs/<job_id>/download")
@login_required
def job_download(job_id: str):
    job = _own_job(job_id)
    pdf = render.cached(job.pdf_key) if job.status == JobStatus.DONE and job.pdf_key else None
    if pdf is None:
        abort(404)
    return file_response(pdf, job.filename, PDF)


# --- Administrators: talking points and print settings -------------------------------------


@bp.get("/talking-points")
@admin_required
def talking_points():
    office_id = current_user.office_id
    rows = []
    for topic in TALKING_POINT_TOPICS:
        for language in Language:
            point = talking_point(office_id, topic, language)
            rows.append(
                {
                    "topic": topic,
                    "language": language,
                    "point": point,
                    "own": point is not None and point.office_id == office_id,
                }
            )
    return render_template("printing/talking_points.html", rows=rows)


def _talking_point_key(topic: str, language: str) -> tuple[Topic, Language]:
    """The topic and language in a talking point's address; any other is a 404."""
    try:
        topic_value, language_value = Topic(topic), Language(language)
    except ValueError:
        abort(404)
    if topic_value not in TALKING_POINT_TOPICS:
        abort(404)
    return topic_value, language_value


@bp.route("/talking-points/<topic>/<language>", methods=["GET", "POST"])
@admin_required
def edit_talking_point(topic: str, language: str):
    topic_value, language_value = _talking_point_key(topic, language)
    current = talking_point(current_user.office_id, topic_value, language_value)
    form = TalkingPointForm()
    if request.method == "GET" and current is not None:
        form.body.data = current.body
    if form.validate_on_submit():
        try:
            save_talking_point(
                current_user.office_id,
                topic_value,
                language_value,
                form.body.data or "",
                current_user,
            )
            flash(_("Talking points saved. New flyers use them."), "success")
            return redirect(url_for("printing.talking_points"))
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="body")
    preview = render_markup(form.body.data or "")
    return render_template(
        "printing/talking_point_form.html",
        form=form,
        topic=topic_value,
        language=language_value,
        preview=preview,
        is_default=current is not None and current.office_id is None,
        printable_ranges=glyphs.printable_ranges(),
    ), (422 if form.errors else 200)


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    current = print_settings(current_user.office_id)
    form = PrintSettingsForm(columns=SHEET_COLUMNS)
    if request.method == "GET":
        form.flyer_layout.data = current.flyer_layout
        form.hidden_columns.data = sorted(current.hidden)
        form.spare_rows.data = current.spare_rows
        form.mask_phones.data = current.mask_phones
    if form.validate_on_submit():
        try:
            save_print_settings(
                current_user.office_id,
                form.flyer_layout.data,
                list(form.hidden_columns.data or []),
                required(form.spare_rows.data),
                mask_phones=bool(form.mask_phones.data),
                by=current_user,
            )
            flash(_("Print settings saved."), "success")
            return redirect(url_for("printing.settings"))
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="spare_rows")
    return render_template("printing/settings.html", form=form), (422 if form.errors else 200)


@bp.app_template_global("printing_panel")
def printing_panel(session: OutreachSession) -> PrintPanel:
    """The flyer's languages and unprintable characters (shown on the session page)."""
    return print_panel(session)


@bp.app_template_global("printing_language_hint")
def printing_language_hint(office_id: int) -> str:
    """Which languages flyers print in besides Vietnamese (shown on the planning form)."""
    return planning_hint(office_id)
