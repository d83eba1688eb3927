"""Planning on a phone (issue 14): grouped clash warnings, clashes on the week, the date picker,
today first, every N days, errors beside their fields, and lunar labels from the lunar date."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import lunar_vn
import pytest
import sqlalchemy as sa

from planner.extensions import db
from planner.sessions.days import day_info, holiday_name
from planner.sessions.drafts import Recurrence
from planner.sessions.models import OutreachSession
from tests import factories

SATURDAY = date(2026, 12, 5)


def sessions() -> list[OutreachSession]:
    return list(db.session.scalars(sa.select(OutreachSession)))


def clash_items(page: str) -> list[str]:
    block = page[page.index('id="clashes"') :]
    block = block[: block.index("</ul>")]
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)
    ]


def market_on_saturdays(places) -> None:
    places.market.market_weekdays = "5,6"
    db.session.commit()


def test_a_weekly_series_clashing_every_week_is_one_line_naming_the_other_officer(
    officer_client, office, officer, places
):
    market_on_saturdays(places)
    colleague = factories.user(office, username="pao", full_name="Giàng Seo Pao")
    factories.session(
        colleague,
        places.commune,
        day=SATURDAY,
        venue=places.market,
        kind="market",
        start=time(8),
        end=time(11),
        recurrence=Recurrence("weekly", frozenset({5}), count=8),
    )
    db.session.commit()
    data = factories.session_form(
        places,
        officer,
        day=SATURDAY,
        kind="market",
        title="",
        venue_id=str(places.market.id),
        start="08:00",
        end="11:00",
        repeat="weekly",
        weekdays="5",
        count="8",
    )
    page = officer_client.post("/sessions/new", data=data).get_data(as_text=True)
    lines = clash_items(page)
    assert len(lines) == 1, lines
    assert "Giàng Seo Pao" in lines[0]
    assert "Truyền thông tại chợ" in lines[0] or "chợ" in lines[0]
    assert "8 Thứ Bảy, 05/12/2026 – 23/01/2027, 08:00–11:00" in lines[0]
    assert len(sessions()) == 8  # nothing saved


def test_two_sessions_sharing_the_market_are_two_different_lines_never_the_same_twice(
    officer_client, office, officer, places
):
    pao = factories.user(office, username="pao", full_name="Giàng Seo Pao")
    toan = factories.user(office, username="toan", full_name="Hoàng Văn Toàn")
    sunday = date(2026, 12, 6)
    for colleague in (pao, toan):
        factories.session(
            colleague,
            places.commune,
            day=sunday,
            venue=places.market,
            kind="market",
            start=time(7),
            end=time(11),
        )
    db.session.commit()
    data = factories.session_form(
        places,
        officer,
        day=sunday,
        kind="market",
        title="",
        venue_id=str(places.market.id),
        start="08:00",
        end="10:00",
    )
    lines = clash_items(officer_client.post("/sessions/new", data=data).get_data(as_text=True))
    assert len(lines) == len(set(lines)) == 2
    assert any("Giàng Seo Pao" in line for line in lines)
    assert any("Hoàng Văn Toàn" in line for line in lines)


def test_the_same_officer_at_the_same_venue_is_one_line(officer_client, officer, places):
    wednesday = date(2026, 12, 2)
    factories.session(officer, places.commune, day=wednesday, venue=places.house)
    db.session.commit()
    data = factories.session_form(places, officer, day=wednesday)
    lines = clash_items(officer_client.post("/sessions/new", data=data).get_data(as_text=True))
    assert len(lines) == 1
    assert "Lý Thị Mai" in lines[0] and "Cùng địa điểm" in lines[0]


# --- Lunar labels come from the lunar date ---------------------------------------------------


def test_the_day_before_new_years_eve_after_a_29_day_month_is_28_tet(officer_client):
    info = day_info(date(2030, 1, 31))
    assert (info.lunar_day, info.lunar_month) == (28, 12)
    assert info.holiday == "28 Tết"
    page = officer_client.get("/?week=2030-01-31").get_data(as_text=True)
    assert "28 Tết" in page and "29 Tết" not in page


@pytest.mark.parametrize("year", range(2007, 2041))
def test_every_holiday_naming_a_lunar_day_matches_the_lunar_date(year):
    for offset in range(0, 60):
        day = date(year, 1, 10) + timedelta(days=offset)
        for language, pattern in (("vi", r"^(\d+) Tết$"), ("en", r"^(\d+) of Lunar New Year$")):
            name = holiday_name(day, language)
            match = re.match(pattern, name or "")
            if match:
                lunar = lunar_vn.solar_to_lunar(day)
                assert (int(match.group(1)), lunar.month) == (lunar.day, 12), (day, name)
                # The next day is New Year's Eve: the last day of the twelfth month.
                assert lunar_vn.solar_to_lunar(day + timedelta(days=2)).day == 1
