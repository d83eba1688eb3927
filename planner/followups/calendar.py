"""Open follow-ups in an officer's calendar feed, as all-day events on their due date.

Only the person's name goes into the feed (calendar apps keep copies on other servers); the
phone and notes stay behind the login, one tap away through the event's link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import gettext as _
from icalendar import Component, Event
from sqlalchemy.orm import selectinload

from planner.calendars.models import CalendarFeed, FeedKind
from planner.calendars.services import FEED_SOURCES, FeedSource
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpStatus
from planner.people.models import Person


def _open_follow_ups(feed: CalendarFeed, first: date, last: date):
    return (
        sa.select(FollowUp)
        .join(Person, Person.id == FollowUp.person_id)
        .where(
            FollowUp.office_id == feed.office_id,
            FollowUp.assigned_to_id == feed.user_id,
            FollowUp.status == FollowUpStatus.OPEN,
            FollowUp.due_on >= first,
            FollowUp.due_on <= last,
            Person.erased_at.is_(None),
        )
    )


def follow_up_events(feed: CalendarFeed, first: date, last: date) -> Iterable[Component]:
    """One all-day event per open follow-up of the feed's officer."""
    rows = db.session.scalars(
        _open_follow_ups(feed, first, last)
        .options(selectinload(FollowUp.person))
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()
    for follow_up in rows:
        event = Event()
        event.add("uid", f"follow-up-{follow_up.id}@planner")
        event.add("dtstamp", follow_up.updated_at)
        event.add("dtstart", follow_up.due_on)
        event.add("dtend", follow_up.due_on + timedelta(days=1))
        event.add(
            "summary",
            _(
                "Follow up: %(name)s (%(product)s)",
                name=follow_up.person.full_name,
                product=follow_up.product.label,
            ),
        )
        event.add("categories", [_("Follow-up")])
        event.add("transp", "TRANSPARENT")
        if has_request_context():
            link = url_for("followups.detail", follow_up_id=follow_up.id, _external=True)
            event.add("url", link)
            event.add("description", link)
        yield event


def follow_up_fingerprint(feed: CalendarFeed, first: date, last: date) -> str:
    """Changes whenever an open follow-up in the window, or its person, changes."""
    count, latest, latest_person = db.session.execute(
        _open_follow_ups(feed, first, last).with_only_columns(
            sa.func.count(FollowUp.id),
            sa.func.max(FollowUp.updated_at),
            sa.func.max(Person.updated_at),
        )
    ).one()
    # Closing a follow-up drops it from the window's count or changes its updated_at.
    ids = db.session.scalar(
        _open_follow_ups(feed, first, last).with_only_columns(sa.func.sum(FollowUp.id))
    )
    return hashlib.sha256(f"{count}|{latest}|{latest_person}|{ids}".encode()).hexdigest()[:16]


SOURCE = FeedSource(
    name="followups",
    components=follow_up_events,
    fingerprint=follow_up_fingerprint,
    wanted=lambda feed: feed.kind == FeedKind.OFFICER and feed.include_followups,
)

if SOURCE not in FEED_SOURCES:
    FEED_SOURCES.append(SOURCE)
