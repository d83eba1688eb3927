"""My follow-ups, one follow-up's page, and the forms that move follow-ups on."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from planner.concurrency import StaleForm, check_version, describe
from planner.enrolments.routes import enrolment_from_follow_up
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups import bp
from planner.followups.board import PILES, board, office_officers, person_follow_ups
from planner.followups.forms import (
    CancelForm,
    FollowUpForm,
    OutcomeForm,
    ReassignForm,
    RescheduleForm,
    SettingsForm,
)
from planner.followups.models import Channel, FollowUp, FollowUpOutcome, OutcomeKind, Product
from planner.followups.outcomes import OutcomeInput, cancel, log_outcome, reassign, reschedule
from planner.followups.scheduling import add_follow_up, snapshot
from planner.followups.settings import save_settings, settings_for
from planner.forms import required
from planner.people.models import Person
from planner.scope import ScopeKind, requested_scope
from planner.scoping import person_for_new_record, supervisor_required
from planner.timezones import today_local
from planner.web import is_safe_next, page_arg

FOLLOW_UP_KINDS = (ScopeKind.MINE, ScopeKind.TEAM, ScopeKind.OFFICE)
# nginx's default header buffer is 8 KB; a redirect longer than this carries its data in a form.
MAX_REDIRECT_URL = 6000


def outcome_form(follow_up: FollowUp, formdata=None) -> OutcomeForm:
    """Each follow-up's form has its own prefix so many fit on one page with unique ids."""
    kwargs = {} if formdata is None else {"formdata": formdata}
    return OutcomeForm(prefix=f"fu{follow_up.id}", **kwargs)


def person_url(person: Person) -> str | None:
    """The person's page, when the people domain provides one."""
    for endpoint in ("people.detail", "people.person"):
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, person_id=person.id)
            except BuildError:
                return None
    return None


@bp.app_context_processor
def template_helpers() -> dict:
    return {
        "person_follow_ups": person_follow_ups,
        "person_url": person_url,
    }


def _back(default: str):
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_next(target) else default)


@bp.get("/")
@login_required
def index():
    scope = requested_scope(
        current_user,
        request.args,
        kinds=FOLLOW_UP_KINDS,
        default=ScopeKind.MINE,
        supervisor_kinds=frozenset({ScopeKind.TEAM, ScopeKind.OFFICE}),
    )
    # Each pile pages on its own (?overdue=2), so a link works without JavaScript.
    # A page past a pile's last shows its last page (board clamps): a stale link to page 2 of
    # a pile since worked through must not lose the other two piles.
    pages = {key: page_arg(key) for key in PILES}
    piles = board(scope, today_local(), pages)
    return render_template(
        "followups/index.html",
        board=piles,
        scope=scope.kind,
        pages=pages,
        # Labels translated once for the whole page, not once per follow-up.
        kinds=[(k.value, k.label) for k in OutcomeKind],
        channels=[(c.value, c.label) for c in Channel],
    )


def _load(follow_up_id: int) -> FollowUp:
    follow_up = db.session.scalars(
        sa.select(FollowUp)
        .where(FollowUp.id == follow_up_id, FollowUp.office_id == current_user.office_id)
        .options(
            selectinload(FollowUp.person).selectinload(Person.village),
            selectinload(FollowUp.outcomes).selectinload(FollowUpOutcome.by),
            selectinload(FollowUp.session),
            selectinload(FollowUp.assigned_to),
        )
    ).first()
    if follow_up is None:
        abort(404)
    return follow_up


def _detail(follow_up: FollowUp, status: int = 200, conflict=None, **forms):
    officers = office_officers(current_user.office_id)
    forms.setdefault("outcome", outcome_form(follow_up))
    forms.setdefault(
        "reassign", ReassignForm(officers=officers, assigned_to_id=follow_up.assigned_to_id)
    )
    if "reschedule" not in forms:
        forms["reschedule"] = RescheduleForm(due_on=max(follow_up.due_on, today_local()))
        forms["reschedule"].remember(follow_up.version, snapshot(follow_up))
    forms.setdefault("cancel", CancelForm())
    return (
        render_template(
            "followups/detail.html",
            follow_up=follow_up,
            forms=forms,
            conflict=conflict[0] if conflict else None,
            conflict_changes=conflict[1] if conflict else [],
        ),
        status,
    )


@bp.get("/<int:follow_up_id>")
@login_required
def detail(follow_up_id: int):
    return _detail(_load(follow_up_id))


@bp.post("/<int:follow_up_id>/outcome")
@login_required
def outcome(follow_up_id: int):
    follow_up = _load(follow_up_id)
    form = outcome_form(follow_up, request.form)
    if not form.validate_on_submit():
        return _detail(follow_up, 400, outcome=form)
    kind = OutcomeKind(form.kind.data)
    if kind == OutcomeKind.ENROLLED:
        return _to_enrolment(follow_up, form)
    try:
        log_outcome(follow_up, _outcome_input(form, kind), current_user)
        db.session.commit()
    except PlannerError as error:
        db.session.rollback()
        follow_up = _load(follow_up_id)
        form.add_error(error, default="kind")
        return _detail(follow_up, 400, outcome=form)
    flash(
        _(
            "Outcome saved for %(name)s: %(outcome)s.",
            name=follow_up.person.full_name,
            outcome=kind.label,
        ),
        "success",
    )
    return _back(url_for("followups.index"))


