"""Every page an officer or a supervisor opens daily answers in a fixed number of queries.

The office grows between two visits of the same pages: more sessions this week, each with more
people, a person with a longer history (more sessions, follow-ups, outcomes, an enrolment), more
audit entries. A page whose query count moves with that growth would be slow at a province's
size (issue 11), however fast it looks on the demo data. And each page keeps to its budget of
queries: on PostgreSQL each one is a round trip (0.3-1 ms), which a province's daily pages feel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

import pytest

from planner.audit.services import record
from planner.calendars.services import create_feed
from planner.enrolments.services import EnrolmentInput, record_enrolment
from planner.extensions import db
from planner.followups.models import FollowUp, Product
from planner.followups.outcomes import OutcomeInput, log_outcome
from planner.people.models import Person
from planner.sessions.days import monday_of
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff


@dataclass
class Office:
    """What the pages are opened on: the session and person whose pages grow the most."""

    session_id: int
    person_id: int
    feed_token: str


def grow(office, lead, helper, places, regular: Person, step: int, sessions: int) -> int:
    """Hold `sessions` past sessions and plan as many this week; return the last one held.

    Each held session has four people (three new, plus `regular`, who comes to all of them and
    so gets a long history), each interested, so follow-ups, outcomes and audit rows grow too.
    """
    today = today_local()
    held = None
    for i in range(sessions):
        number = step * 100 + i
        held = factories.session(
            lead if i % 2 else helper,
            places.commune,
            day=today - timedelta(days=1 + i % 6),
            start=time(7 + i % 10, 0),
            end=time(8 + i % 10, 0),
        )
        factories.session(
            lead,
            places.commune,
            day=monday_of(today) + timedelta(days=i % 7),
            start=time(7 + i % 10, 30),
            end=time(8 + i % 10, 30),
        )
        for j in range(3):
            person = ff.person(
                office,
                full_name=f"Hoàng Văn Sử {number}-{j}",
                phone=f"+8491{number:05d}{j:02d}",
                village=places.village,
            )
            ff.attend(held, person, vsi=True, hhi=j % 2 == 0)
        ff.attend(held, regular, vsi=True, hhi=True)
    for follow_up in db.session.scalars(db.select(FollowUp)).all():
        if follow_up.status.value == "open" and not follow_up.outcomes:
            log_outcome(follow_up, OutcomeInput(kind="no_answer", notes="Không nghe máy"), lead)
    db.session.commit()
    assert held is not None
    return held.id


@pytest.fixture
def growing(office, officer, supervisor, places):
    factories.rates()
    regular = ff.person(office, full_name="Lò Thị Dung", phone="+84912777000")
    db.session.commit()
    _, token = create_feed(supervisor, "officer")
    db.session.commit()

    def step(number: int, sessions: int) -> Office:
        session_id = grow(office, supervisor, officer, places, regular, number, sessions)
        # Another enrolment each step (a renewal): the person page and the list grow too.
        record_enrolment(
            regular,
            EnrolmentInput(
                product=Product.VOLUNTARY_SI,
                enrolled_on=today_local(),
                receipt_number=f"BL-{number:04d}",
                income=1_500_000,
            ),
            supervisor,
        )
        db.session.commit()
        return Office(session_id=session_id, person_id=regular.id, feed_token=token)

    return step


DAILY_PAGES = [
    "/",
    "/?scope=team",
    "/?scope=office",
    "/sessions/{session_id}",
    "/people/{person_id}",
    "/people",
    "/people?q=hoang van",
    "/people?q=0912 777",
    "/people/duplicates",
    "/follow-ups/",
    "/follow-ups/?scope=team",
    "/follow-ups/?scope=office",
    "/enrolments/",
    "/audit",
    "/calendars/feed/{feed_token}.ics",
]


def test_every_daily_page_keeps_its_query_count_as_the_office_grows(
    supervisor_client, growing, count_queries
):
    def visit(office: Office) -> dict[str, int]:
        counts = {}
        for page in DAILY_PAGES:
            url = page.format(**vars(office))
            supervisor_client.get(url)  # a feed's first fetch after a change renders it once
            counts[page] = count_queries.page(supervisor_client, url)
        return counts

    few = visit(growing(1, 3))
    many = visit(growing(2, 9))

    assert many == few


# Queries per page, as the grown office below has them: what is shown once per row (a session's
# venue, a follow-up's person) joins into the page's own query; a list (co-facilitators,
# outcomes) costs one query more. A page that needs more has lost a join or loads a record twice.
QUERY_BUDGETS = {
    "/": 4,
    "/?scope=team": 4,
    "/?scope=office": 4,
    "/sessions/{session_id}": 8,
    "/people/{person_id}": 9,
    "/people": 4,
    "/people?q=hoang van": 4,
    "/people?q=0912 777": 3,
    "/people/duplicates": 3,
    "/follow-ups/": 4,
    "/follow-ups/?scope=team": 4,
    "/follow-ups/?scope=office": 4,
    "/enrolments/": 4,
    "/audit": 10,
    "/calendars/feed/{feed_token}.ics": 3,
}


def test_every_daily_page_keeps_to_its_query_budget(
    supervisor_client, supervisor, places, growing, count_queries
):
    office = growing(1, 9)
    # The regular's trail, as a supervisor sees it on their page: their village changed, and
    # each attendance row recorded (it names the person and the session).
    regular = db.session.get(Person, office.person_id)
    changed = {"village_id": [None, places.village.id]}
    record(regular.office_id, "person", regular.id, "update", changed, supervisor.id)
    for attendance in regular.attendances:
        row = {"person_id": regular.id, "session_id": attendance.session_id}
        record(regular.office_id, "attendance", attendance.id, "create", row, supervisor.id)
    db.session.commit()
    counts = {}
    for page in DAILY_PAGES:
        url = page.format(**vars(office))
        supervisor_client.get(url)  # a feed's first fetch after a change renders it once
        counts[page] = count_queries.page(supervisor_client, url)

    over = {page: n for page, n in counts.items() if n > QUERY_BUDGETS[page]}
    assert over == {}
