"""Targets and campaigns: set by supervisors, progress for everyone."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.errors import PlannerError
from planner.extensions import db
from planner.results import (
    bp,
    tables,
    targets,
)
from planner.results.forms import CampaignForm, TargetForm
from planner.results.periods import ResultsFilter
from planner.results.routes.filters import (
    filter_args,
    filter_context,
    resolve_filter,
)
from planner.scoping import supervisor_required


def _target_forms(f: ResultsFilter):
    context = filter_context(f)
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
