"""Calendars: downloads, secret feeds, conditional answers, and what each calendar may show."""

from __future__ import annotations

import hashlib
import re
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale, refresh
from icalendar import Calendar, Todo, vText

from planner.calendars import ical, services
from planner.calendars.models import CalendarFeed
from planner.calendars.services import FEED_SOURCES, FeedSource, create_feed, feed_for_token
from planner.enums import SessionKind
from planner.extensions import db
from planner.sessions.drafts import Recurrence
from planner.sessions.models import RepeatRule, SessionSeries
from planner.sessions.planning import update_session
from planner.sessions.status import cancel_series, set_status
from planner.timezones import today_local
from tests import factories
from tests.calendar_story import next_monday, officer_feed, plan_story


def events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def summaries(body: bytes) -> list[str]:
    return [str(e["SUMMARY"]) for e in events(body)]


def feed_link(page_html: str) -> str:
    """The https feed link shown once on "My calendars"."""
    match = re.search(r'value="https?://planner\.test(/calendars/feed/[^"]+\.ics)"', page_html)
    assert match, "no calendar link on the page"
    return match.group(1)


# ---------------------------------------------------------------- downloads


def test_officer_downloads_one_session_as_ics(officer_client, officer, places):
    session = factories.session(
        officer, places.commune, day=next_monday(), venue=places.house, partner_id=places.partner.id
    )
    db.session.commit()
    response = officer_client.get(f"/calendars/sessions/{session.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    (event,) = events(response.data)
    assert str(event["UID"]) == f"session-{session.id}@planner.bhxh.local"
    assert event["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert event["DTSTART"].dt.time() == time(19, 0)
    assert "Hội Liên hiệp Phụ nữ xã Bắc Hà" in str(event["DESCRIPTION"])
    assert f"://planner.test/sessions/{session.id}" in str(event["DESCRIPTION"])
    assert "20" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert b"BEGIN:VTIMEZONE" in response.data
    assert b"DTSTAMP:" in response.data


def test_download_needs_login_and_stays_in_the_office(client, officer, places):
    session = factories.session(officer, places.commune, day=next_monday())
    other = factories.office(name="BHXH Lai Châu", province="Lai Châu")
    stranger = factories.user(other, username="lan", full_name="Lò Thị Lan")
    db.session.commit()
    assert client.get(f"/calendars/sessions/{session.id}.ics").status_code == 302
    from tests.conftest import login

    login(client, stranger)
    assert client.get(f"/calendars/sessions/{session.id}.ics").status_code == 404


def test_add_the_week_downloads_the_weeks_sessions_only(officer_client, officer, places):
    monday = next_monday()
    factories.session(officer, places.commune, day=monday, title="Thứ hai")
    factories.session(officer, places.commune, day=monday + timedelta(days=6), title="Chủ nhật")
    factories.session(officer, places.commune, day=monday + timedelta(days=7), title="Tuần sau")
    db.session.commit()
    response = officer_client.get(f"/calendars/week.ics?week={monday.isoformat()}&scope=me")
    assert response.status_code == 200
    assert sorted(summaries(response.data)) == ["Chủ nhật", "Thứ hai"]


def test_week_page_and_session_page_offer_the_calendar(officer_client, officer, places):
    session = factories.session(officer, places.commune, day=next_monday())
    db.session.commit()
    week = officer_client.get(f"/?week={next_monday().isoformat()}").get_data(as_text=True)
    assert f"/calendars/week.ics?week={next_monday().isoformat()}&amp;scope=me" in week
    detail = officer_client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert f"/calendars/sessions/{session.id}.ics" in detail
    assert 'href="/calendars/"' in detail  # the nav link to "My calendars"


def test_sequence_rises_when_the_time_changes(officer_client, officer, places):
    session = factories.session(officer, places.commune, day=next_monday())
    db.session.commit()
    first = events(officer_client.get(f"/calendars/sessions/{session.id}.ics").data)[0]
    update_session(
        session,
        factories.draft(officer, places.commune, day=next_monday(), start=time(18), end=time(20)),
        base_version=session.version,
    )
    db.session.commit()
    second = events(officer_client.get(f"/calendars/sessions/{session.id}.ics").data)[0]
    assert int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert second["DTSTART"].dt.time() == time(18)


# ---------------------------------------------------------------- text stays text


def test_user_text_with_line_breaks_and_calendar_syntax_stays_inert(
    officer_client, officer, places
):
    evil = "Họp; thôn, Na Hối\r\nEND:VEVENT\r\nBEGIN:VEVENT\rSUMMARY:Giả mạo\nUID:x"
    places.partner.name = "Hội; Phụ nữ,\nBEGIN:VALARM"
    session = factories.session(
        officer, places.commune, day=next_monday(), title=evil, partner_id=places.partner.id
    )
    db.session.commit()
    body = officer_client.get(f"/calendars/sessions/{session.id}.ics").data
    (event,) = events(body)
    assert str(event["SUMMARY"]) == evil.strip().replace("\r\n", "\n").replace("\r", "\n")
    assert "Hội; Phụ nữ,\nBEGIN:VALARM" in str(event["DESCRIPTION"])
    assert not Calendar.from_ical(body).walk("VALARM")
    # Every physical line of the file starts with a property name we wrote, never user text.
    lines = body.decode().split("\r\n")
    assert "BEGIN:VEVENT" in lines and lines.count("BEGIN:VEVENT") == 1
    assert not any(line.startswith(("UID:x", "SUMMARY:Giả mạo")) for line in lines)


# ---------------------------------------------------------------- feeds and tokens


def test_feed_needs_no_login_and_carries_refresh_hints(client, officer, places):
    factories.session(officer, places.commune, day=next_monday(), title="Họp thôn Na Hối")
    db.session.commit()
    _feed, url = officer_feed(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.data
    assert b"X-PUBLISHED-TTL:PT1H" in response.data
    assert b"TZID:Asia/Ho_Chi_Minh" in response.data
    assert summaries(response.data) == ["Họp thôn Na Hối"]


def test_a_wrong_token_is_the_same_404_as_any_missing_page(client, officer, places):
    officer_feed(officer)
    # The page differs only by the address in its language links.
    without_address = lambda body: re.sub(rb"next=[^\"]*", b"", body)  # noqa: E731
    missing = without_address(client.get("/no-such-page").data)
    for url in (
        "/calendars/feed/wrong.ics",
        "/calendars/feed/" + "A" * 43 + ".ics",
        "/calendars/feed/" + "x" * 500 + ".ics",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert without_address(response.data) == missing
        assert "ETag" not in response.headers


def test_only_the_hash_of_the_token_is_stored(officer):
    feed, token = create_feed(officer, "officer")
    db.session.commit()
    assert len(token) >= 43
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = db.session.execute(sa.select(CalendarFeed.__table__)).one()
    assert token not in [str(v) for v in stored]


def test_tokens_are_compared_in_constant_time(officer, monkeypatch):
    _feed, token = create_feed(officer, "officer")
    db.session.commit()
    compared = []

    def spy(a, b):
        compared.append((a, b))
        return a == b

    monkeypatch.setattr(services.hmac, "compare_digest", spy)
    assert feed_for_token(token) is not None
    assert compared == [(services.hash_token(token), services.hash_token(token))]


def test_a_new_link_makes_the_old_url_a_404_at_once(officer_client, officer, places):
    factories.session(officer, places.commune, day=next_monday())
    db.session.commit()
    officer_client.post("/calendars/mine", data={"language": "vi"})
    old = feed_link(officer_client.get("/calendars/").get_data(as_text=True))
    assert officer_client.get(old).status_code == 200
    # The link is shown once only.
    assert "/calendars/feed/" not in officer_client.get("/calendars/").get_data(as_text=True)

    feed = db.session.scalars(sa.select(CalendarFeed)).one()
    response = officer_client.post(f"/calendars/feeds/{feed.id}/token")
    assert response.status_code == 302
    page = officer_client.get("/calendars/").get_data(as_text=True)
    new = feed_link(page)
    assert new != old
    assert officer_client.get(old).status_code == 404
    assert officer_client.get(new).status_code == 200
    assert "webcal://planner.test/calendars/feed/" in page
    assert "<svg" in page and "<title>" in page  # the QR code for the phone


def test_stop_sharing_makes_the_url_a_404(officer_client, officer):
    feed, url = officer_feed(officer)
    assert officer_client.get(url).status_code == 200
    officer_client.post(f"/calendars/feeds/{feed.id}/delete")
    assert officer_client.get(url).status_code == 404


def test_an_officer_cannot_touch_someone_elses_feed(officer_client, supervisor, places):
    feed, url = officer_feed(supervisor)
    assert officer_client.post(f"/calendars/feeds/{feed.id}/token").status_code == 404
    assert officer_client.post(f"/calendars/feeds/{feed.id}/delete").status_code == 404
    assert officer_client.get(url).status_code == 200
    response = officer_client.post("/calendars/shared", data={"kind": "commune"})
    assert response.status_code == 403


def test_a_deactivated_officers_feed_stops_working(client, officer):
    _feed, url = officer_feed(officer)
    officer.active = False
    db.session.commit()
    assert client.get(url).status_code == 404


def test_officer_feed_holds_their_sessions_as_lead_or_co_facilitator_only(
    client, office, officer, supervisor, places
):
    monday = next_monday()
    factories.session(officer, places.commune, day=monday, title="Mai dẫn")
    factories.session(
        supervisor, places.commune, day=monday, title="Mai hỗ trợ", facilitator_ids=[officer.id]
    )
    factories.session(supervisor, places.commune, day=monday, title="Không có Mai")
    other = factories.office(name="BHXH Lai Châu", province="Lai Châu")
    stranger = factories.user(other, username="lan", full_name="Lò Thị Lan")
    elsewhere = factories.places(other)
    factories.session(stranger, elsewhere.commune, day=monday, title="Văn phòng khác")
    db.session.commit()
    _feed, url = officer_feed(officer)
    assert sorted(summaries(client.get(url).data)) == ["Mai dẫn", "Mai hỗ trợ"]


def test_team_and_commune_feeds_hold_their_sessions(client, office, supervisor, places):
    team = factories.team(office)
    member = factories.user(office, username="pao", full_name="Sùng A Pao", team=team)
    outsider = factories.user(office, username="toan", full_name="Hoàng Văn Toàn")
    from planner.places.models import Commune

    other_commune = Commune(office_id=office.id, name="Si Ma Cai")
    db.session.add(other_commune)
    db.session.flush()
    monday = next_monday()
    factories.session(member, places.commune, day=monday, title="Của tổ")
    # Led by one member and co-facilitated by another: once in the team's calendar.
    partner = factories.user(office, username="dua", full_name="Vàng Seo Dua", team=team)
    factories.session(
        member, places.commune, day=monday, title="Hai người của tổ", facilitator_ids=[partner.id]
    )
    factories.session(outsider, other_commune, day=monday, title="Ở Si Ma Cai")
    db.session.commit()
    _team_feed, team_token = create_feed(supervisor, "team", team_id=team.id)
    _commune_feed, commune_token = create_feed(supervisor, "commune", commune_id=other_commune.id)
    db.session.commit()
    assert sorted(summaries(client.get(f"/calendars/feed/{team_token}.ics").data)) == [
        "Của tổ",
        "Hai người của tổ",
    ]
    assert summaries(client.get(f"/calendars/feed/{commune_token}.ics").data) == ["Ở Si Ma Cai"]


def test_supervisor_shares_a_commune_only_of_their_office(supervisor_client, supervisor, places):
    other = factories.office(name="BHXH Lai Châu", province="Lai Châu")
    elsewhere = factories.places(other)
    db.session.commit()
    supervisor_client.post(
        "/calendars/shared",
        data={"kind": "commune", "commune_id": elsewhere.commune.id, "language": "vi"},
    )
    assert db.session.scalar(sa.select(sa.func.count(CalendarFeed.id))) == 0
    supervisor_client.post(
        "/calendars/shared",
        data={"kind": "commune", "commune_id": places.commune.id, "language": "vi"},
    )
    link = feed_link(supervisor_client.get("/calendars/").get_data(as_text=True))
    assert supervisor_client.get(link).status_code == 200


def test_feed_shows_sixty_days_back_and_a_year_ahead(client, officer, places):
    today = today_local()
    factories.session(officer, places.commune, day=today - timedelta(days=61), title="Quá cũ")
    factories.session(officer, places.commune, day=today - timedelta(days=59), title="Tháng trước")
    factories.session(officer, places.commune, day=today + timedelta(days=364), title="Sang năm")
    factories.session(officer, places.commune, day=today + timedelta(days=367), title="Quá xa")
    db.session.commit()
    _feed, url = officer_feed(officer)
    assert sorted(summaries(client.get(url).data)) == ["Sang năm", "Tháng trước"]


def test_feed_sends_a_series_whole_even_when_it_starts_before_the_window(client, officer, places):
    start = today_local() - timedelta(days=70)
    first = factories.session(
        officer,
        places.commune,
        day=start,
        title="Chợ phiên",
        recurrence=Recurrence(rule="interval", interval_days=7, count=20),
    )
    set_status(first.series.sessions[0], "cancelled", "Mưa")
    db.session.commit()
    _feed, url = officer_feed(officer)
    (master,) = events(client.get(url).data)
    assert master["DTSTART"].dt.date() == start
    assert master["RRULE"]["FREQ"] == ["DAILY"] and master["RRULE"]["INTERVAL"] == [7]
    assert [d.dt.date() for d in master["EXDATE"].dts] == [start]


# ---------------------------------------------------------------- series details


def test_postponed_occurrence_is_a_tentative_override(client, officer, places):
    first = factories.session(
        officer,
        places.commune,
        day=next_monday(),
        title="Họp định kỳ",
        recurrence=Recurrence(rule="weekly", weekdays=frozenset({0}), count=3),
    )
    set_status(first.series.sessions[1], "postponed", "Trưởng thôn đi vắng")
    db.session.commit()
    _feed, url = officer_feed(officer)
    found = events(client.get(url).data)
    override = next(e for e in found if "RECURRENCE-ID" in e)
    assert str(override["STATUS"]) == "TENTATIVE"
    assert override["RECURRENCE-ID"].dt.date() == first.series.sessions[1].occurrence_date
    assert "Trưởng thôn đi vắng" in str(override["DESCRIPTION"])


def test_a_wholly_cancelled_series_stays_as_one_cancelled_event(client, officer, places):
    first = factories.session(
        officer,
        places.commune,
        day=next_monday(),
        recurrence=Recurrence(rule="weekly", weekdays=frozenset({0, 3}), count=4),
    )
    cancel_series(first, "Hết kinh phí")
    db.session.commit()
    _feed, url = officer_feed(officer)
    (master,) = events(client.get(url).data)
    assert str(master["STATUS"]) == "CANCELLED"
    assert master["RRULE"]["BYDAY"] == ["MO", "TH"]
    assert "EXDATE" not in master


def test_occurrences_someone_is_not_on_are_excluded_from_their_feed(
    client, officer, supervisor, places
):
    first = factories.session(
        supervisor,
        places.commune,
        day=next_monday(),
        title="Họp hằng tuần",
        facilitator_ids=[officer.id],
        recurrence=Recurrence(rule="weekly", weekdays=frozenset({0}), count=3),
    )
    middle = first.series.sessions[1]
    update_session(
        middle,
        factories.draft(
            supervisor, places.commune, day=middle.occurrence_date, title="Họp hằng tuần"
        ),
        base_version=middle.version,
    )
    db.session.commit()
    _feed, url = officer_feed(officer)
    (master,) = events(client.get(url).data)
    assert [d.dt.date() for d in master["EXDATE"].dts] == [middle.occurrence_date]


def test_a_series_changed_from_mid_way_keeps_its_earlier_times(client, officer, places):
    from planner.sessions.planning import update_series

    first = factories.session(
        officer,
        places.commune,
        day=next_monday(),
        title="Họp",
        recurrence=Recurrence(rule="weekly", weekdays=frozenset({0}), count=3),
    )
    second = first.series.sessions[1]
    update_series(
        second,
        factories.draft(
            officer,
            places.commune,
            day=second.occurrence_date,
            start=time(7),
            end=time(9),
            title="Họp",
        ),
        base_version=second.version,
    )
    db.session.commit()
    _feed, url = officer_feed(officer)
    import recurring_ical_events

    calendar = Calendar.from_ical(client.get(url).data)
    found = recurring_ical_events.of(calendar).between(next_monday(), next_monday() + timedelta(21))
    assert sorted(e["DTSTART"].dt.hour for e in found) == [7, 7, 19]


# ---------------------------------------------------------------- conditional requests


def test_unchanged_feed_answers_304_until_a_session_changes(client, officer, places):
    session = factories.session(officer, places.commune, day=next_monday())
    db.session.commit()
    _feed, url = officer_feed(officer)
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    not_modified = client.get(url, headers={"If-Modified-Since": modified})
    assert not_modified.status_code == 304
    assert not_modified.data == b""
    set_status(session, "cancelled", "Trời mưa to")
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert str(events(changed.data)[0]["STATUS"]) == "CANCELLED"


def test_a_new_session_changes_the_etag(client, officer, places):
    _feed, url = officer_feed(officer)
    etag = client.get(url).headers["ETag"]
    factories.session(officer, places.commune, day=next_monday())
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_renamed_venue_or_partner_reaches_the_feed(client, officer, places):
    factories.session(
        officer,
        places.commune,
        day=next_monday(),
        venue=places.market,
        partner_id=places.partner.id,
    )
    db.session.commit()
    _feed, url = officer_feed(officer)
    etag = client.get(url).headers["ETag"]

    places.market.name = "Chợ phiên Bắc Hà mới"
    db.session.commit()
    moved = client.get(url, headers={"If-None-Match": etag})

    assert moved.status_code == 200
    assert "Chợ phiên Bắc Hà mới" in str(events(moved.data)[0]["LOCATION"])
    places.partner.name = "Hội Nông dân xã Bắc Hà"
    db.session.commit()
    renamed = client.get(url, headers={"If-None-Match": moved.headers["ETag"]})
    assert renamed.status_code == 200
    assert "Hội Nông dân xã Bắc Hà" in str(events(renamed.data)[0]["DESCRIPTION"])


def test_the_same_data_gives_the_same_bytes(client, officer, places):
    plan_story(officer, places)
    _feed, url = officer_feed(officer)
    first = client.get(url).data
    services.clear_caches()
    assert client.get(url).data == first


def test_fast_folding_keeps_lines_short_and_characters_whole(officer, places):
    title = "Tuyên truyền BHXH tự nguyện; BHYT hộ gia đình, " * 3 + "\\ kết thúc"
    session = factories.session(officer, places.commune, day=next_monday(), title=title)
    db.session.commit()
    with force_locale("vi"):
        event = ical.session_event(session)
    ours = ical.serialise(event)
    lines = ours.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode()  # never cut inside a UTF-8 character
    unfold = lambda body: body.replace(b"\r\n ", b"")  # noqa: E731
    assert unfold(ours) == unfold(event.to_ical())
    assert str(Calendar.from_ical(ours)["SUMMARY"]) == title


@pytest.mark.parametrize(
    "text",
    [
        "Họp; thôn, Na Hối\\ \nBEGIN:VEVENT",
        "dòng một\r\ndòng hai\rdòng ba\ndòng bốn",
        "C:\\Tài liệu\\Nà Hối",
        "",
    ],
)
def test_text_is_escaped_exactly_as_icalendar_escapes_it(text):
    assert ical.escape_text(text) == vText(text).to_ical().decode()


def test_long_vietnamese_text_with_calendar_syntax_round_trips_through_a_feed(
    client, officer, places
):
    title = "\n".join(
        ["Tuyên truyền BHXH tự nguyện; BHYT hộ gia đình, thôn Nà Hối \\ bản Cốc Ly"] * 2
    )
    places.partner.name = "Hội Liên hiệp Phụ nữ; xã Bản Phố, huyện Bắc Hà\nđiểm hẹn: nhà văn hoá"
    factories.session(
        officer, places.commune, day=next_monday(), title=title, partner_id=places.partner.id
    )
    db.session.commit()
    _feed, url = officer_feed(officer)
    body = client.get(url).data
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode()  # never cut inside a UTF-8 character
    (event,) = events(body)
    assert str(event["SUMMARY"]) == title
    assert f"{places.partner.name}\n" in str(event["DESCRIPTION"])


def test_a_feeds_links_are_what_url_for_writes(app):
    with app.test_request_context("/", base_url="https://planner.test/bhxh"):
        link = ical.PageLink("sessions.detail", "session_id")
        for session_id in (1, 42, 2_000_017):
            expected = url_for("sessions.detail", session_id=session_id, _external=True)
            assert (
                link(session_id) == expected == f"https://planner.test/bhxh/sessions/{session_id}"
            )


def test_a_weekly_rule_gives_each_of_its_weekdays_in_order():
    series = SessionSeries(
        rule=RepeatRule.WEEKLY, weekdays="036", first_day=date(2026, 1, 1), interval_days=None
    )
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    every_day = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    expected = [day for day in every_day if day.weekday() in (0, 3, 6)]
    assert ical.series_rule_dates(series, first, last) == expected
    assert ical.series_rule_dates(series, date(2026, 1, 2), date(2026, 1, 4)) == [date(2026, 1, 4)]


# ---------------------------------------------------------------- language and extras


def test_feed_speaks_its_own_language(client, officer, places):
    session = factories.session(officer, places.commune, day=next_monday(), title="Họp")
    set_status(session, "cancelled", "Mưa")
    db.session.commit()
    feed, url = officer_feed(officer, language="en")
    assert summaries(client.get(url).data) == ["Cancelled: Họp"]
    with force_locale("vi"):
        expected = ical.session_face(session).summary
    assert expected != "Cancelled: Họp"
    feed.language = "vi"
    db.session.commit()
    assert summaries(client.get(url).data) == [expected] == ["Đã hủy: Họp"]


def test_follow_ups_come_from_a_registered_source_only_when_asked(client, officer, monkeypatch):
    revision = {"n": 1}

    def components(feed, first, last):
        todo = Todo()
        todo.add("uid", f"followup-1@{ical.uid_domain()}")
        todo.add("summary", "Gọi lại chị Vàng Thị Dua")
        todo.add("due", next_monday())
        return [todo]

    source = FeedSource(
        name="followups",
        components=components,
        fingerprint=lambda feed, first, last: str(revision["n"]),
        wanted=lambda feed: feed.include_followups,
    )
    monkeypatch.setattr(services, "FEED_SOURCES", [*FEED_SOURCES, source])
    plain, plain_url = officer_feed(officer)
    assert not Calendar.from_ical(client.get(plain_url).data).walk("VTODO")
    plain.include_followups = True
    db.session.commit()
    response = client.get(plain_url)
    (todo,) = Calendar.from_ical(response.data).walk("VTODO")
    assert str(todo["SUMMARY"]) == "Gọi lại chị Vàng Thị Dua"
    revision["n"] = 2
    assert (
        client.get(plain_url, headers={"If-None-Match": response.headers["ETag"]}).status_code
        == 200
    )


def test_building_a_feed_takes_a_fixed_number_of_queries(
    client, officer, supervisor, places, count_queries
):
    _feed, url = officer_feed(officer)

    def plan(n: int, offset: int) -> None:
        for i in range(n):
            factories.session(
                officer,
                places.commune,
                day=next_monday() + timedelta(days=offset + i),
                venue=places.house,
                partner_id=places.partner.id,
                facilitator_ids=[supervisor.id],
            )
        factories.session(
            officer,
            places.commune,
            day=next_monday() + timedelta(days=offset),
            kind=SessionKind.MARKET,
            recurrence=Recurrence(rule="weekly", weekdays=frozenset({6}), count=3),
        )
        db.session.commit()

    plan(2, 0)
    few = count_queries.page(client, url)
    plan(20, 30)
    assert count_queries.page(client, url) == few


def test_blocked_day_names_are_scoped_to_the_office(office):
    from planner.calendars.blocked_days import blocked_day_names
    from planner.calendars.models import BlockedDay

    other = factories.office(name="BHXH Lai Châu", province="Lai Châu")
    day = next_monday()
    db.session.add(BlockedDay(office_id=office.id, day=day, name="Lễ hội Gầu Tào", source="t"))
    db.session.commit()
    assert blocked_day_names(office.id, [day, day + timedelta(days=1)]) == {day: "Lễ hội Gầu Tào"}
    assert blocked_day_names(other.id, [day]) == {}


@pytest.fixture(autouse=True)
def _no_stray_sources():
    before = list(services.FEED_SOURCES)
    yield
    assert before == services.FEED_SOURCES


def test_direct_serialiser_writes_exactly_what_icalendar_writes(app, officer, places):
    story = plan_story(officer, places)
    story.meeting.title = "Họp; thôn, Na Hối\\ \nBEGIN:VEVENT " * 3
    db.session.commit()
    feed, _token = create_feed(officer, "officer")
    db.session.commit()
    with app.test_request_context("/"), force_locale("vi"):
        views = services.feed_sessions(feed, *services.feed_window())
        texts = ical.CalendarTexts()
        specs = [ical.session_spec(v, texts) for v in views if v.series_id is None]
        rows = [v for v in views if v.series_id is not None]
        specs += ical.series_specs(rows[0].series, rows, texts)
        assert len(specs) == 4  # two one-offs, the master and one override
        for spec in specs:
            direct = b"".join(ical.fold(line) + b"\r\n" for line in ical.spec_lines(spec))
            assert direct == ical.serialise(spec.event())


def test_feed_answers_get_and_head_only_and_asks_apps_to_revalidate(client, officer):
    _feed, url = officer_feed(officer)
    response = client.get(url)
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["Last-Modified"]
    head = client.head(url)
    assert head.status_code == 200 and head.headers["ETag"] == response.headers["ETag"]
    assert client.post(url).status_code == 405


def test_a_download_speaks_the_language_of_the_page(officer_client, officer, places):
    session = factories.session(officer, places.commune, day=next_monday(), title="Họp")
    set_status(session, "postponed", "Trưởng bản đi họp")
    db.session.commit()
    vietnamese = officer_client.get(f"/calendars/sessions/{session.id}.ics").data
    assert summaries(vietnamese) == ["Hoãn: Họp"]
    assert "Lý do: Trưởng bản đi họp" in str(events(vietnamese)[0]["DESCRIPTION"])
    officer_client.get("/language/en")
    # The test's app context outlives requests, and Flask-Babel caches the locale on it.
    refresh()
    english = officer_client.get(f"/calendars/sessions/{session.id}.ics").data
    assert summaries(english) == ["Postponed: Họp"]
    assert str(events(english)[0]["STATUS"]) == "TENTATIVE"


def test_the_caches_keep_only_the_most_recently_used_entries():
    cache = ical.BoundedCache(2)
    cache.put("a", b"1")
    cache.put("b", b"2")
    assert cache.get("a") == b"1"  # "a" is now the most recent
    cache.put("c", b"3")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1", None, b"3")


def test_expected_attendance_reads_in_each_feeds_plural_form(client, officer, places):
    """One person is "1 person" in English; the text is the event's content, so a change of
    count or of language is a new ETag and a new body, never a cached text of another."""
    session = factories.session(
        officer, places.commune, day=next_monday(), title="Tư vấn tại nhà", expected_attendance=1
    )
    db.session.commit()
    feed, url = officer_feed(officer, language="en")

    def description() -> str:
        return str(events(client.get(url).data)[0]["DESCRIPTION"])

    assert "Expected attendance: 1 person\n" in description()
    etag = client.get(url).headers["ETag"]
    session.expected_attendance = 12
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
    assert "Expected attendance: 12 people" in description()
    feed.language = "vi"
    db.session.commit()
    assert "Số người dự kiến: 12 người" in description()
    feed.language = "en"
    session.expected_attendance = 1
    db.session.commit()
    assert "Expected attendance: 1 person\n" in description()
