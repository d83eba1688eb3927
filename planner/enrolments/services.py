"""The rules of enrolments: contributions from the dated rates, credits, closing follow-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from planner.accounts.models import User
from planner.audit.services import actor_id, diff, record
from planner.enrolments.models import Enrolment, EnrolmentCredit
from planner.enums import PriorityGroup, SessionStatus
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups.models import Channel, FollowUp, FollowUpOutcome, OutcomeKind, Product
from planner.followups.outcomes import OutcomeInput, close_for_enrolment, log_outcome
from planner.followups.settings import settings_for
from planner.people.duplicates import move_to_kept
from planner.people.models import Attendance, Person
from planner.people.signals import person_erased, person_exported, persons_merged
from planner.rates.payment_periods import check_months
from planner.rates.services import household_hi_quote, voluntary_si_quote
from planner.sessions.models import OutreachSession
from planner.timezones import local_day_bounds, today_local

ENTITY = "enrolment"


@dataclass(frozen=True)
class EnrolmentInput:
    """What the officer entered on the enrolment form."""

    product: Product | str
    enrolled_on: date | None
    receipt_number: str
    months: int = 1
    income: int | None = None
    priority_group: PriorityGroup | str | None = None
    members: int | None = None
    notes: str = ""
    # How the follow-up that led here was worked ("call", "home_visit") and its notes, entered
    # with the outcome "enrolled": the outcome this enrolment logs keeps them.
    channel: Channel | str = ""
    outcome_notes: str = ""


@dataclass(frozen=True)
class Contribution:
    """Monthly amounts and what the person pays at each payment, in whole dong."""

    monthly_contribution: int
    monthly_support: int
    monthly_person_pays: int
    period_person_pays: int
    months: int
    monthly_by_member: tuple[int, ...] = ()


def contribution(entered: EnrolmentInput, office_id: int) -> Contribution:
    """The contribution from the rates in force on the enrolment date (PlannerError if invalid),
    paid as often as the product allows that day (`planner.rates.payment_periods`)."""
    product = Product(entered.product)
    on = _check_day(entered.enrolled_on)
    if product not in Product.single():
        raise PlannerError(_("Choose the product the person enrolled in."), field="product")
    months = check_months(product.value, on, entered.months)
    if product == Product.VOLUNTARY_SI:
        if entered.income is None:
            raise PlannerError(
                _("Enter the chosen income (VND a month)."), code="income", field="income"
            )
        group = PriorityGroup(entered.priority_group or PriorityGroup.OTHER)
        quote = voluntary_si_quote(on, entered.income, group, months, office_id=office_id)
        support = quote.monthly_state_support + quote.monthly_province_support
        return Contribution(
            monthly_contribution=quote.monthly_contribution,
            monthly_support=support,
            monthly_person_pays=quote.monthly_person_pays,
            period_person_pays=quote.period_person_pays,
            months=months,
        )
    if product == Product.HOUSEHOLD_HI:
        if entered.members is None:
            raise PlannerError(_("Enter the number of household members joining."), field="members")
        hi = household_hi_quote(on, entered.members, months)
        return Contribution(
            monthly_contribution=hi.monthly_total,
            monthly_support=0,
            monthly_person_pays=hi.monthly_total,
            period_person_pays=hi.period_total,
            months=months,
            monthly_by_member=hi.monthly_by_member,
        )
    raise PlannerError(_("Choose the product the person enrolled in."), field="product")


def _check_day(day: date | None) -> date:
    if day is None:
        raise PlannerError(_("Enter the enrolment date."), field="enrolled_on")
    if day > today_local():
        raise PlannerError(_("An enrolment cannot be dated in the future."), field="enrolled_on")
    return day


def snapshot(enrolment: Enrolment) -> dict:
    """The fields an audit entry compares."""
    return {
        "person_id": enrolment.person_id,
        "product": enrolment.product.value,
        "enrolled_on": enrolment.enrolled_on.isoformat(),
        "income": enrolment.income,
        "priority_group": enrolment.priority_group.value if enrolment.priority_group else None,
        "members": enrolment.members,
        "months": enrolment.months,
        "monthly_contribution": enrolment.monthly_contribution,
        "monthly_support": enrolment.monthly_support,
        "monthly_person_pays": enrolment.monthly_person_pays,
        "period_person_pays": enrolment.period_person_pays,
        "receipt_number": enrolment.receipt_number,
        "notes": enrolment.notes,
    }


def record_enrolment(
    person: Person, entered: EnrolmentInput, by: User, follow_up: FollowUp | None = None
) -> Enrolment:
    """Save an enrolment with frozen amounts, credit it, and close the matching follow-ups."""
    if person.office_id != by.office_id:
        raise PlannerError(_("This person belongs to another office."), code="not_found")
    if person.erased_at is not None:
        raise PlannerError(_("This person's data was erased; an enrolment cannot be added."))
    if follow_up is not None and (
        follow_up.person_id != person.id or follow_up.office_id != person.office_id
    ):
        raise PlannerError(_("That follow-up is about someone else."), code="not_found")
    product = Product(entered.product)
    amounts = contribution(entered, person.office_id)
    # The amount is worked out without it; recording needs the receipt or file number.
    receipt = (entered.receipt_number or "").strip()
    if not receipt:
        raise PlannerError(_("Enter the receipt or file number."), field="receipt_number")
    is_vsi = product == Product.VOLUNTARY_SI
    enrolment = Enrolment(
        office_id=person.office_id,
        person_id=person.id,
        product=product,
        enrolled_on=entered.enrolled_on,
        income=entered.income if is_vsi else None,
        priority_group=PriorityGroup(entered.priority_group or PriorityGroup.OTHER)
        if is_vsi
        else None,
        members=None if is_vsi else entered.members,
        months=amounts.months,
        monthly_contribution=amounts.monthly_contribution,
        monthly_support=amounts.monthly_support,
        monthly_person_pays=amounts.monthly_person_pays,
        period_person_pays=amounts.period_person_pays,
        receipt_number=receipt[:60],
        notes=(entered.notes or "").strip()[:4000],
        recorded_by_id=by.id,
    )
    db.session.add(enrolment)
    db.session.flush()
    # Credits are worked out before closing, so the closing outcome itself is not a contact.
    credit(enrolment, follow_up)
    channel = Channel(entered.channel) if entered.channel else Channel.CALL
    notes = (entered.outcome_notes or "").strip()
    closed = close_for_enrolment(
        person.id, product, by, follow_up=follow_up, channel=channel, notes=notes
    )
    if follow_up is not None and follow_up not in closed and follow_up.is_open:
        # A follow-up about the other product stays open; the outcome entered is still logged.
        log_outcome(
            follow_up,
            OutcomeInput(OutcomeKind.ENROLLED, channel=channel, notes=notes, product=product),
            by,
        )
    record(enrolment.office_id, ENTITY, enrolment.id, "create", snapshot(enrolment), user_id=by.id)
    return enrolment


def credit(enrolment: Enrolment, follow_up: FollowUp | None = None) -> list[EnrolmentCredit]:
    """Credit the sessions attended and the follow-ups worked in the window before enrolling."""
    window = settings_for(enrolment.office_id).credit_window_days
    first = enrolment.enrolled_on - timedelta(days=window)
    start, end = local_day_bounds(first, enrolment.enrolled_on)
    sessions = db.session.scalars(
        sa.select(OutreachSession)
        .join(Attendance, Attendance.session_id == OutreachSession.id)
        .where(
            Attendance.person_id == enrolment.person_id,
            OutreachSession.office_id == enrolment.office_id,
            OutreachSession.status != SessionStatus.CANCELLED,
            OutreachSession.starts_at >= start,
            OutreachSession.starts_at < end,
        )
        .order_by(OutreachSession.starts_at, OutreachSession.id)
    ).all()
    credits = [
        EnrolmentCredit(
            office_id=enrolment.office_id,
            session_id=s.id,
            main=(s is sessions[-1]),
        )
        for s in sessions
    ]
    worked = set(
        db.session.scalars(
            sa.select(FollowUpOutcome.follow_up_id)
            .join(FollowUp, FollowUp.id == FollowUpOutcome.follow_up_id)
            .where(
                FollowUp.person_id == enrolment.person_id,
                FollowUp.office_id == enrolment.office_id,
                FollowUpOutcome.at >= start,
                FollowUpOutcome.at < end,
                # "Enrolled" outcomes are written when an enrolment closes a follow-up: no contact.
                FollowUpOutcome.kind != OutcomeKind.ENROLLED,
            )
        )
    )
    if follow_up is not None:
        worked.add(follow_up.id)
    credits += [
        EnrolmentCredit(office_id=enrolment.office_id, follow_up_id=follow_up_id)
        for follow_up_id in sorted(worked)
    ]
    enrolment.credits.extend(credits)
    db.session.flush()
    return credits


def update_receipt(enrolment: Enrolment, receipt_number: str, notes: str, by: User) -> Enrolment:
    """Correct the receipt number or the notes; amounts and credits never change afterwards."""
    receipt = (receipt_number or "").strip()
    if not receipt:
        raise PlannerError(_("Enter the receipt or file number."), field="receipt_number")
    before = snapshot(enrolment)
    enrolment.receipt_number = receipt[:60]
    enrolment.notes = (notes or "").strip()[:4000]
    changes = diff(before, snapshot(enrolment))
    if changes:
        record(enrolment.office_id, ENTITY, enrolment.id, "update", changes, user_id=by.id)
    return enrolment


ENROLMENTS_PAGE_SIZE = 50


@dataclass(frozen=True)
class EnrolmentList:
    """One page of an office's enrolments in a period, and the period's count per product."""

    items: list[Enrolment]
    totals: dict[Product, int]
    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def office_enrolments(
    office_id: int, first: date, last: date, page: int = 1, per_page: int = ENROLMENTS_PAGE_SIZE
) -> EnrolmentList:
    """One page of the office's enrolments between two dates, newest first, and the period's
    totals per product (counted in SQL): a fixed number of queries whatever the period holds."""
    period = (
        Enrolment.office_id == office_id,
        Enrolment.enrolled_on >= first,
        Enrolment.enrolled_on <= last,
    )
    counted = dict(
        db.session.execute(
            sa.select(Enrolment.product, sa.func.count()).where(*period).group_by(Enrolment.product)
        ).all()
    )
    totals = {p: counted.get(p, 0) for p in Product.single()}
    pages = max(1, -(-sum(counted.values()) // per_page))
    page = min(max(1, page), pages)
    items = list(
        db.session.scalars(
            sa.select(Enrolment)
            .where(*period)
            .options(
                # Who recorded it is not shown in the list: not loaded (one query less). The
                # person, and each credit's session, joined in (a round trip each otherwise).
                joinedload(Enrolment.person),
                selectinload(Enrolment.credits).joinedload(EnrolmentCredit.session),
            )
            .order_by(Enrolment.enrolled_on.desc(), Enrolment.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return EnrolmentList(items, totals, page, pages)


def person_enrolments(person: Person) -> list[Enrolment]:
    """A person's enrolments, newest first, with their credits."""
    return list(
        db.session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.person_id == person.id, Enrolment.office_id == person.office_id)
            .options(
                selectinload(Enrolment.credits).joinedload(EnrolmentCredit.session),
            )
            .order_by(Enrolment.enrolled_on.desc(), Enrolment.id.desc())
        )
    )


