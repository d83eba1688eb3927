"""The rates admin (dated values, by key) and the household quote page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.errors import PlannerError
from planner.extensions import db
from planner.forms import required
from planner.rates import bp
from planner.rates.forms import QuoteForm, RateValueForm
from planner.rates.models import RateValue
from planner.rates.province import PROVINCE_KEYS, add_province_support, figures_used
from planner.rates.quotes import household_quote
from planner.rates.services import RATE_KEYS, voluntary_si_limits
from planner.scoping import admin_required
from planner.timezones import today_local


@bp.route("/", methods=["GET", "POST"])
@admin_required
def index():
    """National figures to read (set by decree, loaded by `flask rates load`), and the form for
    the office's own province support, the only figures an office sets."""
    form = RateValueForm(keys=PROVINCE_KEYS)
    if request.method == "GET" and request.args.get("key") in PROVINCE_KEYS:
        form.key.data = request.args["key"]
    if form.validate_on_submit() and _add_support(form):
        flash(_("The new value is saved; documents dated from then on use it."), "success")
        return redirect(url_for("rates.index"))
    return _rates_page(form), (422 if form.errors else 200)


def _add_support(form: RateValueForm) -> bool:
    """Save the office's new province support value; False leaves the reason on `form`."""
    try:
        add_province_support(
            current_user.office_id,
            form.key.data,
            required(form.valid_from.data),
            required(form.value.data),
            required(form.source.data),
            by=current_user,
        )
    except PlannerError as error:
        db.session.rollback()
        form.add_error(error, default="valid_from")
        return False
    return True


def _rates_page(form: RateValueForm) -> str:
    """The national figures and the province's own, each by key, as in force today."""
    today = today_local()
    national = _by_key(None, RATE_KEYS, today)
    province = _by_key(current_user.office_id, PROVINCE_KEYS, today)
    return render_template(
        "rates/index.html",
        form=form,
        tables=[
            (_("National figures, set by decree"), RATE_KEYS, *national),
            (_("Your province's support, set by your office"), PROVINCE_KEYS, *province),
        ],
        today=today,
    )


def _by_key(office_id: int | None, keys: dict, today):
    """Rows of one scope by key (newest first) and the row in force today for each key."""
    values = db.session.scalars(
        sa.select(RateValue)
        .where(
            RateValue.office_id.is_(None) if office_id is None else RateValue.office_id == office_id
        )
        .order_by(RateValue.key, RateValue.valid_from.desc())
    ).all()
    by_key: dict[str, list[RateValue]] = {key: [] for key in keys}
    for value in values:
        by_key.setdefault(value.key, []).append(value)
    in_force = {
        key: next((v for v in rows if v.valid_from <= today), None) for key, rows in by_key.items()
    }
    return by_key, in_force


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
    figures = figures_used(result.request.on, current_user.office_id) if result else []
    return render_template(
        "rates/quote.html", form=form, result=result, limits=limits, figures=figures
    ), status
