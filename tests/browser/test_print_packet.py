"""An officer prints the week's packet from the week view and watches it get ready."""

from datetime import time, timedelta
from io import BytesIO
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

from planner.enums import SessionKind
from planner.extensions import db
from planner.printing import talking_points
from planner.sessions.days import monday_of
from planner.timezones import today_local
from tests import factories
from tests.browser.conftest import log_in


def test_officer_prints_the_packet_and_sees_the_progress_bar_reach_100(
    page, live_server, officer, places
):
    factories.rates()
    talking_points.seed_talking_points()
    monday = monday_of(today_local())
    factories.session(
        officer,
        places.commune,
        day=monday + timedelta(days=1),
        venue=places.house,
        title="Họp thôn Na Hối",
        expected_attendance=12,
    )
    factories.session(
        officer,
        places.commune,
        day=monday + timedelta(days=6),
        venue=places.market,
        kind=SessionKind.MARKET,
        start=time(8),
        end=time(11),
        title="Chợ phiên Bắc Hà",
        expected_attendance=20,
    )
    db.session.commit()

    log_in(page, live_server, officer.username, factories.PASSWORD)
    page.click("text=In bộ tài liệu tuần")
    page.wait_for_url("**/printing/jobs/*")
    assert page.locator("h1").inner_text() == "Bộ tài liệu tuần"

    expect(page.locator("#job-progress")).to_have_attribute("value", "100", timeout=60_000)
    assert page.locator("#job-percent").inner_text() == "100"
    done_message = page.locator("#job-message").inner_text()
    download_link = page.locator("#job-download")
    assert download_link.is_visible()

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == f"tuan-{monday:%Y-%m-%d}.pdf"
    pdf = PdfReader(BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    # The week plan, then a flyer and a sheet for each of the two sessions.
    assert "Họp thôn Na Hối" in text and "Chợ phiên Bắc Hà" in text
    assert "DANH SÁCH NGƯỜI THAM DỰ" in text.upper()
    assert len(pdf.pages) >= 5
    # Done says so, with what the officer is about to print.
    assert done_message == f"Đã xong – tải về để in ({len(pdf.pages)} trang A4)"


def queued_packet_job(officer, job_id: str):
    """A packet job waiting for a worker (none runs it in these tests)."""
    from planner.printing.models import PrintJob

    job = PrintJob(
        id=job_id,
        office_id=officer.office_id,
        user_id=officer.id,
        kind="packet",
        params_json='{"monday": "2026-11-23", "officer_ids": null, "commune_id": null}',
        filename="tuan.pdf",
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_a_packet_still_printing_offers_no_download_yet(page, live_server, officer):

    job = queued_packet_job(officer, "0" * 32)

    log_in(page, live_server, officer.username, factories.PASSWORD)
    page.goto(f"{live_server}/printing/jobs/{job.id}")

    assert page.locator("#job-percent").inner_text() == "0"
    assert page.locator("#job-message").inner_text() == "Đang tạo tệp PDF…"
    assert not page.locator("#job-download").is_visible()


def test_a_packet_that_fails_while_watched_offers_its_retry_without_a_reload(
    page, live_server, officer
):
    from planner.printing.models import JobStatus

    job = queued_packet_job(officer, "1" * 32)
    log_in(page, live_server, officer.username, factories.PASSWORD)
    page.goto(f"{live_server}/printing/jobs/{job.id}")
    assert not page.locator("#job-retry").is_visible()

    job.status = JobStatus.FAILED
    job.error = "Máy in hết giấy"
    db.session.commit()

    expect(page.locator("#job-message")).to_have_text("Máy in hết giấy", timeout=10_000)
    expect(page.locator("#job-retry button")).to_be_visible()
    assert not page.locator("#job-download").is_visible()
