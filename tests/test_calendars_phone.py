"""Subscribing on a phone: a link to tap, steps for iPhone and Android, a new link only after
asking, a recurring event's link that opens its occurrence, and an optional reminder."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from icalendar import Calendar

from planner.calendars.models import CalendarFeed
from planner.calendars.occurrences import series_occurrence
from planner.calendars.services import update_feed_settings
from planner.enums import SessionKind
from planner.extensions import db
from planner.sessions.drafts import Recurrence
from planner.sessions.status import set_status
from planner.timezones import today_local
from tests import factories
from tests.calendar_story import next_monday, officer_feed, plan_story


def events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def shown_page(officer_client) -> str:
    officer_client.post("/calendars/mine", data={"language": "vi", "reminder_minutes": "0"})
    return officer_client.get("/calendars/").get_data(as_text=True)


def test_the_new_link_is_one_tap_with_steps_for_iphone_and_android(officer_client):
    page = shown_page(officer_client)
    tap = re.search(r'<a class="button primary" href="(webcal://[^"]+)">([^<]+)</a>', page)
    assert tap, "no webcal link to tap"
    assert tap.group(1).startswith("webcal://planner.test/calendars/feed/")
    assert tap.group(2) == "Thêm vào lịch của tôi"
    # The https link stays for Google Calendar and Outlook.
    assert re.search(r'value="https?://planner.test/calendars/feed/', page)
    assert "iPhone" in page and "Android" in page
    assert "Đồng bộ" in page  # Android: sync the calendar on the phone
    # The QR code is there for a computer's screen; CSS hides it on phone widths.
    assert '<figure class="calendar-qr">' in page


def test_the_qr_code_is_hidden_on_phone_widths(app):
    css = (app.static_folder + "/css/calendars.css").replace("//", "/")
    with open(css, encoding="utf-8") as handle:
        text = handle.read()
    rule = re.search(r"@media \(max-width: (\d+)px\) \{\s*\.calendar-qr \{ display: none; \}", text)
    assert rule and int(rule.group(1)) >= 600


def test_getting_a_new_link_is_a_secondary_action_that_asks_first(officer_client, officer):
    shown_page(officer_client)
    page = officer_client.get("/calendars/").get_data(as_text=True)
    feed = db.session.scalars(sa.select(CalendarFeed)).one()
    ask = f"/calendars/feeds/{feed.id}/token"
    assert f'<a class="button" href="{ask}">Tạo đường liên kết mới</a>' in page
    assert 'button primary">Tạo đường liên kết mới' not in page
    old_hash = feed.token_hash

    confirm = officer_client.get(ask)
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert "ngừng hoạt động ngay" in text
    assert f'action="{ask}"' in text and 'method="post"' in text
    db.session.refresh(feed)
    assert feed.token_hash == old_hash  # asking changes nothing

    assert officer_client.post(ask).status_code == 302
    db.session.refresh(feed)
    assert feed.token_hash != old_hash


def test_asking_for_someone_elses_new_link_is_a_404(officer_client, supervisor):
    feed, _url = officer_feed(supervisor)
    assert officer_client.get(f"/calendars/feeds/{feed.id}/token").status_code == 404


def test_the_recurring_events_link_opens_the_occurrence_not_the_last_session(
    client, officer_client, officer, places
):
    story = plan_story(officer, places)
    _feed, url = officer_feed(officer)
    found = events(client.get(url).data)
    master = next(e for e in found if "RRULE" in e and "RECURRENCE-ID" not in e)
    link = str(master["URL"])
    assert re.fullmatch(rf"https?://planner.test/calendars/series/{story.series.id}", link)
    last = story.occurrences[-1]
    assert f"/sessions/{last.id}" not in str(master["DESCRIPTION"])
    # Before the series starts, the link opens its first occurrence, not its last.
    response = officer_client.get(f"/calendars/series/{story.series.id}")
    assert response.status_code == 302
    assert response.location.endswith(f"/sessions/{story.occurrences[0].id}")
    # The moved occurrence is an override carrying its own session's link.
    override = next(e for e in found if "RECURRENCE-ID" in e)
    assert str(override["URL"]).endswith(f"/sessions/{story.moved.id}")


def test_a_series_link_opens_todays_occurrence_or_the_next_one_still_held(
    officer_client, officer, places
):
    first = factories.session(
        officer,
        places.commune,
        day=today_local() - timedelta(days=7),
        kind=SessionKind.MARKET,
        venue=places.market,
        recurrence=Recurrence(rule="interval", interval_days=7, count=4),
    )
    db.session.commit()
    past, today, coming, last = first.series.sessions
    office_id, series_id = officer.office_id, first.series_id
    assert series_occurrence(office_id, series_id) == today
    assert (
        series_occurrence(office_id, series_id, today=today_local() + timedelta(days=1)) == coming
    )
    set_status(coming, "cancelled", "Mưa lũ")
    db.session.commit()
    assert series_occurrence(office_id, series_id, today=today_local() + timedelta(days=1)) == last
    assert series_occurrence(office_id, series_id, today=today_local() + timedelta(days=60)) == last
    # A link that names the date opens exactly that occurrence.
    response = officer_client.get(
        f"/calendars/series/{series_id}?on={past.occurrence_date.isoformat()}"
    )
    assert response.location.endswith(f"/sessions/{past.id}")
    assert officer_client.get(f"/calendars/series/{series_id}?on=2001-01-01").status_code == 404
    assert officer_client.get(f"/calendars/series/{series_id}?on=hôm-nay").status_code == 400


def test_another_offices_series_link_is_a_404(client, officer, places):
    first = factories.session(
        officer,
        places.commune,
        day=next_monday(),
        recurrence=Recurrence(rule="weekly", weekdays=frozenset({0}), count=2),
    )
    other = factories.office(name="BHXH Lai Châu", province="Lai Châu")
    stranger = factories.user(other, username="lan", full_name="Lò Thị Lan")
    db.session.commit()
    from tests.conftest import login

    login(client, stranger)
    assert client.get(f"/calendars/series/{first.series_id}").status_code == 404


def test_no_reminder_unless_the_officer_asks_for_one(client, officer, places):
    plan_story(officer, places)
    feed, url = officer_feed(officer)
    assert feed.reminder_minutes is None
    assert all(not e.walk("VALARM") for e in events(client.get(url).data))


def test_a_chosen_reminder_rings_before_each_session_but_not_cancelled_ones(
    client, officer_client, officer, places
):
    story = plan_story(officer, places)
    feed, url = officer_feed(officer)
    response = officer_client.post(
        f"/calendars/feeds/{feed.id}/settings",
        data={"language": "vi", "reminder_minutes": "60"},
    )
    assert response.status_code == 302
    db.session.refresh(feed)
    assert feed.reminder_minutes == 60
    for event in events(client.get(url).data):
        alarms = event.walk("VALARM")
        if str(event["STATUS"]) == "CANCELLED":
            assert not alarms, str(event["SUMMARY"])
            continue
        (alarm,) = alarms
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm["TRIGGER"].dt == -timedelta(hours=1)
        assert str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])
    ringing = [e for e in events(client.get(url).data) if e.walk("VALARM")]
    # The one-off meeting, the series (once, for every occurrence) and the moved occurrence.
    assert len(ringing) == 3
    assert any("RRULE" in e for e in ringing)
    assert story.moved.series_id == story.series.id

    # Turning it off again takes the alarms out of the feed.
    officer_client.post(
        f"/calendars/feeds/{feed.id}/settings", data={"language": "vi", "reminder_minutes": "0"}
    )
    assert all(not e.walk("VALARM") for e in events(client.get(url).data))


def test_a_reminder_not_offered_is_refused_with_a_message(officer_client, officer):
    feed, _url = officer_feed(officer)
    response = officer_client.post(
        f"/calendars/feeds/{feed.id}/settings",
        data={"language": "vi", "reminder_minutes": "7"},
    )
    assert response.status_code == 400
    db.session.refresh(feed)
    assert feed.reminder_minutes is None


def test_the_service_refuses_a_reminder_it_does_not_offer(app, officer):
    import pytest

    from planner.errors import PlannerError

    feed, _url = officer_feed(officer)
    with pytest.raises(PlannerError) as raised:
        update_feed_settings(feed, False, "vi", 10_080)
    assert raised.value.field == "reminder_minutes"


def test_a_refused_calendar_form_is_shown_again_with_its_error_beside_the_field(
    supervisor_client, office, places
):
    from planner.calendars.models import CalendarFeed

    # A team calendar without its team: the choice stays, the reason stands under "Tổ".
    response = supervisor_client.post(
        "/calendars/shared", data={"kind": "team", "team_id": "0", "language": "vi"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'aria-describedby="team_id-error" aria-invalid="true" id="team_id"' in page
    assert '<p class="error" id="team_id-error">Hãy chọn một' in page
    assert '<input checked id="kind-0" name="kind" required type="radio" value="team">' in page
    assert db.session.scalar(db.select(db.func.count(CalendarFeed.id))) == 0

    # Its own calendar in a language not offered: said beside the language, nothing made.
    response = supervisor_client.post("/calendars/mine", data={"language": "fr"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(CalendarFeed.id))) == 0
