"""Two officers, one record: a stale form never silently undoes the first change (it says what
changed), two saves at the same moment never both win (the loser is told), two people printing
one sheet both get it, and a job whose worker died can be retried. The simultaneous cases run
in two threads with their own database connections, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from planner.enrolments.services import EnrolmentInput, record_enrolment
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpOutcome, FollowUpStatus, Product
from planner.followups.outcomes import OutcomeInput, log_outcome
from planner.people.models import Attendance, Person
from planner.printing import jobs, sheet
from planner.printing.models import JobKind, PrintJob, SheetVersion
from planner.printing.talking_points import seed_talking_points
from planner.timezones import now_utc, today_local
from tests import factories
from tests import factories_followups as ff
from tests.conftest import login
from tests.test_attack_walk import FormsOnPage


@pytest.fixture
def held(officer, places):
    session = factories.session(
        officer, places.commune, day=today_local() - timedelta(days=1), venue=places.house
    )
    db.session.commit()
    return session


@pytest.fixture
def sua(office, held):
    person = ff.person(office)
    attendance = ff.attend(held, person, vsi=True)
    db.session.commit()
    return person, attendance


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page) or re.search(
        rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', page
    )
    assert match, f"no hidden {name}"
    import html

    return html.unescape(match.group(1))


def form_as_shown(client, url: str, field: str) -> dict:
    """Every field of the page's form that has `field`, with the values it showed."""
    parser = FormsOnPage()
    parser.feed(client.get(url).get_data(as_text=True))
    fields = next(f for _action, f, _options in parser.forms if field in f)
    return {name: values for name, values in fields.items()}


def stale_form(client, url: str) -> dict:
    """What the form held when the officer opened it."""
    page = client.get(url).get_data(as_text=True)
    return {"version": hidden(page, "version"), "base": hidden(page, "base")}


# --- stale forms ---------------------------------------------------------------------------


def test_a_stale_person_form_keeps_the_first_change_and_says_what_changed(
    app, officer_client, officer, sua
):
    person, _attendance = sua
    url = f"/people/{person.id}/edit"
    opened = form_as_shown(officer_client, url, "full_name")
    colleague = factories.user(officer.office, username="lan", full_name="Lò Thị Lan")
    db.session.commit()
    other = login(app.test_client(), colleague)
    theirs = form_as_shown(other, url, "full_name")
    assert other.post(url, data={**theirs, "full_name": "Giàng Thị Súa"}).status_code == 302

    response = officer_client.post(url, data={**opened, "full_name": "Giàng Thị Sua (mẹ)"})
    text = response.get_data(as_text=True)
    assert "Người khác đã thay đổi mục này sau khi bạn mở" in text
    assert "Giàng Thị Sua → Giàng Thị Súa" in text
    db.session.expire_all()
    assert db.session.get(Person, person.id).full_name == "Giàng Thị Súa"


def test_a_stale_attendance_form_says_what_changed(app, officer_client, sua):
    _person, attendance = sua
    url = f"/attendance/{attendance.id}/edit"
    opened = stale_form(officer_client, url)
    assert (
        officer_client.post(url, data={"interest": "both", "notes": "Hẹn gọi lại"}).status_code
        == 302
    )
    response = officer_client.post(url, data={"interest": "none", "notes": "", **opened})
    assert response.status_code == 409
    assert "Hẹn gọi lại" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Attendance, attendance.id).notes == "Hẹn gọi lại"


def test_a_stale_receipt_form_says_what_changed(officer_client, officer, sua):
    person, _attendance = sua
    factories.rates()
    enrolment = record_enrolment(
        person,
        EnrolmentInput(Product.HOUSEHOLD_HI, today_local(), "BL-1", months=3, members=1),
        officer,
    )
    db.session.commit()
    url = f"/enrolments/{enrolment.id}"
    opened = stale_form(officer_client, url)
    assert officer_client.post(url, data={"receipt_number": "BL-2", "notes": ""}).status_code == 302
    response = officer_client.post(url, data={"receipt_number": "BL-3", "notes": "", **opened})
    assert response.status_code == 409
    assert "BL-1 → BL-2" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(enrolment), enrolment.id).receipt_number == "BL-2"


