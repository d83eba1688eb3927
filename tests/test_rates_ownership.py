"""Who sets which figure: the attack run's admin of office B changed office A's quotes by saving
a base salary. National figures now come only from the decree table (`flask rates load`); an
office adds its own province's support, which reaches its own quotes alone; every figure in a
quote says whose it is."""

from __future__ import annotations

from datetime import date

import pytest

from planner.extensions import db
from planner.rates.models import RateValue
from planner.rates.services import household_hi_quote, voluntary_si_quote
from tests import factories
from tests.conftest import login

ON = date(2026, 1, 15)
NATIONAL_KEYS = ["base_salary", "reference_level", "vsi_support_pct_poor", "hi_household_pct"]


@pytest.fixture
def two_offices(app):
    factories.rates()
    lao_cai = factories.office()
    ha_giang = factories.office(name="Bảo hiểm xã hội tỉnh Hà Giang", province="Hà Giang")
    factories.user(lao_cai, username="mai")
    factories.user(ha_giang, username="admin-hg", role="admin")
    db.session.commit()
    return lao_cai, ha_giang


@pytest.mark.parametrize("key", NATIONAL_KEYS)
def test_an_offices_admin_cannot_change_a_national_figure(client, two_offices, key):
    _lao_cai, ha_giang = two_offices
    before = household_hi_quote(ON, 1, 1).monthly_total
    rows = db.session.query(RateValue).count()
    admin = login(client, _admin(ha_giang))
    response = admin.post(
        "/rates/",
        data={"key": key, "valid_from": "2026-01-01", "value": "450000", "source": "x"},
    )
    assert response.status_code == 422
    assert db.session.query(RateValue).count() == rows
    assert household_hi_quote(ON, 1, 1).monthly_total == before == 105_300


def _admin(office):
    from planner.accounts.models import User

    return db.session.scalar(db.select(User).where(User.office_id == office.id))


def test_a_provinces_support_reaches_its_own_offices_quotes_only(client, two_offices):
    lao_cai, ha_giang = two_offices
    admin = login(client, _admin(ha_giang))
    response = admin.post(
        "/rates/",
        data={
            "key": "province_vsi_support_pct_poor",
            "valid_from": "2026-01-01",
            "value": "30",
            "source": "Nghị quyết HĐND tỉnh Hà Giang",
        },
    )
    assert response.status_code == 302
    ours = voluntary_si_quote(ON, 1_500_000, "poor", office_id=ha_giang.id)
    theirs = voluntary_si_quote(ON, 1_500_000, "poor", office_id=lao_cai.id)
    assert ours.monthly_province_support == 99_000
    assert theirs.monthly_province_support == 0
    assert theirs.monthly_person_pays == 165_000


def test_the_rates_page_shows_national_figures_read_only_and_the_offices_own(client, two_offices):
    _lao_cai, ha_giang = two_offices
    page = login(client, _admin(ha_giang)).get("/rates/").get_data(as_text=True)
    assert "Mức do Nhà nước quy định theo nghị định" in page
    assert "Mức hỗ trợ của tỉnh bạn" in page
    options = page[page.index('name="key"') : page.index("</select>")]
    assert "base_salary" not in options
    assert "province_vsi_support_pct_poor" in options


def test_every_figure_in_a_quote_says_whose_it_is(client, two_offices):
    lao_cai, _ha_giang = two_offices
    db.session.add(
        RateValue(
            key="province_vsi_support_pct_poor",
            valid_from=date(2026, 1, 1),
            value=30,
            source="Nghị quyết HĐND tỉnh Lào Cai",
            office_id=lao_cai.id,
        )
    )
    db.session.commit()
    officer = login(client, _admin(lao_cai))
    page = officer.get(
        "/rates/quote?group=poor&income=1500000&months=1&members=1&on=2026-01-15"
    ).get_data(as_text=True)
    used = page[page.index('id="figures-used"') :]
    assert "Nhà nước (nghị định)" in used
    assert "Nghị định 73/2024/NĐ-CP" in used  # the base salary's decree
    assert "Bảo hiểm xã hội tỉnh Lào Cai" in used
    assert "Nghị quyết HĐND tỉnh Lào Cai" in used


def test_national_figures_are_loaded_from_the_decree_table_by_a_command(
    runner, two_offices, tmp_path
):
    table = tmp_path / "decree.csv"
    table.write_text(
        "key,valid_from,value,source\nbase_salary,2030-07-01,2530000,Nghị định mới\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["rates", "load", str(table)])
    assert result.exit_code == 0, result.output
    assert "Loaded 1 national rates." in result.output
    assert household_hi_quote(date(2030, 7, 1), 1, 1).monthly_total == 113_850
    again = runner.invoke(args=["rates", "load", str(table)])
    assert "Loaded 0 national rates." in again.output


def test_a_table_with_an_unknown_figure_loads_nothing(runner, two_offices, tmp_path):
    table = tmp_path / "decree.csv"
    table.write_text(
        "key,valid_from,value,source\n"
        "base_salary,2030-07-01,2530000,x\nno_such_figure,2030-07-01,1,x\n",
        encoding="utf-8",
    )
    rows = db.session.query(RateValue).count()
    result = runner.invoke(args=["rates", "load", str(table)])
    assert result.exit_code != 0
    assert db.session.query(RateValue).count() == rows


def test_a_flyer_says_whose_figures_its_costs_use(two_offices):
    from decimal import Decimal

    from planner.printing import flyer, talking_points
    from planner.rates.province import add_province_support
    from tests.test_printing import flat_text

    lao_cai, ha_giang = two_offices
    talking_points.seed_talking_points()
    add_province_support(
        ha_giang.id,
        "province_vsi_support_pct_poor",
        date(2026, 1, 1),
        Decimal(30),
        "Nghị quyết HĐND tỉnh Hà Giang",
        by=_admin(ha_giang),
    )
    texts = {}
    for office in (lao_cai, ha_giang):
        places = factories.places(office)
        lead = factories.user(office, username=f"lead-{office.id}")
        session = factories.session(lead, places.commune, day=date(2026, 12, 6))
        db.session.commit()
        texts[office.id] = flat_text(flyer.flyer_pdf(session)[1])

    assert "theo quy định hiện hành của Nhà nước" in texts[lao_cai.id]
    assert "Bảo hiểm xã hội tỉnh Hà Giang" not in texts[lao_cai.id]
    assert (
        "phần hỗ trợ thêm là của tỉnh, do Bảo hiểm xã hội tỉnh Hà Giang công bố"
        in texts[ha_giang.id]
    )
