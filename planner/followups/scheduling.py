"""Creating follow-ups: from the interest an attendee showed (on the people signals), or added by
an officer.
"""

from __future__ import annotations

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
    FollowUp,
    FollowUpOrigin,
    FollowUpStatus,
    Product,
)
from planner.followups.settings import settings_for
from planner.people.models import Attendance, Person
from planner.people.signals import (
    attendance_recorded,
    attendance_removed,
)
from planner.sessions.models import OutreachSession
from planner.timezones import now_utc, today_local

ENTITY = "follow_up"


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


def audit_change(follow_up: FollowUp, before: dict, action: str, by: User | None) -> None:
    """Record what changed in a follow-up since `before` (a `snapshot`), if anything did."""
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
        {**snapshot(follow_up), **created_from(session)},
        actor_id(user),
    )
    return follow_up


def created_from(session: OutreachSession) -> dict[str, object]:
    """What a follow-up scheduled from an attendance adds to its audit entry (labelled in
    planner.audit.labels like every other field)."""
    return {"session_id": session.id, "from": FollowUpOrigin.ATTENDANCE.value}


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
        audit_change(follow_up, before, "cancel", user)


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
