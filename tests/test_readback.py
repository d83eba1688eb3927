"""Reading back the signed sheet: photos of the app's own rendered pages become attendance."""

from __future__ import annotations

import json
import time
from datetime import date
from io import BytesIO

import numpy as np
import pytest

from bench.sheet_photos import Condition, RowMarks, apply_marks, photograph, render_pages
from planner.extensions import db
from planner.people.models import Attendance, AttendanceSource, Person
from planner.printing import sheet
from planner.readback.models import BatchStatus, ReadingBatch
from tests import factories
from tests.redis_server import redis_or_skip

PAST_DAY = date(2026, 11, 25)
CAREFUL = Condition("careful", tilt=10, megapixels=3, jpeg=85)


@pytest.fixture
def signed_session(officer, places):
    return meeting_with_invitations(officer, places)


def meeting_with_invitations(officer, places):
    """A village meeting that happened, with two invited people printed on a two-page sheet."""
    factories.rates()
    session = factories.session(
        officer,
        places.commune,
        day=PAST_DAY,
        venue=places.house,
        title="Họp thôn Na Hối",
        expected_attendance=10,
    )
    db.session.flush()
    for name, phone in (("Giàng Thị Mỷ", "+84912000101"), ("Sùng Văn Páo", "+84912000102")):
        person = Person(office_id=officer.office_id, full_name=name, phone=phone)
        db.session.add(person)
        db.session.flush()
        db.session.add(
            Attendance(
                office_id=officer.office_id,
                session_id=session.id,
                person_id=person.id,
                source=AttendanceSource.IMPORT,
            )
        )
    db.session.commit()
    return session


def print_sheet(session):
    version, pdf = sheet.attendance_sheet(session)
    db.session.commit()
    return version, pdf


# Page 1: Giàng Thị Mỷ (row 1) signs and ticks "interested in voluntary SI"; Sùng Văn Páo
# (row 2) does not come; a walk-in signs row 3 with a cross in "registered on the spot" and a
# light pencil tick in "has a health insurance card". Page 2: a walk-in signs row 12 with a
# thumbprint and fills "interested in household HI".
PLANS = {
    1: {
        1: RowMarks(boxes={"wants_vsi": "tick"}, sign="scribble"),
        3: RowMarks(boxes={"registered": "cross", "has_hi": "tick"}, sign="scribble", name=True),
    },
    2: {12: RowMarks(boxes={"wants_hhi": "fill"}, sign="thumb", name=True, stray=("has_hi",))},
}


def photos_of(pdf: bytes, version, condition=CAREFUL, seed=7, plans=PLANS) -> list[bytes]:
    rng = np.random.default_rng(seed)
    layout = version.layout
    photos = []
    for number, page in enumerate(render_pages(pdf), start=1):
        layout_page = layout["pages"][number - 1]
        if not layout_page["boxes"]:
            continue
        marked, _truth = apply_marks(page, layout_page, plans.get(number, {}), rng)
        photos.append(photograph(marked, condition, rng))
    return photos


def wait_for(client, batch_url: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(batch_url + ".json").get_json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.1)
    raise AssertionError("reading did not finish")


