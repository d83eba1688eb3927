"""Bad photos get a clear message and change nothing; every batch belongs to its office."""

from __future__ import annotations

from datetime import timedelta

import cv2
import numpy as np
import pytest

from bench.sheet_photos import Condition, RowMarks
from planner.extensions import db
from planner.people.models import Attendance, AttendanceSource, Person
from planner.readback import retention, storage
from planner.readback.models import PageOutcome, PageReading, ReadingBatch
from planner.storage import StoredFile, store
from planner.timezones import now_utc
from tests import factories
from tests.conftest import login
from tests.test_readback import (
    PAST_DAY,
    meeting_with_invitations,
    photos_of,
    print_sheet,
    send,
    wait_for,
)

ONE_ROW = {1: {3: RowMarks(boxes={"wants_vsi": "tick"}, sign="scribble", name=True)}}


def outcomes(client, location: str) -> tuple[list[PageReading], str]:
    assert wait_for(client, location)["status"] == "done"
    page = client.get(location).get_data(as_text=True)
    db.session.expire_all()
    return db.session.scalars(db.select(PageReading).order_by(PageReading.id)).all(), page


def attendance_count(session) -> int:
    return db.session.scalar(
        db.select(db.func.count(Attendance.id)).where(Attendance.session_id == session.id)
    )


@pytest.fixture
def signed_session(officer, places):
    return meeting_with_invitations(officer, places)


@pytest.fixture
def sheet(signed_session):
    version, pdf = print_sheet(signed_session)
    return version, pdf


def jpeg(image: np.ndarray) -> bytes:
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()


def test_a_photo_with_no_sheet_says_so(officer_client, signed_session):
    table = np.full((1500, 2000), 120, np.uint8)
    cv2.putText(table, "not a sheet", (300, 700), cv2.FONT_HERSHEY_SIMPLEX, 5, 20, 12)

    response = send(officer_client, signed_session, [(jpeg(table), "table.jpg")])

    readings, page = outcomes(officer_client, response.headers["Location"])
    assert [r.outcome for r in readings] == [PageOutcome.NO_SHEET]
    assert "Không tìm thấy danh sách tham dự trong ảnh này" in page


def test_a_cut_off_corner_names_the_missing_marker(officer_client, signed_session, sheet):
    version, pdf = sheet
    photo = cv2.imdecode(
        np.frombuffer(
            photos_of(pdf, version, Condition("flat", tilt=2, megapixels=3))[0], np.uint8
        ),
        cv2.IMREAD_GRAYSCALE,
    )
    height, width = photo.shape
    # The page's bottom-left corner falls outside the picture.
    photo[int(height * 0.8) :, : int(width * 0.2)] = 90

    response = send(officer_client, signed_session, [(jpeg(photo), "cut.jpg")])

    readings, page = outcomes(officer_client, response.headers["Location"])
    assert [r.outcome for r in readings] == [PageOutcome.MARKER_MISSING]
    assert "không thấy ô đen ở góc dưới bên trái" in page


def test_a_blurred_photo_asks_for_another(officer_client, signed_session, sheet):
    version, pdf = sheet
    blurred = Condition("shaken", tilt=5, megapixels=3, blur=9)

    response = send(
        officer_client, signed_session, [(photos_of(pdf, version, blurred)[0], "b.jpg")]
    )

    readings, page = outcomes(officer_client, response.headers["Location"])
    assert readings[0].outcome in (PageOutcome.NO_CODE, PageOutcome.NO_SHEET)
    assert "Hãy chụp lại" in page or "Không tìm thấy" in page


