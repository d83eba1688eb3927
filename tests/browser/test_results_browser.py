"""A supervisor opens the results, sees a chart, sets a commune target and watches it move."""

from datetime import timedelta

from planner.enrolments.services import EnrolmentInput, record_enrolment
from planner.extensions import db
from planner.followups.models import Product
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff
from tests.browser.conftest import log_in


def test_supervisor_sets_a_commune_target_and_sees_progress_after_an_enrolment(
    page, live_server, supervisor, officer, places
):
    factories.rates()
    session = factories.session(
        officer, places.commune, day=today_local() - timedelta(days=3), venue=places.house
    )
    sua = ff.person(officer.office, village=places.village)
    ff.attend(session, sua, hhi=True)
    db.session.commit()

    log_in(page, live_server, supervisor.username, factories.PASSWORD)
    page.click("nav >> text=Kết quả")
    page.wait_for_url("**/results/**")
    assert page.locator("svg.chart").count() >= 2
    assert "Từ tiếp cận đến tham gia" in page.locator("main").inner_text()

    page.click("text=Chỉ tiêu >> nth=0")
    page.wait_for_url("**/results/targets**")
    page.select_option("#metric", "enrolled_household_hi")
    page.fill("#value", "5")
    page.select_option("#commune_id", str(places.commune.id))
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    page.wait_for_selector(".flash-success")
    progress = page.locator(".progress-list li").first
    assert "0 / 5" in progress.inner_text()
    assert "Bắc Hà" in progress.inner_text()

    record_enrolment(
        sua,
        EnrolmentInput(
            product=Product.HOUSEHOLD_HI,
            enrolled_on=today_local(),
            receipt_number="BL-2026-0099",
            members=2,
            months=12,
        ),
        officer,
    )
    db.session.commit()
    page.reload()
    assert "1 / 5" in page.locator(".progress-list li").first.inner_text()
