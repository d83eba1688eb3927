"""The audit trail page: supervisors see who changed what in their office."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user

from planner.accounts.models import User
from planner.audit import bp
from planner.audit.labels import ACTIONS, ENTITIES, shown_entries
from planner.audit.services import office_trail
from planner.collation import vi_order
from planner.extensions import db
from planner.scoping import supervisor_required
from planner.web import page_arg, require_rows


@bp.get("/audit")
@supervisor_required
def index():
    entity = request.args.get("entity", "")
    user_id = request.args.get("user", type=int)
    page = office_trail(
        current_user.office_id,
        entity if entity in ENTITIES else None,
        user_id,
        page_arg(),
    )
    require_rows(page.page, page.items)
    users = db.session.scalars(
        sa.select(User)
        .where(User.office_id == current_user.office_id)
        .order_by(vi_order(User.full_name))
    ).all()
    return render_template(
        "audit/index.html",
        page=page,
        audit=shown_entries(current_user.office_id, page.items),
        entity=entity,
        user_id=user_id,
        users=users,
        entities=ENTITIES,
        actions=ACTIONS,
    )
