"""Entries typed offline and sent later are recorded once per key (sent twice, sent again after a
lost response, or by two senders at once, on SQLite and PostgreSQL); a refused entry answers
why in the officer's language; the server decides what a phone keeps; manifest and worker."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import gettext as _

from planner.enums import SessionStatus
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpOutcome, FollowUpStatus
from planner.offline.keeping import app_version
from planner.offline.models import EntryKind, OfflineEntry
from planner.offline.replay import Submission, replay
from planner.people.duplicates import merge_people
from planner.people.models import Attendance, Person
from planner.sessions.models import OutreachSession
from planner.sessions.status import set_status
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff
from tests.conftest import login
from tests.test_races import in_threads


@pytest.fixture
def held(officer, places):
    session = factories.session(
        officer, places.commune, day=today_local() - timedelta(days=1), venue=places.house
    )
    db.session.commit()
    return session


@pytest.fixture
def follow_up(office, held):
    person = ff.person(office)
    ff.attend(held, person, vsi=True)  # interest opens a follow-up
    db.session.commit()
    return db.session.scalars(sa.select(FollowUp)).one()


def key() -> str:
    return str(uuid.uuid4())


def attendee(session_id: int, name: str = "Lò Văn Páo", entry_key: str | None = None) -> dict:
    return {
        "key": entry_key or key(),
        "kind": "attendance",
        "target": session_id,
        "fields": {
            "full_name": name,
            "birth_year": "1990",
            "interest": "voluntary_si",
            "priority_group": "other",
            "consent_contact": "y",
        },
        "seen": {"status": "planned"},
    }


def outcome(follow_up: FollowUp, kind: str = "reached", entry_key: str | None = None) -> dict:
    p = f"fu{follow_up.id}"
    return {
        "key": entry_key or key(),
        "kind": "outcome",
        "target": follow_up.id,
        "fields": {
            f"{p}-kind": kind,
            f"{p}-channel": "home_visit",
            f"{p}-notes": "Đến nhà lúc 9 giờ",
        },
        "seen": {"person_id": str(follow_up.person_id)},
    }


def send(client, entry: dict):
    return client.post("/offline/entries", json=entry)


def attendances(session_id: int) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Person.full_name)
            .join(Attendance, Attendance.person_id == Person.id)
            .where(Attendance.session_id == session_id)
            .order_by(Person.full_name)
        )
    )


# --- recorded once -------------------------------------------------------------------------


def test_an_attendee_sent_twice_is_recorded_once(officer_client, held):
    entry = attendee(held.id)
    first = send(officer_client, entry)
    assert first.status_code == 200, first.json
    assert first.json == {"status": "recorded", "message": "Đã thêm Lò Văn Páo vào danh sách."}
    again = send(officer_client, entry)
    assert again.status_code == 200
    assert again.json["status"] == "already_recorded"
    assert again.json["message"] == first.json["message"]
    assert attendances(held.id) == ["Lò Văn Páo"]
    assert db.session.scalar(sa.select(sa.func.count(OfflineEntry.id))) == 1


def test_three_attendees_and_an_outcome_each_recorded_once_in_any_order(
    officer_client, held, follow_up
):
    entries = [attendee(held.id, name) for name in ("Lò Văn Páo", "Sùng A Dế", "Vàng Thị Mỷ")]
    entries.append(outcome(follow_up))
    for entry in [*entries, *reversed(entries)]:
        assert send(officer_client, entry).status_code == 200
    assert attendances(held.id) == ["Giàng Thị Sua", "Lò Văn Páo", "Sùng A Dế", "Vàng Thị Mỷ"]
    outcomes = db.session.scalars(sa.select(FollowUpOutcome)).all()
    assert len(outcomes) == 1
    # What was entered is kept: the channel and the note.
    assert outcomes[0].channel.value == "home_visit" and outcomes[0].notes == "Đến nhà lúc 9 giờ"


def test_an_entry_sent_again_after_its_answer_was_lost_is_recorded_once(
    app, officer_client, officer, held
):
    entry = attendee(held.id)
    # The first attempt reached the server and was recorded; its answer never reached the phone.
    from planner.offline.replay import parse_submission

    assert replay(officer, parse_submission(entry)).recorded
    again = send(officer_client, entry)
    assert again.status_code == 200 and again.json["status"] == "already_recorded"
    assert attendances(held.id) == ["Lò Văn Páo"]


def test_a_key_is_one_officers_own(client, office, officer, held):
    other = factories.user(office, username="lan", full_name="Vàng Thị Lan")
    db.session.commit()
    entry = attendee(held.id)
    assert send(login(client, officer), entry).json["status"] == "recorded"
    client.post("/logout")
    # The same key from another officer is their own entry, recorded for them.
    answer = send(login(client, other), entry)
    assert answer.status_code == 200 and answer.json["status"] == "recorded"
    assert db.session.scalar(sa.select(sa.func.count(OfflineEntry.id))) == 2


@pytest.mark.parametrize("kind", ["attendance", "outcome", "held"])
def test_two_replays_of_one_entry_at_once_record_it_once(app, officer, held, follow_up, kind):
    officer_id, session_id, follow_up_id = officer.id, held.id, follow_up.id
    person_id = follow_up.person_id
    entry_key = key()
    fields = {
        "attendance": {"full_name": "Lò Văn Páo", "priority_group": "other", "interest": "none"},
        "outcome": {f"fu{follow_up_id}-kind": "reached", f"fu{follow_up_id}-channel": "call"},
        "held": {},
    }[kind]
    target = follow_up_id if kind == "outcome" else session_id
    db.session.commit()

    def send_once(barrier):
        from werkzeug.datastructures import MultiDict

        from planner.accounts.models import User

        with app.test_request_context():
            user = db.session.get(User, officer_id)
            submission = Submission(
                key=entry_key,
                kind=EntryKind(kind),
                target_id=target,
                fields=MultiDict(fields),
                seen={"person_id": str(person_id)},
            )
            barrier.wait()
            return replay(user, submission)

    results = in_threads(app, send_once, send_once, send_once)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.recorded for r in results) == [False, False, True]
    assert len({r.message for r in results}) == 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(OfflineEntry.id))) == 1
    if kind == "attendance":
        assert attendances(session_id) == ["Giàng Thị Sua", "Lò Văn Páo"]
    elif kind == "outcome":
        assert db.session.scalar(sa.select(sa.func.count(FollowUpOutcome.id))) == 1
    else:
        assert db.session.get(OutreachSession, session_id).status == SessionStatus.HELD


def test_marking_a_session_held_twice_is_recorded_once(officer_client, held):
    entry = {"key": key(), "kind": "held", "target": held.id, "seen": {"status": "planned"}}
    assert send(officer_client, entry).json == {
        "status": "recorded",
        "message": f"Đã ghi nhận buổi {held.label} đã được tổ chức.",
    }
    db.session.expire_all()
    sequence = db.session.get(OutreachSession, held.id).sequence
    assert send(officer_client, entry).json["status"] == "already_recorded"
    db.session.expire_all()
    session = db.session.get(OutreachSession, held.id)
    assert session.status == SessionStatus.HELD and session.sequence == sequence


# --- refused, with the reason --------------------------------------------------------------


def test_an_attendee_for_a_session_cancelled_meanwhile_is_refused_with_the_reason(
    app, officer_client, held
):
    set_status(held, SessionStatus.CANCELLED, "Mưa lũ, đường sạt lở")
    db.session.commit()
    answer = send(officer_client, attendee(held.id))
    assert answer.status_code == 409
    assert answer.json["status"] == "refused"
    with app.test_request_context():
        assert answer.json["reason"] == _(
            "This session was cancelled; attendance cannot be recorded for it."
        )
    assert answer.json["reason"].startswith("Buổi truyền thông này đã bị h")
    assert attendances(held.id) == []
    # Nothing is kept under the key: corrected, it may be sent again.
    assert db.session.scalar(sa.select(sa.func.count(OfflineEntry.id))) == 0


def test_marking_held_a_session_cancelled_meanwhile_is_refused(officer_client, held):
    set_status(held, SessionStatus.CANCELLED, "Mưa lũ")
    db.session.commit()
    answer = send(
        officer_client,
        {"key": key(), "kind": "held", "target": held.id, "seen": {"status": "planned"}},
    )
    assert answer.status_code == 409
    assert "Mưa lũ" in answer.json["reason"] and "không thể" in answer.json["reason"]
    db.session.expire_all()
    assert db.session.get(OutreachSession, held.id).status == SessionStatus.CANCELLED


def test_an_outcome_for_a_person_another_officer_merged_is_refused_naming_the_person_kept(
    officer_client, office, supervisor, follow_up
):
    entry = outcome(follow_up)
    removed = follow_up.person
    kept = ff.person(office, full_name="Giàng Thị Súa", phone="+84987654321")
    merge_people(kept, removed, supervisor)
    db.session.commit()
    answer = send(officer_client, entry)
    assert answer.status_code == 409
    assert answer.json["code"] == "merged"
    assert "Giàng Thị Súa" in answer.json["reason"]
    assert answer.json["reason"].startswith("Cán bộ khác đã gộp người này")
    assert db.session.scalar(sa.select(sa.func.count(FollowUpOutcome.id))) == 0


def test_an_outcome_for_a_follow_up_closed_meanwhile_is_refused(officer_client, follow_up):
    follow_up.status = FollowUpStatus.CANCELLED
    db.session.commit()
    answer = send(officer_client, outcome(follow_up))
    assert answer.status_code == 409
    assert answer.json["reason"].startswith("Việc liên hệ lại này đã đóng")


UNREADABLE = "Không đọc được mục này; hãy nhập lại."


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        {"key": "short", "kind": "held", "target": 1},
        {"key": "k" * 65, "kind": "held", "target": 1},
        {"key": "a" * 20, "kind": "sell", "target": 1},
        {"key": "a" * 20, "kind": "held", "target": True},
        {"key": "a" * 20, "kind": "held", "target": 2**40},
        {"key": "a" * 20, "kind": "held", "target": 1, "fields": ["a"]},
    ],
)
def test_an_unreadable_entry_is_refused_not_a_500(officer_client, body):
    if isinstance(body, str):
        answer = officer_client.post("/offline/entries", data=body, content_type="application/json")
    else:
        answer = send(officer_client, body)
    assert answer.status_code == 422
    assert answer.json["reason"] == UNREADABLE


def test_an_attendee_without_a_name_is_refused_naming_the_field(officer_client, held):
    entry = attendee(held.id)
    entry["fields"]["full_name"] = ""
    answer = send(officer_client, entry)
    assert answer.status_code == 422
    assert answer.json["reason"].startswith("Họ và tên:")


def test_an_enrolment_is_not_recorded_offline(officer_client, follow_up):
    answer = send(officer_client, outcome(follow_up, "enrolled"))
    assert answer.status_code == 422
    assert "trực tuyến" in answer.json["reason"] or "mẫu đăng ký" in answer.json["reason"]


def test_another_offices_session_is_gone(client, held):
    elsewhere = factories.office(name="Bảo hiểm xã hội tỉnh Lai Châu", province="Lai Châu")
    stranger = factories.user(elsewhere, username="tu", full_name="Lò Văn Tú")
    db.session.commit()
    answer = send(login(client, stranger), attendee(held.id))
    assert answer.status_code == 404
    assert answer.json["reason"].startswith("Buổi này không còn nữa")
    assert attendances(held.id) == []


def test_signed_out_the_phone_keeps_its_entries_and_is_asked_to_sign_in(client, held):
    answer = send(client, attendee(held.id))
    assert answer.status_code == 401
    assert answer.json["status"] == "signed_out"
    assert "Đăng nhập lại" in answer.json["reason"]
    assert client.get("/offline/keep.json").status_code == 401
    assert client.get("/offline/token").status_code == 401


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_the_queue_sends_with_a_fresh_token(self, client, officer, held):
        page = client.get("/login").get_data(as_text=True)
        import re

        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/login", data={"username": "mai", "password": factories.PASSWORD, "csrf_token": token}
        )
        assert send(client, attendee(held.id)).status_code == 400  # no token: refused
        fresh = client.get("/offline/token").json["csrf_token"]
        answer = client.post(
            "/offline/entries", json=attendee(held.id), headers={"X-CSRFToken": fresh}
        )
        assert answer.status_code == 200 and answer.json["status"] == "recorded"


# --- what the phone keeps -------------------------------------------------------------------


def test_the_phone_keeps_the_officers_own_sessions_of_the_next_14_days(
    officer_client, office, officer, places
):
    other = factories.user(office, username="lan", full_name="Vàng Thị Lan")
    today = today_local()
    mine = factories.session(officer, places.commune, day=today + timedelta(days=3))
    helping = factories.session(
        other, places.commune, day=today + timedelta(days=5), facilitator_ids=[officer.id]
    )
    theirs = factories.session(other, places.commune, day=today + timedelta(days=2))
    later = factories.session(officer, places.commune, day=today + timedelta(days=20))
    past = factories.session(officer, places.commune, day=today - timedelta(days=5))
    cancelled = factories.session(officer, places.commune, day=today + timedelta(days=4))
    set_status(cancelled, SessionStatus.CANCELLED, "Mưa lũ")
    db.session.commit()
    kept = officer_client.get("/offline/keep.json").json
    urls = [p["url"] for p in kept["pages"]]
    for session in (mine, helping):
        for url in ("/sessions/{}", "/sessions/{}/attendance"):
            assert url.format(session.id) in urls
        for url in ("/printing/sessions/{}/flyer.pdf", "/printing/sessions/{}/sheet.pdf"):
            assert url.format(session.id) in urls
    for session in (theirs, later, past, cancelled):
        assert not any(f"/sessions/{session.id}" in u for u in urls)
    monday = today - timedelta(days=today.weekday())
    assert "/" in urls and f"/?week={monday + timedelta(days=7)}" in urls
    assert "/follow-ups/" in urls
    # (Each file under its versioned URL, the one the pages name: planner/static_versions.py.)
    files = [f.split("?v=")[0] for f in kept["files"]]
    assert "/static/css/app.css" in files and "/static/offline/queue.js" in files
    assert all("?v=" in f for f in kept["files"])
    assert not any("fonts" in f for f in kept["files"])
    assert kept["version"] == app_version() and kept["user"] == officer.id
    # Each page says until when the phone may keep it; none past the 14 days and a day.
    limit = (today + timedelta(days=16)).isoformat()
    assert all(p["until"] < limit for p in kept["pages"])


def test_every_kept_address_answers(officer_client, officer, places):
    factories.session(officer, places.commune, day=today_local())
    db.session.commit()
    kept = officer_client.get("/offline/keep.json").json
    for url in kept["files"] + [p["url"] for p in kept["pages"] if not p["url"].endswith(".pdf")]:
        response = officer_client.get(url)
        response.close()
        assert response.status_code == 200, url


def test_a_kept_page_says_when_it_was_rendered(officer_client, held):
    page = officer_client.get(f"/sessions/{held.id}").get_data(as_text=True)
    assert 'data-served="network"' in page
    assert "Cập nhật lần cuối lúc" in page
    assert 'data-offline="attendance"' in page and 'data-offline="held"' in page


def test_the_manifest_is_vietnamese_first_with_the_offices_name_and_png_icons(app, officer_client):
    manifest = officer_client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.json
    assert body["lang"] == "vi"
    assert body["name"] == "Kế hoạch truyền thông – Bảo hiểm xã hội tỉnh Lào Cai"
    assert body["start_url"] == "/" and body["display"] == "standalone"
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in body["icons"]:
        with officer_client.get(icon["src"]) as image:
            assert image.status_code == 200 and image.mimetype == "image/png"
            assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'rel="manifest"' in officer_client.get("/").get_data(as_text=True)


def test_the_service_worker_is_served_from_the_root_with_the_apps_version(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    text = worker.get_data(as_text=True)
    assert text.startswith(f"const VERSION = '{app_version()}';")
    assert "skipWaiting" in text and "clients.claim" in text


def test_a_future_sessions_kept_page_carries_its_attendance_form_for_the_day(
    officer_client, officer, places
):
    """Kept the day before at the office, the page opens its form on the session's day offline
    (the script shows it from that day); online before the day it stays hidden and refused."""
    tomorrow = today_local() + timedelta(days=1)
    session = factories.session(officer, places.commune, day=tomorrow)
    db.session.commit()
    page = officer_client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert f'hidden data-from-day="{tomorrow.isoformat()}"' in page
    assert f'data-until-day="{tomorrow.isoformat()}"' in page
    assert 'data-offline="attendance"' in page
    answer = send(officer_client, attendee(session.id))
    assert answer.status_code == 422 and "chưa diễn ra" in answer.json["reason"]


def test_a_page_the_worker_keeps_never_writes_the_session_cookie(officer_client, held):
    """Fetched in the background, its cookie would undo what the officer's own request did."""
    with officer_client.session_transaction() as session:
        session["_flashes"] = [("success", "Đã lưu.")]
    kept = officer_client.get(f"/sessions/{held.id}", headers={"X-Planner-Keep": "1"})
    assert kept.status_code == 200
    assert "Set-Cookie" not in kept.headers
    # The message the background fetch popped is still there for the officer's next page.
    page = officer_client.get(f"/sessions/{held.id}").get_data(as_text=True)
    assert "Đã lưu." in page
