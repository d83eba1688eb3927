"""Clashes are shown before they happen: same officer, same venue, market closed, holidays."""

from datetime import date, time

from planner.enums import SessionKind, SessionStatus
from planner.extensions import db
from planner.sessions.clashes import find_clashes
from planner.sessions.status import set_status
from tests import factories

WEDNESDAY = date(2026, 12, 2)
SUNDAY = date(2026, 12, 6)


def kinds(clashes):
    return sorted(c.kind for c in clashes)


def test_the_same_officer_at_an_overlapping_time_clashes(officer, places):
    factories.session(officer, places.commune, day=WEDNESDAY, start=time(19), end=time(21))
    draft = factories.draft(officer, places.commune, day=WEDNESDAY, start=time(20), end=time(22))
    clashes = find_clashes(officer.office_id, draft)
    assert kinds(clashes) == ["officer"]
    assert "Lý Thị Mai" in clashes[0].message


def test_a_co_facilitator_is_busy_too(office, officer, places):
    colleague = factories.user(office, username="pao", full_name="Giàng Seo Pao")
    factories.session(colleague, places.commune, day=WEDNESDAY)
    draft = factories.draft(officer, places.commune, day=WEDNESDAY, facilitator_ids=[colleague.id])
    clashes = find_clashes(officer.office_id, draft)
    assert [c.kind for c in clashes] == ["officer"]
    assert "Giàng Seo Pao" in clashes[0].message


def test_back_to_back_sessions_do_not_clash(officer, places):
    factories.session(officer, places.commune, day=WEDNESDAY, start=time(17), end=time(19))
    draft = factories.draft(officer, places.commune, day=WEDNESDAY, start=time(19), end=time(21))
    assert find_clashes(officer.office_id, draft) == []


def test_the_same_venue_with_another_officer_clashes(office, officer, places):
    colleague = factories.user(office, username="toan", full_name="Hoàng Văn Toàn")
    factories.session(colleague, places.commune, day=WEDNESDAY, venue=places.house)
    draft = factories.draft(officer, places.commune, day=WEDNESDAY, venue=places.house)
    clashes = find_clashes(officer.office_id, draft)
    assert kinds(clashes) == ["venue"]
    assert "Nhà văn hóa thôn Na Hối" in clashes[0].message


def test_a_cancelled_session_no_longer_clashes(officer, places):
    other = factories.session(officer, places.commune, day=WEDNESDAY)
    set_status(other, SessionStatus.CANCELLED, "Mưa lũ")
    db.session.commit()
    draft = factories.draft(officer, places.commune, day=WEDNESDAY)
    assert find_clashes(officer.office_id, draft) == []


def test_another_offices_sessions_never_clash(officer, places):
    other_office = factories.office("Bảo hiểm xã hội tỉnh Lai Châu", "Lai Châu")
    stranger = factories.user(other_office, username="lc", full_name="Người Lai Châu")
    other_places = factories.places(other_office)
    factories.session(stranger, other_places.commune, day=WEDNESDAY)
    draft = factories.draft(officer, places.commune, day=WEDNESDAY)
    assert find_clashes(officer.office_id, draft) == []


def test_a_market_session_on_a_day_the_market_is_not_held(officer, places):
    draft = factories.draft(
        officer,
        places.commune,
        day=WEDNESDAY,
        venue=places.market,
        kind=SessionKind.MARKET,
        start=time(8),
        end=time(11),
    )
    clashes = find_clashes(officer.office_id, draft)
    assert kinds(clashes) == ["market_day"]
    assert "Chợ phiên Bắc Hà" in clashes[0].message


def test_a_market_session_on_market_day_is_fine(officer, places):
    draft = factories.draft(
        officer,
        places.commune,
        day=SUNDAY,
        venue=places.market,
        kind=SessionKind.MARKET,
        start=time(8),
        end=time(11),
    )
    assert find_clashes(officer.office_id, draft) == []


def test_a_market_on_a_six_day_cycle(officer, places):
    places.market.market_weekdays = ""
    places.market.market_cycle_days = 6
    places.market.market_anchor_date = date(2026, 11, 30)
    db.session.commit()
    on_cycle = factories.draft(
        officer, places.commune, day=date(2026, 12, 6), venue=places.market, kind=SessionKind.MARKET
    )
    off_cycle = factories.draft(
        officer, places.commune, day=date(2026, 12, 7), venue=places.market, kind=SessionKind.MARKET
    )
    assert find_clashes(officer.office_id, on_cycle) == []
    assert kinds(find_clashes(officer.office_id, off_cycle)) == ["market_day"]


def test_tet_is_a_public_holiday(officer, places):
    draft = factories.draft(officer, places.commune, day=date(2027, 2, 6))  # mùng 1 Tết Đinh Mùi
    clashes = find_clashes(officer.office_id, draft)
    assert kinds(clashes) == ["holiday"]
    assert "Tết" in clashes[0].message


def test_hung_kings_day_follows_the_lunar_calendar(officer, places):
    draft = factories.draft(officer, places.commune, day=date(2027, 4, 16))  # 10/3 âm lịch
    assert kinds(find_clashes(officer.office_id, draft)) == ["holiday"]


def test_every_occurrence_of_a_series_is_checked(officer, places):
    factories.session(officer, places.commune, day=date(2026, 12, 13), start=time(8), end=time(11))
    draft = factories.draft(
        officer,
        places.commune,
        day=SUNDAY,
        venue=places.market,
        kind=SessionKind.MARKET,
        start=time(7, 30),
        end=time(11),
    )
    days = [SUNDAY, date(2026, 12, 13), date(2026, 12, 20)]
    clashes = find_clashes(officer.office_id, draft, days)
    assert [(c.kind, c.day) for c in clashes] == [("officer", date(2026, 12, 13))]


def test_a_market_session_away_from_a_market_is_questioned(officer, places):
    draft = factories.draft(
        officer, places.commune, day=SUNDAY, venue=places.house, kind=SessionKind.MARKET
    )
    clashes = find_clashes(officer.office_id, draft)
    assert kinds(clashes) == ["venue_kind"]
    assert "Nhà văn hóa thôn Na Hối" in clashes[0].message


def test_a_day_the_office_blocked_is_a_warning(officer, places):
    from planner.calendars.models import BlockedDay

    db.session.add(
        BlockedDay(
            office_id=officer.office_id, day=WEDNESDAY, name="Lễ hội Xuống đồng", source="import"
        )
    )
    db.session.commit()
    clashes = find_clashes(
        officer.office_id, factories.draft(officer, places.commune, day=WEDNESDAY)
    )
    assert kinds(clashes) == ["blocked_day"]
    assert "Lễ hội Xuống đồng" in clashes[0].message
