"""Privacy requests on a person: their data exported, their data erased (supervisors)."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.extensions import db
from planner.people import bp
from planner.people.exports import lines_csv
from planner.people.forms import ConsentCheckForm
from planner.people.privacy import erase_person, export_person, export_rows
from planner.people.routes.people import person_or_404
from planner.people.snapshots import person_snapshot
from planner.scoping import supervisor_required
from planner.web import file_response


@bp.get("/people/<int:person_id>/export.<fmt>")
@supervisor_required
def export(person_id: int, fmt: str):
    person = person_or_404(person_id)
    if fmt not in ("json", "csv"):
        abort(404)
    data = export_person(person, current_user)
    db.session.commit()
    filename = f"nguoi-{person.id}.{fmt}"
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        return file_response(body.encode("utf-8"), filename, "application/json")
    return file_response(lines_csv(export_rows(data)), filename, "text/csv")


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@supervisor_required
def erase(person_id: int):
    person = person_or_404(person_id)
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