def _outcome_input(form: OutcomeForm, kind: OutcomeKind) -> OutcomeInput:
    return OutcomeInput(
        kind=kind,
        channel=form.channel.data,
        call_back_on=form.call_back_on.data,
        reason=form.reason.data or "",
        notes=form.notes.data or "",
    )


def _to_enrolment(follow_up: FollowUp, form: OutcomeForm):
    """An "enrolled" outcome is recorded by the enrolment form, with the enrolment itself."""
    if not follow_up.is_open:
        form.add_error(PlannerError(_("This follow-up is already closed."), field="kind"))
        return _detail(follow_up, 400, outcome=form)
    single = follow_up.product if follow_up.product in Product.single() else None
    channel, notes = form.channel.data or "", (form.notes.data or "").strip()
    # How the person was reached and the notes go along, so the "enrolled" outcome keeps them.
    target = url_for(
        "enrolments.new",
        person=follow_up.person_id,
        follow_up=follow_up.id,
        product=single.value if single else None,
        channel=channel or None,
        notes=notes or None,
    )
    if len(target) > MAX_REDIRECT_URL:
        # Notes too long for a link (proxies refuse long URLs): the form is answered here.
        return enrolment_from_follow_up(follow_up, channel, notes)
    return redirect(target)


@bp.post("/<int:follow_up_id>/reassign")
@login_required
def reassign_to(follow_up_id: int):
    follow_up = _load(follow_up_id)
    form = ReassignForm(officers=office_officers(current_user.office_id))
    if form.validate_on_submit():
        try:
            reassign(follow_up, form.assigned_to_id.data, current_user)
            db.session.commit()
            flash(
                _("The follow-up was handed to %(name)s.", name=follow_up.assigned_to.full_name),
                "success",
            )
            return redirect(url_for("followups.detail", follow_up_id=follow_up.id))
        except PlannerError as error:
            db.session.rollback()
            follow_up = _load(follow_up_id)
            form.add_error(error, default="assigned_to_id")
    return _detail(follow_up, 400, reassign=form)


@bp.post("/<int:follow_up_id>/reschedule")
@login_required
def reschedule_to(follow_up_id: int):
    follow_up = _load(follow_up_id)
    form = RescheduleForm()
    if form.validate_on_submit():
        try:
            check_version(follow_up.version, form, snapshot(follow_up))
            reschedule(follow_up, form.due_on.data, current_user)
            db.session.commit()
            flash(_("The follow-up was moved."), "success")
            return redirect(url_for("followups.detail", follow_up_id=follow_up.id))
        except StaleForm as error:
            return _detail(follow_up, 409, reschedule=form, conflict=(error, describe(form, error)))
        except PlannerError as error:
            db.session.rollback()
            follow_up = _load(follow_up_id)
            form.add_error(error, default="due_on")
    return _detail(follow_up, 400, reschedule=form)


@bp.post("/<int:follow_up_id>/cancel")
@login_required
def cancel_follow_up(follow_up_id: int):
    follow_up = _load(follow_up_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            cancel(follow_up, form.reason.data or "", current_user)
            db.session.commit()
            flash(_("The follow-up was cancelled."), "success")
            return redirect(url_for("followups.index"))
        except PlannerError as error:
            db.session.rollback()
            follow_up = _load(follow_up_id)
            form.add_error(error, default="reason")
    return _detail(follow_up, 400, cancel=form)


def _fill_new(form: FollowUpForm) -> None:
    """A new follow-up: for the user, due today, about the product the link names."""
    form.assigned_to_id.data = current_user.id
    form.due_on.data = today_local()
    if request.args.get("product") in {p.value for p in Product}:
        form.product.data = request.args["product"]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    person = person_for_new_record(request.args.get("person", type=int))
    form = FollowUpForm(officers=office_officers(current_user.office_id))
    if request.method == "GET":
        _fill_new(form)
    if form.validate_on_submit():
        try:
            follow_up = add_follow_up(
                person,
                form.product.data,
                form.due_on.data,
                form.assigned_to_id.data,
                form.notes.data or "",
                current_user,
            )
            db.session.commit()
            flash(_("The follow-up was added."), "success")
            return redirect(url_for("followups.detail", follow_up_id=follow_up.id))
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="due_on")
    status = 400 if request.method == "POST" else 200
    return render_template("followups/new.html", form=form, person=person), status


@bp.route("/settings", methods=["GET", "POST"])
@supervisor_required
def settings():
    current = settings_for(current_user.office_id)
    form = SettingsForm(obj=current)
    status = 200
    if form.validate_on_submit():
        try:
            save_settings(
                current_user.office_id,
                required(form.follow_up_due_days.data),
                required(form.credit_window_days.data),
                current_user,
            )
            db.session.commit()
            flash(_("The office settings were saved."), "success")
            return redirect(url_for("followups.settings"))
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="follow_up_due_days")
    if request.method == "POST":
        status = 400
    return render_template("followups/settings.html", form=form, settings=current), status
