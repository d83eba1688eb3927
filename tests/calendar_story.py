"""A small planning story shared by the calendar tests: a one-off, a series and their changes."""

from __future__ import annotations

from datetime import date, time, timedelta
from types import SimpleNamespace

from planner.calendars.services import create_feed
from planner.enums import SessionKind
from planner.extensions import db
from planner.sessions.days import monday_of
from planner.sessions.drafts import Recurrence
from planner.sessions.planning import update_session
from planner.sessions.status import set_status
from planner.timezones import today_local
from tests import factories


def next_monday() -> date:
    return monday_of(today_local()) + timedelta(days=7)


def plan_story(officer, places) -> SimpleNamespace:
    """Next week: a Tuesday village meeting, a cancelled Thursday one, and a weekly Wednesday
    series of four whose second occurrence is cancelled and third moved to the afternoon."""
    monday = next_monday()
    meeting = factories.session(
        officer, places.commune, day=monday + timedelta(days=1), venue=places.house
    )
    called_off = factories.session(
        officer,
        places.commune,
        day=monday + timedelta(days=3),
        start=time(8, 0),
        end=time(9, 30),
        title="Họp bản Cốc Ly",
    )
    set_status(called_off, "cancelled", "Đường sạt lở")
    first = factories.session(
        officer,
        places.commune,
        day=monday + timedelta(days=2),
        start=time(8, 0),
        end=time(10, 0),
        venue=places.house,
        kind=SessionKind.VILLAGE_MEETING,
        title="Sinh hoạt chi hội phụ nữ",
        recurrence=Recurrence(rule="weekly", weekdays=frozenset({2}), count=4),
    )
    occurrences = first.series.sessions
    set_status(occurrences[1], "cancelled", "Mưa lũ")
    moved = occurrences[2]
    update_session(
        moved,
        factories.draft(
            officer,
            places.commune,
            day=moved.occurrence_date,
            start=time(14, 0),
            end=time(16, 0),
            venue=places.house,
            title="Sinh hoạt chi hội phụ nữ",
        ),
        base_version=moved.version,
    )
    db.session.commit()
    return SimpleNamespace(
        monday=monday,
        meeting=meeting,
        called_off=called_off,
        series=first.series,
        occurrences=occurrences,
        cancelled=occurrences[1],
        moved=moved,
    )


def officer_feed(officer, **kwargs):
    """The officer's own feed and its URL path."""
    feed, token = create_feed(officer, "officer", **kwargs)
    db.session.commit()
    return feed, f"/calendars/feed/{token}.ics"
