"""The rates admin (dated values, by key) and the household quote page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.accounts.models import Office
from planner.errors import PlannerError
from planner.extensions import db
from planner.rates import bp
from planner.rates.forms import QuoteForm, RateValueForm
from planner.rates.models import RateValue
from planner.rates.quotes import household_quote
from planner.rates.services import RATE_KEYS, add_rate_value, voluntary_si_limits
from planner.scoping import admin_required
from planner.signals import printed_matter_changed
from planner.timezones import today_local


@bp.route("/", methods=["GET", "POST"])
@admin_required
def index():
    form = RateValueForm(keys=RATE_KEYS)
    if request.method == "GET" and request.args.get("key") in RATE_KEYS:
        form.key.data = request.args["key"]
    if form.validate_on_submit():
        try:
            add_rate_value(form.key.data, form.valid_from.data, form.value.data, form.source.data)
            db.session.commit()
            # A national figure: every office's flyers print it.
            for office_id in db.session.scalars(sa.select(Office.id)).all():
                printed_matter_changed.send(office_id, user_id=current_user.id)
            flash(_("The new value is saved; documents dated from then on use it."), "success")
            return redirect(url_for("rates.index"))
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="valid_from")
    values = db.session.scalars(
        sa.select(RateValue)
        .where(RateValue.office_id.is_(None))
        .order_by(RateValue.key, RateValue.valid_from.desc())
    ).all()
    by_key: dict[str, list[RateValue]] = {key: [] for key in RATE_KEYS}
    for value in values:
        by_key.setdefault(value.key, []).append(value)
    today = today_local()
    in_force = {
        key: next((v for v in rows if v.valid_from <= today), None) for key, rows in by_key.items()
    }
    return render_template(
        "rates/index.html",
        form=form,
        by_key=by_key,
        labels=RATE_KEYS,
        in_force=in_force,
        today=today,
    ), (422 if form.errors else 200)


@bp.get("/quote")
@login_required
def quote():
    """The household quote: fill in, see what they pay, print it as a quote sheet."""
    form = QuoteForm(request.args, meta={"csrf": False})
    result = None
    status = 200
    limits = None
    try:
        limits = voluntary_si_limits(today_local())
    except PlannerError as error:
        flash(error.message, "error")
    if request.args and form.validate():
        try:
            result = household_quote(form.quote_request(), current_user.office_id)
        except PlannerError as error:
            form.add_error(error, default="income")
            status = 422
    elif request.args:
        status = 422
    elif limits:
        form.income.data = limits[0]
    return render_template("rates/quote.html", form=form, result=result, limits=limits), status
