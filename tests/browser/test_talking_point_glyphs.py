"""An admin typing talking points is told at once which characters would not print."""

import os

from playwright.sync_api import expect

from planner.enums import Language, Topic
from tests import factories
from tests.browser.conftest import log_in

SHOTS = os.environ.get("PLANNER_SCREENSHOTS")  # a folder to keep screenshots in, when set


def test_the_editor_names_unprintable_characters_as_the_admin_types(page, live_server, admin):
    log_in(page, live_server, admin.username, factories.PASSWORD)
    page.goto(f"{live_server}/printing/talking-points/{Topic.VOLUNTARY_SI}/{Language.HMONG}")
    hint = page.locator("#body-glyphs")
    body = page.locator("#body")
    expect(hint).to_be_hidden()

    body.fill("Kev pov hwm ✓ rau neeg laus → nyiaj 🙂 中")

    expect(hint).to_be_visible()
    expect(hint).to_contain_text("“🙂” (U+1F642), “中” (U+4E2D)")
    expect(hint).not_to_contain_text("✓")
    expect(body).to_have_attribute("aria-invalid", "true")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/talking-point-hint-desktop.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{SHOTS}/talking-point-hint-390.png", full_page=True)

    body.fill("Kev pov hwm rau neeg laus. Tày: pỉ noọng")

    expect(hint).to_be_hidden()
    expect(body).not_to_have_attribute("aria-invalid", "true")
