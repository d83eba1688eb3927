"""Data every page of the planner has something to show for: used by the tests that walk all
pages (accessibility with axe-core, formats and wording)."""

from __future__ import annotations

import json
from datetime import time, timedelta

from planner.calendars.services import create_feed
from planner.enrolments.services import EnrolmentInput, record_enrolment
from planner.enums import SessionKind
from planner.extensions import db
from planner.followups.models import Product
from planner.printing.models import PrintJob
from planner.sessions.drafts import Recurrence
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff

PRINT_JOB_ID = "a" * 32


def seed(office, officer, supervisor, places) -> None:
    """A week with a one-off session, a weekly market series, attendance, a follow-up, an
    enrolment, a calendar link, likely duplicates and a print job waiting to run."""
    factories.rates()
    today = today_local()
    held = factories.session(
        officer, places.commune, day=today - timedelta(days=1), venue=places.house
    )
    factories.session(
        officer,
        places.commune,
        day=today + timedelta(days=(6 - today.weekday()) % 7),
        kind=SessionKind.MARKET,
        venue=places.market,
        start=time(7, 0),
        end=time(10, 0),
        recurrence=Recurrence(rule="weekly", weekdays=frozenset({6}), count=3),
    )
    sua = ff.person(office, full_name="Giàng Thị Sua", village=places.village)
    ff.person(office, full_name="Giàng Thị Sua", phone="+84912345670", village=places.village)
    ff.attend(held, sua, vsi=True, hhi=True)
    record_enrolment(
        sua,
        EnrolmentInput(
            product=Product.HOUSEHOLD_HI,
            enrolled_on=today,
            receipt_number="HGD-1",
            members=1,
            months=12,
        ),
        officer,
    )
    monday = today - timedelta(days=today.weekday())
    create_feed(officer, "officer")
    create_feed(supervisor, "officer")
    db.session.add(
        PrintJob(
            id=PRINT_JOB_ID,
            office_id=office.id,
            user_id=officer.id,
            kind="packet",
            params_json=json.dumps(
                {"monday": monday.isoformat(), "officer_ids": None, "commune_id": None}
            ),
            filename="tuan.pdf",
        )
    )
    db.session.commit()
