"""Planning on a phone (issue 14): grouped clash warnings, clashes on the week, the date picker,
today first, every N days, errors beside their fields, and lunar labels from the lunar date."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path

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


# --- The whole office's week marks clashes ---------------------------------------------------


def test_the_office_week_marks_two_sessions_at_one_market_at_one_time(
    supervisor_client, office, officer, places
):
    pao = factories.user(office, username="pao", full_name="Giàng Seo Pao")
    sunday = date(2026, 12, 6)
    for lead in (officer, pao):
        factories.session(
            lead,
            places.commune,
            day=sunday,
            venue=places.market,
            kind="market",
            start=time(8),
            end=time(10),
        )
    factories.session(
        officer, places.commune, day=sunday, venue=places.house, start=time(14), end=time(16)
    )
    db.session.commit()
    page = supervisor_client.get("/?week=2026-12-06&scope=office").get_data(as_text=True)
    assert page.count("session kind-market status-planned has-clash") == 2
    assert (
        "status-planned has-clash"
        not in page[page.index("14:00–16:00") - 300 : page.index("14:00–16:00")]
    )
    marks = re.findall(r'<span class="clash-mark">(.*?)</span>\s*</a>', page, re.S)
    text = " ".join(re.sub(r"<[^>]+>", "", m) for m in marks)
    assert "Giàng Seo Pao" in text and "Lý Thị Mai" in text
    assert "Chợ phiên Bắc Hà" in text and "08:00–10:00" in text


# --- Going to any week, today first ----------------------------------------------------------


def test_a_date_picker_goes_to_the_week_of_any_day_without_javascript(officer_client):
    page = officer_client.get("/").get_data(as_text=True)
    form = page[page.index('class="go-to-day"') - 40 :]
    form = form[: form.index("</form>")]
    assert 'method="get"' in form and 'type="date"' in form and 'name="week"' in form
    chosen = officer_client.get("/?week=2027-03-17").get_data(as_text=True)  # a Wednesday
    assert "15/03 – 21/03/2027" in chosen
    assert officer_client.get("/?week=2027-02-30").status_code == 400


def test_on_a_phone_the_days_already_past_move_below_today(officer_client):
    from planner.timezones import today_local

    today = today_local()
    page = officer_client.get("/").get_data(as_text=True)
    assert f'data-day="{today.isoformat()}" id="today"' in page
    from planner.sessions.days import monday_of

    monday = monday_of(today)
    for offset in range(7):
        day = monday + timedelta(days=offset)
        tag = page[
            page.index(f'data-day="{day.isoformat()}"') - 120 : page.index(
                f'data-day="{day.isoformat()}"'
            )
        ]
        assert (" past " in tag) == (day < today)
    css = Path("static/css/app.css").read_text(encoding="utf-8")
    assert ".week-grid .day.past { order: 2; }" in css


# --- Errors beside their fields, input kept --------------------------------------------------


def test_cancelling_without_a_reason_keeps_the_choice_and_puts_the_error_beside_the_reason(
    officer_client, officer, places
):
    session = factories.session(officer, places.commune, day=date(2026, 12, 2))
    db.session.commit()
    response = officer_client.post(
        f"/sessions/{session.id}/status", data={"status": "cancelled", "reason": ""}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<option selected value="cancelled">' in page
    error = page[page.index('id="reason-error"') :]
    assert "Hãy cho biết vì sao" in error[:200]
    assert "flash-error" not in page


# --- Every N days ------------------------------------------------------------------------------


def test_every_n_days_needs_its_n_and_ignores_weekday_boxes(officer_client, officer, places):
    page = officer_client.get("/sessions/new?day=2026-12-02").get_data(as_text=True)
    assert 'name="weekdays"' in page and "checked" not in page[
        page.index('name="weekdays"') - 300 : page.index('id="interval_days"')
    ].replace('value="none" checked', "")
    data = factories.session_form(
        places, officer, day=date(2026, 12, 2), repeat="interval", interval_days="", count="3"
    )
    response = officer_client.post("/sessions/new", data=data)
    page = response.get_data(as_text=True)
    assert 'id="interval_days-error"' in page
    assert sessions() == []
    data.update(interval_days="6", weekdays="4")
    assert officer_client.post("/sessions/new", data=data).status_code == 302
    days = sorted(s.local_day for s in sessions())
    assert days == [date(2026, 12, 2), date(2026, 12, 8), date(2026, 12, 14)]
