"""A province's years of data: every list shows one page in a fixed number of queries, search
goes through indexes, and the database keeps the statistics its planner needs."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from planner.accounts.models import Office
from planner.audit.services import record
from planner.extensions import db
from planner.people.attendance import people_reach
from planner.people.duplicates import DUPLICATE_GROUPS_PER_PAGE, duplicates_page
from planner.people.identity import update_person
from planner.people.models import Person
from planner.places.models import Commune, Village
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff


def add_people(office: Office, places, officer, n: int, start: int) -> list[Person]:
    """`n` people at sessions of the last weeks, each a phone and a record in the audit trail."""
    session = factories.session(officer, places.commune, day=today_local() - timedelta(days=3))
    people = []
    for i in range(start, start + n):
        person = ff.person(
            office, full_name=f"Hoàng Thị Mỷ {i}", phone=f"+8491{i:07d}", village=places.village
        )
        ff.attend(session, person, signal=False)
        record(office.id, "person", person.id, "create", {}, officer.id)
        people.append(person)
    db.session.commit()
    return people


def test_the_people_list_search_and_audit_keep_their_query_count_as_people_are_added(
    supervisor_client, office, supervisor, places, count_queries
):
    urls = ["/people", "/people?q=hoang thi", "/people?q=0910 000", "/people/duplicates", "/audit"]
    add_people(office, places, supervisor, 3, 0)
    few = {url: count_queries.page(supervisor_client, url) for url in urls}
    add_people(office, places, supervisor, 60, 3)
    many = {url: count_queries.page(supervisor_client, url) for url in urls}
    assert many == few


def test_a_name_is_found_from_the_start_of_any_word_without_diacritics_or_case(
    officer_client, office, officer, places
):
    ff.person(office, full_name="Nguyễn Thị Thu Hà", phone="+84912000001")
    ff.person(office, full_name="Lò Văn Páo", phone="+84987000002")
    db.session.commit()
    for query in ("nguyen thi thu ha", "THU HA", "thi thu", "ha", "Hà", "nguy"):
        page = officer_client.get("/people", query_string={"q": query}).get_data(as_text=True)
        assert "Nguyễn Thị Thu Hà" in page, query
        assert "Lò Văn Páo" not in page, query
    assert "Lò Văn Páo" in officer_client.get("/people?q=pao").get_data(as_text=True)


def test_a_phone_is_found_from_its_first_digits_in_any_format(officer_client, office):
    ff.person(office, full_name="Giàng Thị Dợ", phone="+84987654321")
    ff.person(office, full_name="Lò Văn Páo", phone="+84912345678")
    db.session.commit()
    for query in ("0987654321", "0987 654", "+84 987 654 321", "84987", "987-654"):
        page = officer_client.get("/people", query_string={"q": query}).get_data(as_text=True)
        assert "Giàng Thị Dợ" in page, query
        assert "Lò Văn Páo" not in page, query


def test_a_renamed_person_is_found_by_the_new_name_only(officer_client, office, officer):
    person = ff.person(office, full_name="Vàng Thị Sua")
    db.session.commit()
    update_person(person, {"full_name": "Vàng Thị Mai"}, officer)
    db.session.commit()
    assert "Vàng Thị Mai" in officer_client.get("/people?q=mai").get_data(as_text=True)
    assert "Vàng Thị Mai" not in officer_client.get("/people?q=sua").get_data(as_text=True)


def test_likely_duplicates_come_a_page_at_a_time(officer_client, office, places):
    groups = DUPLICATE_GROUPS_PER_PAGE + 3
    for i in range(groups):
        for _copy in range(2):
            ff.person(office, full_name=f"Sùng A Chứ {i:02d}", phone=f"+8498{i:07d}")
    db.session.commit()
    first = duplicates_page(office.id, 1)
    second = duplicates_page(office.id, 2)
    assert len(first.pairs) == DUPLICATE_GROUPS_PER_PAGE and first.has_next
    assert len(second.pairs) == 3 and not second.has_next
    page = officer_client.get("/people/duplicates").get_data(as_text=True)
    assert page.count('class="card duplicate"') == DUPLICATE_GROUPS_PER_PAGE
    assert 'href="/people/duplicates?page=2"' in page
    assert "Trang sau →" in page and "Tuần sau" not in page  # a page, not a week
    last = officer_client.get("/people/duplicates?page=2").get_data(as_text=True)
    assert last.count('class="card duplicate"') == 3
    assert "← Trang trước" in last
    assert f"Sùng A Chứ {groups - 1:02d}" in last and "Sùng A Chứ 00" not in last


def test_the_enrolment_list_shows_a_page_and_counts_the_whole_period(
    supervisor_client, office, supervisor, places
):
    from planner.enrolments.services import EnrolmentInput, office_enrolments, record_enrolment
    from planner.followups.models import Product

    factories.rates()
    for i in range(7):
        person = ff.person(office, full_name=f"Người dân {i}", phone=f"+849130{i:05d}")
        record_enrolment(
            person,
            EnrolmentInput(
                product=Product.VOLUNTARY_SI,
                enrolled_on=today_local() - timedelta(days=i),
                receipt_number=f"BL-{i}",
                income=1_500_000,
            ),
            supervisor,
        )
    db.session.commit()
    last_week = (today_local() - timedelta(days=10), today_local())
    first = office_enrolments(office.id, *last_week, page=1, per_page=5)
    second = office_enrolments(office.id, *last_week, page=2, per_page=5)
    assert [e.receipt_number for e in first.items] == [f"BL-{i}" for i in range(5)]
    assert [e.receipt_number for e in second.items] == ["BL-5", "BL-6"]
    assert first.totals[Product.VOLUNTARY_SI] == 7 and first.pages == 2
    assert not second.has_next and second.has_prev


def test_the_session_page_offers_only_the_villages_of_the_session_commune(
    officer_client, office, officer, places
):
    elsewhere = Commune(office=office, name="Si Ma Cai", former_district="Si Ma Cai")
    elsewhere.villages = [Village(name="Cán Cấu")]
    db.session.add(elsewhere)
    session = factories.session(officer, places.commune, day=today_local())
    db.session.commit()
    page = officer_client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "Na Hối" in page and "Cốc Ly" in page
    assert "Cán Cấu" not in page


def test_reach_counts_distinct_people_all_time_and_this_year(office, officer, places):
    old = factories.session(officer, places.commune, day=today_local() - timedelta(days=400))
    recent = factories.session(officer, places.commune, day=today_local() - timedelta(days=1))
    sua, pao = ff.person(office, full_name="Giàng Thị Sua"), ff.person(office, full_name="Lò Páo")
    ff.attend(old, sua, signal=False)
    ff.attend(old, pao, signal=False)
    ff.attend(recent, sua, signal=False)
    ff.attend(recent, pao, confirmed=False, signal=False)
    db.session.commit()
    reach = people_reach(office.id, today_local() - timedelta(days=30))
    assert (reach.people, reach.attendances, reach.people_since) == (2, 3, 1)


def test_the_database_has_planner_statistics_after_refresh(app, office, places):
    from planner.database import refresh_statistics

    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its own statistics")
    refresh_statistics(db.engine)
    tables = db.session.scalars(sa.text("SELECT DISTINCT tbl FROM sqlite_stat1")).all()
    assert "village" in tables


@pytest.mark.parametrize(
    "path",
    [
        "/people?page=999999",
        "/people/duplicates?page=999999",
    ],
)
def test_a_page_past_the_last_is_a_404_not_an_empty_list(officer_client, office, path):
    """`?page=999999` used to answer an empty page saying nothing was recorded yet, with a
    link to page 999998; the first page of an empty list is still a page."""
    ff.person(office, full_name="Sùng A Chứ", phone="+84981234567")
    db.session.commit()
    assert officer_client.get(path).status_code == 404
    assert officer_client.get(path.replace("999999", "1")).status_code == 200


def test_a_page_of_the_audit_trail_past_its_last_is_a_404(supervisor_client):
    assert supervisor_client.get("/audit?page=999999").status_code == 404
    assert supervisor_client.get("/audit").status_code == 200
