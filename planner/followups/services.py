"""The rules of follow-ups: scheduling from interest, outcomes, reassigning and rescheduling."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from planner.accounts.models import User
from planner.audit.services import actor_id, diff, record
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups.models import (
    Channel,
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    OfficeSettings,
    OutcomeKind,
    Product,
)
from planner.people.models import Attendance, Person
from planner.people.signals import (
    attendance_recorded,
    attendance_removed,
    person_erased,
    person_exported,
    persons_merged,
)
from planner.scope import Scope
from planner.timezones import now_utc, to_local, today_local

ENTITY = "follow_up"
MAX_DUE_DAYS = 60
MAX_CREDIT_WINDOW_DAYS = 730


# --- Office settings -------------------------------------------------------------------------


def settings_for(office_id: int) -> OfficeSettings:
    """The office's settings, or the defaults (not saved) while a supervisor has set none."""
    settings = db.session.get(OfficeSettings, office_id)
    if settings is None:
        settings = OfficeSettings(office_id=office_id)
        # Column defaults apply only on insert; fill them in for reading now.
        settings.follow_up_due_days = OfficeSettings.follow_up_due_days.default.arg
        settings.credit_window_days = OfficeSettings.credit_window_days.default.arg
    return settings


def save_settings(office_id: int, due_days: int, window_days: int, by: User) -> OfficeSettings:
    """Change the office's follow-up delay and credit window."""
    if not 0 <= due_days <= MAX_DUE_DAYS:
        raise PlannerError(
            _("A follow-up is due between 0 and %(n)s days after the session.", n=MAX_DUE_DAYS),
            field="follow_up_due_days",
        )
    if not 1 <= window_days <= MAX_CREDIT_WINDOW_DAYS:
        raise PlannerError(
            _("The credit window is between 1 and %(n)s days.", n=MAX_CREDIT_WINDOW_DAYS),
            field="credit_window_days",
        )
    settings = settings_for(office_id)
    before = _settings_snapshot(settings)
    settings.follow_up_due_days = due_days
    settings.credit_window_days = window_days
    settings.updated_by_id = by.id
    db.session.add(settings)
    changes = diff(before, _settings_snapshot(settings))
    if changes:
        record(office_id, "office_settings", office_id, "update", changes, user_id=by.id)
    return settings


def _settings_snapshot(settings: OfficeSettings) -> dict:
    return {
        "follow_up_due_days": settings.follow_up_due_days,
        "credit_window_days": settings.credit_window_days,
    }


# --- Creating follow-ups ---------------------------------------------------------------------


def snapshot(follow_up: FollowUp) -> dict:
    """The fields an audit entry compares."""
    return {
        "person_id": follow_up.person_id,
        "product": follow_up.product.value if follow_up.product else None,
        "assigned_to_id": follow_up.assigned_to_id,
        "due_on": follow_up.due_on.isoformat() if follow_up.due_on else None,
        "status": follow_up.status.value if follow_up.status else None,
        "notes": follow_up.notes,
    }


def open_follow_ups(person_id: int) -> list[FollowUp]:
    """The person's follow-ups still to do, earliest first."""
    return list(
        db.session.scalars(
            sa.select(FollowUp)
            .where(FollowUp.person_id == person_id, FollowUp.status == FollowUpStatus.OPEN)
            .order_by(FollowUp.due_on, FollowUp.id)
        )
    )


def _covered_products(person_id: int) -> set[Product]:
    covered: set[Product] = set()
    for follow_up in open_follow_ups(person_id):
        covered |= follow_up.product.covers
    return covered


def interest_of(attendance: Attendance) -> set[Product]:
    """The single products the person said they were interested in at this session."""
    wanted = set()
    if attendance.interested_voluntary_si:
        wanted.add(Product.VOLUNTARY_SI)
    if attendance.interested_household_hi:
        wanted.add(Product.HOUSEHOLD_HI)
    return wanted


