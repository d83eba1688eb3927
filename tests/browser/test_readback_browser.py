"""On a phone after a village meeting: photograph both pages of the signed sheet, settle the
one box the planner was unsure of, type the walk-in's name and confirm."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from bench.sheet_photos import Condition, RowMarks, apply_marks, photograph, render_pages
from planner.extensions import db
from planner.people.models import Attendance, AttendanceSource, Person
from planner.printing import sheet
from planner.timezones import today_local
from tests import factories
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def photographed(officer, places):
    factories.rates()
    session = factories.session(
        officer,
        places.commune,
        day=today_local() - timedelta(days=1),
        venue=places.house,
        title="Họp thôn Na Hối",
        expected_attendance=10,
    )
    db.session.flush()
    person = Person(office_id=officer.office_id, full_name="Giàng Thị Mỷ", phone="+84912000101")
    db.session.add(person)
    db.session.flush()
    db.session.add(
        Attendance(
            office_id=officer.office_id,
            session_id=session.id,
            person_id=person.id,
            source=AttendanceSource.IMPORT,
        )
    )
    db.session.commit()
    version, pdf = sheet.attendance_sheet(session)
    db.session.commit()
    assert version.page_count == 2
    plans = {
        1: {
            1: RowMarks(boxes={"wants_vsi": "tick"}, sign="scribble"),
            # The walk-in on row 2 left a faint pencil stroke in "registered on the spot".
            2: RowMarks(boxes={"registered": "smudge"}, sign="scribble", name=True),
        }
    }
    rng = np.random.default_rng(5)
    photos = []
    for number, page in enumerate(render_pages(pdf), start=1):
        marked, _truth = apply_marks(
            page, version.layout["pages"][number - 1], plans.get(number, {}), rng
        )
        photos.append(photograph(marked, Condition("phone", tilt=12, megapixels=3, jpeg=80), rng))
    return session, photos


def test_an_officer_reads_the_signed_sheet_on_a_phone(
    live_server, phone_page, officer, photographed, tmp_path
):
    session, photos = photographed
    page = phone_page
    log_in(page, live_server, officer.username, factories.PASSWORD)
    page.goto(f"{live_server}/sessions/{session.id}")
    page.get_by_role("link", name="Đọc danh sách đã ký").click()

    files = []
    for number, photo in enumerate(photos, start=1):
        path = tmp_path / f"IMG_000{number}.jpg"
        path.write_bytes(photo)
        files.append(str(path))
    page.set_input_files("input[type=file]", files)
    page.get_by_role("button", name="Đọc các ảnh").click()

    expect(page.get_by_role("heading", name="Kiểm tra kết quả đọc")).to_be_visible()
    expect(page.locator(".readback-page img")).to_have_count(2)
    page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    invited = page.locator(".readback-line", has_text="Giàng Thị Mỷ")
    expect(invited.locator("input[value=yes][name$='-wants_vsi']")).to_be_checked()
    walk_in = page.locator(".readback-line", has_text="dòng 2")
    uncertain = walk_in.locator(".box.uncertain")
    expect(uncertain).to_have_count(1)
    expect(uncertain).to_contain_text("Đăng ký tại chỗ")
    expect(uncertain.locator("input[type=radio]:checked")).to_have_count(0)
    expect(walk_in.locator("img.row-crop")).to_be_visible()

    uncertain.get_by_label("Có").check()
    walk_in.get_by_label("Họ và tên").fill("Lò Văn Hùng")
    page.get_by_role("button", name="Xác nhận danh sách tham dự").click()

    expect(page.locator(".flash-success")).to_contain_text("thêm 1 người")
    attendance = page.locator("#attendance")
    expect(attendance).to_contain_text("Lò Văn Hùng")
    expect(attendance).to_contain_text("Giàng Thị Mỷ")
    db.session.expire_all()
    walked_in = db.session.scalar(
        sa.select(Attendance).join(Person).where(Person.full_name == "Lò Văn Hùng")
    )
    assert walked_in.registered_on_spot and walked_in.session_id == session.id
