"""Working a follow-up: reassigning, rescheduling, cancelling, logging what happened, and closing
it when the person enrols.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from planner.accounts.models import User
from planner.audit.services import diff, record
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups.models import (
    Channel,
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    OutcomeKind,
    Product,
)
from planner.followups.scheduling import (
    ENTITY,
    _check_due_on,
    audit_change,
    office_user,
    open_follow_ups,
    snapshot,
)
from planner.timezones import now_utc


def _require_open(follow_up: FollowUp) -> None:
    if not follow_up.is_open:
        raise PlannerError(
            _("This follow-up is already closed (%(status)s).", status=follow_up.status.label),
            code="closed",
        )


def reassign(follow_up: FollowUp, assigned_to_id: int | None, by: User) -> FollowUp:
    """Hand the follow-up to another officer of the same office."""
    _require_open(follow_up)
    assignee = office_user(follow_up.office_id, assigned_to_id)
    before = snapshot(follow_up)
    follow_up.assigned_to_id = assignee.id
    follow_up.assigned_to = assignee
    audit_change(follow_up, before, "reassign", by)
    return follow_up


def reschedule(follow_up: FollowUp, due_on: date | None, by: User) -> FollowUp:
    """Move the due date (never into the past)."""
    _require_open(follow_up)
    before = snapshot(follow_up)
    follow_up.due_on = _check_due_on(due_on)
    audit_change(follow_up, before, "reschedule", by)
    return follow_up


def cancel(follow_up: FollowUp, reason: str, by: User) -> FollowUp:
    """Stop following up (wrong number, moved away, ...); the reason is kept in the notes."""
    _require_open(follow_up)
    reason = (reason or "").strip()
    if not reason:
        raise PlannerError(_("Say why the follow-up is cancelled."), field="reason")
    before = snapshot(follow_up)
    follow_up.status = FollowUpStatus.CANCELLED
    follow_up.closed_at = now_utc()
    follow_up.notes = "\n".join(filter(None, [follow_up.notes, reason]))[:4000]
    audit_change(follow_up, before, "cancel", by)
    return follow_up


@dataclass
class OutcomeInput:
    """What the officer entered in the one outcome form."""

    kind: OutcomeKind | str
    channel: Channel | str = Channel.CALL
    call_back_on: date | None = None
    reason: str = ""
    notes: str = ""
    product: Product | None = field(default=None)


def log_outcome(follow_up: FollowUp, entered: OutcomeInput, by: User | None) -> FollowUpOutcome:
    """Record one attempt to reach the person and move the follow-up on accordingly."""
    _require_open(follow_up)
    kind = OutcomeKind(entered.kind)
    reason = (entered.reason or "").strip()
    notes = (entered.notes or "").strip()
    call_back_on = entered.call_back_on
    if kind == OutcomeKind.CALL_BACK:
        if call_back_on is None:
            raise PlannerError(
                _("Enter the date to call back on."), code="call_back_date", field="call_back_on"
            )
        _check_due_on(call_back_on, "call_back_on")
    else:
        call_back_on = None
    if kind == OutcomeKind.DECLINED and not reason:
        raise PlannerError(
            _("Write down why the person declined."), code="decline_reason", field="reason"
        )
    before = snapshot(follow_up)
    outcome = FollowUpOutcome(
        office_id=follow_up.office_id,
        kind=kind,
        channel=Channel(entered.channel or Channel.CALL),
        call_back_on=call_back_on,
        reason=reason[:300] if kind == OutcomeKind.DECLINED else "",
        notes=notes[:4000],
        product=entered.product,
        by_id=by.id if by else None,
    )
    follow_up.outcomes.append(outcome)
    if call_back_on is not None:  # a call-back (every other kind dropped its date above)
        follow_up.due_on = call_back_on
    elif kind in (OutcomeKind.REACHED, OutcomeKind.DECLINED) or (
        kind == OutcomeKind.ENROLLED and entered.product in (None, *follow_up.product.covers)
    ):
        follow_up.status = FollowUpStatus.DONE
        follow_up.closed_at = now_utc()
    db.session.flush()
    changes = diff(before, snapshot(follow_up))
    changes["outcome"] = [None, kind.value]
    if call_back_on:
        changes["call_back_on"] = [None, call_back_on.isoformat()]
    record(
        follow_up.office_id,
        ENTITY,
        follow_up.id,
        "outcome",
        changes,
        user_id=by.id if by else None,
    )
    return outcome


def close_for_enrolment(
    person_id: int,
    product: Product,
    by: User | None,
    *,
    follow_up: FollowUp | None = None,
    channel: Channel = Channel.CALL,
    notes: str = "",
) -> list[FollowUp]:
    """Enrolling closes the person's open follow-ups for that product; one on both goes on.

    The outcome logged on `follow_up` (the one the officer was working) keeps the channel and
    notes entered with it; the others are closed by the enrolment alone."""
    touched = []
    worked = follow_up
    for follow_up in open_follow_ups(person_id):
        if product not in follow_up.product.covers:
            continue
        before = snapshot(follow_up)
        remaining = follow_up.product.covers - {product}
        this_one = worked is not None and follow_up.id == worked.id
        follow_up.outcomes.append(
            FollowUpOutcome(
                office_id=follow_up.office_id,
                kind=OutcomeKind.ENROLLED,
                channel=channel if this_one else Channel.CALL,
                notes=notes[:4000] if this_one else "",
                product=product,
                by_id=by.id if by else None,
            )
        )
        if remaining:
            follow_up.product = Product.covering(set(remaining))
        else:
            follow_up.status = FollowUpStatus.DONE
            follow_up.closed_at = now_utc()
        db.session.flush()
        changes = diff(before, snapshot(follow_up))
        changes["outcome"] = [None, OutcomeKind.ENROLLED.value]
        record(
            follow_up.office_id,
            ENTITY,
            follow_up.id,
            "enrolled",
            changes,
            user_id=by.id if by else None,
        )
        touched.append(follow_up)
    return touched
