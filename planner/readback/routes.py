"""Reading back: send photos of a signed sheet, follow the reading, review and confirm."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from planner.errors import PlannerError
from planner.extensions import db
from planner.readback import bp, jobs, retention, storage
from planner.readback.cells import Decision
from planner.readback.forms import PhotosForm, ReadbackSettingsForm
from planner.readback.models import BatchStatus, ReadingBatch
from planner.readback.review import BOX_COLUMNS, LineChoice, confirm_batch, review_lines
from planner.scoping import get_owned_or_404, supervisor_required
from planner.sessions.models import OutreachSession
from planner.web import file_response

# Photos are larger than the app's other uploads: this request alone may carry several.
UPLOAD_REQUEST_BYTES = 120 * 1024 * 1024


def _own_batch(batch_id: str) -> ReadingBatch:
    batch = db.session.scalar(
        sa.select(ReadingBatch).where(
            ReadingBatch.id == batch_id, ReadingBatch.office_id == current_user.office_id
        )
    )
    if batch is None:
        abort(404)
    return batch


def batch_state(batch: ReadingBatch) -> dict:
    return {
        "id": batch.id,
        "status": batch.status.value,
        "done": batch.done,
        "total": batch.total,
        "percent": batch.percent,
        "error": batch.error or None,
    }


@bp.route("/sessions/<int:session_id>/read", methods=["GET", "POST"])
@login_required
def upload(session_id: int):
    session = get_owned_or_404(OutreachSession, session_id)
    if request.method == "POST":
        request.max_content_length = UPLOAD_REQUEST_BYTES
    form = PhotosForm()
    if form.validate_on_submit():
        uploads = []
        for upload in request.files.getlist(form.photos.name):
            if upload.filename:
                uploads.append(jobs.Upload(name=upload.filename, content=upload.read()))
            upload.close()  # large uploads are spooled to temporary files
        try:
            batch = jobs.start_reading(current_user, session, uploads)
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="photos")
        else:
            return redirect(url_for("readback.batch", batch_id=batch.id))
    status = 422 if request.method == "POST" else 200
    return render_template("readback/upload.html", session=session, form=form), status


@bp.get("/<batch_id>")
@login_required
def batch(batch_id: str):
    batch = _own_batch(batch_id)
    session = db.session.get_one(OutreachSession, batch.session_id)
    if batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.FAILED):
        return render_template(
            "readback/progress.html", batch=batch, session=session, state=batch_state(batch)
        )
    return _review(batch, session)


def _review(batch: ReadingBatch, session: OutreachSession, typed=None, status: int = 200):
    return (
        render_template(
            "readback/review.html",
            batch=batch,
            session=session,
            lines=review_lines(batch),
            columns=BOX_COLUMNS,
            typed=typed,
            Decision=Decision,
        ),
        status,
    )


@bp.get("/<batch_id>.json")
@login_required
def progress(batch_id: str):
    return jsonify(batch_state(_own_batch(batch_id)))


@bp.get("/<batch_id>/files/<name>")
@login_required
def picture(batch_id: str, name: str):
    batch = _own_batch(batch_id)
    content = storage.read_image(batch.id, name)
    if content is None:
        abort(404)
    # Photos of people's names and signatures: never kept by a shared browser or a proxy.
    return file_response(content, name, "image/jpeg", inline=True)


def _choices(form) -> dict[str, LineChoice]:
    """The posted review: for each line key, whether it is included, its boxes and typing."""
    choices = {}
    for key in form.getlist("line"):
        boxes: dict[str, bool | None] = {}
        for column in BOX_COLUMNS:
            value = form.get(f"{key}-{column}")
            boxes[column] = {"yes": True, "no": False}.get(value or "")
        choices[key] = LineChoice(
            include=form.get(f"{key}-include") == "1",
            boxes=boxes,
            full_name=form.get(f"{key}-full_name", ""),
            birth_year=form.get(f"{key}-birth_year", ""),
            phone=form.get(f"{key}-phone", ""),
            consent_contact=form.get(f"{key}-consent") == "1",
        )
    return choices


@bp.post("/<batch_id>/confirm")
@login_required
def confirm(batch_id: str):
    batch = _own_batch(batch_id)
    session = db.session.get_one(OutreachSession, batch.session_id)
    try:
        done = confirm_batch(batch, _choices(request.form), current_user)
        db.session.commit()
    except sa.exc.IntegrityError:
        # The same page confirmed from another batch a moment ago.
        db.session.rollback()
        flash(_("These pages were confirmed a moment ago by someone else."), "error")
        return _review(_own_batch(batch_id), session, typed=request.form, status=409)
    except PlannerError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _review(_own_batch(batch_id), session, typed=request.form, status=422)
    flash(
        _(
            "Attendance recorded from the sheet: %(walk_ins)s added, %(invited)s invited people "
            "updated.",
            walk_ins=done.walk_ins,
            invited=done.invited,
        ),
        "success",
    )
    return redirect(url_for("sessions.detail", session_id=session.id) + "#attendance")


@bp.route("/settings", methods=["GET", "POST"])
@supervisor_required
def settings():
    form = ReadbackSettingsForm()
    if request.method == "GET":
        form.keep_days.data = retention.keep_days(current_user.office_id)
    if form.validate_on_submit():
        try:
            retention.save_keep_days(
                current_user.office_id, form.keep_days.data or 0, current_user.id
            )
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="keep_days")
            return render_template("readback/settings.html", form=form), 422
        db.session.commit()
        flash(
            ngettext(
                "Saved: photos of signed sheets are kept %(num)d day.",
                "Saved: photos of signed sheets are kept %(num)d days.",
                form.keep_days.data,
            ),
            "success",
        )
        return redirect(url_for("readback.settings"))
    return render_template("readback/settings.html", form=form), (422 if form.errors else 200)


@bp.app_template_global("readback_column_labels")
def readback_column_labels() -> dict[str, str]:
    """The sheet's tick-box headings, as printed, by column key."""
    from planner.printing.columns import SHEET_COLUMNS

    return {c.key: str(c.label) for c in SHEET_COLUMNS if c.tick}
