"""The person-page partials, the enrolment page, and the pages in English."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user

from planner.audit.models import AuditEntry
from planner.enrolments.models import Enrolment
from planner.enrolments.services import EnrolmentInput, record_enrolment
from planner.extensions import db
from planner.followups.models import FollowUp, Product
from planner.followups.outcomes import OutcomeInput, log_outcome
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff

TIMELINES = (
    '{% include "followups/_person_timeline.html" %}'
    '{% include "enrolments/_person_timeline.html" %}'
)


def test_the_person_page_partials_show_follow_ups_outcomes_and_enrolments(
    app, office, officer, places
):
    factories.rates()
    session = factories.session(
        officer, places.commune, day=today_local() - timedelta(days=4), title="Chợ phiên Bắc Hà"
    )
    sua = ff.person(office)
    ff.attend(session, sua, vsi=True)
    follow_up = db.session.scalars(sa.select(FollowUp)).one()
    log_outcome(follow_up, OutcomeInput(kind="declined", reason="Chờ bán lợn xong"), officer)
    record_enrolment(
        sua,
        EnrolmentInput(
            product=Product.HOUSEHOLD_HI,
            enrolled_on=today_local(),
            receipt_number="HGD-9",
            members=1,
            months=12,
        ),
        officer,
    )
    db.session.commit()
    with app.test_request_context():
        login_user(officer)
        html = render_template_string(TIMELINES, person=sua)
    assert "Từ chối" in html and "Chờ bán lợn xong" in html
    assert "BHYT hộ gia đình" in html
    assert "105.300 ₫" in html
    assert "ghi nhận chính: Chợ phiên Bắc Hà" in html


def test_correcting_the_receipt_number_is_audited(officer_client, office, officer):
    factories.rates()
    sua = ff.person(office)
    enrolment = record_enrolment(
        sua,
        EnrolmentInput(
            product=Product.HOUSEHOLD_HI,
            enrolled_on=today_local(),
            receipt_number="HGD-9",
            members=2,
            months=12,
        ),
        officer,
    )
    db.session.commit()
    response = officer_client.post(
        f"/enrolments/{enrolment.id}", data={"receipt_number": "HGD-19", "notes": ""}
    )
    assert response.status_code == 302
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity == "enrolment", AuditEntry.action == "update")
    ).one()
    assert entry.changes == {"receipt_number": ["HGD-9", "HGD-19"]}
    blank = officer_client.post(f"/enrolments/{enrolment.id}", data={"receipt_number": " "})
    assert blank.status_code == 400
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).receipt_number == "HGD-19"


def test_pages_speak_english_when_asked(officer_client, office, officer):
    db.session.add(
        FollowUp(
            office_id=office.id,
            person=ff.person(office),
            product=Product.BOTH,
            assigned_to_id=officer.id,
            due_on=today_local(),
        )
    )
    db.session.commit()
    officer_client.get("/language/en")
    page = officer_client.get("/follow-ups/").get_data(as_text=True)
    assert "My follow-ups" in page and "Due today" in page and "Log an outcome" in page


def test_supervisor_sees_the_teams_follow_ups(client, office):
    team = factories.team(office)
    lead = factories.user(office, username="hoa", role="supervisor", team=team)
    member = factories.user(office, username="chu", full_name="Sùng Seo Chứ", team=team)
    outsider = factories.user(office, username="lan", full_name="Hoàng Thị Lan")
    for who, name in [(member, "Người của Chứ"), (outsider, "Người của Lan")]:
        db.session.add(
            FollowUp(
                office_id=office.id,
                person=ff.person(office, full_name=name),
                product=Product.VOLUNTARY_SI,
                assigned_to_id=who.id,
                due_on=today_local(),
            )
        )
    db.session.commit()
    from tests.conftest import login

    login(client, lead)
    page = client.get("/follow-ups/?scope=team").get_data(as_text=True)
    assert "Người của Chứ" in page and "Người của Lan" not in page
    assert "Phụ trách: Sùng Seo Chứ" in page


def test_a_supervisor_in_no_team_is_told_why_my_team_shows_only_their_own(
    supervisor_client, supervisor
):
    assert supervisor.team is None
    page = supervisor_client.get("/follow-ups/?scope=team").get_data(as_text=True)
    assert "Bạn chưa thuộc tổ nào" in page
    week = supervisor_client.get("/?scope=team").get_data(as_text=True)
    assert "Bạn chưa thuộc tổ nào" in week
    assert "Bạn chưa thuộc tổ nào" not in supervisor_client.get("/?scope=office").get_data(
        as_text=True
    )