# --- Reacting to the people domain -----------------------------------------------------------


@persons_merged.connect
def _on_persons_merged(kept: Person, merged: Person, user: User | None, **_kwargs) -> None:
    """Move the merged person's enrolments to the person kept."""
    moved = db.session.scalars(sa.select(Enrolment).where(Enrolment.person_id == merged.id))
    move_to_kept(moved, ENTITY, kept, merged, user)


@person_erased.connect
def _on_person_erased(person: Person, user: User | None, **_kwargs) -> None:
    """Clear the notes; amounts, dates, receipt numbers and credits stay, so figures hold."""
    for enrolment in db.session.scalars(
        sa.select(Enrolment).where(Enrolment.person_id == person.id)
    ):
        if enrolment.notes:
            enrolment.notes = ""
            record(
                enrolment.office_id,
                ENTITY,
                enrolment.id,
                "erase",
                {"notes": "cleared"},
                actor_id(user),
            )
    db.session.flush()


@person_exported.connect
def _on_person_exported(person: Person, **_kwargs) -> tuple[str, list[dict]]:
    """The person's enrolments with the amounts recorded."""
    rows = []
    for enrolment in person_enrolments(person):
        rows.append(
            {
                _("Enrolment no."): enrolment.id,
                _("Product"): enrolment.product.label,
                _("Enrolled on"): enrolment.enrolled_on.isoformat(),
                _("Chosen income (VND a month)"): enrolment.income or "",
                _("Priority group"): enrolment.priority_group.label
                if enrolment.priority_group
                else "",
                _("Household members"): enrolment.members or "",
                _("Months paid at a time"): enrolment.months,
                _("Contribution (VND a month)"): enrolment.monthly_contribution,
                _("State support (VND a month)"): enrolment.monthly_support,
                _("The person pays (VND a month)"): enrolment.monthly_person_pays,
                _("The person pays per payment (VND)"): enrolment.period_person_pays,
                _("Receipt or file number"): enrolment.receipt_number,
                _("Notes"): enrolment.notes,
            }
        )
    return _("Enrolments"), rows