def test_a_page_of_another_session_or_an_old_version_is_refused(
    officer_client,
    officer,
    places,
    signed_session,
    sheet,
):
    old_version, old_pdf = sheet
    other = factories.session(officer, places.commune, day=PAST_DAY, title="Buổi khác")
    db.session.commit()
    other_version, other_pdf = print_sheet(other)
    # A new invited person changes what the sheet prints: a second version.
    person = Person(office_id=officer.office_id, full_name="A Lềnh", phone="+84912000109")
    db.session.add(person)
    db.session.flush()
    db.session.add(
        Attendance(
            office_id=officer.office_id,
            session_id=signed_session.id,
            person_id=person.id,
            source=AttendanceSource.IMPORT,
        )
    )
    db.session.commit()
    new_version, _pdf = print_sheet(signed_session)
    assert new_version.number == old_version.number + 1
    before = attendance_count(signed_session)

    files = [
        (photos_of(other_pdf, other_version, plans=ONE_ROW)[0], "other.jpg"),
        (photos_of(old_pdf, old_version, plans=ONE_ROW)[0], "old.jpg"),
    ]
    response = send(officer_client, signed_session, files)

    readings, page = outcomes(officer_client, response.headers["Location"])
    assert [r.outcome for r in readings] == [PageOutcome.OTHER_SESSION, PageOutcome.OLD_VERSION]
    assert "thuộc buổi khác: Buổi khác" in page
    assert "bản 2 đã được in sau đó" in page
    confirm = officer_client.post(response.headers["Location"] + "/confirm", data={})
    assert confirm.status_code == 422
    assert attendance_count(signed_session) == before


def test_the_same_page_twice_in_one_batch_is_read_once(officer_client, signed_session, sheet):
    version, pdf = sheet
    first = photos_of(pdf, version, plans=ONE_ROW, seed=1)[0]
    second = photos_of(pdf, version, plans=ONE_ROW, seed=2)[0]

    response = send(officer_client, signed_session, [(first, "a.jpg"), (second, "b.jpg")])

    readings, page = outcomes(officer_client, response.headers["Location"])
    assert [r.outcome for r in readings] == [PageOutcome.READ, PageOutcome.DUPLICATE]
    assert "được chụp hai lần" in page


def test_a_file_too_large_or_not_a_picture_is_refused_and_nothing_kept(
    officer_client,
    signed_session,
):
    huge = b"\xff\xd8\xff" + bytes(40 * 1024 * 1024)
    response = send(officer_client, signed_session, [(huge, "huge.jpg")])
    assert response.status_code == 422
    assert "huge.jpg nặng 42 MB; mỗi ảnh tối đa 25 MB" in response.get_data(as_text=True)

    response = send(officer_client, signed_session, [(b"PK\x03\x04 a spreadsheet", "list.xlsx")])
    assert response.status_code == 422
    assert "list.xlsx không phải ảnh hay tệp PDF đọc được" in response.get_data(as_text=True)

    response = send(officer_client, signed_session, [])
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(ReadingBatch.id))) == 0


def test_another_offices_page_and_batches_stay_theirs(
    app,
    client,
    officer_client,
    signed_session,
    sheet,
):
    other_office = factories.office(name="Bảo hiểm xã hội tỉnh Hà Giang", province="Hà Giang")
    db.session.flush()
    stranger = factories.user(other_office, username="lan", full_name="Lò Thị Lan")
    other_places = factories.places(other_office)
    foreign = factories.session(stranger, other_places.commune, day=PAST_DAY, title="Họp thôn xa")
    db.session.commit()
    foreign_version, foreign_pdf = print_sheet(foreign)
    version, pdf = sheet

    # Another office's page sent to our session is not ours.
    response = send(
        officer_client,
        signed_session,
        [(photos_of(foreign_pdf, foreign_version, plans={})[0], "x.jpg")],
    )
    readings, page = outcomes(officer_client, response.headers["Location"])
    assert readings[0].outcome == PageOutcome.NOT_OURS
    assert "không thuộc danh sách của đơn vị bạn" in page

    # Our batch, its pictures and its confirmation are a 404 for the other office.
    ours = send(
        officer_client, signed_session, [(photos_of(pdf, version, plans=ONE_ROW)[0], "p.jpg")]
    )
    location = ours.headers["Location"]
    readings, _page = outcomes(officer_client, location)
    picture = f"{location}/files/page-{readings[-1].id}.jpg"
    assert officer_client.get(picture).status_code == 200
    assert officer_client.get(picture).headers["Cache-Control"] == "private, no-store"
    officer_client.post("/logout")
    other_client = app.test_client()
    login(other_client, stranger)
    assert other_client.get(location).status_code == 404
    assert other_client.get(location + ".json").status_code == 404
    assert other_client.get(picture).status_code == 404
    assert other_client.post(location + "/confirm", data={}).status_code == 404
    assert other_client.get(f"/readback/sessions/{signed_session.id}/read").status_code == 404


