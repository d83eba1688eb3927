"""Rates: the DOMAIN.md figures, the admin page that dates new values, and the quote page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from planner.enums import PriorityGroup
from planner.errors import PlannerError
from planner.extensions import db
from planner.rates.models import RateValue
from planner.rates.quotes import HouseholdQuoteRequest, household_quote
from planner.rates.services import add_rate_value, household_hi_quote, voluntary_si_quote

ON = date(2026, 1, 15)


@pytest.mark.parametrize(
    ("group", "support", "pays"),
    [
        (PriorityGroup.POOR, 165_000, 165_000),
        (PriorityGroup.NEAR_POOR, 132_000, 198_000),
        (PriorityGroup.ETHNIC_MINORITY, 99_000, 231_000),
        (PriorityGroup.OTHER, 66_000, 264_000),
    ],
)
def test_voluntary_si_at_the_minimum_income_matches_the_decree(rates, group, support, pays):
    quote = voluntary_si_quote(ON, 1_500_000, group)
    assert quote.monthly_contribution == 330_000
    assert quote.monthly_state_support == support
    assert quote.monthly_person_pays == pays


def test_support_is_computed_on_the_minimum_income_whatever_the_chosen_income(rates):
    quote = voluntary_si_quote(ON, 3_000_000, PriorityGroup.NEAR_POOR, months=6)
    assert quote.monthly_contribution == 660_000
    assert quote.monthly_state_support == 132_000
    assert quote.period_person_pays == (660_000 - 132_000) * 6
    assert quote.max_income == 46_800_000


def test_household_health_insurance_falls_for_later_members(rates):
    quote = household_hi_quote(ON, 5, months=12)
    assert quote.monthly_by_member == (105_300, 73_710, 63_180, 52_650, 42_120)
    assert household_hi_quote(ON, 1, 12).period_total == 1_263_600
    assert household_hi_quote(ON, 7, 1).monthly_by_member[-1] == 42_120


def test_household_quote_combines_both_for_one_payment(rates, office):
    quote = household_quote(
        HouseholdQuoteRequest(
            on=ON, group=PriorityGroup.POOR, income=1_500_000, months=3, members=2
        ),
        office.id,
    )
    assert quote.vsi.period_contribution == 990_000
    assert quote.vsi.period_person_pays == 495_000
    assert quote.hi.period_total == (105_300 + 73_710) * 3
    assert quote.total_period == 495_000 + 537_030
    assert quote.hi_yearly == 2_148_120


def test_an_income_below_the_poverty_line_is_refused(rates, office):
    with pytest.raises(PlannerError, match=r"1\.500\.000"):
        voluntary_si_quote(ON, 1_000_000, PriorityGroup.OTHER)


def test_a_new_decree_value_applies_from_its_date_only(rates):
    add_rate_value("rural_poverty_line", date(2026, 7, 1), Decimal(2_200_000), "Chuẩn nghèo mới")
    assert voluntary_si_quote(date(2026, 6, 30), 1_500_000, "other").monthly_contribution == 330_000
    after = voluntary_si_quote(date(2026, 7, 1), 2_200_000, "other")
    assert after.monthly_contribution == 484_000
    assert after.monthly_state_support == 96_800


# --- Rates admin ----------------------------------------------------------------------------


def test_admin_sees_rates_by_key_with_their_dates(admin_client, rates):
    page = admin_client.get("/rates/").get_data(as_text=True)
    assert "Mức lương cơ sở (đồng/tháng)" in page
    assert "01/07/2024" in page
    assert "Nghị định 73/2024/NĐ-CP" in page
    assert "đang áp dụng" in page


def test_admin_adds_a_dated_value_of_their_provinces_support(admin_client, admin, rates):
    response = admin_client.post(
        "/rates/",
        data={
            "key": "province_vsi_support_pct_poor",
            "valid_from": "2030-07-01",
            "value": "30",
            "source": "Nghị quyết của HĐND tỉnh",
        },
    )
    assert response.status_code == 302
    on = date(2030, 7, 1)
    quote = voluntary_si_quote(on, 1_500_000, PriorityGroup.POOR, office_id=admin.office_id)
    assert quote.monthly_province_support == 99_000  # 30% of 330,000
    earlier = voluntary_si_quote(date(2030, 6, 30), 1_500_000, "poor", office_id=admin.office_id)
    assert earlier.monthly_province_support == 0
    assert "sắp áp dụng" in admin_client.get("/rates/").get_data(as_text=True)


def test_a_second_value_on_the_same_date_is_refused(admin_client, rates):
    data = {
        "key": "province_vsi_support_pct_poor",
        "valid_from": "2027-01-01",
        "value": "10",
        "source": "Nghị quyết",
    }
    assert admin_client.post("/rates/", data=data).status_code == 302
    count = db.session.query(RateValue).count()
    response = admin_client.post("/rates/", data={**data, "value": "20"})
    assert response.status_code == 422
    assert "đã có giá trị từ ngày đó" in response.get_data(as_text=True)
    assert db.session.query(RateValue).count() == count


def test_a_percentage_over_100_is_refused(admin_client, rates):
    response = admin_client.post(
        "/rates/",
        data={
            "key": "province_vsi_support_pct_poor",
            "valid_from": "2027-01-01",
            "value": "150",
            "source": "x",
        },
    )
    assert response.status_code == 422
    assert "không được quá 100" in response.get_data(as_text=True)


def test_only_administrators_change_rates(officer_client, supervisor_client, rates):
    assert officer_client.get("/rates/").status_code == 403
    data = {
        "key": "province_vsi_support_pct_poor",
        "valid_from": "2027-01-01",
        "value": "1",
        "source": "x",
    }
    assert supervisor_client.post("/rates/", data=data).status_code == 403


# --- Quote page -----------------------------------------------------------------------------


def test_officer_quotes_a_household_on_the_page(officer_client, rates):
    page = officer_client.get("/rates/quote")
    assert page.status_code == 200
    assert 'value="1500000"' in page.get_data(as_text=True)

    response = officer_client.get(
        "/rates/quote?group=near_poor&income=1500000&months=12&members=3&on=2026-01-15"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "198.000" in html  # near-poor pays 198,000 a month
    assert "2.376.000" in html  # ... 12 months at once
    assert "242.190" in html  # household HI for 3 members a month
    assert "/printing/quote.pdf?" in html


def test_quote_with_a_bad_income_says_why(officer_client, rates):
    response = officer_client.get("/rates/quote?group=other&income=10&months=1&members=1")
    assert response.status_code == 422
    assert "Mức thu nhập làm căn cứ đóng phải từ" in response.get_data(as_text=True)


def test_quote_sheet_prints_with_and_without_support(officer_client, rates):
    response = officer_client.get(
        "/printing/quote.pdf?group=poor&income=1500000&months=6&members=2&on=2026-01-15"
    )
    assert response.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)
    assert "Số tiền gia đình bạn cần đóng" in text
    assert "Hộ nghèo" in text
    assert "1.980.000" in text  # 330,000 x 6 without support
    assert "990.000" in text  # half of it with support
    assert "1.074.060" in text  # household HI, 2 members, 6 months
    assert "Lý Thị Mai" in text


def test_quote_needs_a_login(client, rates):
    assert client.get("/rates/quote").status_code == 302
    assert client.get("/printing/quote.pdf?group=poor&income=1500000").status_code == 302


def test_the_quote_sheet_counts_members_in_the_plural_form_of_its_language(
    app, rates, office, officer, monkeypatch
):
    """The sheet prints in Vietnamese; its English text, should a document ever print in
    English, says "1 member", not "1 members" (every count goes through plural forms)."""
    from planner.printing import render
    from planner.printing.quote_sheet import quote_sheet_html

    def sheet(language: str, members: int) -> str:
        monkeypatch.setattr(render, "DOCUMENT_LOCALE", language)
        request = HouseholdQuoteRequest(ON, PriorityGroup.OTHER, 1_500_000, 3, members)
        return quote_sheet_html(household_quote(request, office.id), office, officer)

    with app.test_request_context():
        assert "Household health insurance for 1 member<" in sheet("en", 1)
        assert "Household health insurance for 3 members<" in sheet("en", 3)
        assert "every 3 months" in sheet("en", 3)
        assert "BHYT hộ gia đình cho 1 người" in sheet("vi", 1)
