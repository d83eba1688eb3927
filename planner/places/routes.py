"""Supervisors and administrators manage the places officers pick from."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from planner.collation import vi_order, vi_sorted
from planner.enums import CommuneKind, PartnerKind, VenueKind, VillageKind
from planner.errors import PlannerError
from planner.extensions import db
from planner.forms import required
from planner.phones import normalise_phone
from planner.places import bp
from planner.places.forms import CommuneForm, PartnerForm, VenueForm, VillageForm
from planner.places.models import Commune, Partner, Venue, Village
from planner.places.services import (
    format_weekdays,
    market_days_text,
    office_communes,
    office_partners,
    office_venues,
    office_villages,
    parse_weekdays,
    validate_market_schedule,
)
from planner.scoping import get_owned_or_404, supervisor_required


@bp.get("/")
@supervisor_required
def index():
    communes = db.session.scalars(
        sa.select(Commune)
        .where(Commune.office_id == current_user.office_id)
        .options(selectinload(Commune.villages))
        .order_by(vi_order(Commune.name))
    ).all()
    return render_template(
        "places/index.html",
        communes=communes,
        venues=office_venues(current_user.office_id, active_only=False),
        partners=office_partners(current_user.office_id, active_only=False),
    )


def _saved(message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("places.index"))


@bp.app_template_filter("vi_sorted")
def vi_sorted_filter(items, attribute: str = "name") -> list:
    """`items` in Vietnamese alphabetical order of `attribute` (relationships loaded in Python)."""
    return vi_sorted(items, key=lambda item: getattr(item, attribute) or "")


@bp.route("/communes/new", methods=["GET", "POST"], defaults={"commune_id": None})
@bp.route("/communes/<int:commune_id>", methods=["GET", "POST"])
@supervisor_required
def commune(commune_id: int | None):
    record = get_owned_or_404(Commune, commune_id) if commune_id else None
    form = CommuneForm(obj=record)
    if request.method == "GET" and record:
        form.kind.data = record.kind.value
    if form.validate_on_submit():
        record = record or Commune(office_id=current_user.office_id)
        record.name = required(form.name.data).strip()
        record.kind = CommuneKind(form.kind.data)
        record.former_district = (form.former_district.data or "").strip()
        db.session.add(record)
        return _saved(_("%(name)s was saved.", name=record.name))
    return render_template("places/form.html", form=form, title=_("Commune"), record=record)


@bp.route("/villages/new", methods=["GET", "POST"], defaults={"village_id": None})
@bp.route("/villages/<int:village_id>", methods=["GET", "POST"])
@supervisor_required
def village(village_id: int | None):
    record = db.session.get(Village, village_id) if village_id else None
    if village_id and (record is None or record.commune.office_id != current_user.office_id):
        return render_template(
            "errors.html",
            code=404,
            message=_("This page does not exist, or it belongs to another office."),
        ), 404
    form = VillageForm(obj=record, communes=office_communes(current_user.office_id))
    if request.method == "GET":
        if record:
            form.kind.data = record.kind.value
        elif request.args.get("commune", type=int):
            form.commune_id.data = request.args.get("commune", type=int)
    if form.validate_on_submit():
        commune = get_owned_or_404(Commune, form.commune_id.data)
        record = record or Village()
        record.commune = commune
        record.name = required(form.name.data).strip()
        record.kind = VillageKind(form.kind.data)
        db.session.add(record)
        return _saved(_("%(name)s was saved.", name=record.name))
    return render_template("places/form.html", form=form, title=_("Village"), record=record)


@dataclass(frozen=True)
class _CheckedVenue:
    """A venue form's place and market schedule, checked (weekdays as stored text)."""

    commune: Commune
    village: Village | None
    kind: VenueKind
    weekdays: str
    cycle: int | None
    anchor: date | None


def _checked_venue(form: VenueForm) -> _CheckedVenue:
    """The form's commune (another office's is a 404), village (must lie in that commune) and
    market schedule (only markets keep one). Raises PlannerError with the field at fault."""
    commune = get_owned_or_404(Commune, form.commune_id.data)
    village = db.session.get(Village, form.village_id.data) if form.village_id.data else None
    if village is not None and village.commune_id != commune.id:
        raise PlannerError(_("The village is not in the chosen commune."), field="village_id")
    weekdays = format_weekdays({int(d) for d in form.market_weekdays.data or []})
    kind = VenueKind(form.kind.data)
    if kind != VenueKind.MARKET:
        weekdays, cycle, anchor = "", None, None
    else:
        cycle, anchor = form.market_cycle_days.data, form.market_anchor_date.data
    validate_market_schedule(kind, weekdays, cycle, anchor)
    return _CheckedVenue(commune, village, kind, weekdays, cycle, anchor)


def _fill_venue(record: Venue, form: VenueForm, checked: _CheckedVenue) -> None:
    record.name = required(form.name.data).strip()
    record.kind = checked.kind
    record.commune = checked.commune
    record.village = checked.village
    record.address = (form.address.data or "").strip()
    record.market_weekdays = checked.weekdays
    record.market_cycle_days = checked.cycle
    record.market_anchor_date = checked.anchor
    record.active = form.active.data


@bp.route("/venues/new", methods=["GET", "POST"], defaults={"venue_id": None})
@bp.route("/venues/<int:venue_id>", methods=["GET", "POST"])
@supervisor_required
def venue(venue_id: int | None):
    record = get_owned_or_404(Venue, venue_id) if venue_id else None
    office_id = current_user.office_id
    form = VenueForm(
        obj=record, communes=office_communes(office_id), villages=office_villages(office_id)
    )
    if request.method == "GET" and record:
        form.kind.data = record.kind.value
        form.village_id.data = record.village_id or 0
        form.market_weekdays.data = [str(d) for d in sorted(parse_weekdays(record.market_weekdays))]
    if form.validate_on_submit():
        try:
            checked = _checked_venue(form)
        except PlannerError as error:
            form.add_error(error, default="name")
        else:
            record = record or Venue(office_id=office_id)
            _fill_venue(record, form, checked)
            db.session.add(record)
            return _saved(_("%(name)s was saved.", name=record.name))
    return render_template("places/form.html", form=form, title=_("Venue"), record=record)


@bp.route("/partners/new", methods=["GET", "POST"], defaults={"partner_id": None})
@bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])
@supervisor_required
def partner(partner_id: int | None):
    record = get_owned_or_404(Partner, partner_id) if partner_id else None
    form = PartnerForm(obj=record)
    if request.method == "GET" and record:
        form.kind.data = record.kind.value
    if form.validate_on_submit():
        try:
            phone = normalise_phone(form.phone.data) if form.phone.data else ""
        except PlannerError as error:
            form.add_error(error, default="phone")
        else:
            record = record or Partner(office_id=current_user.office_id)
            record.name = required(form.name.data).strip()
            record.kind = PartnerKind(form.kind.data)
            record.contact_name = (form.contact_name.data or "").strip()
            record.phone = phone
            record.active = form.active.data
            db.session.add(record)
            return _saved(_("%(name)s was saved.", name=record.name))
    return render_template(
        "places/form.html", form=form, title=_("Partner organisation"), record=record
    )


bp.add_app_template_global(market_days_text)
