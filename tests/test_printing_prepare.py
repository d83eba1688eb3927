"""Flyers' shared part (talking points, costs) is rendered ahead, after each change, so that an
officer's flyer only lays out the session's own details."""

from __future__ import annotations

import time
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from pypdf import PdfReader

from planner.enums import Language, SessionStatus, Topic
from planner.extensions import db
from planner.printing import flyer, jobs, render, talking_points
from planner.printing.models import JobKind, PrintJob
from planner.sessions.models import OutreachSession
from planner.timezones import today_local
from tests import factories


@pytest.fixture
def app_config() -> dict:
    return {"PLANNER_PREPARE_FLYERS": True}


@pytest.fixture
def content(office):
    factories.rates()
    talking_points.seed_talking_points()
    db.session.commit()


def preparation_jobs() -> list[PrintJob]:
    db.session.rollback()  # see what the job's own thread committed
    return db.session.scalars(
        sa.select(PrintJob).where(PrintJob.kind == JobKind.FLYER_BODIES)
    ).all()


def wait_for_preparation(timeout: float = 60) -> list[PrintJob]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = preparation_jobs()
        if started and all(job.status in ("done", "failed") for job in started):
            return started
        time.sleep(0.05)
    raise AssertionError("flyer preparation did not finish")


def body_renders(monkeypatch) -> list[tuple]:
    """The stylesheets of every layout WeasyPrint is asked for from now on."""
    calls: list[tuple] = []
    layout = render.layout

    def spy(html, styles):
        calls.append(tuple(styles))
        return layout(html, styles)

    monkeypatch.setattr(render, "layout", spy)
    return calls


def test_planning_a_session_prepares_its_flyer_so_printing_lays_out_only_its_details(
    officer_client, officer, places, content, monkeypatch
):
    day = today_local() + timedelta(days=3)
    response = officer_client.post(
        "/sessions/new",
        data=factories.session_form(places, officer, day=day, language="hmn", partner_id="0"),
    )
    assert response.status_code == 302

    [job] = wait_for_preparation()
    assert (job.status, job.done, job.total) == ("done", 1, 1)
    session = db.session.scalars(sa.select(OutreachSession)).one()
    assert flyer.flyer_body_ready(session)

    layouts = body_renders(monkeypatch)
    printed = officer_client.get(f"/printing/sessions/{session.id}/flyer.pdf")
    assert printed.status_code == 200
    assert layouts == [flyer.FLYER_LAYER_STYLES]
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(printed.data)).pages)
    assert "Họp thôn Na Hối" in text and "Bảo hiểm xã hội tự nguyện" in text


def test_new_talking_points_reach_the_flyers_of_coming_sessions_before_they_are_printed(
    admin_client, officer, places, content, monkeypatch
):
    session = factories.session(officer, places.commune, day=today_local() + timedelta(days=5))
    db.session.commit()

    response = admin_client.post(
        "/printing/talking-points/voluntary_si/vi",
        data={"body": "**Đóng linh hoạt** theo tháng, quý hoặc năm.\n- Có lương hưu khi về già"},
    )
    assert response.status_code == 302
    [job] = wait_for_preparation()
    assert job.status == "done" and job.total == 1

    layouts = body_renders(monkeypatch)
    _key, pdf = flyer.flyer_pdf(db.session.get(OutreachSession, session.id))
    assert flyer.FLYER_STYLES not in layouts
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert "Đóng linh hoạt" in text and "Có lương hưu khi về già" in text


