"""An officer logs in, plans a session from the week view and sees it on the grid."""

from datetime import time, timedelta

from planner.sessions.days import monday_of
from planner.timezones import today_local
from tests import factories
from tests.browser.conftest import log_in


def test_officer_plans_a_session_from_the_week_and_sees_it(page, live_server, officer, places):
    log_in(page, live_server, officer.username, factories.PASSWORD)
    wednesday = monday_of(today_local()) + timedelta(days=2)
    page.click(f'li.day[data-day="{wednesday.isoformat()}"] a.add')
    page.select_option("#kind", "village_meeting")
    page.fill("#title", "Họp thôn Na Hối về BHXH tự nguyện")
    page.fill("#start", "19:00")
    page.fill("#end", "21:00")
    page.select_option("#venue_id", label="Nhà văn hóa thôn Na Hối (Bắc Hà)")
    page.click("button.primary[type=submit]")
    page.wait_for_selector(".flash-success")
    page.click("text=Quay lại lịch tuần")
    day = page.locator(f'li.day[data-day="{wednesday.isoformat()}"]')
    card = day.locator(".session")
    assert card.count() == 1
    assert "Họp thôn Na Hối về BHXH tự nguyện" in card.inner_text()
    assert "19:00–21:00" in card.inner_text()


def test_recurring_market_session_with_a_clash_warning_then_english(
    page, live_server, office, officer, places
):
    from planner.extensions import db
    from planner.sessions.drafts import Recurrence

    colleague = factories.user(office, username="pao", full_name="Giàng Seo Pao")
    sunday = monday_of(today_local()) + timedelta(days=6)
    # Pao already has the market next Sunday; Mai wants it every Sunday for four weeks.
    factories.session(
        colleague,
        places.commune,
        day=sunday + timedelta(days=7),
        venue=places.market,
        kind="market",
        start=time(8),
        end=time(10),
        recurrence=Recurrence("weekly", frozenset({6}), count=1),
    )
    db.session.commit()

    log_in(page, live_server, officer.username, factories.PASSWORD)
    page.click(f'li.day[data-day="{sunday.isoformat()}"] a.add')
    page.select_option("#kind", "market")
    page.select_option("#venue_id", label="Chợ phiên Bắc Hà (Bắc Hà)")
    page.fill("#start", "07:30")
    page.fill("#end", "11:00")
    page.check("input[name=repeat][value=weekly]")
    page.check('input[name=weekdays][value="6"]')
    page.fill("#count", "4")
    page.click("button.primary[type=submit]")
    warning = page.locator("#clashes")
    assert "Kiểm tra trước khi lưu" in warning.inner_text()
    assert "Chợ phiên Bắc Hà đã được dùng" in warning.inner_text()
    page.click("button[name=save_anyway]")
    assert "Đã lên lịch 4 buổi truyền thông." in page.locator(".flash-success").inner_text()

    page.click("text=English")
    page.click("text=Back to the week")
    assert page.locator("h1").inner_text().startswith("Week")
    card = page.locator(f'li.day[data-day="{sunday.isoformat()}"] .session')
    assert "Market session" in card.inner_text()
