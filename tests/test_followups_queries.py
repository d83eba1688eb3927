""" "My follow-ups" loads in a fixed number of queries however many follow-ups there are."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from planner.extensions import db
from planner.followups.models import FollowUp
from planner.followups.outcomes import OutcomeInput, log_outcome
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff


def add_follow_ups(office, officer, places, n: int, start: int) -> None:
    for i in range(start, start + n):
        session = factories.session(
            officer, places.commune, day=today_local() - timedelta(days=1 + i % 5)
        )
        person = ff.person(
            office, full_name=f"Người dân {i}", phone=f"+849120{i:05d}", village=places.village
        )
        ff.attend(session, person, vsi=True, hhi=i % 2 == 0)
    for follow_up in db.session.scalars(sa.select(FollowUp)).all():
        if not follow_up.outcomes:
            log_outcome(follow_up, OutcomeInput(kind="no_answer", notes="Không nghe máy"), officer)
    db.session.commit()


def test_my_follow_ups_query_count_does_not_grow_with_rows(
    supervisor_client, office, supervisor, places, count_queries
):
    add_follow_ups(office, supervisor, places, 2, 0)
    few = count_queries.page(supervisor_client, "/follow-ups/?scope=office")
    add_follow_ups(office, supervisor, places, 18, 2)
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 20
    many = count_queries.page(supervisor_client, "/follow-ups/?scope=office")
    assert many == few
    assert few <= 8


def test_a_long_pile_shows_one_page_and_links_to_the_next_without_javascript(
    supervisor_client, office, supervisor
):
    from planner.followups.board import PILE_SIZE
    from planner.followups.models import Product

    for i in range(PILE_SIZE * 2 + 3):
        db.session.add(
            FollowUp(
                office_id=office.id,
                person=ff.person(office, full_name=f"Người dân {i:02d}", phone=None),
                product=Product.VOLUNTARY_SI,
                assigned_to_id=supervisor.id,
                due_on=today_local(),
            )
        )
    db.session.commit()
    page = supervisor_client.get("/follow-ups/").get_data(as_text=True)
    assert page.count('class="fu-item') == PILE_SIZE
    assert "Người dân 00" in page
    assert "Trang 1 / 3" in page
    assert (
        'href="/follow-ups/?scope=me&amp;overdue=1&amp;today=2&amp;upcoming=1#pile-today"' in page
    )
    last = supervisor_client.get("/follow-ups/?today=3").get_data(as_text=True)
    assert last.count('class="fu-item') == 3
    assert f"Người dân {PILE_SIZE * 2 + 2:02d}" in last
    assert "Người dân 00" not in last
    # A page past the end shows the last one rather than an empty pile.
    assert (
        supervisor_client.get("/follow-ups/?today=99")
        .get_data(as_text=True)
        .count('class="fu-item')
        == 3
    )


def test_the_enrolment_list_query_count_does_not_grow_with_rows(
    officer_client, office, officer, places, count_queries
):
    from planner.enrolments.services import EnrolmentInput, record_enrolment
    from planner.followups.models import Product

    factories.rates()

    def enrol(n: int, start: int) -> None:
        for i in range(start, start + n):
            session = factories.session(
                officer, places.commune, day=today_local() - timedelta(days=2 + i % 7)
            )
            person = ff.person(office, full_name=f"Người dân {i}", phone=f"+849130{i:05d}")
            ff.attend(session, person, vsi=True)
            record_enrolment(
                person,
                EnrolmentInput(
                    product=Product.VOLUNTARY_SI,
                    enrolled_on=today_local(),
                    receipt_number=f"BL-{i}",
                    income=1_500_000,
                ),
                officer,
            )
        db.session.commit()

    enrol(2, 0)
    few = count_queries.page(officer_client, "/enrolments/")
    enrol(12, 2)
    assert count_queries.page(officer_client, "/enrolments/") == few
