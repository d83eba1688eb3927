"""Duplicates and merging, export and erasure, masking, and self check-in by QR code."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.people.attendance import office_reach, record_attendance, session_counts
from planner.people.checkin import check_in_token
from planner.people.duplicates import likely_duplicates, merge_people
from planner.people.identity import AttendeeInput, clean_attendee
from planner.people.models import Attendance, DistinctPeople, Interest, Person
from planner.people.signals import (
    attendance_recorded,
    person_erased,
    person_exported,
    persons_merged,
)
from planner.phones import mask_phone
from planner.timezones import today_local
from tests import factories


@pytest.fixture
def today(officer, places):
    session = factories.session(officer, places.commune, day=today_local(), venue=places.house)
    db.session.commit()
    return session


def add(session, officer, **values):
    values.setdefault("full_name", "Lò Văn Páo")
    return record_attendance(session, clean_attendee(AttendeeInput(**values)), officer)


# --- Duplicates --------------------------------------------------------------------------------


def test_same_name_year_and_village_is_proposed_as_a_duplicate(officer, held, places):
    add(held, officer, birth_year=1985, village_id=places.village.id, phone="0912345678")
    add(held, officer, full_name="LÒ VĂN PAO", birth_year=1985, village_id=places.village.id)
    add(held, officer, full_name="Lò Văn Páo", birth_year=1990, village_id=places.village.id)
    pairs = likely_duplicates(officer.office_id)
    assert len(pairs) == 1
    assert {pairs[0].first.birth_year, pairs[0].second.birth_year} == {1985}


def test_a_shared_phone_is_proposed_and_the_officer_can_keep_them_apart(
    officer_client, officer, held
):
    add(held, officer, full_name="Lò Văn Páo", phone="0912345678")
    add(held, officer, full_name="Lò Thị Mai", phone="0912345678")
    db.session.commit()
    page = officer_client.get("/people/duplicates").get_data(as_text=True)
    assert "Lò Văn Páo" in page and "Lò Thị Mai" in page
    first, second = db.session.scalars(sa.select(Person).order_by(Person.id)).all()
    officer_client.post("/people/distinct", data={"first": second.id, "second": first.id})
    assert likely_duplicates(officer.office_id) == []
    assert db.session.scalar(sa.select(sa.func.count(DistinctPeople.id))) == 1


def test_merging_moves_attendance_and_tells_other_domains(officer_client, officer, held, places):
    later = factories.session(officer, places.commune, day=today_local())
    kept = add(
        held,
        officer,
        full_name="Lò Văn Páo",
        phone="0912345678",
        consent_contact=True,
        interest=Interest.VOLUNTARY_SI,
    )
    db.session.commit()
    # The same man written again without his phone but with his CCCD: a second record.
    twin_same_session = add(
        held, officer, full_name="Lo Van Pao", cccd="010085012345", interest=Interest.HOUSEHOLD_HI
    )
    twin_later = record_attendance(
        later,
        clean_attendee(
            AttendeeInput(full_name="Lo Van Pao", cccd="010085012345", notes="Đến muộn")
        ),
        officer,
    )
    db.session.commit()
    assert twin_same_session.person_id == twin_later.person_id
    removed_id = twin_later.person_id
    seen = []
    with (
        persons_merged.connected_to(
            lambda sender, merged, **_kwargs: seen.append((sender.id, merged.id))
        ),
        attendance_recorded.connected_to(
            lambda a, **_kwargs: seen.append(("recorded", a.interest))
        ),
    ):
        response = officer_client.post(
            "/people/merge",
            data={"first": kept.person_id, "second": removed_id, "keep": kept.person_id},
        )
    assert response.status_code == 302
    db.session.expire_all()  # the merge ran in the request's own session
    assert seen[0] == (kept.person_id, removed_id)
    assert ("recorded", Interest.BOTH) in seen
    assert db.session.get(Person, removed_id) is None
    person = db.session.get(Person, kept.person_id)
    rows = db.session.scalars(sa.select(Attendance).where(Attendance.person_id == person.id)).all()
    assert sorted(a.session_id for a in rows) == sorted([held.id, later.id])
    assert next(a for a in rows if a.session_id == held.id).interest == Interest.BOTH
    assert person.birth_year == 1985  # filled from the removed record
    assert office_reach(officer.office_id) == (1, 2)
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.entity == "person")
    ).all()
    assert "merge" in actions and "merged_into" in actions


def test_merging_across_offices_is_impossible(officer, held):
    mine = add(held, officer).person
    other = factories.office(name="Bảo hiểm xã hội tỉnh Lai Châu", province="Lai Châu")
    theirs = Person(office_id=other.id, full_name="Lò Văn Páo")
    db.session.add(theirs)
    db.session.flush()
    from planner.errors import PlannerError

    with pytest.raises(PlannerError):
        merge_people(mine, theirs, officer)


def test_a_merge_without_a_choice_comes_back_with_the_reason_beside_the_choice(
    officer_client, officer, held
):
    first = add(held, officer, full_name="Lò Văn Páo", phone="0912345678").person
    second = add(held, officer, full_name="Lo Van Pao", cccd="010085012345").person
    db.session.commit()
    for keep in ("", "999999"):  # nothing chosen, or a record outside the pair
        response = officer_client.post(
            "/people/merge", data={"first": first.id, "second": second.id, "keep": keep}
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        # The reason sits inside the choice's fieldset, tied to it, not in a banner above.
        fieldset = page[page.index("<fieldset") : page.index("</fieldset>")]
        assert 'aria-describedby="keep-error"' in fieldset
        assert 'id="keep-error"' in fieldset and "Hãy chọn bản ghi cần giữ lại." in fieldset
        assert "alert-error" not in page
        assert "checked" not in fieldset  # nothing is chosen for the officer
    db.session.expire_all()
    assert db.session.get(Person, first.id) and db.session.get(Person, second.id)


def test_the_merge_page_keeps_the_record_that_was_chosen(officer_client, officer, held):
    first = add(held, officer, full_name="Lò Văn Páo", phone="0912345678").person
    second = add(held, officer, full_name="Lo Van Pao", cccd="010085012345").person
    db.session.commit()
    page = officer_client.get(f"/people/merge?first={first.id}&second={second.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count("checked") == 1
    assert html.index(f'value="{first.id}" checked') > 0


# --- Export and erasure ------------------------------------------------------------------------


def test_a_supervisor_exports_everything_about_one_person(supervisor_client, officer, held):
    person = add(
        held, officer, phone="0912345678", notes="=cmd|' /C calc'!A0", cccd="010085012345"
    ).person
    db.session.commit()

    def followups(sender):
        return ("follow_ups", [{"due_on": "2026-12-01", "outcome": "=1+1"}])

    with person_exported.connected_to(followups):
        response = supervisor_client.get(f"/people/{person.id}/export.json")
        as_csv = supervisor_client.get(f"/people/{person.id}/export.csv")
    data = json.loads(response.data)
    assert data["person"]["full_name"] == "Lò Văn Páo"
    assert data["person"]["cccd"] == "010085012345"
    assert data["attendance"][0]["session_id"] == held.id
    assert data["follow_ups"] == [{"due_on": "2026-12-01", "outcome": "=1+1"}]
    assert {e["action"] for e in data["audit"]} >= {"create"}
    lines = list(csv.reader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    values = [line[3] for line in lines[1:]]
    assert "'=cmd|' /C calc'!A0" in values
    assert "'=1+1" in values
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    exports = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert len(exports) == 2


def test_officers_cannot_export_or_erase(officer_client, officer, held):
    person = add(held, officer).person
    db.session.commit()
    assert officer_client.get(f"/people/{person.id}/export.json").status_code == 403
    assert (
        officer_client.post(f"/people/{person.id}/erase", data={"confirm": "y"}).status_code == 403
    )


def test_erasing_keeps_the_counts_and_removes_the_personal_data(supervisor_client, officer, held):
    person = add(
        held,
        officer,
        phone="0912345678",
        cccd="010085012345",
        notes="Nhà cạnh trường",
        interest=Interest.VOLUNTARY_SI,
        consent_contact=True,
    ).person
    add(held, officer, full_name="Giàng Thị Dợ")
    db.session.commit()
    before = session_counts(held.id)
    erased = []
    with person_erased.connected_to(lambda sender, **_kwargs: erased.append(sender.id)):
        refused = supervisor_client.post(f"/people/{person.id}/erase", data={})
        assert refused.status_code == 422
        response = supervisor_client.post(f"/people/{person.id}/erase", data={"confirm": "y"})
    assert response.status_code == 302
    assert erased == [person.id]
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.erased_at is not None
    assert "Páo" not in person.full_name
    assert (person.phone, person.cccd, person.notes, person.birth_year) == (None, None, "", None)
    assert person.consent_contact is False
    after = session_counts(held.id)
    assert (after.attended, after.interested) == (before.attended, before.interested)
    trail = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.entity == "person", AuditEntry.entity_id == person.id
        )
    ).all()
    assert "+84912345678" not in json.dumps([e.changes for e in trail])
    assert trail[-1].action == "erase"
    page = supervisor_client.get(f"/sessions/{held.id}").get_data(as_text=True)
    assert "Lò Văn Páo" not in page and "Giàng Thị Dợ" in page


def test_phones_can_be_masked_on_lists_and_downloads(officer_client, officer, held):
    add(held, officer, phone="0912345678")
    db.session.commit()
    masked = mask_phone("+84912345678")
    assert masked.endswith("678") and "345" not in masked
    page = officer_client.get(f"/sessions/{held.id}?mask=1").get_data(as_text=True)
    assert masked in page and "0912 345 678" not in page
    download = officer_client.get(f"/sessions/{held.id}/attendance.csv").data.decode("utf-8-sig")
    assert masked in download and "0912 345 678" not in download
    full = officer_client.get(f"/sessions/{held.id}/attendance.csv?mask=0").data.decode("utf-8-sig")
    assert "0912 345 678" in full


def test_list_downloads_neutralise_formulas(officer_client, officer, held):
    add(held, officer, full_name="Lò Văn Páo", notes="@SUM(A1:A9)")
    db.session.commit()
    text = officer_client.get(f"/sessions/{held.id}/attendance.csv").data.decode("utf-8-sig")
    assert "'@SUM(A1:A9)" in text


# --- Self check-in -----------------------------------------------------------------------------


def test_self_check_in_on_the_day_adds_an_unconfirmed_attendee(client, today, places):
    url = f"/c/{check_in_token(today)}"
    page = client.get(url)
    assert page.status_code == 200
    assert "CCCD" not in page.get_data(as_text=True)
    response = client.post(
        url,
        data={
            "full_name": "Sùng Thị Mỷ",
            "phone": "0987 654 321",
            "village_id": str(places.village.id),
            "interest": "household_hi",
            "consent_contact": "y",
        },
    )
    assert response.status_code == 200
    person = db.session.scalars(sa.select(Person)).one()
    attendance = db.session.scalars(sa.select(Attendance)).one()
    assert (person.confirmed, attendance.confirmed) == (False, False)
    assert person.consent_contact is True
    assert session_counts(today.id).attended == 0
    assert session_counts(today.id).unconfirmed == 1
    entry = db.session.scalars(sa.select(AuditEntry)).first()
    assert entry.user_id is None


def test_self_check_in_is_refused_on_another_day(client, held):
    response = client.get(f"/c/{check_in_token(held)}")
    assert response.status_code == 403
    post = client.post(f"/c/{check_in_token(held)}", data={"full_name": "Sùng Thị Mỷ"})
    assert post.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0


def test_a_forged_check_in_link_is_not_found(client, today):
    assert client.get(f"/c/{check_in_token(today)}x").status_code == 404
    assert client.get("/c/1").status_code == 404


def test_the_public_form_reveals_nothing_about_other_attendees(client, officer, today):
    add(today, officer, full_name="Lò Văn Páo", phone="0912345678")
    db.session.commit()
    url = f"/c/{check_in_token(today)}"
    form = {"full_name": "Lò Văn Páo", "phone": "0912345678", "interest": "none"}
    for response in (client.get(url), client.post(url, data=form)):
        text = response.get_data(as_text=True)
        assert "0912" not in text.replace('value="0912345678"', "")
        assert "Lý Thị Mai" not in text


def test_confirming_a_check_in_of_a_known_person_uses_their_record(
    officer_client, officer, held, today
):
    known = add(held, officer, full_name="Lò Văn Páo", phone="0912345678").person
    db.session.commit()
    client = officer_client.application.test_client()
    client.post(
        f"/c/{check_in_token(today)}",
        data={
            "full_name": "lo van pao",
            "phone": "0912 345 678",
            "interest": "voluntary_si",
            "consent_contact": "y",
        },
    )
    waiting = db.session.scalars(sa.select(Attendance).where(Attendance.confirmed.is_(False))).one()
    signals = []
    with attendance_recorded.connected_to(lambda a, **_kwargs: signals.append(a.person_id)):
        officer_client.post(f"/attendance/{waiting.id}/confirm")
    assert signals == [known.id]
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 1
    assert office_reach(officer.office_id) == (1, 2)


def test_an_officer_can_reject_a_prank_check_in(officer_client, today):
    client = officer_client.application.test_client()
    client.post(f"/c/{check_in_token(today)}", data={"full_name": "Ai đó", "interest": "none"})
    waiting = db.session.scalars(sa.select(Attendance)).one()
    officer_client.post(f"/attendance/{waiting.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0


def test_the_session_page_offers_a_qr_code(officer_client, today):
    response = officer_client.get(f"/sessions/{today.id}/check-in")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<svg" in page
    assert check_in_token(today) in page


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "CHECKIN_RATE_LIMIT": "3 per minute"}

    def test_the_public_form_is_rate_limited(self, client, today):
        from planner.extensions import limiter

        limiter.reset()
        url = f"/c/{check_in_token(today)}"
        codes = [
            client.post(url, data={"full_name": f"Người {n}", "interest": "none"}).status_code
            for n in range(5)
        ]
        assert codes[:3] == [200, 200, 200]
        assert codes[3:] == [429, 429]


# --- The audit trail page ----------------------------------------------------------------------


def test_supervisors_read_the_audit_trail_of_their_office_only(supervisor_client, officer, held):
    attendance = add(held, officer, full_name="Lò Văn Páo", phone="0912345678")
    other = factories.office(name="Bảo hiểm xã hội tỉnh Lai Châu", province="Lai Châu")
    from planner.audit.services import record

    record(other.id, "person", 999, "create", {"full_name": "Người tỉnh khác"}, None)
    db.session.commit()
    page = supervisor_client.get("/audit").get_data(as_text=True)
    assert "Lý Thị Mai" in page  # who
    assert "Lò Văn Páo" in page  # what
    assert "Người tỉnh khác" not in page
    only_attendance = supervisor_client.get("/audit?entity=attendance").get_data(as_text=True)
    # The attendance row's entry names its person; the person's own entries are filtered out.
    assert "Lượt tham dự: Lò Văn Páo tại buổi" in only_attendance
    assert f'href="/people/{attendance.person_id}"' not in only_attendance
    assert f'href="/people/{attendance.person_id}"' in page


def test_the_audit_trail_loads_in_a_fixed_number_of_queries(
    supervisor_client, office, officer, supervisor, held, count_queries
):
    from planner.audit.services import record

    add(held, officer, full_name="Lò Văn Páo", phone="0912345678")
    db.session.commit()
    few = count_queries.page(supervisor_client, "/audit")
    # A page of entries by many officers, about people and attendance rows.
    colleagues = [
        factories.user(office, username=f"cb{n}", full_name=f"Cán bộ {n}") for n in range(6)
    ]
    for n in range(45):
        by = colleagues[n % len(colleagues)]
        entity = "person" if n % 2 else "attendance"
        record(office.id, entity, 1000 + n, "update", {"full_name": f"Người {n}"}, user_id=by.id)
    db.session.commit()
    page = supervisor_client.get("/audit").get_data(as_text=True)
    assert "Cán bộ 5" in page and "Người 44" in page
    assert count_queries.page(supervisor_client, "/audit") == few


def test_officers_cannot_read_the_audit_trail(officer_client):
    assert officer_client.get("/audit").status_code == 403


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_the_public_form_needs_its_csrf_token(self, client, today):
        url = f"/c/{check_in_token(today)}"
        refused = client.post(url, data={"full_name": "Sùng Thị Mỷ", "interest": "none"})
        assert refused.status_code == 400
        assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0
        page = client.get(url).get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        accepted = client.post(
            url, data={"full_name": "Sùng Thị Mỷ", "interest": "none", "csrf_token": token}
        )
        assert accepted.status_code == 200
        assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 1


def test_xlsx_list_downloads_hold_no_formulas(officer_client, officer, held):
    from openpyxl import load_workbook

    add(held, officer, full_name="Lò Văn Páo", notes='=HYPERLINK("http://x")')
    db.session.commit()
    data = officer_client.get(f"/sessions/{held.id}/attendance.xlsx").data
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert '\'=HYPERLINK("http://x")' in [c.value for c in cells]


def test_an_erased_person_cannot_be_edited(supervisor_client, officer, held):
    person = add(held, officer).person
    db.session.commit()
    supervisor_client.post(f"/people/{person.id}/erase", data={"confirm": "y"})
    assert supervisor_client.get(f"/people/{person.id}/edit").status_code == 404
    page = supervisor_client.get(f"/people/{person.id}").get_data(as_text=True)
    assert f"Người đã xóa dữ liệu số {person.id}" in page


def test_no_follow_up_or_enrolment_can_be_started_for_an_erased_person(
    supervisor_client, officer, held
):
    # The enrolment form answered 404 for an erased person; the follow-up form opened and only
    # its save was refused. Both now answer 404 through scoping.person_for_new_record.
    person = add(held, officer, consent_contact=True).person
    db.session.commit()
    assert supervisor_client.get(f"/follow-ups/new?person={person.id}").status_code == 200
    assert supervisor_client.get(f"/enrolments/new?person={person.id}").status_code == 200
    supervisor_client.post(f"/people/{person.id}/erase", data={"confirm": "y"})
    assert supervisor_client.get(f"/follow-ups/new?person={person.id}").status_code == 404
    assert supervisor_client.get(f"/enrolments/new?person={person.id}").status_code == 404
    assert supervisor_client.get("/follow-ups/new").status_code == 404