def test_one_body_serves_every_session_on_the_same_topics_language_and_rates(
    officer, places, content
):
    soon = today_local() + timedelta(days=2)
    same = [
        factories.session(officer, places.commune, day=soon + timedelta(days=n), topic=Topic.BOTH)
        for n in range(3)
    ]
    talking_points.save_talking_point(
        officer.office_id, Topic.VOLUNTARY_SI, Language.HMONG, "Kev pov hwm", officer
    )
    hmong = factories.session(officer, places.commune, day=soon, language=Language.HMONG)
    # No Tày talking points: the Vietnamese body serves it.
    tay = factories.session(
        officer, places.commune, day=soon + timedelta(days=1), language=Language.TAY
    )
    cancelled = factories.session(officer, places.commune, day=soon, topic=Topic.HOUSEHOLD_HI)
    cancelled.status = SessionStatus.CANCELLED
    factories.session(officer, places.commune, day=soon + timedelta(days=90))  # beyond 56 days
    past = factories.session(officer, places.commune, day=today_local() - timedelta(days=3))
    db.session.commit()

    to_prepare = flyer.flyer_bodies_to_prepare(officer.office_id)
    assert sorted(s.id for s in to_prepare) == sorted([same[0].id, hmong.id])
    assert past not in to_prepare and cancelled not in to_prepare

    for session in to_prepare:
        flyer.prepare_flyer_body(session)
    assert flyer.flyer_bodies_to_prepare(officer.office_id) == []
    assert all(flyer.flyer_body_ready(s) for s in [*same, hmong, tay])


def test_changes_in_a_row_queue_one_preparation(officer, places, content, monkeypatch):
    monkeypatch.setattr(jobs, "enqueue", lambda job_id: None)  # keep the first one waiting
    factories.session(officer, places.commune, day=today_local() + timedelta(days=1))
    db.session.commit()

    first = jobs.start_flyer_preparation(officer.office_id, officer.id)
    assert first is not None and first.status == "queued"
    assert jobs.start_flyer_preparation(officer.office_id, officer.id) is None
    assert len(preparation_jobs()) == 1

    # Left queued by a server that stopped: the next change queues a new one.
    first.created_at -= jobs.STALE_QUEUED + timedelta(minutes=1)
    db.session.commit()
    assert jobs.start_flyer_preparation(officer.office_id, officer.id) is not None
    assert len(preparation_jobs()) == 2


def test_preparation_can_be_turned_off(app, officer, places, content):
    app.config["PLANNER_PREPARE_FLYERS"] = False
    assert jobs.start_flyer_preparation(officer.office_id, officer.id) is None
    assert preparation_jobs() == []


def test_preparation_jobs_are_not_pages_an_officer_can_open(officer_client, officer, content):
    job = jobs.start_flyer_preparation(officer.office_id, officer.id)
    wait_for_preparation()
    assert officer_client.get(f"/printing/jobs/{job.id}").status_code == 404
    assert officer_client.get(f"/printing/jobs/{job.id}.json").status_code == 404


def test_a_flyer_prints_the_same_from_a_prepared_body_as_from_nothing(officer, places, content):
    session = factories.session(officer, places.commune, day=today_local() + timedelta(days=4))
    db.session.commit()
    _key, cold = flyer.flyer_pdf(session)
    first_pages = [page.extract_text() for page in PdfReader(BytesIO(cold)).pages]

    # The same cache, emptied: the body is prepared first, then the flyer printed over it.
    for path in Path(current_app.config["PLANNER_CACHE_DIR"]).rglob("*"):
        if path.is_file():
            path.unlink()
    flyer.prepare_flyer_body(session)
    _key, warm = flyer.flyer_pdf(session)
    assert [page.extract_text() for page in PdfReader(BytesIO(warm)).pages] == first_pages


def test_a_national_rate_prepares_the_flyers_of_every_office(
    runner, admin, officer, places, content, monkeypatch, tmp_path
):
    other = factories.office(name="Bảo hiểm xã hội tỉnh Hà Giang", province="Hà Giang")
    factories.user(other, username="admin-hg", role="admin")
    db.session.commit()
    monkeypatch.setattr(jobs, "enqueue", lambda job_id: None)
    table = tmp_path / "decree.csv"
    table.write_text(
        "key,valid_from,value,source\nbase_salary,2030-07-01,2530000,Nghị định mới\n",
        encoding="utf-8",
    )

    result = runner.invoke(args=["rates", "load", str(table)])

    assert result.exit_code == 0, result.output
    assert {job.office_id for job in preparation_jobs()} == {officer.office_id, other.id}