def send(client, session, files: list[tuple[bytes, str]]):
    """Post photos as a phone's browser does (the multipart body built and closed here: the
    test client leaves its temporary file for large bodies open)."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import stream_encode_multipart

    fields = MultiDict([("photos", FileStorage(BytesIO(content), name)) for content, name in files])
    stream, _length, boundary = stream_encode_multipart(fields)
    with stream:
        body = stream.read()
    return client.post(
        f"/readback/sessions/{session.id}/read",
        data=body,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


def test_the_session_page_offers_to_read_the_signed_sheet(officer_client, signed_session):
    page = officer_client.get(f"/sessions/{signed_session.id}").get_data(as_text=True)
    assert f"/readback/sessions/{signed_session.id}/read" in page

    form = officer_client.get(f"/readback/sessions/{signed_session.id}/read").get_data(as_text=True)
    assert 'accept="image/*,application/pdf"' in form and "capture" in form and "multiple" in form


def test_photos_of_a_signed_sheet_become_attendance_after_review(officer_client, signed_session):
    version, pdf = print_sheet(signed_session)
    assert version.page_count == 2
    photos = photos_of(pdf, version)

    response = send(
        officer_client, signed_session, [(p, f"IMG_{i}.jpg") for i, p in enumerate(photos)]
    )
    assert response.status_code == 302
    batch_url = response.headers["Location"]
    assert wait_for(officer_client, batch_url)["status"] == "done"

    review = officer_client.get(batch_url).get_data(as_text=True)
    assert "Giàng Thị Mỷ" in review
    assert "Sùng Văn Páo" not in review  # did not sign: not a line to review
    batch = db.session.scalars(db.select(ReadingBatch)).one()
    lines = {f"p{r.page}-{row['row']}": row for r in batch.pages for row in r.rows}
    assert lines["p1-1"]["boxes"]["wants_vsi"]["decision"] == "yes"
    assert lines["p1-1"]["signature"]["decision"] == "yes"
    assert lines["p1-2"]["signature"]["decision"] == "no"
    assert lines["p1-3"]["boxes"]["registered"]["decision"] == "yes"
    assert lines["p1-3"]["handwriting"]["decision"] == "yes"
    assert lines["p2-12"]["boxes"]["wants_hhi"]["decision"] == "yes"
    assert lines["p2-12"]["boxes"]["has_hi"]["decision"] == "no"  # the stray mark is beside it
    keys = {
        f"p{r.page}-{row['row']}": f"{r.id}-{row['row']}" for r in batch.pages for row in r.rows
    }

    form = {"line": [keys["p1-1"], keys["p1-3"], keys["p2-12"]]}
    for key in form["line"]:
        form[f"{key}-include"] = "1"
        for column in ("has_hi", "wants_vsi", "wants_hhi", "registered"):
            form[f"{key}-{column}"] = "no"
    form[f"{keys['p1-1']}-wants_vsi"] = "yes"
    form[f"{keys['p1-1']}-has_hi"] = "yes"  # an invited person's card box counts too
    form[f"{keys['p1-3']}-registered"] = "yes"
    form[f"{keys['p1-3']}-has_hi"] = "yes"
    form[f"{keys['p1-3']}-full_name"] = "Lò Văn Hùng"
    form[f"{keys['p1-3']}-birth_year"] = "1980"
    form[f"{keys['p2-12']}-wants_hhi"] = "yes"
    form[f"{keys['p2-12']}-full_name"] = "Vàng Thị Sính"
    form[f"{keys['p2-12']}-consent"] = "1"
    response = officer_client.post(batch_url + "/confirm", data=form)

    assert response.status_code == 302
    session_page = officer_client.get(f"/sessions/{signed_session.id}").get_data(as_text=True)
    assert "Lò Văn Hùng" in session_page and "Vàng Thị Sính" in session_page
    by_name = {
        a.person.full_name: a
        for a in db.session.scalars(
            db.select(Attendance).where(Attendance.session_id == signed_session.id)
        )
    }
    assert by_name["Giàng Thị Mỷ"].interested_voluntary_si
    assert by_name["Giàng Thị Mỷ"].person.has_health_insurance is True
    assert by_name["Lò Văn Hùng"].registered_on_spot
    assert by_name["Lò Văn Hùng"].person.has_health_insurance is True
    assert by_name["Vàng Thị Sính"].interested_household_hi
    # Interest creates follow-ups through the same service as typed entry.
    from planner.followups.models import FollowUp

    assert db.session.scalar(db.select(db.func.count(FollowUp.id))) == 1
    from planner.audit.models import AuditEntry

    trail = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity == "sheet_reading")
    ).all()
    assert len(trail) == 2 and all(e.action == "confirm" for e in trail)
    db.session.expire_all()
    assert db.session.get(ReadingBatch, batch.id).status == BatchStatus.CONFIRMED

    # The same page again later is not counted twice.
    again = send(officer_client, signed_session, [(photos[0], "again.jpg")])
    assert wait_for(officer_client, again.headers["Location"])["status"] == "done"
    page = officer_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "đã được đọc và xác nhận" in page


def test_the_command_prints_what_was_read_as_json(app, runner, signed_session, tmp_path):
    version, pdf = print_sheet(signed_session)
    photo = tmp_path / "page1.jpg"
    photo.write_bytes(photos_of(pdf, version)[0])

    result = runner.invoke(args=["read-sheet", str(photo)])

    assert result.exit_code == 0, result.output
    read = json.loads(result.output)
    assert read[0]["page_id"] == f"PL-{signed_session.id}-{version.number}-1"
    rows = {r["row"]: r for r in read[0]["rows"]}
    assert rows[1]["signature"]["decision"] == "yes" and rows[2]["signature"]["decision"] == "no"
    assert rows[1]["boxes"]["wants_vsi"]["decision"] == "yes"
    assert 0 <= rows[1]["boxes"]["wants_vsi"]["confidence"] <= 1


def test_with_a_redis_url_photos_are_read_on_rq_workers(app, officer_client, signed_session):
    from rq import Queue, SimpleWorker

    url = "redis://127.0.0.1:6379/15"
    connection = redis_or_skip(url)
    queue = Queue("planner-readback", connection=connection)
    queue.empty()
    app.config["REDIS_URL"] = url
    version, pdf = print_sheet(signed_session)

    response = send(officer_client, signed_session, [(photos_of(pdf, version)[0], "p.jpg")])
    batch_url = response.headers["Location"]
    assert officer_client.get(batch_url + ".json").get_json()["status"] == "queued"

    SimpleWorker([queue], connection=connection).work(burst=True)

    db.session.expire_all()
    assert officer_client.get(batch_url + ".json").get_json()["status"] == "done"
    assert "Giàng Thị Mỷ" in officer_client.get(batch_url).get_data(as_text=True)


def test_a_row_printed_for_someone_merged_since_is_the_kept_record_s_row(
    officer_client, officer, signed_session
):
    from planner.people.duplicates import merge_people
    from planner.readback.review import review_lines

    version, pdf = print_sheet(signed_session)
    photos = photos_of(pdf, version)[:1]
    response = send(officer_client, signed_session, [(photos[0], "IMG_1.jpg")])
    assert wait_for(officer_client, response.headers["Location"])["status"] == "done"
    # After printing, Giàng Thị Mỷ's record is merged into an older one, then that into another.
    printed = db.session.scalars(db.select(Person).where(Person.full_name == "Giàng Thị Mỷ")).one()
    older = Person(office_id=officer.office_id, full_name="Giàng Thị Mỷ", birth_year=1990)
    oldest = Person(office_id=officer.office_id, full_name="Giàng Thị Mỷ", phone="+84912000109")
    db.session.add_all([older, oldest])
    db.session.flush()
    merge_people(older, printed, officer)
    merge_people(oldest, older, officer)
    db.session.commit()

    batch = db.session.scalars(db.select(ReadingBatch)).one()
    first_row = next(line for line in review_lines(batch) if line.row == 1)
    assert first_row.person is not None and first_row.person.id == oldest.id
    assert not first_row.walk_in
