"""How follow-ups follow people: merged people keep one follow-up per product, erased people's
follow-ups are closed, an export lists them.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from planner.accounts.models import User
from planner.audit.services import actor_id, diff, record
from planner.extensions import db
from planner.followups.board import person_follow_ups
from planner.followups.models import (
    FollowUp,
    FollowUpStatus,
    Product,
)
from planner.followups.scheduling import ENTITY, open_follow_ups, snapshot
from planner.people.duplicates import move_to_kept
from planner.people.models import Person
from planner.people.signals import (
    person_erased,
    person_exported,
    persons_merged,
)
from planner.timezones import now_utc, to_local


@persons_merged.connect
def _on_persons_merged(kept: Person, merged: Person, user: User | None, **_kwargs) -> None:
    """Move the merged person's follow-ups to the person kept."""
    moved = db.session.scalars(sa.select(FollowUp).where(FollowUp.person_id == merged.id))
    move_to_kept(moved, ENTITY, kept, merged, user)
    _drop_duplicate_follow_ups(kept, user)


def _drop_duplicate_follow_ups(person: Person, user: User | None) -> None:
    """After a merge, one open follow-up per product: nobody should be called twice."""
    covered: set[Product] = set()
    for follow_up in open_follow_ups(person.id):
        remaining = follow_up.product.covers - covered
        if remaining == follow_up.product.covers:
            covered |= remaining
            continue
        before = snapshot(follow_up)
        if remaining:
            follow_up.product = Product.covering(set(remaining))
            covered |= remaining
        else:
            follow_up.status = FollowUpStatus.CANCELLED
            follow_up.closed_at = now_utc()
        record(
            follow_up.office_id,
            ENTITY,
            follow_up.id,
            "merge_duplicate",
            diff(before, snapshot(follow_up)),
            actor_id(user),
        )
    db.session.flush()


@person_erased.connect
def _on_person_erased(person: Person, user: User | None, **_kwargs) -> None:
    """Clear what officers wrote about the person; dates, outcomes and credits stay for counts."""
    follow_ups = db.session.scalars(
        sa.select(FollowUp)
        .where(FollowUp.person_id == person.id)
        .options(selectinload(FollowUp.outcomes))
    ).all()
    for follow_up in follow_ups:
        follow_up.notes = ""
        for outcome in follow_up.outcomes:
            outcome.notes = ""
            outcome.reason = ""
        if follow_up.is_open:
            # Nobody should call someone whose data was erased.
            follow_up.status = FollowUpStatus.CANCELLED
            follow_up.closed_at = now_utc()
        record(
            follow_up.office_id, ENTITY, follow_up.id, "erase", {"notes": "cleared"}, actor_id(user)
        )
    db.session.flush()


@person_exported.connect
def _on_person_exported(person: Person, **_kwargs) -> tuple[str, list[dict]]:
    """The person's follow-ups and outcomes, one row per outcome (or per follow-up without)."""
    rows = []
    for follow_up in person_follow_ups(person):
        base = {
            _("Follow-up no."): follow_up.id,
            _("Product"): follow_up.product.label,
            _("Due on"): follow_up.due_on.isoformat(),
            _("Status"): follow_up.status.label,
            _("Assigned to"): follow_up.assigned_to.full_name,
            _("Notes"): follow_up.notes,
        }
        if not follow_up.outcomes:
            rows.append(base)
        for outcome in follow_up.outcomes:
            rows.append(
                {
                    **base,
                    _("Outcome"): outcome.kind.label,
                    _("How"): outcome.channel.label,
                    _("Logged at"): to_local(outcome.at).strftime("%Y-%m-%d %H:%M"),
                    _("Call back on"): outcome.call_back_on.isoformat()
                    if outcome.call_back_on
                    else "",
                    _("Reason"): outcome.reason,
                    _("Outcome notes"): outcome.notes,
                }
            )
    return _("Follow-ups"), rows
