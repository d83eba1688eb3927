"""People pages: the list, reach, a person's page and edit form, duplicates and merging."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from planner.audit.labels import ShownEntry, shown_entries
from planner.concurrency import StaleForm, check_version, describe
from planner.errors import PlannerError
from planner.extensions import db
from planner.people import bp
from planner.people.attendance import people_reach, person_attendances
from planner.people.duplicates import duplicates_page, mark_distinct, merge_chosen
from planner.people.forms import PersonForm
from planner.people.identity import update_person
from planner.people.listing import people_page
from planner.people.models import Person
from planner.people.privacy import person_trail
from planner.people.snapshots import person_snapshot
from planner.places.services import office_villages
from planner.scoping import get_owned_or_404
from planner.timezones import today_local
from planner.web import page_arg, require_rows


@bp.get("/people")
@login_required
def index():
    query_text = (request.args.get("q") or "").strip()[:100]
    listing = people_page(current_user.office_id, query_text, page_arg())
    require_rows(listing.page, listing.items)
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


def person_or_404(person_id: int) -> Person:
    """The person with this id in the user's office, else a 404."""
    return get_owned_or_404(Person, person_id)


@bp.get("/people/<int:person_id>")
@login_required
def detail(person_id: int):
    # The page names the person's village and commune: joined in, not a query each.
    person = get_owned_or_404(
        Person, person_id, options=[joinedload(Person.village), joinedload(Person.commune)]
    )
    attendances = person_attendances(person)
    audit: list[ShownEntry] = []
    if current_user.is_supervisor:
        audit = shown_entries(
            person.office_id,
            person_trail(person)[::-1],
            people={person.id: person.full_name},
            attendances=attendances,
        )
    return render_template(
        "people/detail.html", person=person, attendances=attendances, audit=audit
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def edit(person_id: int):
    person = person_or_404(person_id)
    if person.erased_at is not None:
        abort(404)
    villages = office_villages(current_user.office_id)
    if request.method == "GET":
        form = PersonForm(obj=person, villages=villages)
        form.show(person)
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
    return _edit_page(person, form, conflict)


def _edit_page(person: Person, form: PersonForm, conflict):
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
    listing = duplicates_page(current_user.office_id, page_arg())
    require_rows(listing.page, listing.pairs)
    return render_template("people/duplicates.html", pairs=listing.pairs, listing=listing)


def _pair_from_request() -> tuple[Person, Person]:
    first = request.values.get("first", type=int)
    second = request.values.get("second", type=int)
    if not first or not second or first == second:
        abort(400)
    return person_or_404(first), person_or_404(second)


@bp.route("/people/merge", methods=["GET", "POST"])
@login_required
def merge():
    first, second = _pair_from_request()
    if first.erased_at or second.erased_at or not first.confirmed or not second.confirmed:
        abort(404)
    keep = request.form.get("keep", type=int) if request.method == "POST" else first.id
    error = None
    if request.method == "POST":
        try:
            kept = merge_chosen(first, second, keep, current_user)
            db.session.commit()
        except PlannerError as refused:
            db.session.rollback()
            error = refused.message
        else:
            flash(_("The two records are now one."), "success")
            return redirect(url_for("people.detail", person_id=kept.id))
    # A refused merge comes back as posted, its reason beside the choice (issue 14).
    return render_template(
        "people/merge.html",
        first=first,
        second=second,
        keep=keep,
        error=error,
        first_attendances=person_attendances(first),
        second_attendances=person_attendances(second),
    ), (422 if error else 200)


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
