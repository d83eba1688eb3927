"""Holiday calendars as Google, Outlook, Apple and Thunderbird write them: each file is built here
the way that app writes it, and the days it blocks are the local days (Asia/Ho_Chi_Minh) a
calendar app would show the events on."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from planner.calendars.importing import parse_calendar_file, read_blocked_days
from planner.calendars.models import BlockedDay
from planner.errors import PlannerError
from planner.extensions import db
from tests.test_calendars_import import upload

TODAY = date(2026, 12, 1)

HCM_VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Ho_Chi_Minh",
    "X-LIC-LOCATION:Asia/Ho_Chi_Minh",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0700",
    "TZOFFSETTO:+0700",
    "TZNAME:+07",
    "DTSTART:19700101T000000",
    "END:STANDARD",
    "END:VTIMEZONE",
]
OUTLOOK_VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    "TZID:SE Asia Standard Time",
    "BEGIN:STANDARD",
    "DTSTART:16010101T000000",
    "TZOFFSETFROM:+0700",
    "TZOFFSETTO:+0700",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:16010101T000000",
    "TZOFFSETFROM:+0700",
    "TZOFFSETTO:+0700",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
]


def calendar(*events: list[str], head: list[str] | None = None) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", *(head or ["PRODID:-//test//VI"])]
    for component in events:
        lines.extend(component)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def vevent(summary: str, *lines: str, uid: str | None = None) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid or summary.replace(' ', '-')}@test",
        "DTSTAMP:20261101T000000Z",
        f"SUMMARY:{summary}",
        *lines,
        "END:VEVENT",
    ]


def blocked(raw: bytes, today: date = TODAY) -> dict[date, str]:
    return read_blocked_days(parse_calendar_file(raw), today=today)


def days(*numbers: int, month: int = 12, year: int = 2026) -> list[date]:
    return [date(year, month, n) for n in numbers]


# --- The issue's examples ---------------------------------------------------------------------


def test_a_zoned_weekly_event_ending_at_a_utc_until_imports_every_week_up_to_it():
    raw = calendar(
        vevent(
            "Họp giao ban",
            "DTSTART;TZID=Asia/Ho_Chi_Minh:20261207T080000",
            "DTEND;TZID=Asia/Ho_Chi_Minh:20261207T100000",
            # 01:00 UTC is 08:00 in Hà Nội: the fourth Monday is the last one.
            "RRULE:FREQ=WEEKLY;UNTIL=20261228T010000Z",
        ),
        head=["PRODID:-//test//VI", *HCM_VTIMEZONE],
    )
    assert sorted(blocked(raw)) == days(7, 14, 21, 28)


def test_the_same_rule_with_until_just_before_the_fourth_start_stops_at_three():
    raw = calendar(
        vevent(
            "Họp giao ban",
            "DTSTART;TZID=Asia/Ho_Chi_Minh:20261207T080000",
            "RRULE:FREQ=WEEKLY;UNTIL=20261228T005959Z",
        )
    )
    assert sorted(blocked(raw)) == days(7, 14, 21)


def test_an_excluded_date_of_an_all_day_series_is_not_blocked():
    raw = calendar(
        vevent(
            "Chợ phiên nghỉ",
            "DTSTART;VALUE=DATE:20261207",
            "DTEND;VALUE=DATE:20261208",
            "RRULE:FREQ=WEEKLY;COUNT=4",
            "EXDATE;VALUE=DATE:20261214",
        )
    )
    assert sorted(blocked(raw)) == days(7, 21, 28)


def test_a_cancelled_event_blocks_nothing():
    raw = calendar(
        vevent("Lễ hội đã hủy", "DTSTART;VALUE=DATE:20261210", "STATUS:CANCELLED"),
        vevent("Lễ hội", "DTSTART;VALUE=DATE:20261211", "STATUS:CONFIRMED"),
    )
    assert blocked(raw) == {date(2026, 12, 11): "Lễ hội"}


def test_an_occurrence_cancelled_by_an_override_is_not_blocked():
    raw = calendar(
        vevent("Tập huấn", "DTSTART;VALUE=DATE:20261207", "RRULE:FREQ=WEEKLY;COUNT=3", uid="th"),
        vevent(
            "Tập huấn",
            "RECURRENCE-ID;VALUE=DATE:20261214",
            "DTSTART;VALUE=DATE:20261214",
            "STATUS:CANCELLED",
            uid="th",
        ),
    )
    assert sorted(blocked(raw)) == days(7, 21)


def test_a_moved_occurrence_blocks_its_new_day_not_its_old_one():
    raw = calendar(
        vevent(
            "Họp dân",
            "DTSTART;TZID=Asia/Ho_Chi_Minh:20261207T190000",
            "DTEND;TZID=Asia/Ho_Chi_Minh:20261207T210000",
            "RRULE:FREQ=WEEKLY;COUNT=3",
            uid="hd",
        ),
        vevent(
            "Họp dân (dời)",
            "RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20261214T190000",
            "DTSTART;TZID=Asia/Ho_Chi_Minh:20261216T190000",
            "DTEND;TZID=Asia/Ho_Chi_Minh:20261216T210000",
            uid="hd",
        ),
    )
    assert blocked(raw) == {
        date(2026, 12, 7): "Họp dân",
        date(2026, 12, 16): "Họp dân (dời)",
        date(2026, 12, 21): "Họp dân",
    }


# --- Times and all-day events however they are written -----------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # UTC: 20:00 UTC is 03:00 the next morning in Việt Nam.
        (("DTSTART:20261207T200000Z", "DTEND:20261207T220000Z"), days(8)),
        # Floating: the officers' own wall-clock time.
        (("DTSTART:20261207T230000", "DTEND:20261207T233000"), days(7)),
        # Another zone: 18:00 in Paris is 00:00 the next day in Hà Nội.
        (("DTSTART;TZID=Europe/Paris:20261207T180000", "DURATION:PT1H"), days(8)),
        # All day as a DATE, with and without DTEND.
        (("DTSTART;VALUE=DATE:20261207", "DTEND;VALUE=DATE:20261208"), days(7)),
        (("DTSTART;VALUE=DATE:20261207",), days(7)),
        (("DTSTART;VALUE=DATE:20261207", "DURATION:P2D"), days(7, 8)),
        # All day as midnight-to-midnight times, in a zone, in UTC and floating.
        (
            (
                "DTSTART;TZID=Asia/Ho_Chi_Minh:20261207T000000",
                "DTEND;TZID=Asia/Ho_Chi_Minh:20261208T000000",
            ),
            days(7),
        ),
        (("DTSTART:20261207T000000Z", "DTEND:20261208T000000Z"), days(7)),
        (("DTSTART:20261207T000000", "DTEND:20261209T000000"), days(7, 8)),
        # Multi-day: a three-day festival, and timed days from morning to afternoon.
        (("DTSTART;VALUE=DATE:20261207", "DTEND;VALUE=DATE:20261210"), days(7, 8, 9)),
        (
            (
                "DTSTART;TZID=Asia/Ho_Chi_Minh:20261207T080000",
                "DTEND;TZID=Asia/Ho_Chi_Minh:20261209T170000",
            ),
            days(7, 8, 9),
        ),
        # An evening that ends at local midnight does not block the next day...
        (
            (
                "DTSTART;TZID=Asia/Ho_Chi_Minh:20261207T190000",
                "DTEND;TZID=Asia/Ho_Chi_Minh:20261208T000000",
            ),
            days(7),
        ),
        # ...but one that runs past it does.
        (
            (
                "DTSTART;TZID=Asia/Ho_Chi_Minh:20261207T190000",
                "DTEND;TZID=Asia/Ho_Chi_Minh:20261208T010000",
            ),
            days(7, 8),
        ),
    ],
)
def test_each_way_of_writing_a_time_blocks_the_local_days_it_covers(lines, expected):
    assert sorted(blocked(calendar(vevent("Sự kiện", *lines)))) == expected


# --- Files as each calendar app writes them ----------------------------------------------------


def test_google_calendar_export():
    # Google: X-WR-TIMEZONE, times in UTC, EXDATE in UTC, all-day holidays as DATEs marked free.
    raw = calendar(
        vevent(
            "Họp chi bộ",
            "DTSTART:20261207T013000Z",
            "DTEND:20261207T030000Z",
            "RRULE:FREQ=WEEKLY;WKST=MO;COUNT=4;BYDAY=MO",
            "EXDATE:20261221T013000Z",
            "STATUS:CONFIRMED",
            "TRANSP:OPAQUE",
            uid="7kukuqrpm9r6q@google.com",
        ),
        vevent(
            "Ngày Quốc phòng toàn dân",
            "DTSTART;VALUE=DATE:20261222",
            "DTEND;VALUE=DATE:20261223",
            "CLASS:PUBLIC",
            "TRANSP:TRANSPARENT",
            uid="20261222_vi@google.com",
        ),
        head=[
            "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:Ngày nghỉ",
            "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
        ],
    )
    assert sorted(blocked(raw)) == days(7, 14, 22, 28)


def test_google_floating_times_are_read_in_the_calendars_own_zone():
    # Google's X-WR-TIMEZONE names the zone of floating times: 23:00 in London is 06:00 here.
    raw = calendar(
        vevent("Hội thảo", "DTSTART:20261207T230000", "DTEND:20261207T233000"),
        head=["PRODID:-//Google Inc//Google Calendar 70.9054//EN", "X-WR-TIMEZONE:Europe/London"],
    )
    assert sorted(blocked(raw)) == days(8)


def test_outlook_export_with_windows_zone_names():
    raw = calendar(
        [*OUTLOOK_VTIMEZONE],
        vevent(
            "Giao ban tuần",
            "DTSTART;TZID=SE Asia Standard Time:20261207T230000",
            "DTEND;TZID=SE Asia Standard Time:20261208T003000",
            "RRULE:FREQ=WEEKLY;UNTIL=20261221T160000Z;INTERVAL=1;BYDAY=MO;WKST=MO",
            "EXDATE;TZID=SE Asia Standard Time:20261214T230000",
            "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
            uid="040000008200E00074C5B7101A82E008",
        ),
        # Outlook's all-day event: DATEs and its own flag.
        vevent(
            "Lễ hội Lồng Tồng",
            "DTSTART;VALUE=DATE:20270105",
            "DTEND;VALUE=DATE:20270107",
            "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE",
            uid="040000008200E00074C5B7101A82E009",
        ),
        # Older Outlook writes the flag with midnight times in its zone.
        vevent(
            "Tết Dương lịch",
            'DTSTART;TZID="SE Asia Standard Time":20270101T000000',
            'DTEND;TZID="SE Asia Standard Time":20270102T000000',
            "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE",
            uid="040000008200E00074C5B7101A82E010",
        ),
        head=["PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "METHOD:PUBLISH"],
    )
    assert sorted(blocked(raw)) == [
        # 23:00 to 00:30: the evening and the night after it; 14 December is excluded, and
        # 21 December at 23:00 is after UNTIL (16:00 UTC is 23:00 local, so it is the last).
        *days(7, 8, 21, 22),
        date(2027, 1, 1),
        date(2027, 1, 5),
        date(2027, 1, 6),
    ]


def test_apple_calendar_export():
    raw = calendar(
        [*HCM_VTIMEZONE],
        vevent(
            "Giỗ Tổ Hùng Vương",
            "DTSTART;VALUE=DATE:20270416",
            "DTEND;VALUE=DATE:20270417",
            "RRULE:FREQ=YEARLY;COUNT=2",
            "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC",
            uid="6A5E7C5F-0D5B-4B0A-9C9B-1D7E1C1B2A3F",
        ),
        vevent(
            "Sinh hoạt cộng đồng",
            "DTSTART;TZID=Asia/Ho_Chi_Minh:20261208T140000",
            "DTEND;TZID=Asia/Ho_Chi_Minh:20261208T160000",
            "RRULE:FREQ=DAILY;COUNT=5",
            # Apple lists several exclusions on one line.
            "EXDATE;TZID=Asia/Ho_Chi_Minh:20261209T140000,20261211T140000",
            "SEQUENCE:2",
            uid="9F1C6E1A-3B7D-4D55-8A0C-7E2B5C4D3E2F",
        ),
        head=["PRODID:-//Apple Inc.//macOS 15.1//EN", "CALSCALE:GREGORIAN"],
    )
    assert sorted(blocked(raw)) == [*days(8, 10, 12), date(2027, 4, 16), date(2028, 4, 16)]


def test_thunderbird_export():
    raw = calendar(
        [*HCM_VTIMEZONE],
        vevent(
            "Phiên chợ lớn",
            "CREATED:20261101T000000Z",
            "LAST-MODIFIED:20261101T000000Z",
            "DTSTART;VALUE=DATE:20261205",
            "DTEND;VALUE=DATE:20261206",
            # Thunderbird ends an all-day series with a DATE.
            "RRULE:FREQ=WEEKLY;UNTIL=20261226",
            "EXDATE;VALUE=DATE:20261219",
            "TRANSP:TRANSPARENT",
            "X-MOZ-GENERATION:3",
            uid="b4c3c3a0-57b6-4a5e-9e43-4f5f0b8a7c11",
        ),
        vevent(
            "Phiên chợ lớn",
            "RECURRENCE-ID;VALUE=DATE:20261212",
            "DTSTART;VALUE=DATE:20261213",
            "DTEND;VALUE=DATE:20261214",
            "X-MOZ-GENERATION:3",
            uid="b4c3c3a0-57b6-4a5e-9e43-4f5f0b8a7c11",
        ),
        head=["PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN"],
    )
    assert sorted(blocked(raw)) == days(5, 13, 26)


# --- Bounds against hostile files --------------------------------------------------------------


def test_a_rule_repeating_every_second_is_refused_at_once():
    raw = calendar(vevent("Spam", "DTSTART:20261207T000000Z", "RRULE:FREQ=SECONDLY"))
    with pytest.raises(PlannerError, match="once a day"):
        blocked(raw)


def test_a_huge_count_is_refused_without_expanding_it_all():
    raw = calendar(vevent("Spam", "DTSTART;VALUE=DATE:20261207", "RRULE:FREQ=DAILY;COUNT=10000000"))
    started = time.monotonic()
    with pytest.raises(PlannerError):
        blocked(raw)
    assert time.monotonic() - started < 30  # a guard against hanging, not a speed figure


def test_a_series_without_end_is_read_from_a_year_ago_to_three_years_ahead():
    raw = calendar(vevent("Họp thôn", "DTSTART;VALUE=DATE:19900105", "RRULE:FREQ=MONTHLY"))
    found = sorted(blocked(raw))
    assert found[0] >= TODAY - timedelta(days=366)
    assert found[-1] <= TODAY + timedelta(days=3 * 366)
    assert len(found) == pytest.approx(48, abs=2)


def test_many_occurrences_are_refused_by_their_number():
    # Each series stays under the day limit; together they are more than anyone's holidays.
    raw = calendar(
        *[
            vevent(f"E{i}", "DTSTART;VALUE=DATE:20261207", "RRULE:FREQ=WEEKLY;COUNT=150")
            for i in range(40)
        ]
    )
    with pytest.raises(PlannerError, match="too many"):
        blocked(raw)


def test_an_unreadable_rule_names_the_event():
    raw = calendar(vevent("Họp lạ", "DTSTART;VALUE=DATE:20261207", "RRULE:FREQ=WEEKLY;BYDAY=XX"))
    with pytest.raises(PlannerError, match="Họp lạ"):
        blocked(raw)


# --- Through the page --------------------------------------------------------------------------


def test_the_issues_file_imports_through_the_page_with_its_count(supervisor_client, office):
    raw = calendar(
        vevent(
            "Họp giao ban",
            "DTSTART;TZID=Asia/Ho_Chi_Minh:20261207T080000",
            "RRULE:FREQ=WEEKLY;UNTIL=20261228T010000Z",
        ),
        vevent(
            "Nghỉ",
            "DTSTART;VALUE=DATE:20261207",
            "RRULE:FREQ=WEEKLY;COUNT=4",
            "EXDATE;VALUE=DATE:20261214",
            "STATUS:CANCELLED",
        ),
    )
    response = upload(supervisor_client, "holidays", raw)
    assert response.status_code == 302
    page = supervisor_client.get("/calendars/import").get_data(as_text=True)
    assert "Đã lưu 4 ngày không tổ chức buổi truyền thông" in page
    saved = db.session.scalars(sa.select(BlockedDay.day).order_by(BlockedDay.day)).all()
    assert saved == days(7, 14, 21, 28)


@pytest.mark.parametrize(
    ("dates", "words"),
    [
        (["20261207"], "1 day without sessions was saved."),
        (["20261207", "20261208"], "2 days without sessions were saved."),
    ],
)
def test_the_count_of_saved_days_reads_right_in_english(supervisor_client, office, dates, words):
    with supervisor_client.session_transaction() as cookie:
        cookie["lang"] = "en"
    raw = calendar(*[vevent(f"Nghỉ {d}", f"DTSTART;VALUE=DATE:{d}") for d in dates])
    assert upload(supervisor_client, "holidays", raw).status_code == 302
    page = supervisor_client.get("/calendars/import").get_data(as_text=True)
    assert words in page
