"""Planning and revising a session are one operation each: check the draft once, look for
clashes, save, commit, and tell printing that the office's printed matter changed."""

from datetime import date, time

import pytest

from planner.enums import SessionKind
from planner.errors import PlannerError
from planner.extensions import db
from planner.sessions.planning import plan_sessions, revise_session
from planner.signals import printed_matter_changed
from tests import factories

WEDNESDAY = date(2026, 12, 2)


@pytest.fixture
def announced():
    """The (office, user) pairs printing heard about, with whether the change was committed."""
    heard = []

    def listen(office_id, user_id, **_extra):
        heard.append((office_id, user_id, not db.session.new and not db.session.dirty))

    printed_matter_changed.connect(listen)
    yield heard
    printed_matter_changed.disconnect(listen)


def test_planning_saves_commits_and_announces_once(officer, places, announced):
    draft = factories.draft(officer, places.commune, day=WEDNESDAY, venue=places.house)
    planned = plan_sessions(officer.office_id, draft, officer)
    assert planned.saved and planned.count == 1
    assert announced == [(officer.office_id, officer.id, True)]


def test_a_clash_holds_the_plan_back_and_announces_nothing(officer, places, announced):
    factories.session(officer, places.commune, day=WEDNESDAY, venue=places.house)
    db.session.commit()
    draft = factories.draft(officer, places.commune, day=WEDNESDAY, venue=places.house)
    planned = plan_sessions(officer.office_id, draft, officer)
    assert not planned.saved and {c.kind for c in planned.clashes} >= {"officer", "venue"}
    assert announced == []
    kept = plan_sessions(officer.office_id, draft, officer, save_anyway=True)
    assert kept.saved and kept.clashes
    assert len(announced) == 1


def test_a_venue_fills_in_its_commune_and_village(officer, places):
    draft = factories.draft(officer, places.commune, day=WEDNESDAY, venue=places.house)
    draft.commune_id, draft.village_id = 0, None
    [session] = plan_sessions(officer.office_id, draft, officer).sessions
    assert (session.commune_id, session.village_id) == (places.commune.id, places.village.id)


def test_without_commune_or_venue_the_form_says_which_field(officer, places):
    draft = factories.draft(officer, places.commune, day=WEDNESDAY)
    draft.commune_id = 0
    with pytest.raises(PlannerError) as error:
        plan_sessions(officer.office_id, draft, officer)
    assert error.value.field == "commune_id"


def test_revising_saves_and_announces(officer, places, announced):
    session = factories.session(officer, places.commune, day=WEDNESDAY)
    db.session.commit()
    draft = factories.draft(
        officer, places.commune, day=WEDNESDAY, start=time(8, 0), end=time(9, 0)
    )
    revised = revise_session(session, draft, officer, session.version)
    assert revised.saved and session.local_start.hour == 8
    assert announced == [(officer.office_id, officer.id, True)]


def test_a_market_session_off_market_day_is_held_back_when_revised(officer, places, announced):
    session = factories.session(officer, places.commune, day=WEDNESDAY)
    db.session.commit()
    draft = factories.draft(
        officer, places.commune, day=WEDNESDAY, venue=places.market, kind=SessionKind.MARKET
    )
    revised = revise_session(session, draft, officer, session.version)
    assert not revised.saved and [c.kind for c in revised.clashes] == ["market_day"]
    assert announced == []
