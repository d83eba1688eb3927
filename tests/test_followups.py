"""Follow-ups: scheduled from interest shown at a session, worked from "My follow-ups"."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from planner.audit.models import AuditEntry
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups.models import (
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    OfficeSettings,
    OutcomeKind,
    Product,
)
from planner.followups.outcomes import OutcomeInput, log_outcome, reassign, reschedule
from planner.followups.scheduling import add_follow_up
from planner.followups.settings import save_settings, settings_for
from planner.people.attendance import record_attendance
from planner.people.identity import AttendeeInput, clean_attendee
from planner.people.models import Interest
from planner.people.signals import person_erased, person_exported, persons_merged
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff


@pytest.fixture
def held(officer, places):
    """A village meeting two days ago, led by the officer."""
    session = factories.session(
        officer, places.commune, day=today_local() - timedelta(days=2), venue=places.house
    )
    db.session.commit()
    return session


def follow_ups() -> list[FollowUp]:
    return list(db.session.scalars(sa.select(FollowUp).order_by(FollowUp.id)))


def audit(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.entity == "follow_up", AuditEntry.action == action
            )
        )
    )


# --- Scheduling from interest ----------------------------------------------------------------


def test_the_trail_names_the_officer_who_recorded_the_interest_outside_a_request(held, supervisor):
    # A sheet typed in by the supervisor (a print job, a command: no one is logged in): the
    # follow-up it starts is on the supervisor's name, not on nobody's.
    sua = AttendeeInput(
        full_name="Giàng Thị Sua", interest=Interest.VOLUNTARY_SI, consent_contact=True
    )
    record_attendance(held, clean_attendee(sua), supervisor)
    db.session.commit()
    [entry] = audit("create")
    assert entry.user_id == supervisor.id


def test_interest_with_consent_schedules_a_follow_up_for_the_lead_officer(held, office, officer):
    sua = ff.person(office)
    ff.attend(held, sua, vsi=True)
    db.session.commit()

    [follow_up] = follow_ups()
    assert follow_up.person_id == sua.id
    assert follow_up.product == Product.VOLUNTARY_SI
    assert follow_up.assigned_to_id == officer.id
    assert follow_up.session_id == held.id
    assert follow_up.due_on == today_local() - timedelta(days=2) + timedelta(days=3)
    assert follow_up.status == FollowUpStatus.OPEN
    assert audit("create")[0].changes["from"] == "attendance"


def test_interest_in_both_products_makes_one_follow_up_about_both(held, office):
    ff.attend(held, ff.person(office), vsi=True, hhi=True)
    assert [f.product for f in follow_ups()] == [Product.BOTH]


def test_no_follow_up_without_consent_or_without_interest(held, office):
    ff.attend(held, ff.person(office, full_name="Lò Văn Páo", consent=False), vsi=True)
    ff.attend(held, ff.person(office, full_name="Vàng Thị Dua", phone="+84912345679"))
    assert follow_ups() == []


def test_an_unconfirmed_self_check_in_waits_for_the_officer(held, office):
    ff.attend(held, ff.person(office), hhi=True, confirmed=False)
    assert follow_ups() == []


def test_a_second_session_does_not_duplicate_an_open_follow_up(held, office, officer, places):
    sua = ff.person(office)
    ff.attend(held, sua, vsi=True)
    later = factories.session(officer, places.commune, day=today_local() - timedelta(days=1))
    ff.attend(later, sua, vsi=True, hhi=True)
    products = sorted(f.product.value for f in follow_ups())
    # The open follow-up covers voluntary SI; only household HI is new.
    assert products == ["household_hi", "voluntary_si"]


def test_removing_a_mistyped_attendance_cancels_its_untouched_follow_up(held, office, officer):
    from planner.people.attendance import remove_attendance

    wrong = ff.attend(held, ff.person(office), vsi=True)
    called = ff.attend(held, ff.person(office, full_name="Lò Văn Xuân"), hhi=True)
    db.session.commit()
    untouched, worked = follow_ups()
    log_outcome(worked, OutcomeInput(kind="no_answer"), officer)
    db.session.commit()

    remove_attendance(wrong, officer)
    remove_attendance(called, officer)
    db.session.commit()

    assert untouched.status == FollowUpStatus.CANCELLED
    assert "xóa khỏi danh sách tham dự" in untouched.notes
    assert [entry.entity_id for entry in audit("cancel")] == [untouched.id]
    # Somebody already called this one: closing it is the officer's decision.
    assert worked.status == FollowUpStatus.OPEN


def test_the_office_decides_how_many_days_until_due(held, office, supervisor):
    save_settings(office.id, 7, 60, supervisor)
    ff.attend(held, ff.person(office), vsi=True)
    assert follow_ups()[0].due_on == today_local() - timedelta(days=2) + timedelta(days=7)


def test_settings_default_to_three_days_and_ninety_days_until_saved(office):
    settings = settings_for(office.id)
    assert (settings.follow_up_due_days, settings.credit_window_days) == (3, 90)
    assert db.session.get(OfficeSettings, office.id) is None


# --- Outcomes --------------------------------------------------------------------------------


@pytest.fixture
def open_follow_up(held, office):
    ff.attend(held, ff.person(office), vsi=True)
    db.session.commit()
    return follow_ups()[0]


def test_no_answer_keeps_the_follow_up_open(open_follow_up, officer):
    log_outcome(open_follow_up, OutcomeInput(kind="no_answer"), officer)
    assert open_follow_up.status == FollowUpStatus.OPEN
    assert [o.kind for o in open_follow_up.outcomes] == [OutcomeKind.NO_ANSWER]


def test_reaching_the_person_closes_the_follow_up(open_follow_up, officer):
    log_outcome(open_follow_up, OutcomeInput(kind="reached", channel="home_visit"), officer)
    assert open_follow_up.status == FollowUpStatus.DONE
    assert open_follow_up.closed_at is not None


def test_a_call_back_moves_the_due_date(open_follow_up, officer):
    when = today_local() + timedelta(days=5)
    log_outcome(open_follow_up, OutcomeInput(kind="call_back", call_back_on=when), officer)
    assert open_follow_up.due_on == when
    assert open_follow_up.status == FollowUpStatus.OPEN
    assert audit("outcome")[0].changes["due_on"][1] == when.isoformat()


def test_a_call_back_needs_a_date_and_a_decline_needs_a_reason(open_follow_up, officer):
    with pytest.raises(PlannerError) as no_date:
        log_outcome(open_follow_up, OutcomeInput(kind="call_back"), officer)
    assert no_date.value.field == "call_back_on"
    with pytest.raises(PlannerError) as no_reason:
        log_outcome(open_follow_up, OutcomeInput(kind="declined", reason="  "), officer)
    assert no_reason.value.field == "reason"
    log_outcome(open_follow_up, OutcomeInput(kind="declined", reason="Chưa có tiền"), officer)
    assert open_follow_up.status == FollowUpStatus.DONE
    assert open_follow_up.outcomes[-1].reason == "Chưa có tiền"


def test_officer_logs_an_outcome_in_one_form(officer_client, open_follow_up):
    prefix = f"fu{open_follow_up.id}"
    response = officer_client.post(
        f"/follow-ups/{open_follow_up.id}/outcome",
        data={
            f"{prefix}-kind": "call_back",
            f"{prefix}-channel": "call",
            f"{prefix}-call_back_on": (today_local() + timedelta(days=2)).isoformat(),
            f"{prefix}-notes": "Chị Sua hẹn gọi lại sau phiên chợ",
            "next": "/follow-ups/",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/follow-ups/")
    db.session.expire_all()
    follow_up = db.session.get(FollowUp, open_follow_up.id)
    assert follow_up.due_on == today_local() + timedelta(days=2)
    assert follow_up.outcomes[0].notes == "Chị Sua hẹn gọi lại sau phiên chợ"


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        ({"kind": "call_back"}, "Nhập ngày gọi lại"),
        ({"kind": "declined"}, "Ghi lại lý do người dân từ chối"),
        ({}, "Chọn kết quả"),
    ],
)
def test_an_incomplete_outcome_is_refused_and_nothing_is_saved(
    officer_client, open_follow_up, entered, message
):
    prefix = f"fu{open_follow_up.id}"
    response = officer_client.post(
        f"/follow-ups/{open_follow_up.id}/outcome",
        data={f"{prefix}-{k}": v for k, v in entered.items()},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(FollowUpOutcome.id))) == 0


def test_logging_enrolled_opens_the_enrolment_form_prefilled(officer_client, open_follow_up):
    prefix = f"fu{open_follow_up.id}"
    response = officer_client.post(
        f"/follow-ups/{open_follow_up.id}/outcome", data={f"{prefix}-kind": "enrolled"}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "/enrolments/new" in location
    assert f"person={open_follow_up.person_id}" in location
    assert f"follow_up={open_follow_up.id}" in location
    assert "product=voluntary_si" in location
    form = officer_client.get(location).get_data(as_text=True)
    assert (
        '<input checked id="product-0" name="product" required type="radio" value="voluntary_si">'
        in form
    )
    assert f'name="follow_up_id" type="hidden" value="{open_follow_up.id}"' in form


# --- Adding, reassigning, rescheduling -------------------------------------------------------


def test_reschedule_refuses_a_past_day(open_follow_up, officer):
    due = open_follow_up.due_on
    with pytest.raises(PlannerError):
        reschedule(open_follow_up, today_local() - timedelta(days=1), officer)
    assert open_follow_up.due_on == due
    reschedule(open_follow_up, today_local() + timedelta(days=10), officer)
    assert open_follow_up.due_on == today_local() + timedelta(days=10)
    assert audit("reschedule")


def test_reassigning_stays_within_the_office(open_follow_up, office, officer):
    colleague = factories.user(office, username="pao", full_name="Sùng A Páo")
    elsewhere = factories.user(factories.office("BHXH Lai Châu", "Lai Châu"), username="x")
    with pytest.raises(PlannerError):
        reassign(open_follow_up, elsewhere.id, officer)
    assert open_follow_up.assigned_to_id == officer.id
    reassign(open_follow_up, colleague.id, officer)
    assert open_follow_up.assigned_to_id == colleague.id
    assert audit("reassign")[0].changes["assigned_to_id"] == [officer.id, colleague.id]


def test_reassign_form_refuses_another_offices_officer(officer_client, open_follow_up, officer):
    elsewhere = factories.user(factories.office("BHXH Lai Châu", "Lai Châu"), username="x")
    db.session.commit()
    response = officer_client.post(
        f"/follow-ups/{open_follow_up.id}/reassign", data={"assigned_to_id": elsewhere.id}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(FollowUp, open_follow_up.id).assigned_to_id == officer.id


def test_officer_adds_a_follow_up_by_hand(officer_client, office, officer):
    sua = ff.person(office)
    db.session.commit()
    due = today_local() + timedelta(days=1)
    response = officer_client.post(
        f"/follow-ups/new?person={sua.id}",
        data={"product": "household_hi", "due_on": due.isoformat(), "assigned_to_id": officer.id},
    )
    assert response.status_code == 302
    [follow_up] = follow_ups()
    assert (follow_up.product, follow_up.due_on, follow_up.created_by_id) == (
        Product.HOUSEHOLD_HI,
        due,
        officer.id,
    )


def test_a_new_follow_up_cannot_be_due_in_the_past(officer_client, office, officer):
    sua = ff.person(office)
    db.session.commit()
    response = officer_client.post(
        f"/follow-ups/new?person={sua.id}",
        data={
            "product": "voluntary_si",
            "due_on": (today_local() - timedelta(days=3)).isoformat(),
            "assigned_to_id": officer.id,
        },
    )
    assert response.status_code == 400
    assert "đã qua" in response.get_data(as_text=True)
    assert follow_ups() == []


def test_a_person_who_did_not_consent_gets_no_follow_up(office, officer):
    pao = ff.person(office, consent=False)
    with pytest.raises(PlannerError) as refused:
        add_follow_up(pao, "voluntary_si", today_local(), officer.id, "", officer)
    assert refused.value.code == "no_consent"


def test_unknown_or_other_offices_person_is_a_404(officer_client):
    stranger_office = factories.office("BHXH Lai Châu", "Lai Châu")
    stranger = ff.person(stranger_office)
    db.session.commit()
    assert officer_client.get(f"/follow-ups/new?person={stranger.id}").status_code == 404
    assert officer_client.get("/follow-ups/new?person=999999").status_code == 404
    assert officer_client.get("/follow-ups/new").status_code == 404


# --- Seeing follow-ups -----------------------------------------------------------------------


def test_my_follow_ups_shows_overdue_today_and_upcoming_with_a_phone_link(
    officer_client, office, officer
):
    for name, days, phone in [
        ("Giàng Thị Sua", -2, "+84912345678"),
        ("Lò Văn Páo", 0, "+84912345679"),
        ("Vàng Thị Dua", 4, "+84912345670"),
    ]:
        follow_up = FollowUp(
            office_id=office.id,
            person=ff.person(office, full_name=name, phone=phone),
            product=Product.VOLUNTARY_SI,
            assigned_to_id=officer.id,
            due_on=today_local() + timedelta(days=days),
        )
        db.session.add(follow_up)
    db.session.commit()
    page = officer_client.get("/follow-ups/").get_data(as_text=True)
    overdue = page.index('id="pile-overdue"')
    today = page.index('id="pile-today"')
    upcoming = page.index('id="pile-upcoming"')
    assert overdue < page.index("Giàng Thị Sua") < today < page.index("Lò Văn Páo") < upcoming
    assert upcoming < page.index("Vàng Thị Dua")
    assert 'href="tel:+84912345678"' in page
    assert "0912 345 678" in page


def test_officers_see_their_own_and_supervisors_the_office(
    client, office, officer, supervisor, held
):
    colleague = factories.user(office, username="pao", full_name="Sùng A Páo")
    other_office = factories.office("BHXH Lai Châu", "Lai Châu")
    stranger = factories.user(other_office, username="x", full_name="Người ngoài")
    for who, name, of in [
        (officer, "Người của Mai", office),
        (colleague, "Người của Páo", office),
        (stranger, "Người tỉnh khác", other_office),
    ]:
        db.session.add(
            FollowUp(
                office_id=of.id,
                person=ff.person(of, full_name=name),
                product=Product.HOUSEHOLD_HI,
                assigned_to_id=who.id,
                due_on=today_local(),
            )
        )
    db.session.commit()
    from tests.conftest import login

    login(client, officer)
    mine = client.get("/follow-ups/").get_data(as_text=True)
    assert "Người của Mai" in mine and "Người của Páo" not in mine
    assert client.get("/follow-ups/?scope=office").status_code == 403
    theirs = db.session.scalar(sa.select(FollowUp.id).where(FollowUp.office_id == other_office.id))
    assert client.get(f"/follow-ups/{theirs}").status_code == 404
    client.post("/logout")

    login(client, supervisor)
    everyone = client.get("/follow-ups/?scope=office").get_data(as_text=True)
    assert "Người của Mai" in everyone and "Người của Páo" in everyone
    assert "Người tỉnh khác" not in everyone


def test_supervisor_changes_the_office_settings(supervisor_client, office):
    response = supervisor_client.post(
        "/follow-ups/settings", data={"follow_up_due_days": "5", "credit_window_days": "120"}
    )
    assert response.status_code == 302
    settings = db.session.get(OfficeSettings, office.id)
    assert (settings.follow_up_due_days, settings.credit_window_days) == (5, 120)
    bad = supervisor_client.post(
        "/follow-ups/settings", data={"follow_up_due_days": "-1", "credit_window_days": "0"}
    )
    assert bad.status_code == 400
    db.session.expire_all()
    assert db.session.get(OfficeSettings, office.id).follow_up_due_days == 5


def test_officers_cannot_change_the_office_settings(officer_client):
    assert officer_client.get("/follow-ups/settings").status_code == 403


# --- Privacy: merge, erase, export -----------------------------------------------------------


def test_merging_people_moves_their_follow_ups(open_follow_up, office):
    kept = ff.person(office, full_name="Giàng Thị Sua (bản chính)", phone="+84912345671")
    persons_merged.send(kept, merged=open_follow_up.person, user=None)
    assert db.session.get(FollowUp, open_follow_up.id).person_id == kept.id
    assert audit("merge")[0].changes["person_id"][1] == kept.id


def test_merging_leaves_one_open_follow_up_per_product(held, office, officer, places):
    sua = ff.person(office)
    twin = ff.person(office, full_name="Giàng T. Sua", phone="+84912345671")
    ff.attend(held, sua, vsi=True)
    later = factories.session(officer, places.commune, day=today_local() - timedelta(days=1))
    ff.attend(later, twin, vsi=True, hhi=True)
    persons_merged.send(sua, merged=twin, user=None)
    open_ones = [f for f in follow_ups() if f.status == FollowUpStatus.OPEN]
    assert sorted(f.product.value for f in open_ones) == ["household_hi", "voluntary_si"]
    assert {f.person_id for f in follow_ups()} == {sua.id}


def test_erasing_a_person_clears_notes_and_stops_follow_ups_but_keeps_the_count(
    open_follow_up, officer
):
    open_follow_up.notes = "Nhà cạnh trường tiểu học"
    log_outcome(
        open_follow_up,
        OutcomeInput(kind="no_answer", notes="Chồng nghe máy, nói vợ đi nương"),
        officer,
    )
    person_erased.send(open_follow_up.person, user=None)
    assert follow_ups() == [open_follow_up]
    assert open_follow_up.notes == ""
    assert open_follow_up.outcomes[0].notes == ""
    assert open_follow_up.outcomes[0].kind == OutcomeKind.NO_ANSWER
    assert open_follow_up.status == FollowUpStatus.CANCELLED


def test_export_lists_follow_ups_and_outcomes(open_follow_up, officer, app):
    log_outcome(open_follow_up, OutcomeInput(kind="reached", notes="Đã giải thích"), officer)
    with app.test_request_context():
        results = dict(r for _receiver, r in person_exported.send(open_follow_up.person))
    [row] = results["Chăm sóc, liên hệ lại"]
    assert row["Ghi chú kết quả"] == "Đã giải thích"


def test_cancelling_needs_a_reason_and_closes_the_follow_up(officer_client, open_follow_up):
    refused = officer_client.post(f"/follow-ups/{open_follow_up.id}/cancel", data={"reason": ""})
    assert refused.status_code == 400
    assert "Ghi lý do hủy" in refused.get_data(as_text=True)
    response = officer_client.post(
        f"/follow-ups/{open_follow_up.id}/cancel", data={"reason": "Đã chuyển vào Bình Dương"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    follow_up = db.session.get(FollowUp, open_follow_up.id)
    assert follow_up.status == FollowUpStatus.CANCELLED
    assert "Bình Dương" in follow_up.notes
    assert audit("cancel")
