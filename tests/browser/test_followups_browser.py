"""An officer works a follow-up from "My follow-ups" on a phone and records the enrolment."""

from datetime import timedelta

import sqlalchemy as sa

from planner.enrolments.models import Enrolment
from planner.enums import PriorityGroup
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpStatus
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff
from tests.browser.conftest import log_in


def test_officer_logs_an_outcome_then_records_the_enrolment(page, live_server, officer, places):
    factories.rates()
    session = factories.session(
        officer,
        places.commune,
        day=today_local() - timedelta(days=3),
        venue=places.house,
        title="Họp thôn Na Hối",
    )
    sua = ff.person(officer.office, priority_group=PriorityGroup.NEAR_POOR, village=places.village)
    ff.attend(session, sua, vsi=True)
    db.session.commit()
    follow_up_id = db.session.scalar(sa.select(FollowUp.id))

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, officer.username, factories.PASSWORD)
    page.click("text=Liên hệ lại của tôi")
    item = page.locator(f"#follow-up-{follow_up_id}")
    assert "Giàng Thị Sua" in item.inner_text()
    assert item.locator("a.call").get_attribute("href") == "tel:+84912345678"

    # First call: nobody answers.
    item.locator("summary").click()
    item.get_by_label("Không liên lạc được").check()
    item.get_by_label("Ghi chú").fill("Gọi lúc 18h, không nghe máy")
    item.get_by_role("button", name="Lưu kết quả").click()
    page.wait_for_selector(".flash-success")
    assert "Không liên lạc được" in page.locator(f"#follow-up-{follow_up_id}").inner_text()

    # Second call: she enrols; the enrolment form opens prefilled.
    item = page.locator(f"#follow-up-{follow_up_id}")
    item.locator("summary").click()
    item.get_by_label("Đã đăng ký tham gia").check()
    item.get_by_role("button", name="Lưu kết quả").click()
    page.wait_for_url("**/enrolments/new**")
    assert page.get_by_label("BHXH tự nguyện", exact=True).is_checked()
    page.fill("#income", "1500000")
    # Each product offers its own payment periods (household HI never monthly).
    page.locator(".part-voluntary_si").get_by_label("3 tháng một lần").check()
    page.fill("#receipt_number", "BL-2026-0042")
    page.get_by_role("button", name="Tính số tiền đóng").click()
    assert "198.000" in page.locator(".quote").inner_text()
    page.get_by_role("button", name="Ghi nhận tham gia").click()
    page.wait_for_selector(".flash-success")
    body = page.locator("main").inner_text()
    assert "594.000" in body  # 198,000 a month, paid every 3 months
    assert "Họp thôn Na Hối" in body  # the main credit

    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 1
    assert db.session.get(FollowUp, follow_up_id).status == FollowUpStatus.DONE
