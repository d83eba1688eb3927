"""Printed matter is in its own language (Vietnamese) whatever the screen's language, and officers
are told, when they plan a session and before they print, which languages its flyer prints in."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from planner.enums import Language, PriorityGroup, SessionKind, Topic
from planner.extensions import db
from planner.people.models import Attendance, Gender, Person
from planner.printing import packet, settings, talking_points
from planner.printing.languages import flyer_languages, languages_with_talking_points
from planner.scope import Scope, ScopeKind
from tests import factories
from tests.test_printing import flat_text
from tests.test_sessions import edit_form

SUNDAY = date(2026, 12, 6)
# What the English screen would say in a Vietnamese document.
ENGLISH = ("Village meeting", "Commune Bắc Hà", "Sunday", "Voluntary SI", "Household HI", "Hmong")
ENGLISH += ("Poor household", "Near-poor", "Female", "Ethnic minority", "Village (thôn)")


@pytest.fixture
def village_meeting(officer, places):
    factories.rates()
    talking_points.seed_talking_points()
    session = factories.session(
        officer,
        places.commune,
        day=SUNDAY,
        venue=places.house,
        kind=SessionKind.VILLAGE_MEETING,
        topic=Topic.BOTH,
        partner_id=places.partner.id,
        title="Họp thôn Na Hối",
        expected_attendance=10,
    )
    db.session.commit()
    return session


@pytest.fixture
def english_client(officer_client):
    response = officer_client.get("/language/en?next=/")
    assert response.status_code == 302
    page = officer_client.get("/").get_data(as_text=True)
    assert 'lang="en"' in page  # the screen is English from here on
    return officer_client


def assert_vietnamese(text: str) -> None:
    for english in ENGLISH:
        assert english not in text, english


def test_the_flyer_prints_in_vietnamese_from_an_english_screen(
    english_client, officer, village_meeting
):
    settings.save_print_settings(officer.office_id, "a4", [], 5, by=officer)

    response = english_client.get(f"/printing/sessions/{village_meeting.id}/flyer.pdf")

    assert response.status_code == 200
    text = flat_text(response.data)
    assert "Họp thôn, bản" in text
    assert "Xã Bắc Hà" in text and "Thôn Na Hối" in text
    assert "Chủ Nhật, 06/12/2026" in text
    assert "Địa điểm:" in text and "Cán bộ:" in text and "Phối hợp:" in text
    # The cost table's groups are labels too.
    assert "Hộ nghèo" in text and "Hộ cận nghèo" in text and "Đối tượng khác" in text
    assert_vietnamese(text)


def test_the_sheet_prints_in_vietnamese_from_an_english_screen(
    english_client, officer, village_meeting
):
    person = Person(
        office_id=officer.office_id,
        full_name="Giàng Thị Mỷ",
        gender=Gender.FEMALE,
        priority_group=PriorityGroup.NEAR_POOR,
        has_health_insurance=True,
    )
    db.session.add(person)
    db.session.flush()
    db.session.add(
        Attendance(office_id=officer.office_id, session_id=village_meeting.id, person_id=person.id)
    )
    db.session.commit()

    response = english_client.get(f"/printing/sessions/{village_meeting.id}/sheet.pdf")

    assert response.status_code == 200
    text = flat_text(response.data)
    assert "DANH SÁCH NGƯỜI THAM DỰ" in text
    assert "Họp thôn, bản" in text and "Xã Bắc Hà" in text
    assert "Chủ Nhật, 06/12/2026" in text
    assert "Nữ" in text and "Hộ cận nghèo" in text
    assert "Họ và tên" in text and "Ký tên hoặc điểm chỉ" in text
    assert "Bắc Hà, ngày" in text
    assert_vietnamese(text)


def test_the_second_language_is_named_in_vietnamese_from_an_english_screen(
    english_client, officer, village_meeting
):
    settings.save_print_settings(officer.office_id, "a4", [], 5, by=officer)
    village_meeting.language = Language.HMONG
    talking_points.save_talking_point(
        officer.office_id, Topic.VOLUNTARY_SI, Language.HMONG, "Kev pov hwm rau neeg laus.", officer
    )
    db.session.commit()

    text = flat_text(english_client.get(f"/printing/sessions/{village_meeting.id}/flyer.pdf").data)

    assert "Kev pov hwm rau neeg laus." in text
    assert "TIẾNG MÔNG" in text and "HMONG" not in text


def test_the_quote_sheet_prints_in_vietnamese_from_an_english_screen(english_client, officer):
    factories.rates()
    db.session.commit()

    response = english_client.get(
        "/printing/quote.pdf?group=near_poor&income=1500000&months=6&members=2&on=2026-01-15"
    )

    assert response.status_code == 200
    text = flat_text(response.data)
    assert "Hộ cận nghèo" in text
    assert_vietnamese(text)


def test_the_week_plan_names_a_commune_in_vietnamese_whatever_the_screen(
    app, officer, places, village_meeting
):
    with force_locale("en"):
        scope = Scope(
            ScopeKind.COMMUNE,
            officer.office_id,
            commune_id=places.commune.id,
            title=places.commune.display_name,
        )
        assert scope.title == "Commune Bắc Hà"  # as the English screen named it
        assert packet.plan_title(scope, officer.office) == "Xã Bắc Hà"
        html = packet.week_plan_html(officer.office, SUNDAY, [village_meeting], "Xã Bắc Hà")
    assert "Họp thôn, bản" in html and "Chủ Nhật" in html and "Đã lên lịch" in html
    assert_vietnamese(html)


# --- Which languages a flyer prints in ------------------------------------------------------


def test_a_session_in_hmong_without_hmong_talking_points_prints_vietnamese_only(
    officer, village_meeting
):
    languages = flyer_languages(officer.office_id, Topic.BOTH, Language.HMONG)

    assert languages.printed == (Language.VIETNAMESE,)
    assert not languages.complete
    assert languages.vietnamese_only == (Topic.VOLUNTARY_SI, Topic.HOUSEHOLD_HI)
    assert "chỉ in tiếng Việt" in languages.message
    assert "Tiếng Mông" in languages.message


def test_talking_points_on_one_topic_of_two_print_that_topic_in_both_languages(
    officer, village_meeting
):
    talking_points.save_talking_point(
        officer.office_id, Topic.HOUSEHOLD_HI, Language.DAO, "Mienh nyei kaengc.", officer
    )

    both = flyer_languages(officer.office_id, Topic.BOTH, Language.DAO)
    one = flyer_languages(officer.office_id, Topic.HOUSEHOLD_HI, Language.DAO)
    other = flyer_languages(officer.office_id, Topic.VOLUNTARY_SI, Language.DAO)

    assert both.printed == (Language.VIETNAMESE, Language.DAO)
    assert both.vietnamese_only == (Topic.VOLUNTARY_SI,) and not both.complete
    assert "BHXH tự nguyện" in both.message
    assert one.complete and one.message == "Tờ rơi in bằng tiếng Việt và Tiếng Dao."
    assert other.printed == (Language.VIETNAMESE,) and not other.complete
    assert languages_with_talking_points(officer.office_id) == [Language.DAO]


def test_a_vietnamese_session_always_prints_complete(officer, village_meeting):
    languages = flyer_languages(officer.office_id, Topic.BOTH, Language.VIETNAMESE)

    assert languages.complete and languages.printed == (Language.VIETNAMESE,)
    assert languages.message == "Tờ rơi in bằng tiếng Việt."


def test_the_print_panel_says_which_languages_print(officer_client, officer, village_meeting):
    url = f"/sessions/{village_meeting.id}"
    assert "Tờ rơi in bằng tiếng Việt." in officer_client.get(url).get_data(as_text=True)

    village_meeting.language = Language.TAY
    db.session.commit()
    page = officer_client.get(url).get_data(as_text=True)

    assert "chưa có nội dung tuyên truyền bằng Tiếng Tày" in page
    assert "alert-warning print-languages" in page


def test_the_print_panel_of_a_session_in_tay_reads_its_talking_points_once(
    officer_client, officer, village_meeting, count_queries
):
    # The flyer's texts (checked for printable characters) and the languages it prints in come
    # from the same talking points: one query, not one each.
    village_meeting.language = Language.TAY
    db.session.commit()
    url = f"/sessions/{village_meeting.id}"
    officer_client.get(url)

    with count_queries() as statements:
        page = officer_client.get(url).get_data(as_text=True)

    assert "chưa có nội dung tuyên truyền bằng Tiếng Tày" in page
    assert sum("FROM talking_point" in statement for statement in statements) == 1


def test_planning_a_session_in_hmong_says_the_flyer_prints_vietnamese_only(
    officer_client, officer, places
):
    factories.rates()
    talking_points.seed_talking_points()
    db.session.commit()
    form = officer_client.get("/sessions/new").get_data(as_text=True)
    assert "Tờ rơi chỉ in tiếng Việt: chưa có nội dung tuyên truyền bằng ngôn ngữ nào khác." in form

    response = officer_client.post(
        "/sessions/new",
        data=factories.session_form(places, officer, day=SUNDAY, language="hmn"),
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "Buổi này nói bằng Tiếng Mông nhưng chưa có nội dung tuyên truyền" in page
    assert "flash-warning" in page


def test_planning_a_session_in_a_language_with_talking_points_says_nothing_more(
    officer_client, officer, places
):
    factories.rates()
    talking_points.seed_talking_points()
    for topic in (Topic.VOLUNTARY_SI, Topic.HOUSEHOLD_HI):
        talking_points.save_talking_point(
            officer.office_id, topic, Language.HMONG, "Kev pov hwm.", officer
        )
    form = officer_client.get("/sessions/new").get_data(as_text=True)
    assert "với buổi nói bằng Tiếng Mông thì in thêm ngôn ngữ đó" in form

    response = officer_client.post(
        "/sessions/new",
        data=factories.session_form(places, officer, day=SUNDAY, language="hmn"),
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "flash-warning" not in page
    assert "Tờ rơi in bằng tiếng Việt và Tiếng Mông." in page


def test_editing_a_session_into_a_language_without_talking_points_says_so(
    officer_client, officer, places, village_meeting
):
    form = edit_form(officer_client, village_meeting.id)

    response = officer_client.post(
        f"/sessions/{village_meeting.id}/edit",
        data={**form, "language": "giay"},
        follow_redirects=True,
    )

    assert "Buổi này nói bằng Tiếng Giáy nhưng chưa có nội dung" in response.get_data(as_text=True)
