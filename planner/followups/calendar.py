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

from planner.calendars import ical
from planner.calendars.models import CalendarFeed, FeedKind
from planner.calendars.services import FEED_SOURCES, FeedSource
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpStatus, Product
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


def follow_up_events(feed: CalendarFeed, first: date, last: date) -> Iterable[bytes]:
    """One all-day event per open follow-up of the feed's officer, as iCalendar bytes.

    The lines are those icalendar writes for the same Event, in its order (a test holds the two
    equal); building an icalendar Event per follow-up cost more than all the feed's queries.
    """
    rows = db.session.execute(
        _open_follow_ups(feed, first, last)
        .with_only_columns(
            FollowUp.id, FollowUp.updated_at, FollowUp.due_on, FollowUp.product, Person.full_name
        )
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()
    summary = _("Follow up: %(name)s (%(product)s)")
    category = ical.escape_text(_("Follow-up"))
    products: dict[Product, str] = {}
    linked = has_request_context()
    for follow_up_id, updated_at, due_on, product, full_name in rows:
        if product not in products:
            products[product] = product.label
        lines = [
            "BEGIN:VEVENT",
            "SUMMARY:"
            + ical.escape_text(summary % {"name": full_name, "product": products[product]}),
            "DTSTART;VALUE=DATE:" + ical.date_value(due_on),
            "DTEND;VALUE=DATE:" + ical.date_value(due_on + timedelta(days=1)),
            "DTSTAMP:" + ical.utc_value(updated_at),
            f"UID:follow-up-{follow_up_id}@planner",
            "CATEGORIES:" + category,
        ]
        if linked:
            link = url_for("followups.detail", follow_up_id=follow_up_id, _external=True)
            lines.append("DESCRIPTION:" + ical.escape_text(link))
        lines.append("TRANSP:TRANSPARENT")
        if linked:
            lines.append("URL:" + link)
        lines.append("END:VEVENT")
        yield ical.write_lines(lines)


def follow_up_fingerprint(feed: CalendarFeed, first: date, last: date) -> str:
    """Changes whenever an open follow-up in the window, or its person, changes."""
    # Closing a follow-up drops it from the window's count or changes its updated_at.
    count, latest, latest_person, ids = db.session.execute(
        _open_follow_ups(feed, first, last).with_only_columns(
            sa.func.count(FollowUp.id),
            sa.func.max(FollowUp.updated_at),
            sa.func.max(Person.updated_at),
            sa.func.sum(FollowUp.id),
        )
    ).one()
    return hashlib.sha256(f"{count}|{latest}|{latest_person}|{ids}".encode()).hexdigest()[:16]


SOURCE = FeedSource(
    name="followups",
    components=follow_up_events,
    fingerprint=follow_up_fingerprint,
    wanted=lambda feed: feed.kind == FeedKind.OFFICER and feed.include_followups,
)

if SOURCE not in FEED_SOURCES:
    FEED_SOURCES.append(SOURCE)
