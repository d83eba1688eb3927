"""Record an enrolment, see one with its credits, and list the office's enrolments."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from planner.bounds import parse_date
from planner.concurrency import StaleForm, check_version, describe
from planner.enrolments import bp
from planner.enrolments.forms import EnrolmentForm, ReceiptForm
from planner.enrolments.models import Enrolment, EnrolmentCredit
from planner.enrolments.services import (
    Contribution,
    EnrolmentInput,
    contribution,
    office_enrolments,
    person_enrolments,
    record_enrolment,
    snapshot,
    update_receipt,
)
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups.models import Channel, FollowUp, Product
from planner.forms import required
from planner.people.models import Person
from planner.rates.payment_periods import period_label
from planner.scoping import person_for_new_record
from planner.timezones import today_local
from planner.web import page_arg, require_rows


@bp.app_context_processor
def template_helpers() -> dict:
    return {"person_enrolments": person_enrolments, "payment_label": period_label}


def _input(form: EnrolmentForm) -> EnrolmentInput:
    return EnrolmentInput(
        product=form.product.data,
        enrolled_on=form.enrolled_on.data,
        receipt_number=form.receipt_number.data or "",
        months=form.months.data,
        income=form.income.data,
        priority_group=form.priority_group.data,
        members=form.members.data,
        notes=form.notes.data or "",
        channel=form.channel.data if form.channel.data in {c.value for c in Channel} else "",
        outcome_notes=form.outcome_notes.data or "",
    )


def _follow_up_of(person: Person, raw) -> FollowUp | None:
    if not raw:
        return None
    try:
        follow_up_id = int(raw)
    except (TypeError, ValueError):
        abort(400)
    follow_up = db.session.get(FollowUp, follow_up_id)
    if follow_up is None or follow_up.office_id != current_user.office_id:
        abort(404)
    if follow_up.person_id != person.id:
        abort(400)
    return follow_up


def _fill_new(form: EnrolmentForm, person: Person, follow_up_id, product: str | None) -> None:
    form.enrolled_on.data = today_local()
    form.priority_group.data = person.priority_group.value
    form.follow_up_id.data = str(follow_up_id or "")
    if product in {p.value for p in Product.single()}:
        form.product.data = product


def enrolment_from_follow_up(follow_up: FollowUp, channel: str, notes: str):
    """The enrolment form for a follow-up whose outcome is "enrolled", answered in place of a
    redirect: the channel and notes entered with the outcome ride along in the form (a URL would
    cut long notes), and are logged with the enrolment."""
    form = EnrolmentForm(formdata=None)
    single = follow_up.product if follow_up.product in Product.single() else None
    _fill_new(form, follow_up.person, follow_up.id, single.value if single else None)
    form.channel.data = channel
    form.outcome_notes.data = notes
    return render_template(
        "enrolments/new.html", form=form, person=follow_up.person, follow_up=follow_up, quote=None
    )


def _quote_or_record(
    person: Person, form: EnrolmentForm, follow_up: FollowUp | None
) -> tuple[Contribution | None, Enrolment | None]:
    """The contribution for the posted form and, unless it is a preview, the enrolment recorded
    (committed). A refusal leaves its reason on `form` and no enrolment."""
    if not form.validate_on_submit():
        return None, None
    quote = None
    try:
        # The amount comes first: it is worked out with or without a receipt number.
        quote = contribution(_input(form), person.office_id)
        if "preview" in request.form:
            return quote, None
        enrolment = record_enrolment(person, _input(form), current_user, follow_up)
        db.session.commit()
    except PlannerError as error:
        db.session.rollback()
        form.add_error(error, default="product")
        return quote, None
    return quote, enrolment


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    person = person_for_new_record(request.args.get("person", type=int))
    form = EnrolmentForm()
    if request.method == "GET":
        _fill_new(form, person, request.args.get("follow_up", ""), request.args.get("product"))
        channel = request.args.get("channel", "")
        form.channel.data = channel if channel in {c.value for c in Channel} else ""
        form.outcome_notes.data = request.args.get("notes", "")[:4000]
    follow_up = _follow_up_of(person, form.follow_up_id.data)
    quote, status = None, 200
    if request.method == "POST":
        quote, enrolment = _quote_or_record(person, form, follow_up)
        if enrolment is not None:
            flash(_("The enrolment of %(name)s was recorded.", name=person.full_name), "success")
            return redirect(url_for("enrolments.detail", enrolment_id=enrolment.id))
        status = 200 if quote is not None and "preview" in request.form else 400
    return (
        render_template(
            "enrolments/new.html", form=form, person=person, follow_up=follow_up, quote=quote
        ),
        status,
    )


def _load(enrolment_id: int) -> Enrolment:
    enrolment = db.session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.id == enrolment_id, Enrolment.office_id == current_user.office_id)
        .options(
            selectinload(Enrolment.person),
            selectinload(Enrolment.recorded_by),
            selectinload(Enrolment.credits).selectinload(EnrolmentCredit.session),
            selectinload(Enrolment.credits)
            .selectinload(EnrolmentCredit.follow_up)
            .selectinload(FollowUp.assigned_to),
        )
    ).first()
    if enrolment is None:
        abort(404)
    return enrolment


@bp.route("/<int:enrolment_id>", methods=["GET", "POST"])
@login_required
def detail(enrolment_id: int):
    enrolment = _load(enrolment_id)
    form = ReceiptForm(obj=enrolment)
    status = 200
    conflict = None
    if request.method == "GET":
        form.remember(enrolment.version, snapshot(enrolment))
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                check_version(enrolment.version, form, snapshot(enrolment))
                receipt = required(form.receipt_number.data)
                update_receipt(enrolment, receipt, form.notes.data or "", current_user)
                db.session.commit()
                flash(_("The enrolment was saved."), "success")
                return redirect(url_for("enrolments.detail", enrolment_id=enrolment.id))
            except StaleForm as error:
                conflict, status = error, 409
            except PlannerError as error:
                db.session.rollback()
                enrolment = _load(enrolment_id)
                form.add_error(error, default="receipt_number")
    return render_template(
        "enrolments/detail.html",
        enrolment=enrolment,
        form=form,
        conflict=conflict,
        conflict_changes=describe(form, conflict) if conflict else [],
    ), status


def _parse_day(text: str | None, default: date) -> date:
    if not text:
        return default
    try:
        return parse_date(text)
    except ValueError:
        abort(400)


@bp.get("/")
@login_required
def index():
    last = _parse_day(request.args.get("to"), today_local())
    first = _parse_day(request.args.get("from"), last - timedelta(days=90))
    if first > last or (last - first).days > 3660:
        abort(400)
    listing = office_enrolments(current_user.office_id, first, last, page_arg())
    require_rows(listing.page, listing.items)
    return render_template(
        "enrolments/index.html",
        listing=listing,
        enrolments=listing.items,
        first=first,
        last=last,
        totals=listing.totals,
    )
