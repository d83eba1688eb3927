"""Enrolments: contributions from the dated rates, credits to sessions and follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from planner.audit.models import AuditEntry
from planner.enrolments.models import Enrolment, EnrolmentCredit
from planner.enrolments.services import EnrolmentInput, contribution, record_enrolment
from planner.enums import PriorityGroup, SessionStatus
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpStatus, OutcomeKind, Product
from planner.followups.outcomes import OutcomeInput, log_outcome
from planner.followups.settings import save_settings
from planner.people.signals import person_erased, person_exported, persons_merged
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff

TODAY = today_local()


@pytest.fixture
def sua(office, rates):
    person = ff.person(office, priority_group=PriorityGroup.NEAR_POOR)
    db.session.commit()
    return person


def days_ago(n: int):
    return TODAY - timedelta(days=n)


def vsi(income: int = 1_500_000, months: int = 1, group=PriorityGroup.NEAR_POOR, **kw):
    return EnrolmentInput(
        product=Product.VOLUNTARY_SI,
        enrolled_on=kw.pop("enrolled_on", TODAY),
        receipt_number=kw.pop("receipt_number", "BL-2026-0042"),
        income=income,
        months=months,
        priority_group=group,
        **kw,
    )


def hhi(members: int, months: int = 12, **kw):
    return EnrolmentInput(
        product=Product.HOUSEHOLD_HI,
        enrolled_on=kw.pop("enrolled_on", TODAY),
        receipt_number="HGD-17",
        members=members,
        months=months,
        **kw,
    )


# --- Contributions ---------------------------------------------------------------------------


def test_near_poor_at_the_minimum_income_pays_198_000_a_month(sua, officer):
    enrolment = record_enrolment(sua, vsi(months=3), officer)
    assert enrolment.monthly_contribution == 330_000
    assert enrolment.monthly_support == 132_000
    assert enrolment.monthly_person_pays == 198_000
    assert enrolment.period_person_pays == 594_000
    assert (enrolment.income, enrolment.months, enrolment.members) == (1_500_000, 3, None)


def test_household_of_two_pays_105_300_plus_73_710_a_month(sua, officer):
    amounts = contribution(hhi(2), sua.office_id)
    assert amounts.monthly_by_member == (105_300, 73_710)
    enrolment = record_enrolment(sua, hhi(2), officer)
    assert enrolment.monthly_person_pays == 179_010
    assert enrolment.period_person_pays == 179_010 * 12
    assert enrolment.income is None and enrolment.priority_group is None


def test_an_income_below_the_poverty_line_is_refused_with_nothing_saved(sua, officer):
    with pytest.raises(PlannerError) as refused:
        record_enrolment(sua, vsi(income=1_000_000), officer)
    assert refused.value.field == "income"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 0


def test_the_form_shows_the_income_error_and_saves_nothing(officer_client, sua):
    response = officer_client.post(
        f"/enrolments/new?person={sua.id}",
        data={
            "product": "voluntary_si",
            "enrolled_on": TODAY.isoformat(),
            "months": "1",
            "income": "50000000",
            "priority_group": "near_poor",
            "receipt_number": "BL-1",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="income-error"' in page
    assert "46.800.000" in page
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 0


def test_the_form_works_out_the_contribution_before_saving(officer_client, sua):
    response = officer_client.post(
        f"/enrolments/new?person={sua.id}",
        data={
            "product": "household_hi",
            "enrolled_on": TODAY.isoformat(),
            "months": "12",
            "members": "2",
            "priority_group": "other",
            "receipt_number": "HGD-1",
            "preview": "1",
        },
    )
    assert response.status_code == 200
    assert "179.010 ₫" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 0


def test_missing_receipt_or_future_date_is_refused(sua, officer):
    with pytest.raises(PlannerError) as no_receipt:
        record_enrolment(sua, vsi(receipt_number=" "), officer)
    assert no_receipt.value.field == "receipt_number"
    with pytest.raises(PlannerError) as future:
        record_enrolment(sua, vsi(enrolled_on=TODAY + timedelta(days=1)), officer)
    assert future.value.field == "enrolled_on"


def test_unknown_and_other_offices_people_are_a_404(officer_client, rates):
    stranger = ff.person(factories.office("BHXH Lai Châu", "Lai Châu"))
    db.session.commit()
    assert officer_client.get(f"/enrolments/new?person={stranger.id}").status_code == 404
    assert officer_client.get("/enrolments/new?person=424242").status_code == 404
    assert officer_client.get("/enrolments/424242").status_code == 404


# --- Credits ---------------------------------------------------------------------------------


@pytest.fixture
def sessions(officer, places):
    """Sessions 120, 60 and 10 days ago; the person attends all three."""
    made = {
        n: factories.session(officer, places.commune, day=days_ago(n), title=f"{n} ngày trước")
        for n in (120, 60, 10)
    }
    db.session.commit()
    return made


def credited_sessions(enrolment: Enrolment) -> dict[int, bool]:
    return {c.session_id: c.main for c in enrolment.credits if c.session_id}


def test_sessions_in_the_window_are_credited_and_the_last_one_is_main(sua, officer, sessions):
    for session in sessions.values():
        ff.attend(session, sua, signal=False)
    enrolment = record_enrolment(sua, vsi(), officer)
    assert credited_sessions(enrolment) == {sessions[60].id: False, sessions[10].id: True}


def test_the_window_is_the_offices_setting(sua, officer, supervisor, sessions):
    save_settings(sua.office_id, 3, 30, supervisor)
    for session in sessions.values():
        ff.attend(session, sua, signal=False)
    enrolment = record_enrolment(sua, vsi(), officer)
    assert credited_sessions(enrolment) == {sessions[10].id: True}


def test_sessions_after_the_enrolment_or_cancelled_are_not_credited(sua, officer, sessions):
    for session in sessions.values():
        ff.attend(session, sua, signal=False)
    sessions[60].status = SessionStatus.CANCELLED
    enrolment = record_enrolment(sua, vsi(enrolled_on=days_ago(50)), officer)
    assert credited_sessions(enrolment) == {sessions[120].id: True}


def test_follow_ups_worked_in_the_window_are_credited(sua, officer, sessions):
    ff.attend(sessions[10], sua, vsi=True)
    [worked] = db.session.scalars(sa.select(FollowUp)).all()
    log_outcome(worked, OutcomeInput(kind="no_answer"), officer)
    untouched = FollowUp(
        office_id=sua.office_id,
        person_id=sua.id,
        product=Product.HOUSEHOLD_HI,
        assigned_to_id=officer.id,
        due_on=TODAY,
    )
    db.session.add(untouched)
    db.session.flush()
    enrolment = record_enrolment(sua, vsi(), officer)
    assert [c.follow_up_id for c in enrolment.follow_up_credits] == [worked.id]


# --- Closing follow-ups ----------------------------------------------------------------------


def _open(person, product, officer) -> FollowUp:
    follow_up = FollowUp(
        office_id=person.office_id,
        person_id=person.id,
        product=product,
        assigned_to_id=officer.id,
        due_on=TODAY,
    )
    db.session.add(follow_up)
    db.session.flush()
    return follow_up


def test_enrolling_closes_open_follow_ups_for_that_product_only(sua, officer):
    about_vsi = _open(sua, Product.VOLUNTARY_SI, officer)
    about_hi = _open(sua, Product.HOUSEHOLD_HI, officer)
    about_both = _open(sua, Product.BOTH, officer)
    record_enrolment(sua, vsi(), officer)
    assert about_vsi.status == FollowUpStatus.DONE
    assert about_vsi.outcomes[-1].kind == OutcomeKind.ENROLLED
    assert about_hi.status == FollowUpStatus.OPEN
    assert about_hi.outcomes == []
    # A follow-up about both goes on, about household HI only.
    assert (about_both.status, about_both.product) == (FollowUpStatus.OPEN, Product.HOUSEHOLD_HI)
    assert about_both.outcomes[-1].product == Product.VOLUNTARY_SI


def test_enrolment_is_audited(sua, officer):
    enrolment = record_enrolment(sua, hhi(3), officer)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "enrolment")).one()
    assert (entry.entity_id, entry.action, entry.user_id) == (enrolment.id, "create", officer.id)
    assert entry.changes["monthly_person_pays"] == 105_300 + 73_710 + 63_180


def test_from_follow_up_to_enrolment_through_the_forms(officer_client, sua, officer, sessions):
    ff.attend(sessions[10], sua, vsi=True)
    db.session.commit()
    follow_up = db.session.scalars(sa.select(FollowUp)).one()
    response = officer_client.post(
        f"/enrolments/new?person={sua.id}",
        data={
            "product": "voluntary_si",
            "enrolled_on": TODAY.isoformat(),
            "months": "6",
            "income": "2000000",
            "priority_group": "near_poor",
            "receipt_number": "BL-2026-7",
            "follow_up_id": str(follow_up.id),
        },
    )
    assert response.status_code == 302
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "BL-2026-7" in page
    assert "308.000 ₫" in page  # 440,000 - 132,000
    db.session.expire_all()
    enrolment = db.session.scalars(sa.select(Enrolment)).one()
    assert [c.follow_up_id for c in enrolment.follow_up_credits] == [follow_up.id]
    assert credited_sessions(enrolment) == {sessions[10].id: True}
    assert db.session.get(FollowUp, follow_up.id).status == FollowUpStatus.DONE


# --- Privacy ---------------------------------------------------------------------------------


def test_erasure_clears_notes_but_keeps_amounts_and_credits(sua, officer, sessions):
    ff.attend(sessions[10], sua, signal=False)
    enrolment = record_enrolment(sua, vsi(notes="Con gái đóng hộ"), officer)
    person_erased.send(sua, user=None)
    assert enrolment.notes == ""
    assert enrolment.monthly_person_pays == 198_000
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(EnrolmentCredit.id))) == 1


def test_merging_moves_enrolments_to_the_person_kept(sua, officer, office):
    enrolment = record_enrolment(sua, vsi(), officer)
    kept = ff.person(office, full_name="Giàng Thị Sua", phone="+84912345671")
    persons_merged.send(kept, merged=sua, user=None)
    assert enrolment.person_id == kept.id


def test_export_includes_enrolments(sua, officer, app):
    record_enrolment(sua, hhi(2), officer)
    with app.test_request_context():
        sections = dict(r for _receiver, r in person_exported.send(sua))
    [row] = sections["Đăng ký tham gia"]
    assert row["Số biên lai hoặc số hồ sơ"] == "HGD-17"


def test_scoping_between_offices_on_the_list(officer_client, sua, officer):
    record_enrolment(sua, vsi(), officer)
    other = factories.office("BHXH Lai Châu", "Lai Châu")
    stranger = ff.person(other, full_name="Người tỉnh khác")
    stranger_officer = factories.user(other, username="lc")
    record_enrolment(stranger, hhi(1), stranger_officer)
    db.session.commit()
    page = officer_client.get("/enrolments/").get_data(as_text=True)
    assert sua.full_name in page
    assert "Người tỉnh khác" not in page


def test_a_follow_up_closed_by_an_earlier_enrolment_is_not_credited_again(sua, officer):
    about_vsi = _open(sua, Product.VOLUNTARY_SI, officer)
    record_enrolment(sua, vsi(), officer)
    assert about_vsi.outcomes[-1].kind == OutcomeKind.ENROLLED
    later = record_enrolment(sua, hhi(1), officer)
    assert later.follow_up_credits == []


def test_a_follow_up_of_someone_else_cannot_be_used(officer_client, sua, office, officer):
    other = ff.person(office, full_name="Lò Văn Páo", phone="+84912345671")
    theirs = _open(other, Product.VOLUNTARY_SI, officer)
    db.session.commit()
    assert (
        officer_client.get(f"/enrolments/new?person={sua.id}&follow_up={theirs.id}").status_code
        == 400
    )
    assert officer_client.get(f"/enrolments/new?person={sua.id}&follow_up=9999").status_code == 404
