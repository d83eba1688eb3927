"""An officer who asks for it sees their open follow-ups in their calendar feed."""

from datetime import timedelta

from icalendar import Calendar

from planner.calendars.services import create_feed
from planner.extensions import db
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

    from planner.followups.models import FollowUp

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
