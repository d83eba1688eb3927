"""Recording who came: the sheet form, matching people, CCCD rules, consent and office scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from planner.audit.models import AuditEntry
from planner.enums import PriorityGroup, SessionStatus
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.attendance import office_reach, record_attendance, session_counts
from planner.people.identity import AttendeeInput, check_cccd, clean_attendee
from planner.people.models import Attendance, Gender, Interest, Person
from planner.people.signals import attendance_recorded
from planner.sessions.status import set_status
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff


def row(**values) -> AttendeeInput:
    values.setdefault("full_name", "Lò Văn Páo")
    return clean_attendee(AttendeeInput(**values))


def form_data(places, **values) -> dict:
    data = {
        "full_name": "Lò Văn Páo",
        "birth_year": "1985",
        "gender": "male",
        "ethnicity": "Hmông",
        "village_id": str(places.village.id),
        "phone": "0912 345 678",
        "occupation": "Làm ruộng",
        "priority_group": "poor",
        "has_health_insurance": "no",
        "interest": "voluntary_si",
        "consent_contact": "y",
        "notes": "",
        "cccd": "",
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


# --- CCCD -------------------------------------------------------------------------------------


def test_a_cccd_matching_year_and_gender_is_accepted_and_fills_them_in(app):
    assert check_cccd("010 085 012345", 1985, Gender.MALE) == ("010085012345", 1985, Gender.MALE)
    assert check_cccd("010301012345", None, None) == ("010301012345", 2001, Gender.FEMALE)


@pytest.mark.parametrize(
    ("cccd", "year", "gender", "words"),
    [
        ("01008501234", 1985, None, "12"),
        ("0100850123456", 1985, None, "12"),
        ("000085012345", 1985, None, "001"),
        ("097085012345", 1985, None, "001"),
        ("010585012345", 1985, None, "0 đến 3"),
        ("010085012345", 1986, None, "1985"),
        ("010185012345", 1985, Gender.MALE, "giới tính nữ"),
        ("010299012345", None, None, "tương lai"),
    ],
)
def test_an_impossible_cccd_is_refused_with_a_reason(app, cccd, year, gender, words):
    with pytest.raises(PlannerError) as caught:
        check_cccd(cccd, year, gender)
    assert words in caught.value.message
    assert caught.value.field == "cccd"


def test_the_sheet_form_says_in_vietnamese_why_a_cccd_is_wrong(officer_client, held, places):
    response = officer_client.post(
        f"/sessions/{held.id}/attendance",
        data=form_data(places, cccd="010185012345"),  # a woman's CCCD, entered as a man
    )
    assert response.status_code == 422
    assert "nữ" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0


# --- The sheet form ---------------------------------------------------------------------------


def test_an_officer_adds_an_attendee_without_javascript(officer_client, held, places):
    response = officer_client.post(f"/sessions/{held.id}/attendance", data=form_data(places))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sessions/{held.id}#attendance")
    person = db.session.scalars(sa.select(Person)).one()
    assert person.phone == "+84912345678"
    assert person.consent_contact is True and person.consent_recorded_at is not None
    assert person.priority_group == PriorityGroup.POOR
    assert person.has_health_insurance is False
    assert person.commune_id == places.commune.id
    attendance = db.session.scalars(sa.select(Attendance)).one()
    assert attendance.interest == Interest.VOLUNTARY_SI
    page = officer_client.get(f"/sessions/{held.id}").get_data(as_text=True)
    assert "Lò Văn Páo" in page
    assert "0912 345 678" in page


def test_the_form_answers_json_for_the_page_script(officer_client, held, places):
    response = officer_client.post(
        f"/sessions/{held.id}/attendance",
        data=form_data(places),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    payload = response.get_json()
    assert payload["ok"] is True
    assert "Lò Văn Páo" in payload["row"]
    assert payload["counts"]["attended"] == 1
    assert payload["counts"]["interested"] == 1

    bad = officer_client.post(
        f"/sessions/{held.id}/attendance",
        data=form_data(places, full_name="Giàng Thị Dợ", phone="12345"),
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 422
    assert "phone" in bad.get_json()["errors"]
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 1


def test_a_malformed_phone_changes_nothing(officer_client, held, places):
    response = officer_client.post(
        f"/sessions/{held.id}/attendance", data=form_data(places, phone="0912 34")
    )
    assert response.status_code == 422
    assert "0912 34" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0


def test_attendance_is_not_taken_for_a_session_that_has_not_happened(officer, places, app):
    later = factories.session(officer, places.commune, day=today_local() + timedelta(days=3))
    with pytest.raises(PlannerError, match="chưa diễn ra"):
        record_attendance(later, row(), officer)


def test_attendance_is_not_taken_for_a_cancelled_session(officer, held):
    set_status(held, SessionStatus.CANCELLED, "Mưa lũ")
    with pytest.raises(PlannerError, match="đã bị hủy"):
        record_attendance(held, row(), officer)


# --- One person, however many sessions --------------------------------------------------------


def test_the_same_phone_and_name_is_the_same_person_at_a_later_session(officer, places, held):
    record_attendance(held, row(phone="0912345678", birth_year=1985), officer)
    second = factories.session(officer, places.commune, day=today_local())
    record_attendance(second, row(full_name="LO VAN PAO", phone="+84 912 345 678"), officer)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 1
    assert db.session.scalars(sa.select(Person.full_name)).one() == "Lò Văn Páo"
    assert office_reach(officer.office_id) == (1, 2)


def test_a_shared_household_phone_with_another_name_is_another_person(officer, held):
    record_attendance(held, row(full_name="Lò Văn Páo", phone="0912345678"), officer)
    record_attendance(held, row(full_name="Lò Thị Mai", phone="0912345678"), officer)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 2
    assert session_counts(held.id).attended == 2


def test_the_same_cccd_is_the_same_person_even_without_a_phone(officer, places, held):
    record_attendance(held, row(cccd="010085012345", phone="0912345678"), officer)
    second = factories.session(officer, places.commune, day=today_local())
    record_attendance(second, row(full_name="Lò Văn Pao", cccd="010085012345"), officer)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 1


def test_a_person_cannot_be_listed_twice_at_one_session(officer_client, held, places):
    officer_client.post(f"/sessions/{held.id}/attendance", data=form_data(places))
    again = officer_client.post(f"/sessions/{held.id}/attendance", data=form_data(places))
    assert again.status_code == 422
    assert "đã có trong danh sách" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 1


def test_consent_is_what_the_person_said_last(officer, places, held):
    record_attendance(held, row(phone="0912345678", consent_contact=True), officer)
    second = factories.session(officer, places.commune, day=today_local())
    record_attendance(second, row(phone="0912345678", consent_contact=False), officer)
    db.session.commit()
    person = db.session.scalars(sa.select(Person)).one()
    assert person.consent_contact is False


def test_people_without_consent_are_marked_do_not_call(officer_client, held, places):
    officer_client.post(
        f"/sessions/{held.id}/attendance", data=form_data(places, consent_contact=None)
    )
    person = db.session.scalars(sa.select(Person)).one()
    assert person.consent_contact is False
    page = officer_client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "tel:" not in page
    assert "không gọi" in page.lower()


def test_recording_sends_attendance_recorded_inside_the_transaction(officer, held):
    seen = []

    def receiver(attendance, user):
        seen.append((attendance.person.full_name, attendance.interest, attendance.id, user))

    with attendance_recorded.connected_to(receiver):
        record_attendance(held, row(interest=Interest.HOUSEHOLD_HI), officer)
    assert seen == [("Lò Văn Páo", Interest.HOUSEHOLD_HI, seen[0][2], officer)]
    assert seen[0][2] is not None


def test_changing_interest_sends_the_signal_again(officer_client, officer, held, places):
    attendance = record_attendance(held, row(), officer)
    db.session.commit()
    seen = []
    with attendance_recorded.connected_to(lambda a, **_kwargs: seen.append(a.interest)):
        officer_client.post(
            f"/attendance/{attendance.id}/edit", data={"interest": "both", "notes": "Hẹn gọi lại"}
        )
        officer_client.post(
            f"/attendance/{attendance.id}/edit", data={"interest": "both", "notes": "Đã gọi"}
        )
    assert seen == [Interest.BOTH]


# --- Audit and scoping -------------------------------------------------------------------------


def test_every_change_to_a_person_is_audited_with_who_and_what(
    officer_client, officer, held, places
):
    officer_client.post(f"/sessions/{held.id}/attendance", data=form_data(places))
    person = db.session.scalars(sa.select(Person)).one()
    officer_client.post(
        f"/people/{person.id}/edit",
        data={
            "full_name": "Lò Văn Páo",
            "birth_year": "1985",
            "gender": "male",
            "village_id": str(places.village.id),
            "phone": "0987 654 321",
            "priority_group": "poor",
            "has_health_insurance": "yes",
        },
    )
    # Follow-ups audit their own changes; here we look at people and attendance only.
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity.in_(["person", "attendance"]))
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.entity, e.action) for e in entries] == [
        ("person", "create"),
        ("attendance", "create"),
        ("person", "update"),
    ]
    assert all(e.user_id == officer.id for e in entries)
    change = entries[-1].changes
    assert change["phone"] == ["+84912345678", "+84987654321"]
    assert change["consent_contact"] == [True, False]
    assert change["has_health_insurance"] == [False, True]


def test_another_offices_people_and_sessions_are_not_found(client, held, places, officer):
    record_attendance(held, row(), officer)
    db.session.commit()
    person = db.session.scalars(sa.select(Person)).one()
    other = factories.office(name="Bảo hiểm xã hội tỉnh Lai Châu", province="Lai Châu")
    stranger = factories.user(other, username="toan", full_name="Vàng A Toàn")
    db.session.commit()
    from tests.conftest import login

    login(client, stranger)
    for url in (
        f"/people/{person.id}",
        f"/people/{person.id}/edit",
        f"/sessions/{held.id}/attendance",
        f"/sessions/{held.id}/import",
        f"/sessions/{held.id}/check-in",
        f"/sessions/{held.id}/attendance.csv",
        f"/attendance/{person.attendances[0].id}/edit",
        f"/people/merge?first={person.id}&second={person.id + 1}",
    ):
        assert client.get(url).status_code == 404, url
    listing = client.get("/people?q=pao").get_data(as_text=True)
    assert "Lò Văn Páo" not in listing


def test_the_people_list_finds_names_without_diacritics_and_counts_reach(
    officer_client, officer, held, places
):
    record_attendance(held, row(full_name="Lò Văn Páo", phone="0912345678"), officer)
    record_attendance(held, row(full_name="Giàng Thị Dợ", phone="0987654321"), officer)
    db.session.commit()
    page = officer_client.get("/people?q=lo van pao").get_data(as_text=True)
    assert "Lò Văn Páo" in page and "Giàng Thị Dợ" not in page
    by_phone = officer_client.get("/people?q=0987654321").get_data(as_text=True)
    assert "Giàng Thị Dợ" in by_phone and "Lò Văn Páo" not in by_phone
    reach = officer_client.get("/people/reach").get_data(as_text=True)
    assert "2 người" in reach


def test_the_person_page_shows_the_sessions_attended(officer_client, officer, held):
    attendance = record_attendance(held, row(interest=Interest.BOTH), officer)
    db.session.commit()
    page = officer_client.get(f"/people/{attendance.person_id}").get_data(as_text=True)
    assert f"/sessions/{held.id}" in page
    assert "Cả hai" in page


def test_the_person_list_loads_in_a_fixed_number_of_queries(
    officer_client, officer, held, count_queries
):
    for number in range(12):
        record_attendance(
            held, row(full_name=f"Người {number}", phone=f"09123450{number:02d}"), officer
        )
    db.session.commit()
    few = count_queries.page(officer_client, "/people")
    for number in range(12, 30):
        record_attendance(
            held, row(full_name=f"Người {number}", phone=f"09123450{number:02d}"), officer
        )
    db.session.commit()
    assert count_queries.page(officer_client, "/people") == few


def test_the_session_page_loads_its_attendees_in_a_fixed_number_of_queries(
    officer_client, officer, held, count_queries
):
    for number in range(5):
        record_attendance(
            held, row(full_name=f"Người {number}", phone=f"09123450{number:02d}"), officer
        )
    db.session.commit()
    few = count_queries.page(officer_client, f"/sessions/{held.id}")
    for number in range(5, 15):
        record_attendance(
            held, row(full_name=f"Người {number}", phone=f"09123450{number:02d}"), officer
        )
    db.session.commit()
    assert count_queries.page(officer_client, f"/sessions/{held.id}") == few
    assert "Người 14" in officer_client.get(f"/sessions/{held.id}").get_data(as_text=True)


def test_the_session_page_names_every_co_facilitator_and_counts_its_list_as_the_sheet_does(
    officer_client, office, officer, supervisor, places
):
    # The co-facilitators come joined with the session (a row each), the attendees with their
    # people: every one of them shows, and the counts above the list, made from the rows the
    # page loaded, are those the quick add form answers with (counted in SQL).
    colleague = factories.user(office, username="sua", full_name="Giàng Thị Sua", phone="")
    session = factories.session(
        officer,
        places.commune,
        day=today_local() - timedelta(days=1),
        venue=places.house,
        partner_id=places.partner.id,
        facilitator_ids=[supervisor.id, colleague.id],
    )
    interested = ff.person(office, full_name="Lò Văn Páo", phone="+84912000101")
    ff.attend(session, interested, vsi=True)
    on_the_spot = ff.attend(
        session, ff.person(office, full_name="Vàng A Dình", phone="+84912000102", consent=False)
    )
    on_the_spot.registered_on_spot = True
    ff.attend(session, ff.person(office, full_name="Sùng Thị Mỷ", phone="+84912000103"), hhi=True)
    waiting = ff.person(office, full_name="Thào A Chứ", phone="+84912000104")
    ff.attend(session, waiting, confirmed=False)
    db.session.commit()

    page = officer_client.get(f"/sessions/{session.id}").get_data(as_text=True)

    assert "<dd>Giàng Thị Sua, Nguyễn Thị Hoa</dd>" in page
    assert "Thào A Chứ" in page.split('id="check-ins"')[1]
    counts = session_counts(session.id)
    assert (counts.attended, counts.interested, counts.registered, counts.consenting) == (
        3,
        2,
        1,
        2,
    )
    for name, value in vars(counts).items():
        if name != "unconfirmed":
            assert f'<strong data-count="{name}">{value}</strong>' in page


def test_editing_a_person_checks_the_cccd_too(officer_client, officer, held, places):
    person = record_attendance(held, row(birth_year=1985, gender=Gender.MALE), officer).person
    db.session.commit()
    response = officer_client.post(
        f"/people/{person.id}/edit",
        data={
            "full_name": "Lò Văn Páo",
            "birth_year": "1985",
            "gender": "male",
            "cccd": "010190012345",
            "priority_group": "other",
        },
    )
    assert response.status_code == 422
    assert "sinh năm 1990" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, person.id).cccd is None


def test_demo_attendance_fills_past_sessions_once(officer, held):
    from planner.people.demo import DEMO_ATTENDEES, add_demo_attendance
    from planner.people.duplicates import likely_duplicates

    assert add_demo_attendance(held.lead_officer.office) == len(DEMO_ATTENDEES)
    assert add_demo_attendance(held.lead_officer.office) == 0
    assert len(likely_duplicates(officer.office_id)) == 1
