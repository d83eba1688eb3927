"""Large spreadsheet imports run as jobs (planner/import_jobs.py); small ones stay in the request.

An officer types a customer conference's list (160 people) into the template and uploads it: the
file is over the job size, so the page that answers follows a job instead of waiting on the
import, and ends with the same summary, or the same problems, as a small file's import."""

from __future__ import annotations

import io
import os
import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from planner import import_jobs, storage
from planner.extensions import db
from planner.jobs import IMPORTS
from planner.people.import_jobs import run_attendance_import
from planner.people.models import Attendance, Person
from planner.printing.models import JobKind, JobStatus, PrintJob
from planner.results.models import CommuneCoverage
from planner.timezones import today_local
from tests import factories
from tests.conftest import login
from tests.redis_server import redis_or_skip
from tests.test_people_import import as_csv

# Each helper is given its own Redis database; CI's default is the one the other job tests use.
REDIS_URL = os.environ.get("PLANNER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CONFERENCE = 160  # people on a customer conference's list: about 19 KB of CSV


def conference_rows(count: int = CONFERENCE) -> list[list]:
    """`count` different people, every column of the template filled."""
    return [
        [
            n,
            f"Người Tham Dự {n:03d}",
            1960 + n % 40,
            "Nam" if n % 2 else "Nữ",
            "Hmông",
            "Na Hối" if n % 3 else "Cốc Ly",
            f"0912{n:06d}",
            "Làm ruộng",
            "Hộ nghèo" if n % 4 else "Dân tộc thiểu số",
            "Có" if n % 5 else "Không",
            "BHXH tự nguyện" if n % 2 else "BHYT hộ gia đình",
            "Không",
            "Có",
            "Hẹn gọi lại sau vụ gặt" if n % 7 == 0 else "",
            "",
        ]
        for n in range(1, count + 1)
    ]


def upload(client, session_id: int, content: bytes, name: str = "hoi-nghi.csv"):
    return client.post(
        f"/sessions/{session_id}/import",
        data={"sheet": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def job_id_of(location: str) -> str:
    return location.rstrip("/").rsplit("/", 1)[-1]


def finished(job_id: str, timeout: float = 120) -> PrintJob:
    """The job once this process's import thread has ended it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(PrintJob, job_id)
        if job is not None and job.status in (JobStatus.DONE, JobStatus.FAILED):
            return job
        db.session.rollback()  # no read transaction held open while the worker writes
        time.sleep(0.1)
    raise AssertionError("the import job did not finish")


def listed(office_id: int) -> list[tuple]:
    """What an import left in an office: each attendee as a person and an attendance row,
    every stored column but ids, the office's own places (by name) and clocks."""
    skip = {"id", "office_id", "commune_id", "village_id", "session_id", "person_id", "version"}
    skip |= {"created_at", "updated_at", "consent_recorded_at", "checked_in_at", "recorded_by_id"}
    person_columns = [c for c in sa.inspect(Person).columns if c.key not in skip]
    attendance_columns = [c for c in sa.inspect(Attendance).columns if c.key not in skip]
    rows = db.session.execute(
        sa.select(Person, Attendance)
        .join(Attendance, Attendance.person_id == Person.id)
        .where(Person.office_id == office_id)
        .order_by(Person.full_name)
    ).all()
    return [
        (
            tuple(getattr(person, c.key) for c in person_columns),
            person.village.name if person.village else None,
            tuple(getattr(attendance, c.key) for c in attendance_columns),
        )
        for person, attendance in rows
    ]


@pytest.fixture
def other_office(app):
    """A second province's office with the same communes' names, an officer and a held session."""
    office = factories.office("Bảo hiểm xã hội tỉnh Lai Châu", "Lai Châu")
    officer = factories.user(office, username="pao", full_name="Thào A Páo")
    places = factories.places(office)
    held = factories.session(
        officer, places.commune, day=today_local() - timedelta(days=1), venue=places.house
    )
    db.session.commit()
    client = app.test_client()
    login(client, officer)
    return office, officer, held, client


def test_a_conference_list_imported_as_a_job_lists_what_the_request_would_have(
    app, officer_client, officer, held, other_office
):
    content = as_csv(conference_rows())
    assert len(content) > import_jobs.DEFAULT_JOB_BYTES
    # The same file, once in the request (the job size raised above it) ...
    app.config["PLANNER_IMPORT_JOB_BYTES"] = 10 * len(content)
    in_request = upload(officer_client, held.id, content)
    assert in_request.status_code == 302
    assert in_request.headers["Location"].endswith(f"/sessions/{held.id}#attendance")
    # ... and once as a job, in the other office, with the default size.
    del app.config["PLANNER_IMPORT_JOB_BYTES"]
    office, _pao, other_held, other_client = other_office
    queued = upload(other_client, other_held.id, content)
    assert queued.status_code == 302
    job_url = queued.headers["Location"]
    assert "/imports/" in job_url

    job = finished(job_id_of(job_url))
    page = other_client.get(job_url).get_data(as_text=True)

    assert job.status == JobStatus.DONE, job.error
    assert "Đã nhập 160 người tham dự (160 người mới, 0 người đã có)." in page
    assert 'http-equiv="refresh"' not in page
    assert len(listed(office.id)) == CONFERENCE
    assert listed(office.id) == listed(officer.office_id)
    assert storage.store().get(import_jobs.upload_key(job.id)) is None


def test_while_the_job_waits_its_page_reloads_itself_without_javascript(
    app, officer_client, officer, held
):
    job = import_jobs.start(
        JobKind.ATTENDANCE_IMPORT,
        officer,
        "hoi-nghi.csv",
        as_csv(conference_rows()),
        {"session_id": held.id},
        lambda _job_id: None,  # no runner: the job stays queued
    )
    page = officer_client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "<noscript>" not in page
    assert "<progress" in page and "Đang nhập tệp" in page
    assert f'href="/imports/{job.id}"' in page  # a reload link where refresh is turned off


def test_a_large_file_with_one_bad_row_imports_nothing_and_its_job_page_names_the_row(
    officer_client, held
):
    rows = conference_rows()
    rows[120][6] = "0912 34"  # a phone too short, on the file's row 122 (after the header)
    queued = upload(officer_client, held.id, as_csv(rows))
    job = finished(job_id_of(queued.headers["Location"]))
    page = officer_client.get(queued.headers["Location"]).get_data(as_text=True)

    assert job.status == JobStatus.DONE
    assert "Chưa nhập tệp: tìm thấy 1 lỗi. Không có gì được lưu." in page
    assert '<td class="num">122</td>' in page
    assert "Số điện thoại" in page
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0
    assert f'href="/sessions/{held.id}/import"' in page
    assert storage.store().get(import_jobs.upload_key(job.id)) is None


def test_a_small_group_s_list_is_still_imported_in_the_request(officer_client, held):
    content = as_csv(conference_rows(12))
    assert len(content) < import_jobs.DEFAULT_JOB_BYTES

    response = upload(officer_client, held.id, content)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sessions/{held.id}#attendance")
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 12
    assert db.session.scalar(sa.select(sa.func.count(PrintJob.id))) == 0


def test_another_office_s_import_job_is_not_found(officer_client, officer, held, other_office):
    _office, pao, other_held, other_client = other_office
    theirs = import_jobs.start(
        JobKind.ATTENDANCE_IMPORT,
        pao,
        "hoi-nghi.csv",
        b"x",
        {"session_id": other_held.id},
        lambda _job_id: None,
    )
    assert other_client.get(f"/imports/{theirs.id}").status_code == 200
    assert officer_client.get(f"/imports/{theirs.id}").status_code == 404
    assert officer_client.get(f"/results/coverage/imports/{theirs.id}").status_code == 404


def test_an_import_job_handed_to_two_workers_imports_the_file_once(app, officer, held):
    job = import_jobs.start(
        JobKind.ATTENDANCE_IMPORT,
        officer,
        "hoi-nghi.csv",
        as_csv(conference_rows(20)),
        {"session_id": held.id},
        lambda _job_id: None,
    )

    run_attendance_import(job.id)
    # RQ hands the same job again (a retried delivery): the second worker finds it taken.
    storage.store().put(import_jobs.upload_key(job.id), as_csv(conference_rows(20)))
    run_attendance_import(job.id)

    db.session.expire_all()
    done = db.session.get(PrintJob, job.id)
    assert done.status == JobStatus.DONE
    assert import_jobs.outcome(done).counts["rows"] == 20
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 20


def test_a_large_coverage_file_is_imported_as_a_job_all_or_nothing(app, supervisor_client, places):
    app.config["PLANNER_IMPORT_JOB_BYTES"] = 200
    header = "Xã/phường,Ngày số liệu,Số dân,Số hộ,Đã có BHYT,Đã tham gia BHXH tự nguyện\n"
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(10)]
    name = places.commune.name
    lines = [f"{name},{d:%d/%m/%Y},1000,250,900,{30 + n}" for n, d in enumerate(days)]
    # Row 8 of the file (after the header): more insured than people.
    bad = [*lines[:6], f"{name},{days[6]:%d/%m/%Y},1000,250,1200,30", *lines[7:]]

    def send(body: list[str]):
        content = (header + "\n".join(body) + "\n").encode()
        response = supervisor_client.post(
            "/results/coverage?period=month",
            data={"import-sheet": (io.BytesIO(content), "so-lieu.csv"), "import-submit": "1"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        job_url = response.headers["Location"]
        assert "/results/coverage/imports/" in job_url
        finished(job_id_of(job_url))
        return supervisor_client.get(job_url).get_data(as_text=True)

    refused = send(bad)
    assert '<td class="num">8</td>' in refused
    assert db.session.scalar(sa.select(sa.func.count(CommuneCoverage.id))) == 0

    imported = send(lines)
    assert "Đã nhập số liệu của 10 xã." in imported
    assert 'href="/results/coverage?period=month"' in imported
    assert db.session.scalar(sa.select(sa.func.count(CommuneCoverage.id))) == 10


def test_with_redis_a_large_import_waits_for_a_worker_instead_of_running_in_the_request(
    app, officer_client, held
):
    from rq import Queue, SimpleWorker

    connection = redis_or_skip(REDIS_URL)
    queue = Queue(IMPORTS.rq_name, connection=connection)
    queue.empty()
    app.config["REDIS_URL"] = REDIS_URL

    queued = upload(officer_client, held.id, as_csv(conference_rows()))
    job_url = queued.headers["Location"]
    job_id = job_id_of(job_url)

    assert db.session.get(PrintJob, job_id).status == JobStatus.QUEUED
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0
    assert [job.args for job in queue.jobs] == [(job_id,)]
    assert 'http-equiv="refresh"' in officer_client.get(job_url).get_data(as_text=True)

    SimpleWorker([queue], connection=connection).work(burst=True)

    db.session.expire_all()
    assert db.session.get(PrintJob, job_id).status == JobStatus.DONE
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == CONFERENCE
    assert "Đã nhập 160 người tham dự" in officer_client.get(job_url).get_data(as_text=True)