def test_photos_are_deleted_after_the_offices_days(
    app,
    runner,
    supervisor_client,
    signed_session,
    sheet,
):
    version, pdf = sheet
    response = supervisor_client.post("/readback/settings", data={"keep_days": "7"})
    assert response.status_code == 302
    assert retention.keep_days(signed_session.office_id) == 7
    assert (
        supervisor_client.post("/readback/settings", data={"keep_days": "999"}).status_code == 422
    )

    sent = send(
        supervisor_client, signed_session, [(photos_of(pdf, version, plans=ONE_ROW)[0], "p.jpg")]
    )
    readings, _page = outcomes(supervisor_client, sent.headers["Location"])
    batch = db.session.get(ReadingBatch, readings[0].batch_id)
    page = f"page-{readings[0].id}.jpg"
    assert storage.read_image(batch.id, page) is not None
    assert store().get(storage.key(batch.id, "upload-0.bin")) is None  # the upload itself is gone

    assert retention.purge(now_utc() + timedelta(days=6)) == 0
    assert storage.read_image(batch.id, page) is not None
    batch.purge_after = now_utc() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["purge-sheet-photos"])
    assert result.exit_code == 0 and "1" in result.output
    assert storage.read_image(batch.id, page) is None
    assert store().get(storage.key(batch.id, "names.txt")) is None


def test_supervisors_find_how_long_photos_are_kept(supervisor_client, officer, signed_session):
    page = supervisor_client.get(f"/sessions/{signed_session.id}").get_data(as_text=True)
    assert "/readback/settings" in page
    assert "Số ngày giữ ảnh sau khi xác nhận" in supervisor_client.get(
        "/readback/settings"
    ).get_data(as_text=True)


def test_officers_cannot_change_how_long_photos_are_kept(officer_client):
    assert officer_client.post("/readback/settings", data={"keep_days": "0"}).status_code == 403


def test_with_the_database_store_every_server_sees_the_photos(
    app, officer_client, signed_session, sheet
):
    # Several app servers and workers share no disk: the upload, the drawn-over page and the
    # crops go to the database, and leave it when the batch is purged.
    app.config["STORAGE"] = "database"
    version, pdf = sheet
    sent = send(
        officer_client, signed_session, [(photos_of(pdf, version, plans=ONE_ROW)[0], "p.jpg")]
    )
    location = sent.headers["Location"]
    readings, _page = outcomes(officer_client, location)
    page_key = storage.key(readings[0].batch_id, f"page-{readings[0].id}.jpg")
    stored = set(db.session.scalars(db.select(StoredFile.key)))
    assert page_key in stored
    assert storage.key(readings[0].batch_id, "upload-0.bin") not in stored  # read, then dropped
    picture = officer_client.get(f"{location}/files/page-{readings[0].id}.jpg")
    assert picture.status_code == 200 and picture.data.startswith(b"\xff\xd8")

    batch = db.session.get(ReadingBatch, readings[0].batch_id)
    batch.purge_after = now_utc() - timedelta(seconds=1)
    db.session.commit()
    assert retention.purge() == 1
    assert not [k for k in db.session.scalars(db.select(StoredFile.key)) if "readback/" in k]
    assert officer_client.get(f"{location}/files/page-{readings[0].id}.jpg").status_code == 404
