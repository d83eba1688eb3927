"""An officer who asks for it sees their open follow-ups in their calendar feed."""

from datetime import timedelta

from flask import url_for
from flask_babel import force_locale
from icalendar import Calendar, Event

from planner.calendars.services import create_feed, feed_window
from planner.extensions import db
from planner.followups.calendar import follow_up_events
from planner.followups.models import FollowUp
from planner.followups.outcomes import OutcomeInput, log_outcome
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff


def feed_events(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, Calendar.from_ical(response.data).walk("VEVENT") if response.data else []


def test_open_follow_ups_appear_on_their_due_day_and_go_when_done(client, officer, places):
    session = factories.session(officer, places.commune, day=today_local() - timedelta(days=1))
    sua = ff.person(officer.office, full_name="Giàng Thị Sua")
    ff.attend(session, sua, vsi=True)
    _feed, token = create_feed(officer, "officer", include_followups=True)
    db.session.commit()
    url = f"/calendars/feed/{token}.ics"

    response, events = feed_events(client, url)
    follow_ups = [e for e in events if str(e["UID"]).startswith("follow-up-")]
    assert len(follow_ups) == 1
    assert "Giàng Thị Sua" in str(follow_ups[0]["SUMMARY"])
    assert follow_ups[0].decoded("DTSTART") == today_local() + timedelta(days=2)
    assert "0912" not in response.get_data(as_text=True)  # no phone numbers leave the app
    etag = response.headers["ETag"]

    follow_up = db.session.scalar(db.select(FollowUp))
    log_outcome(follow_up, OutcomeInput(kind="reached", notes="Đã gọi"), officer)
    db.session.commit()
    again, events = feed_events(client, url, **{"If-None-Match": etag})
    assert again.status_code == 200
    assert not [e for e in events if str(e["UID"]).startswith("follow-up-")]


def test_follow_ups_stay_out_unless_asked(client, officer, places):
    session = factories.session(officer, places.commune, day=today_local() - timedelta(days=1))
    ff.attend(session, ff.person(officer.office), vsi=True)
    _feed, token = create_feed(officer, "officer")
    db.session.commit()
    _response, events = feed_events(client, f"/calendars/feed/{token}.ics")
    assert not [e for e in events if str(e["UID"]).startswith("follow-up-")]


def test_follow_up_events_are_the_lines_icalendar_would_write(app, officer, places):
    """The feed writes follow-ups line by line (fast); a calendar app reads what icalendar's
    own Event would say, whatever the name holds."""
    session = factories.session(officer, places.commune, day=today_local() - timedelta(days=1))
    name = "Lò Thị Dua; con bà Lò Thị Sua, bản Nà Hối \\ xã Bản Phố, huyện Bắc Hà"
    ff.attend(session, ff.person(officer.office, full_name=name), vsi=True, hhi=True)
    feed, _token = create_feed(officer, "officer", include_followups=True)
    db.session.commit()
    follow_up = db.session.scalar(db.select(FollowUp))
    first, last = feed_window()
    with app.test_request_context("/"), force_locale("vi"):
        (written,) = follow_up_events(feed, first, last)
        event = Event()
        event.add("uid", f"follow-up-{follow_up.id}@planner")
        event.add("dtstamp", follow_up.updated_at)
        event.add("dtstart", follow_up.due_on)
        event.add("dtend", follow_up.due_on + timedelta(days=1))
        event.add("summary", f"Liên hệ lại: {name} ({follow_up.product.label})")
        event.add("categories", ["Chăm sóc, liên hệ lại"])
        event.add("transp", "TRANSPARENT")
        link = url_for("followups.detail", follow_up_id=follow_up.id, _external=True)
        event.add("url", link)
        event.add("description", link)
    assert max(len(line) for line in written.split(b"\r\n")) <= 75
    unfold = lambda body: body.replace(b"\r\n ", b"")  # noqa: E731
    assert unfold(written) == unfold(event.to_ical())
    assert str(Calendar.from_ical(written)["SUMMARY"]).startswith(f"Liên hệ lại: {name} (")
