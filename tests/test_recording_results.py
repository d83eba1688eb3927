"""Recording results on a phone: the amount before the receipt, outcomes that keep what was
entered, and the payment periods each product allows (dated data, nothing preselected)."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from planner.enrolments.models import Enrolment
from planner.enums import PriorityGroup
from planner.extensions import db
from planner.followups.models import Channel, FollowUp, FollowUpOutcome, OutcomeKind, Product
from planner.rates.models import PaymentPeriod
from planner.rates.payment_periods import allowed_months
from planner.timezones import today_local
from tests import factories_followups as ff

TODAY = today_local()


@pytest.fixture
def sua(office, rates):
    person = ff.person(office, priority_group=PriorityGroup.NEAR_POOR)
    db.session.commit()
    return person


def household(person, **overrides) -> dict:
    data = {
        "product": "household_hi",
        "enrolled_on": TODAY.isoformat(),
        "months": "3",
        "members": "2",
        "priority_group": "other",
        "receipt_number": "",
    }
    return {**data, **overrides}


def enrolments() -> int:
    return db.session.scalar(sa.select(sa.func.count(Enrolment.id)))


# --- The amount comes before the receipt -----------------------------------------------------


def test_the_contribution_is_worked_out_without_a_receipt_number(officer_client, sua):
    response = officer_client.post(
        f"/enrolments/new?person={sua.id}", data=household(sua, preview="1")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "537.030 ₫" in page  # (105,300 + 73,710) x 3 months
    assert 'id="receipt_number-error"' not in page
    assert enrolments() == 0


def test_recording_without_a_receipt_keeps_the_amount_and_says_so_beside_the_field(
    officer_client, sua
):
    response = officer_client.post(f"/enrolments/new?person={sua.id}", data=household(sua))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="receipt_number-error"' in page
    assert "537.030 ₫" in page
    assert 'value="3" checked' in page  # the period chosen is kept
    assert enrolments() == 0
    response = officer_client.post(
        f"/enrolments/new?person={sua.id}", data=household(sua, receipt_number="HGD-5")
    )
    assert response.status_code == 302
    assert db.session.scalars(sa.select(Enrolment)).one().period_person_pays == 537_030


# --- Payment periods are dated data ----------------------------------------------------------


def test_household_health_insurance_offers_3_6_12_months_and_nothing_is_preselected(
    officer_client, sua
):
    page = officer_client.get(f"/enrolments/new?person={sua.id}").get_data(as_text=True)
    household_part = page[page.index("part-household_hi") : page.index('id="receipt_number"')]
    radios = re.findall(
        r'<input type="radio" name="months" id="months-household_hi-\d+" value="(\d+)"([^>]*)>',
        household_part,
    )
    assert [value for value, _rest in radios] == ["3", "6", "12"]
    assert not any("checked" in rest for _value, rest in radios)
    vsi_part = page[page.index("part-voluntary_si") : page.index("part-household_hi")]
    assert 'value="1"' in vsi_part and 'value="60"' in vsi_part  # monthly, up to 5 years ahead


def test_household_paying_monthly_is_refused_beside_the_household_periods(officer_client, sua):
    response = officer_client.post(
        f"/enrolments/new?person={sua.id}", data=household(sua, months="1", preview="1")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="months-household_hi-error"' in page
    assert "3 tháng" in page or "3 months" in page
    assert enrolments() == 0


def test_a_period_withdrawn_from_a_date_is_no_longer_allowed_from_that_date(app, rates):
    assert allowed_months("household_hi", date(2026, 1, 1)) == (3, 6, 12)
    db.session.add(
        PaymentPeriod(
            product="household_hi", months=3, valid_from=date(2031, 1, 1), allowed=False, source="x"
        )
    )
    db.session.flush()
    assert allowed_months("household_hi", date(2030, 12, 31)) == (3, 6, 12)
    assert allowed_months("household_hi", date(2031, 1, 1)) == (6, 12)
    assert allowed_months("voluntary_si", date(2026, 1, 1)) == (1, 3, 6, 12, 24, 36, 48, 60)
    assert allowed_months("voluntary_si", date(2025, 6, 30)) == ()


def test_the_household_quote_never_quotes_household_insurance_monthly(officer_client, rates):
    page = officer_client.get(
        "/rates/quote?group=other&income=1500000&months=1&members=1&on=2026-01-15"
    ).get_data(as_text=True)
    assert "315.900 ₫" in page  # 105,300 x 3: the shortest period households may pay


# --- Outcomes keep what was entered ----------------------------------------------------------


@pytest.fixture
def open_follow_up(held, office, rates):
    ff.attend(held, ff.person(office), vsi=True)
    db.session.commit()
    return db.session.scalars(sa.select(FollowUp)).one()


def enrol_from(client, follow_up, location_or_page: str, **fields) -> None:
    data = {
        "product": "voluntary_si",
        "enrolled_on": TODAY.isoformat(),
        "months": "1",
        "income": "1500000",
        "priority_group": "other",
        "receipt_number": "BL-77",
        **fields,
    }
    response = client.post(f"/enrolments/new?person={follow_up.person_id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def hidden(page: str, name: str) -> str:
    marker = f'name="{name}" type="hidden" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_enrolled_at_a_home_visit_with_a_note_keeps_the_channel_and_the_note(
    officer_client, open_follow_up
):
    prefix = f"fu{open_follow_up.id}"
    response = officer_client.post(
        f"/follow-ups/{open_follow_up.id}/outcome",
        data={
            f"{prefix}-kind": "enrolled",
            f"{prefix}-channel": "home_visit",
            f"{prefix}-notes": "Gặp cả hai vợ chồng ở nhà",
        },
    )
    assert response.status_code == 302
    form = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert hidden(form, "channel") == "home_visit"
    assert hidden(form, "outcome_notes") == "Gặp cả hai vợ chồng ở nhà"
    enrol_from(
        officer_client,
        open_follow_up,
        form,
        follow_up_id=str(open_follow_up.id),
        channel="home_visit",
        outcome_notes="Gặp cả hai vợ chồng ở nhà",
    )
    outcome = db.session.scalars(sa.select(FollowUpOutcome)).one()
    assert (outcome.kind, outcome.channel) == (OutcomeKind.ENROLLED, Channel.HOME_VISIT)
    assert outcome.notes == "Gặp cả hai vợ chồng ở nhà"
    page = officer_client.get(f"/follow-ups/{open_follow_up.id}").get_data(as_text=True)
    assert "Gặp cả hai vợ chồng ở nhà" in page


def test_a_note_too_long_for_a_link_rides_in_the_form_instead(officer_client, open_follow_up):
    prefix = f"fu{open_follow_up.id}"
    note = "Đã tư vấn kỹ về lương hưu và trợ cấp thai sản. " * 60
    response = officer_client.post(
        f"/follow-ups/{open_follow_up.id}/outcome",
        data={
            f"{prefix}-kind": "enrolled",
            f"{prefix}-channel": "home_visit",
            f"{prefix}-notes": note,
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'action="/enrolments/new?person={open_follow_up.person_id}"' in page
    assert hidden(page, "channel") == "home_visit"
    assert hidden(page, "outcome_notes") == note.strip()


def test_enrolling_in_the_other_product_still_logs_the_outcome_entered(
    officer_client, open_follow_up
):
    enrol_from(
        officer_client,
        open_follow_up,
        "",
        product="household_hi",
        months="12",
        members="1",
        follow_up_id=str(open_follow_up.id),
        channel="home_visit",
        outcome_notes="Cả nhà mua BHYT",
    )
    follow_up = db.session.get(FollowUp, open_follow_up.id)
    assert follow_up.is_open  # it is about voluntary social insurance
    outcome = db.session.scalars(sa.select(FollowUpOutcome)).one()
    assert (outcome.channel, outcome.notes, outcome.product) == (
        Channel.HOME_VISIT,
        "Cả nhà mua BHYT",
        Product.HOUSEHOLD_HI,
    )
