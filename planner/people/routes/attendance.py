"""Attendance on a session: the people panel, adding, editing, confirming, removing,
exporting and importing the list."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from planner import import_jobs
from planner.concurrency import StaleForm, check_version, describe
from planner.errors import PlannerError
from planner.extensions import db
from planner.formats import shown_date
from planner.people import bp
from planner.people.attendance import (
    SessionCounts,
    closed_reason,
    record_attendance,
    remove_attendance,
    session_counts,
    update_attendance,
)
from planner.people.exports import XLSX, attendance_lines, lines_csv, lines_xlsx
from planner.people.forms import AttendanceForm, AttendeeForm, ImportForm
from planner.people.identity import clean_attendee
from planner.people.import_jobs import KIND as ATTENDANCE_IMPORT
from planner.people.import_jobs import result_of, session_of, start_attendance_import
from planner.people.importing import (
    ImportRefused,
    import_sheet,
    import_summary,
    template_csv,
    template_xlsx,
)
from planner.people.models import Attendance, Interest, Person
from planner.people.self_check_in import confirm_check_in, reject_check_in
from planner.people.snapshots import attendance_snapshot
from planner.places.services import commune_villages, office_villages
from planner.scoping import get_owned_or_404
from planner.sessions.models import OutreachSession
from planner.timezones import today_local
from planner.web import file_response


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _session_attendances(session_id: int) -> Sequence[Attendance]:
    return db.session.scalars(
        sa.select(Attendance)
        .where(Attendance.session_id == session_id, Attendance.office_id == current_user.office_id)
        # Each row's person and village joined in (one row each): one query, not three.
        .options(joinedload(Attendance.person).joinedload(Person.village))
        .order_by(Attendance.confirmed.desc(), Attendance.id)
    ).all()


def _attendee_form(session: OutreachSession, **kwargs) -> AttendeeForm:
    form = AttendeeForm(
        villages=commune_villages(current_user.office_id, session.commune_id), **kwargs
    )
    if request.method == "GET" or not kwargs.get("formdata", True):
        form.village_id.data = session.village_id or 0
    return form


def people_panel(session: OutreachSession) -> dict:
    """What the attendance panel on a session page needs (called from the template)."""
    form = AttendeeForm(
        villages=commune_villages(current_user.office_id, session.commune_id), formdata=None
    )
    form.village_id.data = session.village_id or 0
    attendances = _session_attendances(session.id)
    return {
        "form": form,
        "attendances": attendances,
        "counts": SessionCounts.of(attendances),
        "mask": request.args.get("mask") == "1",
        "is_future": session.local_day > today_local(),
    }


# --- Attendance on a session ------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def add_attendance(session_id: int):
    session = get_owned_or_404(OutreachSession, session_id)
    form = _attendee_form(session)
    if form.validate_on_submit():
        attendance = _save_attendee(session, form)
        if attendance is not None:
            return _attendee_added(session, attendance)
    if request.method == "POST":
        return _attendee_refused(session, form)
    return render_template("people/attendance_form.html", session=session, form=form)


def _save_attendee(session: OutreachSession, form: AttendeeForm) -> Attendance | None:
    """Put the posted person on the list; None leaves the reasons on `form`."""
    row = clean_attendee(form.to_input())
    try:
        if row.errors:
            for name, message in row.errors.items():
                getattr(form, name).errors = [message]
            raise PlannerError(_("Please correct the fields marked below."), code="invalid")
        attendance = record_attendance(session, row, current_user)
        db.session.commit()
    except sa.exc.IntegrityError:
        # Another officer listed the same person a moment ago.
        db.session.rollback()
        form.full_name.errors = [
            _("%(name)s is already on this session's list.", name=row.full_name)
        ]
        return None
    except PlannerError as error:
        db.session.rollback()
        if error.code != "invalid":
            form.add_error(error, default="full_name")
        return None
    return attendance


def _attendee_added(session: OutreachSession, attendance: Attendance):
    message = _("%(name)s was added to the list.", name=attendance.person.full_name)
    if _wants_json():
        counts = session_counts(session.id)
        return jsonify(
            ok=True,
            message=message,
            row=render_template("people/_attendance_row.html", attendance=attendance, mask=False),
            counts=counts.__dict__,
        )
    flash(message, "success")
    return redirect(url_for("sessions.detail", session_id=session.id) + "#attendance")


def _attendee_refused(session: OutreachSession, form: AttendeeForm):
    if _wants_json():
        return jsonify(
            ok=False,
            message=_("Please correct the fields marked below."),
            errors={name: " ".join(errors) for name, errors in form.errors.items()},
        ), 422
    return render_template("people/attendance_form.html", session=session, form=form), 422


@bp.route("/attendance/<int:attendance_id>/edit", methods=["GET", "POST"])
@login_required
def edit_attendance(attendance_id: int):
    attendance = get_owned_or_404(Attendance, attendance_id)
    form = AttendanceForm(obj=attendance, interest=attendance.interest.value)
    if request.method == "GET":
        form.remember(attendance.version, attendance_snapshot(attendance))
    conflict = None
    if form.validate_on_submit():
        try:
            check_version(attendance.version, form, attendance_snapshot(attendance))
        except StaleForm as error:
            conflict = error
        else:
            update_attendance(
                attendance,
                Interest(form.interest.data),
                form.registered_on_spot.data,
                form.notes.data or "",
                current_user,
            )
            db.session.commit()
            flash(_("The attendance was saved."), "success")
            return redirect(
                url_for("sessions.detail", session_id=attendance.session_id) + "#attendance"
            )
    return _attendance_edit_page(attendance, form, conflict)


def _attendance_edit_page(attendance: Attendance, form: AttendanceForm, conflict):
    return render_template(
        "people/attendance_edit.html",
        attendance=attendance,
        form=form,
        conflict=conflict,
        conflict_changes=describe(form, conflict) if conflict else [],
    ), (409 if conflict else 200)


@bp.post("/attendance/<int:attendance_id>/delete")
@login_required
def delete_attendance(attendance_id: int):
    attendance = get_owned_or_404(Attendance, attendance_id)
    session_id = attendance.session_id
    name = attendance.person.full_name
    if attendance.confirmed:
        remove_attendance(attendance, current_user)
    else:
        reject_check_in(attendance, current_user)
    db.session.commit()
    flash(_("%(name)s was taken off the list.", name=name), "info")
    return redirect(url_for("sessions.detail", session_id=session_id) + "#attendance")


@bp.post("/attendance/<int:attendance_id>/confirm")
@login_required
def confirm_attendance(attendance_id: int):
    attendance = get_owned_or_404(Attendance, attendance_id)
    session_id = attendance.session_id
    confirmed = confirm_check_in(attendance, current_user)
    db.session.commit()
    flash(_("%(name)s is confirmed on the list.", name=confirmed.person.full_name), "success")
    return redirect(url_for("sessions.detail", session_id=session_id) + "#attendance")


@bp.get("/sessions/<int:session_id>/attendance.<fmt>")
@login_required
def export_attendance(session_id: int, fmt: str):
    session = get_owned_or_404(OutreachSession, session_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    mask = request.args.get("mask", "1") == "1"
    lines = attendance_lines(_session_attendances(session.id), mask)
    filename = f"danh-sach-nguoi-tham-du-{session.local_day.isoformat()}-{session.id}.{fmt}"
    if fmt == "csv":
        return file_response(lines_csv(lines), filename, "text/csv")
    return file_response(lines_xlsx(lines), filename, XLSX)


# --- Import ------------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/import", methods=["GET", "POST"])
@login_required
def import_attendance(session_id: int):
    session = get_owned_or_404(OutreachSession, session_id)
    form = ImportForm()
    refused = None
    if form.validate_on_submit():
        upload = form.sheet.data
        filename = upload.filename or ""
        content = upload.read(
            current_app.config.get("PEOPLE_IMPORT_MAX_BYTES", 5 * 1024 * 1024) + 1
        )
        if import_jobs.runs_as_job(content):
            job = start_attendance_import(session, current_user, filename, content)
            return redirect(url_for("people.import_job", job_id=job.id))
        try:
            result = import_sheet(session, filename, content, current_user)
            db.session.commit()
        except ImportRefused as error:
            db.session.rollback()
            refused = error
        except PlannerError as error:
            db.session.rollback()
            refused = ImportRefused(error.message)
        else:
            flash(import_summary(result), "success")
            return redirect(url_for("sessions.detail", session_id=session.id) + "#attendance")
    status = 422 if refused or (request.method == "POST") else 200
    return render_template(
        "people/import.html",
        session=session,
        form=form,
        refused=refused,
        closed=closed_reason(session),
    ), status


@bp.get("/imports/<job_id>")
@login_required
def import_job(job_id: str):
    """A large attendance file imported as a job: its progress, then what the import found."""
    job = import_jobs.office_job(job_id, current_user.office_id, ATTENDANCE_IMPORT)
    if job is None:
        abort(404)
    session = session_of(job)
    outcome = import_jobs.outcome(job)
    summary = import_summary(result_of(outcome.counts)) if outcome and outcome.counts else ""
    return render_template(
        "import_job.html",
        title=_("Import an attendance sheet"),
        job=job,
        outcome=outcome,
        summary=summary,
        back_url=url_for("sessions.detail", session_id=session.id) + "#attendance",
        back_label=f"{session.label} · {shown_date(session.starts_at)}",
        done_label=_("Back to the session"),
        again_url=url_for("people.import_attendance", session_id=session.id),
    )


@bp.get("/people/import-template.<fmt>")
@login_required
def import_template(fmt: str):
    if fmt == "xlsx":
        names = [v.display_name for v in office_villages(current_user.office_id)]
        return file_response(template_xlsx(names), "mau-danh-sach-nguoi-tham-du.xlsx", XLSX)
    if fmt == "csv":
        return file_response(template_csv(), "mau-danh-sach-nguoi-tham-du.csv", "text/csv")
    abort(404)
