"""The week's packet: printed as a job with progress, from a cache when nothing changed."""

from __future__ import annotations

import time
from datetime import date
from datetime import time as clock
from io import BytesIO

import pytest
from pypdf import PdfReader

from planner.enums import SessionKind, SessionStatus
from planner.extensions import db
from planner.jobs import redis_url
from planner.printing import render, talking_points
from planner.printing.models import PrintJob
from tests import factories
from tests.redis_server import redis_or_skip

MONDAY = date(2026, 11, 30)


def wait_for(client, job_url: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        state = client.get(job_url + ".json").get_json()
        seen.append(state["percent"])
        if state["status"] in ("done", "failed"):
            state["seen"] = seen
            return state
        time.sleep(0.1)
    raise AssertionError(f"job did not finish: {seen[-5:]}")


@pytest.fixture
def week(officer, places):
    factories.rates()
    talking_points.seed_talking_points()
    planned = [
        factories.session(
            officer,
            places.commune,
            day=MONDAY,
            venue=places.house,
            title="Họp thôn Na Hối",
            expected_attendance=12,
        ),
        factories.session(
            officer,
            places.commune,
            day=date(2026, 12, 6),
            venue=places.market,
            kind=SessionKind.MARKET,
            start=clock(8, 0),
            end=clock(11, 0),
            title="Chợ phiên Bắc Hà",
            expected_attendance=20,
        ),
        factories.session(officer, places.commune, day=date(2026, 12, 3), title="Buổi bị hủy"),
    ]
    planned[2].status = SessionStatus.CANCELLED
    db.session.commit()
    return planned


def start_packet(client, scope: str = "me"):
    response = client.post(
        "/printing/packet", data={"week": MONDAY.isoformat(), "scope": scope, "commune": ""}
    )
    assert response.status_code == 302
    return response.headers["Location"]


def test_officer_prints_the_weeks_packet_and_follows_its_progress(officer_client, week):
    job_url = start_packet(officer_client)

    page = officer_client.get(job_url).get_data(as_text=True)
    assert "<progress" in page and "js/print-job.js" in page
    state = wait_for(officer_client, job_url)

    assert state["status"] == "done" and state["percent"] == 100
    assert state["done"] == state["total"] == 2 + 2 * 2
    assert all(0 <= p <= 100 for p in state["seen"])
    download = officer_client.get(state["download_url"])
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    reader = PdfReader(BytesIO(download.data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Kế hoạch truyền thông tuần 30/11 – 06/12/2026" in text
    assert "Họp thôn Na Hối" in text and "Chợ phiên Bắc Hà" in text
    assert "Buổi bị hủy" in text  # listed in the plan, struck through
    assert text.count("DANH SÁCH NGƯỜI THAM DỰ") >= 2
    # Plan (1) + two flyers (1 each) + sheets of 17 and 25 rows (2 and 3 pages).
    assert len(reader.pages) == 1 + 1 + 2 + 1 + 3


def test_a_packet_that_has_not_changed_comes_from_the_cache(officer_client, week, monkeypatch):
    first = wait_for(officer_client, start_packet(officer_client))
    first_pdf = officer_client.get(first["download_url"]).data

    def no_render(*args, **kwargs):
        raise AssertionError("nothing changed, so nothing is rendered")

    monkeypatch.setattr(render, "render_pdf", no_render)
    monkeypatch.setattr(render, "layout", no_render)
    second = wait_for(officer_client, start_packet(officer_client))

    assert second["status"] == "done"
    assert officer_client.get(second["download_url"]).data == first_pdf


def test_a_failed_job_says_why(officer_client, week, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(render, "merge", broken)
    state = wait_for(officer_client, start_packet(officer_client))

    assert state["status"] == "failed"
    assert "Không in được bộ tài liệu" in state["error"]
    assert state["download_url"] is None


def test_jobs_and_their_files_belong_to_the_office_that_made_them(
    officer_client, client, week, app
):
    state = wait_for(officer_client, start_packet(officer_client))
    job_url = f"/printing/jobs/{state['id']}"
    officer_client.post("/logout")

    other = factories.office(name="Bảo hiểm xã hội tỉnh Lai Châu", province="Lai Châu")
    factories.user(other, username="lan", full_name="Lò Thị Lan")
    db.session.commit()
    client.post("/login", data={"username": "lan", "password": factories.PASSWORD})

    assert client.get(job_url).status_code == 404
    assert client.get(job_url + ".json").status_code == 404
    assert client.get(job_url + "/download").status_code == 404


def test_packet_scope_must_be_known(officer_client, week):
    response = officer_client.post(
        "/printing/packet", data={"week": MONDAY.isoformat(), "scope": "everyone"}
    )
    assert response.status_code == 400
    response = officer_client.post("/printing/packet", data={"week": "soon", "scope": "me"})
    assert response.status_code == 400
    assert db.session.query(PrintJob).count() == 0


def test_week_view_offers_the_packet(officer_client, week):
    page = officer_client.get(f"/?week={MONDAY.isoformat()}").get_data(as_text=True)
    assert 'action="/printing/packet"' in page
    assert "In bộ tài liệu tuần" in page


@pytest.fixture
def app_config():
    return {}


def test_with_a_redis_url_packets_run_on_rq_workers(app, officer_client, week):
    from rq import Queue, SimpleWorker

    url = "redis://127.0.0.1:6379/15"
    connection = redis_or_skip(url)
    queue = Queue("planner-print", connection=connection)
    queue.empty()
    app.config["REDIS_URL"] = url

    job_url = start_packet(officer_client)
    job_id = job_url.rsplit("/", 1)[-1]
    assert officer_client.get(job_url + ".json").get_json()["status"] == "queued"
    assert job_id in str(queue.jobs[0].args)

    SimpleWorker([queue], connection=connection).work(burst=True)

    db.session.expire_all()
    state = officer_client.get(job_url + ".json").get_json()
    assert state["status"] == "done" and state["percent"] == 100
    assert officer_client.get(state["download_url"]).status_code == 200
    assert redis_url(app) == url
