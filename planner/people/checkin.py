"""Self check-in: a QR code on the session page opens a short public form, open on the day only."""

from __future__ import annotations

import segno
import sqlalchemy as sa
from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

from planner.collation import vi_order
from planner.errors import PlannerError
from planner.extensions import db, limiter
from planner.people import bp
from planner.people.forms import CheckInForm
from planner.people.models import Interest
from planner.people.self_check_in import check_in_open, self_check_in
from planner.places.models import Village
from planner.scoping import get_owned_or_404
from planner.sessions.models import OutreachSession

SALT = "self-check-in"


def check_in_token(session: OutreachSession) -> str:
    """A signed, unguessable reference to a session for the public form."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT).dumps(session.id)


def _session_from_token(token: str) -> OutreachSession:
    try:
        session_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT).loads(token)
    except BadSignature:
        abort(404)
    session = db.session.get(OutreachSession, session_id) if isinstance(session_id, int) else None
    if session is None:
        abort(404)
    return session


def _check_in_limit() -> str:
    return current_app.config.get("CHECKIN_RATE_LIMIT", "20 per minute;200 per hour")


@bp.get("/sessions/<int:session_id>/check-in")
@login_required
def check_in_code(session_id: int):
    session = get_owned_or_404(OutreachSession, session_id)
    link = url_for("people.check_in", token=check_in_token(session), _external=True)
    svg = segno.make(link, error="m").svg_inline(
        border=2, omitsize=True, title=_("Check-in QR code")
    )
    return render_template(
        "people/check_in_code.html",
        session=session,
        link=link,
        qr=Markup(svg),  # noqa: S704 (segno's own SVG for our own URL)
        open_today=check_in_open(session),
    )


@bp.route("/c/<token>", methods=["GET", "POST"])
@limiter.limit(_check_in_limit, methods=["POST"])
def check_in(token: str):
    session = _session_from_token(token)
    day = session.local_day
    if not check_in_open(session):
        return render_template("people/check_in_closed.html", day=day), 403
    villages = db.session.scalars(
        sa.select(Village)
        .where(Village.commune_id == session.commune_id)
        .order_by(vi_order(Village.name))
    ).all()
    form = CheckInForm(villages=villages)
    if request.method == "GET" and session.village_id:
        form.village_id.data = session.village_id
    if form.validate_on_submit():
        try:
            self_check_in(
                session,
                form.full_name.data or "",
                form.phone.data or "",
                form.village_id.data or None,
                Interest(form.interest.data),
                form.consent_contact.data,
            )
            db.session.commit()
        except PlannerError as error:
            db.session.rollback()
            if error.code == "closed":
                return render_template("people/check_in_closed.html", day=day), 403
            form.add_error(error, default="full_name")
        else:
            return render_template("people/check_in_done.html", session=session)
    status = 422 if request.method == "POST" else 200
    return render_template("people/check_in.html", session=session, form=form), status
