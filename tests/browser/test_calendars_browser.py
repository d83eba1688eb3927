"""An officer makes their calendar link on a phone, copies it, and the calendar app can fetch it."""

import urllib.request

from planner.extensions import db
from planner.timezones import today_local
from tests import factories
from tests.browser.conftest import log_in


def test_officer_gets_a_calendar_link_to_tap_on_a_phone(page, live_server, officer, places):
    factories.session(officer, places.commune, day=today_local(), title="Họp thôn Na Hối")
    db.session.commit()
    log_in(page, live_server, officer.username, factories.PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("nav >> text=Lịch của tôi")
    page.click("text=Tạo đường liên kết lịch của tôi")
    page.wait_for_selector(".calendar-link")
    webcal = page.input_value("input[id^=webcal-]")
    assert webcal.startswith("webcal://127.0.0.1:")
    # On the phone: one tap on the webcal link; the QR code is for a computer's screen.
    tap = page.get_by_role("link", name="Thêm vào lịch của tôi")
    assert tap.is_visible() and tap.get_attribute("href") == webcal
    assert not page.locator(".calendar-qr svg").is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator(".calendar-qr svg").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    # With JavaScript the copy buttons appear; the page never scrolls sideways on a phone.
    assert page.locator("button.copy").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with urllib.request.urlopen(webcal.replace("webcal://", "http://", 1)) as answer:  # noqa: S310
        body = answer.read().decode()
    assert "SUMMARY:Họp thôn Na Hối" in body
    # The link is shown only once.
    page.reload()
    assert page.locator(".calendar-link").count() == 0