def test_a_stale_due_date_form_says_what_changed(officer_client, sua):
    follow_up = db.session.scalars(sa.select(FollowUp)).one()
    url = f"/follow-ups/{follow_up.id}"
    opened = stale_form(officer_client, url)
    first = (today_local() + timedelta(days=9)).isoformat()
    second = (today_local() + timedelta(days=3)).isoformat()
    assert officer_client.post(f"{url}/reschedule", data={"due_on": first}).status_code == 302
    response = officer_client.post(f"{url}/reschedule", data={"due_on": second, **opened})
    assert response.status_code == 409
    assert f"→ {first}" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FollowUp, follow_up.id).due_on.isoformat() == first


# --- simultaneous saves --------------------------------------------------------------------


def in_threads(app, *work):
    """Run each callable in its own thread, app context and database connection, started
    together; returns what each returned or raised."""
    barrier = threading.Barrier(len(work))
    results: list = [None] * len(work)

    def run(index, job):
        with app.app_context():
            try:
                results[index] = job(barrier)
            except Exception as error:  # the race's loser is part of the story
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_officers_closing_one_follow_up_at_once_one_wins_and_the_other_is_told(
    app, officer, sua
):
    follow_up_id = db.session.scalars(sa.select(FollowUp.id)).one()
    officer_id = officer.id
    db.session.commit()

    def close(kind: str, reason: str = ""):
        def work(barrier):
            from planner.accounts.models import User

            follow_up = db.session.get(FollowUp, follow_up_id)
            by = db.session.get(User, officer_id)
            assert follow_up.status == FollowUpStatus.OPEN
            barrier.wait()
            log_outcome(follow_up, OutcomeInput(kind=kind, reason=reason), by)
            db.session.commit()
            return kind

        return work

    results = in_threads(app, close("reached"), close("declined", "Không có tiền"))
    won = [r for r in results if isinstance(r, str)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], StaleDataError)
    db.session.expire_all()
    follow_up = db.session.get(FollowUp, follow_up_id)
    assert follow_up.status == FollowUpStatus.DONE
    outcomes = db.session.scalars(
        sa.select(FollowUpOutcome.kind).where(FollowUpOutcome.follow_up_id == follow_up_id)
    ).all()
    assert [o.value for o in outcomes] == won


def test_the_loser_of_a_race_sees_a_409_that_says_so(app, officer_client, sua, monkeypatch):
    from planner.followups import routes

    def lose(*_args, **_kwargs):
        raise StaleDataError("UPDATE statement on table 'follow_up' expected to update 1 row")

    monkeypatch.setattr(routes, "log_outcome", lose)
    follow_up = db.session.scalars(sa.select(FollowUp)).one()
    response = officer_client.post(
        f"/follow-ups/{follow_up.id}/outcome",
        data={f"fu{follow_up.id}-kind": "reached", f"fu{follow_up.id}-channel": "call"},
    )
    assert response.status_code == 409
    assert "Người khác vừa lưu thay đổi cho mục này cùng lúc" in response.get_data(as_text=True)


def test_two_people_printing_one_new_sheet_at_once_both_get_it(app, officer, held, sua):
    factories.rates()
    seed_talking_points()
    db.session.commit()
    session_id = held.id

    def print_sheet(barrier):
        from planner.sessions.models import OutreachSession

        session = db.session.get(OutreachSession, session_id)
        barrier.wait()
        version, pdf = sheet.attendance_sheet(session)
        db.session.commit()
        return version.number, pdf[:4]

    results = in_threads(app, print_sheet, print_sheet)
    assert all(isinstance(r, tuple) for r in results), results
    assert {r[1] for r in results} == {b"%PDF"}
    db.session.expire_all()
    numbers = db.session.scalars(
        sa.select(SheetVersion.number).where(SheetVersion.session_id == session_id)
    ).all()
    assert numbers == [1]


