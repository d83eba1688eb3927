"""After a village meeting an officer types three people from the paper sheet into the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from planner.extensions import db
from planner.people.models import Attendance, Person
from planner.timezones import today_local
from tests import factories
from tests.browser.conftest import log_in

ATTENDEES = [
    {
        "name": "Lò Văn Páo",
        "year": "1985",
        "gender": "male",
        "phone": "0912 345 678",
        "interest": "voluntary_si",
        "consent": True,
    },
    {
        "name": "Giàng Thị Dợ",
        "year": "1990",
        "gender": "female",
        "phone": "0987 654 321",
        "interest": "household_hi",
        "consent": True,
    },
    {
        "name": "Vàng A Sử",
        "year": "1978",
        "gender": "male",
        "phone": "",
        "interest": "none",
        "consent": False,
    },
]


@pytest.fixture
def held(officer, places):
    session = factories.session(
        officer,
        places.commune,
        day=today_local() - timedelta(days=1),
        venue=places.house,
        title="Họp thôn Na Hối",
    )
    db.session.commit()
    return session


def fill_attendee(page, attendee: dict) -> None:
    form = page.locator("form.attendance-form")
    form.locator("#full_name").fill(attendee["name"])
    form.locator("#birth_year").fill(attendee["year"])
    form.locator("#gender").select_option(attendee["gender"])
    form.locator("#phone").fill(attendee["phone"])
    form.locator(f'input[name="interest"][value="{attendee["interest"]}"]').check()
    if attendee["consent"]:
        form.locator("#consent_contact").check()


def test_officer_records_three_attendees_without_reloading(page, live_server, officer, held):
    log_in(page, live_server, officer.username, factories.PASSWORD)
    page.goto(f"{live_server}/sessions/{held.id}")
    page.evaluate("window.__notReloaded = true")
    rows = page.locator("table.attendees tbody tr")

    for number, attendee in enumerate(ATTENDEES, start=1):
        fill_attendee(page, attendee)
        page.click("form.attendance-form button[type=submit]")
        expect(rows).to_have_count(number)
        assert (
            page.locator("[data-status]").inner_text()
            == f"Đã thêm {attendee['name']} vào danh sách."
        )
        assert page.evaluate("document.activeElement.id") == "full_name"

    assert page.evaluate("window.__notReloaded") is True
    assert [rows.nth(i).locator("td.name a").inner_text() for i in range(3)] == [
        a["name"] for a in ATTENDEES
    ]
    assert page.locator('[data-count="attended"]').inner_text() == "3"
    assert page.locator('[data-count="interested"]').inner_text() == "2"
    assert page.locator('[data-count="consenting"]').inner_text() == "2"
    assert "0912 345 678" in rows.nth(0).inner_text()

    # A mistake is shown next to its field and nothing is added.
    fill_attendee(page, {**ATTENDEES[0], "name": "Sùng Thị Mỷ", "phone": "0912 34"})
    page.click("form.attendance-form button[type=submit]")
    error = page.locator("form.attendance-form .field.has-error .error")
    error.wait_for()
    assert "0912 34" in error.inner_text()
    assert rows.count() == 3

    page.reload()
    assert rows.count() == 3
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 3
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 3


def test_the_sheet_form_works_without_javascript(browser, live_server, officer, held):
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        log_in(page, live_server, officer.username, factories.PASSWORD)
        page.goto(f"{live_server}/sessions/{held.id}")
        fill_attendee(page, ATTENDEES[0])
        page.click("form.attendance-form button[type=submit]")
        page.wait_for_selector(".flash-success")
        assert page.url.endswith(f"/sessions/{held.id}#attendance")
        assert "Lò Văn Páo" in page.locator("table.attendees").inner_text()

        fill_attendee(page, {**ATTENDEES[1], "phone": "12"})
        page.click("form.attendance-form button[type=submit]")
        assert page.locator(".field.has-error #phone").count() == 1
        assert page.locator("#full_name").input_value() == "Giàng Thị Dợ"
    finally:
        context.close()
