"""Importing market days and holidays from .ics files; a bad file changes nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from planner.calendars.blocked_days import blocked_day_names
from planner.calendars.models import BlockedDay
from planner.enums import VenueKind
from planner.extensions import db
from planner.places.models import Venue
from tests import factories


def ics(*events: str) -> bytes:
    body = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Xa Bac Ha//Lich//VI",
            *events,
            "END:VCALENDAR",
        ]
    )
    return (body + "\r\n").encode()


def event(summary: str, *lines: str, uid: str = "") -> str:
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"UID:{uid or summary.replace(' ', '-')}@xa-bac-ha",
            "DTSTAMP:20260101T000000Z",
            f"SUMMARY:{summary}",
            *lines,
            "END:VEVENT",
        ]
    )


def upload(client, what: str, raw: bytes, venue_id: int = 0, filename: str = "lich.ics"):
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(
        MultiDict(
            {
                "what": what,
                "venue_id": str(venue_id),
                "file": FileStorage(io.BytesIO(raw), filename),
            }
        ),
        boundary="planner-test-boundary",
    )
    return client.post(
        "/calendars/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.fixture
def coc_ly(office, places):
    venue = Venue(
        office_id=office.id,
        commune=places.commune,
        kind=VenueKind.MARKET,
        name="Chợ Cốc Ly",
        market_weekdays="1",
    )
    db.session.add(venue)
    db.session.commit()
    return venue


def test_market_calendar_sets_weekdays_and_cycles_matched_by_name(
    supervisor_client, places, coc_ly
):
    raw = ics(
        event(
            "Chợ phiên Bắc Hà",
            "DTSTART;VALUE=DATE:20260103",
            "RRULE:FREQ=WEEKLY;BYDAY=SA,SU",
        ),
        # Written without diacritics, as a phone keyboard often leaves it.
        event("cho coc ly", "DTSTART;VALUE=DATE:20260105", "RRULE:FREQ=DAILY;INTERVAL=6"),
    )
    response = upload(supervisor_client, "market_days", raw)
    assert response.status_code == 302
    db.session.expire_all()
    assert places.market.market_weekdays == "56"
    assert places.market.market_cycle_days is None
    assert (coc_ly.market_weekdays, coc_ly.market_cycle_days, coc_ly.market_anchor_date) == (
        "",
        6,
        date(2026, 1, 5),
    )
    page = supervisor_client.get("/calendars/import").get_data(as_text=True)
    assert "Chợ phiên Bắc Hà" in page and "Chợ Cốc Ly" in page


def test_an_unknown_market_name_changes_nothing_and_says_which(supervisor_client, places):
    raw = ics(
        event("Chợ phiên Bắc Hà", "DTSTART;VALUE=DATE:20260103", "RRULE:FREQ=WEEKLY;BYDAY=SA"),
        event("Chợ Cán Cấu", "DTSTART;VALUE=DATE:20260103", "RRULE:FREQ=WEEKLY;BYDAY=SA"),
    )
    response = upload(supervisor_client, "market_days", raw)
    assert response.status_code == 400
    assert "“Chợ Cán Cấu”" in response.get_data(as_text=True)
    db.session.expire_all()
    assert places.market.market_weekdays == "6"


def test_the_user_can_pick_the_market_a_file_is_about(supervisor_client, places):
    raw = ics(event("Phiên chợ", "DTSTART;VALUE=DATE:20260107", "RRULE:FREQ=WEEKLY;BYDAY=WE"))
    assert (
        upload(supervisor_client, "market_days", raw, venue_id=places.market.id).status_code == 302
    )
    db.session.expire_all()
    assert places.market.market_weekdays == "2"


def test_another_offices_market_cannot_be_picked(supervisor_client, places):
    other = factories.office(name="BHXH Lai Châu", province="Lai Châu")
    elsewhere = factories.places(other)
    db.session.commit()
    raw = ics(event("Phiên chợ", "DTSTART;VALUE=DATE:20260107", "RRULE:FREQ=WEEKLY;BYDAY=WE"))
    response = upload(supervisor_client, "market_days", raw, venue_id=elsewhere.market.id)
    assert response.status_code == 400
    db.session.expire_all()
    assert elsewhere.market.market_weekdays == "6"


def test_holiday_calendar_blocks_each_day_of_each_event(supervisor_client, office):
    raw = ics(
        # A three-day festival: DTEND is exclusive for all-day events.
        event("Lễ hội Gầu Tào", "DTSTART;VALUE=DATE:20270210", "DTEND;VALUE=DATE:20270213"),
        event(
            "Ngày hội văn hóa",
            "DTSTART;VALUE=DATE:20260905",
            "RRULE:FREQ=YEARLY;COUNT=2",
        ),
        event(
            "Họp HĐND xã",
            "DTSTART;TZID=Asia/Ho_Chi_Minh:20261215T080000",
            "DTEND;TZID=Asia/Ho_Chi_Minh:20261215T113000",
        ),
    )
    response = upload(supervisor_client, "holidays", raw, filename="ngay-nghi-2027.ics")
    assert response.status_code == 302
    days = db.session.scalars(sa.select(BlockedDay).order_by(BlockedDay.day)).all()
    assert [(d.day, d.name) for d in days] == [
        (date(2026, 9, 5), "Ngày hội văn hóa"),
        (date(2026, 12, 15), "Họp HĐND xã"),
        (date(2027, 2, 10), "Lễ hội Gầu Tào"),
        (date(2027, 2, 11), "Lễ hội Gầu Tào"),
        (date(2027, 2, 12), "Lễ hội Gầu Tào"),
        (date(2027, 9, 5), "Ngày hội văn hóa"),
    ]
    assert {d.source for d in days} == {"ngay-nghi-2027.ics"}
    assert blocked_day_names(office.id, [date(2027, 2, 11)]) == {
        date(2027, 2, 11): "Lễ hội Gầu Tào"
    }
    # Importing again renames rather than duplicates.
    again = ics(event("Tết Gầu Tào", "DTSTART;VALUE=DATE:20270210"))
    assert upload(supervisor_client, "holidays", again).status_code == 302
    assert blocked_day_names(office.id, [date(2027, 2, 10)]) == {date(2027, 2, 10): "Tết Gầu Tào"}
    assert db.session.scalar(sa.select(sa.func.count(BlockedDay.id))) == 6


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "không phải tệp lịch"),
        (b"Name,Day\nGau Tao,2027-02-10\n", "không phải tệp lịch"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "không có sự kiện"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n", "bị lỗi"),
        (ics(event("Không ngày")), "không có ngày"),
        (ics(event("Ngày lạ", "DTSTART:hôm-nay")), "không có ngày"),
        (b"BEGIN:VCALENDAR\r\n" + b"X" * (1024 * 1024 + 10), "tối đa 1 MB"),
        (b"", "Hãy chọn tệp lịch"),
    ],
)
def test_a_bad_holiday_file_gets_a_clear_message_and_saves_nothing(
    supervisor_client, office, raw, message
):
    response = upload(supervisor_client, "holidays", raw)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(BlockedDay.id))) == 0


def test_a_market_file_whose_events_do_not_repeat_is_refused(supervisor_client, places):
    response = upload(
        supervisor_client, "market_days", ics(event("Chợ phiên Bắc Hà", "DTSTART:20260103"))
    )
    assert response.status_code == 400
    assert "không lặp lại" in response.get_data(as_text=True)


def test_only_supervisors_import(officer_client):
    assert officer_client.get("/calendars/import").status_code == 403
    assert upload(officer_client, "holidays", ics()).status_code == 403
