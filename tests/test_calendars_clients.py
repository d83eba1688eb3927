"""Every calendar we produce is read back by independent parsers and by a real client, khal."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import recurring_ical_events
import vobject
from flask_babel import force_locale
from icalendar import Calendar

from planner.enums import SessionKind
from planner.timezones import LOCAL_TZ
from tests.calendar_story import officer_feed, plan_story

KHAL = shutil.which("khal") or str(Path(sys.executable).with_name("khal"))


def khal_week(tmp_path: Path, ics: bytes, first: date, days: int = 7) -> list[str]:
    """Import a calendar into a throwaway khal setup and list `days` days from `first`."""
    vdir = tmp_path / "vdir"
    vdir.mkdir(exist_ok=True)
    config = tmp_path / "khal.conf"
    config.write_text(
        "[calendars]\n[[planner]]\n"
        f"path = {vdir}\ntype = calendar\n"
        "[locale]\nlocal_timezone = Asia/Ho_Chi_Minh\ndefault_timezone = Asia/Ho_Chi_Minh\n"
        "timeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        f"[sqlite]\npath = {tmp_path / 'khal.db'}\n"
    )
    source = tmp_path / "feed.ics"
    source.write_bytes(ics)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
    }
    base = [KHAL, "-c", str(config)]
    subprocess.run([*base, "import", "--batch", str(source)], check=True, env=env, timeout=60)
    listing = subprocess.run(
        [
            *base,
            "list",
            "--format",
            "{start} {end} | {title} | {status}",
            "--day-format",
            "",
            first.isoformat(),
            (first + timedelta(days=days - 1)).isoformat(),
        ],
        check=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return [line.strip() for line in listing.stdout.splitlines() if line.strip()]


@pytest.fixture
def story(officer, places):
    return plan_story(officer, places)


def village_meeting() -> str:
    """The kind's label as a Vietnamese calendar shows it."""
    with force_locale("vi"):
        return SessionKind.VILLAGE_MEETING.label


def _at(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute)).strftime("%Y-%m-%d %H:%M")


def test_khal_shows_the_week_as_planned(client, officer, story, tmp_path):
    _feed, url = officer_feed(officer)
    ics = client.get(url).data
    week = khal_week(tmp_path, ics, story.monday)
    tuesday, wednesday = story.monday + timedelta(days=1), story.monday + timedelta(days=2)
    meeting = f"{village_meeting()} – Nhà văn hóa thôn Na Hối"
    assert f"{_at(tuesday, 19)} {_at(tuesday, 21)} | {meeting} | CONFIRMED" in week
    assert any(
        line.startswith(f"{_at(wednesday, 8)} {_at(wednesday, 10)} | Sinh hoạt chi hội phụ nữ")
        for line in week
    )
    # The cancelled one-off stays in the file, marked cancelled for the app to drop or strike.
    thursday = story.monday + timedelta(days=3)
    assert any(
        line.startswith(f"{_at(thursday, 8)} {_at(thursday, 9, 30)} |") and "CANCELLED" in line
        for line in week
    )


def test_khal_drops_the_cancelled_occurrence_and_moves_the_changed_one(
    client, officer, story, tmp_path
):
    _feed, url = officer_feed(officer)
    ics = client.get(url).data
    listing = khal_week(tmp_path, ics, story.monday, days=28)
    cancelled_day = story.cancelled.occurrence_date
    moved_day = story.moved.occurrence_date
    assert not any(line.startswith(cancelled_day.isoformat()) for line in listing), listing
    assert any(
        line.startswith(f"{_at(moved_day, 14)} {_at(moved_day, 16)} | Sinh hoạt chi hội phụ nữ")
        for line in listing
    ), listing
    assert not any(line.startswith(_at(moved_day, 8)) for line in listing)
    series_lines = [line for line in listing if "Sinh hoạt chi hội phụ nữ" in line]
    assert len(series_lines) == 3


def test_recurring_ical_events_expands_the_series_the_same_way(client, officer, story):
    _feed, url = officer_feed(officer)
    calendar = Calendar.from_ical(client.get(url).data)
    first = story.monday
    events = recurring_ical_events.of(calendar).between(first, first + timedelta(days=28))
    series = sorted(
        (e for e in events if str(e["SUMMARY"]) == "Sinh hoạt chi hội phụ nữ"),
        key=lambda e: e["DTSTART"].dt,
    )
    starts = [e["DTSTART"].dt.astimezone(LOCAL_TZ) for e in series]
    expected_days = [o.occurrence_date for o in story.occurrences if o is not story.cancelled]
    assert [s.date() for s in starts] == expected_days
    assert [s.time() for s in starts] == [time(8), time(14), time(8)]


def test_vobject_reads_every_property_of_a_download(officer_client, story):
    response = officer_client.get(f"/calendars/sessions/{story.meeting.id}.ics")
    parsed = vobject.readOne(response.get_data(as_text=True))
    event = parsed.vevent
    assert event.uid.value == f"session-{story.meeting.id}@planner.bhxh.local"
    assert event.summary.value == f"{village_meeting()} – Nhà văn hóa thôn Na Hối"
    with force_locale("vi"):
        commune = story.meeting.commune.display_name
    assert event.location.value == f"Nhà văn hóa thôn Na Hối, Thôn Na Hối, {commune}"
    assert event.dtstart.value == datetime.combine(
        story.meeting.occurrence_date or story.monday + timedelta(days=1), time(19), LOCAL_TZ
    )
    assert event.dtstart.value.utcoffset() == timedelta(hours=7)
    assert event.categories.value == [village_meeting()]
    assert event.status.value == "CONFIRMED"
    assert parsed.vtimezone.tzid.value == "Asia/Ho_Chi_Minh"
    with force_locale("vi"):
        assert str(SessionKind.VILLAGE_MEETING.label) in event.categories.value
    assert f"/sessions/{story.meeting.id}" in event.description.value


def test_vobject_reads_the_feed_with_its_series(client, officer, story):
    _feed, url = officer_feed(officer)
    parsed = vobject.readOne(client.get(url).get_data(as_text=True))
    uids = [e.uid.value for e in parsed.vevent_list]
    series_uid = f"series-{story.series.id}@planner.bhxh.local"
    # The master and one override (the moved occurrence); the cancelled one is an EXDATE.
    assert uids.count(series_uid) == 2
    master = next(
        e
        for e in parsed.vevent_list
        if e.uid.value == series_uid and not hasattr(e, "recurrence_id")
    )
    exdates = [d for line in master.contents["exdate"] for d in line.value]
    assert [d.date() for d in exdates] == [story.cancelled.occurrence_date]
    assert "FREQ=WEEKLY" in master.rrule.value