def test_a_print_that_looked_before_another_committed_the_same_sheet_takes_that_version(
    app, officer, held, sua
):
    """The window the threads above hit only under load: one print looks for a version of
    this content and finds none, the other print commits version 1 of it, then the first
    claims a number. It must take version 1, not make a version 2 of the same sheet."""
    factories.rates()
    seed_talking_points()
    db.session.commit()
    first, _pdf = sheet.attendance_sheet(held)
    db.session.commit()
    claimed = sheet._claim_sheet_version(held, first.content_hash, officer)
    db.session.commit()
    assert claimed.id == first.id
    numbers = db.session.scalars(
        sa.select(SheetVersion.number).where(SheetVersion.session_id == held.id)
    ).all()
    assert numbers == [1]


# --- jobs whose worker died ----------------------------------------------------------------


def stalled_job(officer, kind: JobKind = JobKind.PACKET) -> PrintJob:
    job = PrintJob(
        id="a" * 32,
        office_id=officer.office_id,
        user_id=officer.id,
        kind=kind,
        params_json=json.dumps(
            {"monday": "2026-01-05", "scope": {"kind": "office", "office_id": officer.office_id}}
        ),
        status="running",
        done=1,
        total=4,
        heartbeat_at=now_utc() - jobs.STALE_RUNNING - timedelta(seconds=5),
        filename="tuan.pdf",
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_a_job_whose_worker_died_is_failed_and_can_be_retried(officer_client, officer, monkeypatch):
    job = stalled_job(officer)
    queued = []
    monkeypatch.setattr(jobs, "enqueue", queued.append)

    state = officer_client.get(f"/printing/jobs/{job.id}.json").get_json()
    assert state["status"] == "failed"
    assert "máy chủ đã khởi động lại" in state["error"]
    page = officer_client.get(f"/printing/jobs/{job.id}").get_data(as_text=True)
    assert "Thử lại" in page

    response = officer_client.post(f"/printing/jobs/{job.id}/retry")
    assert response.status_code == 302
    assert queued == [job.id]
    db.session.expire_all()
    retried = db.session.get(PrintJob, job.id)
    assert (retried.status, retried.attempt, retried.done) == ("queued", 2, 0)


def test_a_job_with_a_recent_heartbeat_keeps_running(officer_client, officer):
    job = stalled_job(officer)
    job.heartbeat_at = now_utc() - timedelta(seconds=20)
    db.session.commit()
    assert officer_client.get(f"/printing/jobs/{job.id}.json").get_json()["status"] == "running"


def test_a_results_job_without_heartbeats_is_not_taken_for_a_dead_worker(app, officer):
    # Results jobs share the table but beat only at their end: a long report keeps running.
    job = stalled_job(officer, kind=JobKind.RESULTS_REPORT)
    assert jobs.expire_if_stale(job).status == "running"
    db.session.expire_all()
    assert db.session.get(PrintJob, job.id).status == "running"


def test_a_worker_of_an_earlier_attempt_writes_nothing(app, officer, monkeypatch):
    job = stalled_job(officer)
    monkeypatch.setattr(jobs, "enqueue", lambda job_id: None)
    jobs.expire_if_stale(job)
    assert jobs.retry(job)
    db.session.execute(sa.update(PrintJob).values(status="running"))
    db.session.commit()
    job.claimed_attempt = 1  # the dead worker wakes up, still holding the first attempt
    with pytest.raises(jobs.JobTakenOver):
        jobs._progress(job, 3)
    db.session.expire_all()
    assert db.session.get(PrintJob, job.id).done == 0


# --- limits ----------------------------------------------------------------------------------


class TestSessionCeiling:
    @pytest.fixture
    def app_config(self):
        return {"PEOPLE_MAX_PER_SESSION": 3}

    def test_a_session_holds_at_most_the_ceiling_and_says_so(self, officer_client, office, held):
        from planner.errors import PlannerError
        from planner.people.attendance import record_attendances
        from planner.people.identity import AttendeeInput

        rows = [AttendeeInput(full_name=f"Người {n}", birth_year=1980 + n) for n in range(4)]
        with pytest.raises(PlannerError, match="tối đa 3 người tham dự"):
            record_attendances(held, rows, None)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0
        record_attendances(held, rows[:3], None)
        db.session.commit()
        response = officer_client.post(
            f"/sessions/{held.id}/attendance",
            data={"full_name": "Người thứ tư", "interest": "none"},
        )
        assert "tối đa 3 người tham dự" in response.get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 3