def schedule_from_attendance(attendance: Attendance, user: User | None) -> FollowUp | None:
    """Interest shown at a session, with consent, becomes a follow-up for the lead officer
    (`user` recorded the attendance; None for the public check-in form)."""
    if attendance.id is None:
        db.session.flush()
    person = attendance.person or db.session.get(Person, attendance.person_id)
    if person is None or not person.consent_contact or person.erased_at is not None:
        return None
    # Self check-ins wait for an officer's confirmation before anyone is asked to call.
    if not attendance.confirmed or not person.confirmed:
        return None
    missing = interest_of(attendance) - _covered_products(person.id)
    product = Product.of(missing)
    if product is None:
        return None
    session = attendance.session
    days = settings_for(attendance.office_id).follow_up_due_days
    follow_up = FollowUp(
        office_id=attendance.office_id,
        person_id=person.id,
        attendance_id=attendance.id,
        session_id=session.id,
        product=product,
        assigned_to_id=session.lead_officer_id,
        due_on=session.local_day + timedelta(days=days),
        notes="",
    )
    db.session.add(follow_up)
    db.session.flush()
    record(
        follow_up.office_id,
        ENTITY,
        follow_up.id,
        "create",
        {**snapshot(follow_up), "session_id": session.id, "from": "attendance"},
        actor_id(user),
    )
    return follow_up


@attendance_recorded.connect
def _on_attendance_recorded(attendance: Attendance, user: User | None, **_kwargs) -> None:
    schedule_from_attendance(attendance, user)


@attendance_removed.connect
def _on_attendance_removed(attendance: Attendance, user: User | None = None, **_kwargs) -> None:
    """A row typed by mistake: the follow-ups it started go, unless someone already worked them."""
    follow_ups = db.session.scalars(
        sa.select(FollowUp)
        .where(
            FollowUp.attendance_id == attendance.id,
            FollowUp.status == FollowUpStatus.OPEN,
        )
        .options(selectinload(FollowUp.outcomes))
    ).all()
    # Notes are the office's records, kept in Vietnamese whatever the screen language.
    with force_locale("vi"):
        reason = _("The attendance it came from was removed from the session's list.")
    for follow_up in follow_ups:
        if follow_up.outcomes:
            continue  # an officer has called already: theirs to close
        before = snapshot(follow_up)
        follow_up.status = FollowUpStatus.CANCELLED
        follow_up.closed_at = now_utc()
        follow_up.notes = "\n".join(filter(None, [follow_up.notes, reason]))[:4000]
        _audit_change(follow_up, before, "cancel", user)


def office_user(office_id: int, user_id: int | None) -> User:
    """An active user of the office, or a PlannerError (another office's user is never found)."""
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user.office_id != office_id or not user.active:
        raise PlannerError(_("Choose an officer of your office."), field="assigned_to_id")
    return user


def _check_due_on(due_on: date | None, field_name: str = "due_on") -> date:
    if due_on is None:
        raise PlannerError(_("Enter the date the follow-up is due."), field=field_name)
    if due_on < today_local():
        raise PlannerError(
            _("The date %(day)s has passed; choose today or a later day.", day=format_date(due_on)),
            field=field_name,
        )
    if due_on > today_local() + timedelta(days=366):
        raise PlannerError(_("Choose a date within the next year."), field=field_name)
    return due_on


def add_follow_up(
    person: Person,
    product: Product | str,
    due_on: date | None,
    assigned_to_id: int | None,
    notes: str,
    by: User,
) -> FollowUp:
    """An officer adds a follow-up by hand (a phone call came in, a neighbour asked, ...)."""
    if person.office_id != by.office_id:
        raise PlannerError(_("This person belongs to another office."), code="not_found")
    if person.erased_at is not None:
        raise PlannerError(_("This person's data was erased; they cannot be contacted."))
    if not person.consent_contact:
        raise PlannerError(
            _("This person has not agreed to be contacted; record their consent first."),
            code="no_consent",
        )
    assignee = office_user(person.office_id, assigned_to_id)
    follow_up = FollowUp(
        office_id=person.office_id,
        person_id=person.id,
        product=Product(product),
        assigned_to_id=assignee.id,
        due_on=_check_due_on(due_on),
        notes=(notes or "").strip(),
        created_by_id=by.id,
    )
    db.session.add(follow_up)
    db.session.flush()
    record(follow_up.office_id, ENTITY, follow_up.id, "create", snapshot(follow_up), user_id=by.id)
    return follow_up


