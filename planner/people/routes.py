"""Pages for attendance on a session, people, duplicates, import and privacy requests."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from typing import cast

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import selectinload

from planner.audit.labels import ShownEntry, shown_entries
from planner.concurrency import StaleForm, check_version, describe
from planner.errors import PlannerError
from planner.extensions import db
from planner.people import bp
from planner.people.attendance import (
    people_reach,
    person_attendances,
    record_attendance,
    remove_attendance,
    session_counts,
    update_attendance,
)
from planner.people.duplicates import (
    duplicates_page,
    mark_distinct,
    merge_people,
)
from planner.people.forms import (
    AttendanceForm,
    AttendeeForm,
    ConsentCheckForm,
    ImportForm,
    PersonForm,
)
from planner.people.identity import clean_attendee, person_label, shown_phone, update_person
from planner.people.importing import (
    ImportRefused,
    import_sheet,
    import_summary,
    template_csv,
    template_xlsx,
)
from planner.people.listing import people_page
from planner.people.models import Attendance, Interest, Person
from planner.people.privacy import (
    erase_person,
    export_person,
    export_rows,
    neutralise_formula,
    person_trail,
)
from planner.people.self_check_in import confirm_check_in, reject_check_in
from planner.people.snapshots import attendance_snapshot, person_snapshot
from planner.phones import display_phone
from planner.places.services import commune_villages, office_villages
from planner.scoping import get_owned_or_404, supervisor_required
from planner.sessions.models import OutreachSession
from planner.timezones import today_local
from planner.web import file_response

__all__ = ["people_panel", "person_label", "shown_phone"]


@bp.app_context_processor
def _panel_helpers() -> dict:
    """The session page's people panel and how a person is shown, for every template."""
    return {"people_panel": people_panel, "person_label": person_label, "shown_phone": shown_phone}


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _session_attendances(session_id: int) -> Sequence[Attendance]:
    return db.session.scalars(
        sa.select(Attendance)
        .where(Attendance.session_id == session_id, Attendance.office_id == current_user.office_id)
        .options(selectinload(Attendance.person).selectinload(Person.village))
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
    return {
        "form": form,
        "attendances": _session_attendances(session.id),
        "counts": session_counts(session.id),
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
        except PlannerError as error:
            db.session.rollback()
            if error.code != "invalid":
                form.add_error(error, default="full_name")
        else:
            message = _("%(name)s was added to the list.", name=attendance.person.full_name)
            if _wants_json():
                counts = session_counts(session.id)
                return jsonify(
                    ok=True,
                    message=message,
                    row=render_template(
                        "people/_attendance_row.html", attendance=attendance, mask=False
                    ),
                    counts=counts.__dict__,
                )
            flash(message, "success")
            return redirect(url_for("sessions.detail", session_id=session.id) + "#attendance")
    if request.method == "POST":
        if _wants_json():
            return jsonify(
                ok=False,
                message=_("Please correct the fields marked below."),
                errors={name: " ".join(errors) for name, errors in form.errors.items()},
            ), 422
        return render_template("people/attendance_form.html", session=session, form=form), 422
    return render_template("people/attendance_form.html", session=session, form=form)


@bp.route("/attendance/<int:attendance_id>/edit", methods=["GET", "POST"])
@login_required
def edit_attendance(attendance_id: int):
    attendance = get_owned_or_404(Attendance, attendance_id)
    form = AttendanceForm(
        obj=attendance,
        interest=attendance.interest.value,
    )
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
    header = [
        _("No."),
        _("Full name"),
        _("Year of birth"),
        _("Gender"),
        _("Ethnicity"),
        _("Village"),
        _("Phone"),
        _("Occupation"),
        _("Priority group"),
        _("Has a health insurance card now"),
        _("Interested in"),
        _("Registered on the spot"),
        _("Agrees to be contacted"),
        _("Notes"),
    ]
    yes, no = _("Yes"), _("No")
    lines = [header]
    for number, a in enumerate(
        (a for a in _session_attendances(session.id) if a.confirmed), start=1
    ):
        p = a.person
        lines.append(
            [
                number,
                person_label(p),
                p.birth_year or "",
                p.gender.label if p.gender else "",
                p.ethnicity,
                p.village.display_name if p.village else "",
                shown_phone(p.phone, mask),
                p.occupation,
                p.priority_group.label,
                "" if p.has_health_insurance is None else (yes if p.has_health_insurance else no),
                a.interest.label,
                yes if a.registered_on_spot else no,
                yes if p.consent_contact else no,
                a.notes,
            ]
        )
    lines = [
        [neutralise_formula(str(c) if not isinstance(c, int) else c) for c in line]
        for line in lines
    ]
    day = session.local_day.isoformat()
    filename = f"danh-sach-nguoi-tham-du-{day}-{session.id}.{fmt}"
    if fmt == "csv":
        return _csv_response(lines, filename)
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one sheet, never None
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return file_response(
        buffer.getvalue(),
        filename,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _csv_response(lines: list[list], filename: str) -> Response:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    return file_response(("\ufeff" + buffer.getvalue()).encode("utf-8"), filename, "text/csv")


# --- Import ------------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/import", methods=["GET", "POST"])
@login_required
def import_attendance(session_id: int):
    session = get_owned_or_404(OutreachSession, session_id)
    form = ImportForm()
    refused = None
    if form.validate_on_submit():
        upload = form.sheet.data
        content = upload.read(
            current_app.config.get("PEOPLE_IMPORT_MAX_BYTES", 5 * 1024 * 1024) + 1
        )
        try:
            result = import_sheet(session, upload.filename or "", content, current_user)
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
        "people/import.html", session=session, form=form, refused=refused
    ), status


@bp.get("/people/import-template.<fmt>")
@login_required
def import_template(fmt: str):
    if fmt == "xlsx":
        names = [v.display_name for v in office_villages(current_user.office_id)]
        return file_response(
            template_xlsx(names),
            "mau-danh-sach-nguoi-tham-du.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if fmt == "csv":
        return file_response(template_csv(), "mau-danh-sach-nguoi-tham-du.csv", "text/csv")
    abort(404)


# --- People ------------------------------------------------------------------------------------


@bp.get("/people")
@login_required
def index():
    query_text = (request.args.get("q") or "").strip()[:100]
    listing = people_page(current_user.office_id, query_text, request.args.get("page", 1, type=int))
    return render_template(
        "people/index.html",
        page=listing,
        q=query_text,
        counts=listing.attendances,
        mask=request.args.get("mask") == "1",
    )


@bp.get("/people/reach")
@login_required
def reach():
    # Its own page: distinct people over every attendance row is the one figure that grows with
    # the office's years, and the daily list should not pay for it on every visit.
    since = date(today_local().year, 1, 1)
    figures = people_reach(current_user.office_id, since)
    return render_template("people/reach.html", reach=figures, year=since.year)


def _person(person_id: int) -> Person:
    person = get_owned_or_404(Person, person_id)
    return person


@bp.get("/people/<int:person_id>")
@login_required
def detail(person_id: int):
    person = _person(person_id)
    audit: list[ShownEntry] = []
    if current_user.is_supervisor:
        audit = shown_entries(person.office_id, person_trail(person)[::-1])
    return render_template(
        "people/detail.html",
        person=person,
        attendances=person_attendances(person),
        audit=audit,
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def edit(person_id: int):
    person = _person(person_id)
    if person.erased_at is not None:
        abort(404)
    villages = office_villages(current_user.office_id)
    if request.method == "GET":
        form = PersonForm(obj=person, villages=villages)
        form.gender.data = person.gender.value if person.gender else ""
        form.village_id.data = person.village_id or 0
        form.priority_group.data = person.priority_group.value
        answers: dict[bool | None, str] = {True: "yes", False: "no", None: ""}
        form.has_health_insurance.data = answers[person.has_health_insurance]
        form.phone.data = display_phone(person.phone) if person.phone else ""
        form.remember(person.version, person_snapshot(person))
    else:
        form = PersonForm(villages=villages)
    conflict = None
    if form.validate_on_submit():
        try:
            check_version(person.version, form, person_snapshot(person))
            update_person(person, form.values(), current_user)
            db.session.commit()
        except StaleForm as error:
            db.session.rollback()
            conflict = error
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="full_name")
        else:
            flash(_("The person's details were saved."), "success")
            return redirect(url_for("people.detail", person_id=person.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "people/edit.html",
        person=person,
        form=form,
        conflict=conflict,
        conflict_changes=describe(form, conflict) if conflict else [],
    ), status


# --- Duplicates ----------------------------------------------------------------------------------


@bp.get("/people/duplicates")
@login_required
def duplicates():
    listing = duplicates_page(current_user.office_id, request.args.get("page", 1, type=int))
    return render_template("people/duplicates.html", pairs=listing.pairs, listing=listing)


def _pair_from_request() -> tuple[Person, Person]:
    first = request.values.get("first", type=int)
    second = request.values.get("second", type=int)
    if not first or not second or first == second:
        abort(400)
    return _person(first), _person(second)


@bp.route("/people/merge", methods=["GET", "POST"])
@login_required
def merge():
    first, second = _pair_from_request()
    if first.erased_at or second.erased_at or not first.confirmed or not second.confirmed:
        abort(404)
    if request.method == "POST":
        keep = request.form.get("keep", type=int)
        if keep not in (first.id, second.id):
            flash(_("Choose which record to keep."), "error")
        else:
            kept, removed = (first, second) if keep == first.id else (second, first)
            try:
                merge_people(kept, removed, current_user)
                db.session.commit()
            except PlannerError as error:
                db.session.rollback()
                flash(error.message, "error")
            else:
                flash(_("The two records are now one."), "success")
                return redirect(url_for("people.detail", person_id=kept.id))
    return render_template(
        "people/merge.html",
        first=first,
        second=second,
        first_attendances=person_attendances(first),
        second_attendances=person_attendances(second),
    )


@bp.post("/people/distinct")
@login_required
def distinct():
    first, second = _pair_from_request()
    mark_distinct(first, second, current_user)
    db.session.commit()
    flash(
        _("%(a)s and %(b)s are kept as different people.", a=first.full_name, b=second.full_name),
        "info",
    )
    return redirect(url_for("people.duplicates"))


# --- Privacy ------------------------------------------------------------------------------------


@bp.get("/people/<int:person_id>/export.<fmt>")
@supervisor_required
def export(person_id: int, fmt: str):
    person = _person(person_id)
    if fmt not in ("json", "csv"):
        abort(404)
    data = export_person(person, current_user)
    db.session.commit()
    filename = f"nguoi-{person.id}.{fmt}"
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        return file_response(body.encode("utf-8"), filename, "application/json")
    return _csv_response(export_rows(data), filename)


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@supervisor_required
def erase(person_id: int):
    person = _person(person_id)
    if person.erased_at is not None:
        flash(_("This person's data was already erased."), "info")
        return redirect(url_for("people.detail", person_id=person.id))
    form = ConsentCheckForm()
    if form.validate_on_submit():
        erase_person(person, current_user)
        db.session.commit()
        flash(
            _("The person's data was erased. Their attendance still counts, anonymously."),
            "success",
        )
        return redirect(url_for("people.detail", person_id=person.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "people/erase.html",
        person=person,
        form=form,
        snapshot=person_snapshot(person),
        attendance_count=len(person.attendances),
    ), status