# --- Changing follow-ups ---------------------------------------------------------------------


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
    _audit_change(follow_up, before, "reassign", by)
    return follow_up


def reschedule(follow_up: FollowUp, due_on: date | None, by: User) -> FollowUp:
    """Move the due date (never into the past)."""
    _require_open(follow_up)
    before = snapshot(follow_up)
    follow_up.due_on = _check_due_on(due_on)
    _audit_change(follow_up, before, "reschedule", by)
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
    _audit_change(follow_up, before, "cancel", by)
    return follow_up


def _audit_change(follow_up: FollowUp, before: dict, action: str, by: User | None) -> None:
    changes = diff(before, snapshot(follow_up))
    if changes:
        record(
            follow_up.office_id,
            ENTITY,
            follow_up.id,
            action,
            changes,
            user_id=by.id if by else None,
        )


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


def close_for_enrolment(person_id: int, product: Product, by: User | None) -> list[FollowUp]:
    """Enrolling closes the person's open follow-ups for that product; one on both goes on."""
    touched = []
    for follow_up in open_follow_ups(person_id):
        if product not in follow_up.product.covers:
            continue
        before = snapshot(follow_up)
        remaining = follow_up.product.covers - {product}
        follow_up.outcomes.append(
            FollowUpOutcome(
                office_id=follow_up.office_id,
                kind=OutcomeKind.ENROLLED,
                channel=Channel.CALL,
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


# --- Reading ---------------------------------------------------------------------------------


@dataclass
class Board:
    """Open follow-ups in the three piles an officer works through."""

    today: date
    overdue: list[FollowUp]
    due_today: list[FollowUp]
    upcoming: list[FollowUp]

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.due_today) + len(self.upcoming)


def board(scope: Scope, today: date | None = None) -> Board:
    """Open follow-ups assigned to the scope's officers, loaded in a fixed number of queries."""
    today = today or today_local()
    query = (
        sa.select(FollowUp)
        .where(FollowUp.office_id == scope.office_id, FollowUp.status == FollowUpStatus.OPEN)
        .options(
            selectinload(FollowUp.person).selectinload(Person.village),
            selectinload(FollowUp.session),
            selectinload(FollowUp.assigned_to),
            selectinload(FollowUp.outcomes),
        )
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    officers = scope.officers_select()
    if officers is not None:
        query = query.where(FollowUp.assigned_to_id.in_(officers))
    rows = db.session.scalars(query).all()
    return Board(
        today=today,
        overdue=[f for f in rows if f.due_on < today],
        due_today=[f for f in rows if f.due_on == today],
        upcoming=[f for f in rows if f.due_on > today],
    )


def person_follow_ups(person: Person) -> list[FollowUp]:
    """Every follow-up about a person, newest first, with outcomes and officers loaded."""
    return list(
        db.session.scalars(
            sa.select(FollowUp)
            .where(FollowUp.person_id == person.id, FollowUp.office_id == person.office_id)
            .options(
                selectinload(FollowUp.outcomes).selectinload(FollowUpOutcome.by),
                selectinload(FollowUp.assigned_to),
                selectinload(FollowUp.session),
            )
            .order_by(FollowUp.created_at.desc(), FollowUp.id.desc())
        )
    )


def office_officers(office_id: int) -> list[User]:
    """Active users of the office, to assign follow-ups to."""
    return list(
        db.session.scalars(
            sa.select(User).where(User.office_id == office_id, User.active).order_by(User.full_name)
        )
    )


# --- Reacting to the people domain -----------------------------------------------------------


@persons_merged.connect
def _on_persons_merged(kept: Person, merged: Person, user: User | None, **_kwargs) -> None:
    """Move the merged person's follow-ups to the person kept."""
    for follow_up in db.session.scalars(sa.select(FollowUp).where(FollowUp.person_id == merged.id)):
        follow_up.person_id = kept.id
        follow_up.person = kept
        record(
            follow_up.office_id,
            ENTITY,
            follow_up.id,
            "merge",
            {"person_id": [merged.id, kept.id]},
            actor_id(user),
        )
    db.session.flush()
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
