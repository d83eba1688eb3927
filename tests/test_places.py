"""Supervisors keep the list of communes, villages, venues and partners officers pick from."""

from datetime import date, timedelta

import sqlalchemy as sa

from planner.enums import PartnerKind, VenueKind, VillageKind
from planner.extensions import db
from planner.places.models import Commune, Partner, Venue, Village
from planner.places.services import market_held_on
from tests import factories


def test_officers_cannot_manage_places(officer_client):
    assert officer_client.get("/places/").status_code == 403


def test_a_supervisor_adds_a_commune_and_a_village(supervisor_client, office):
    supervisor_client.post(
        "/places/communes/new",
        data={"name": "Xuân Quang", "kind": "xa", "former_district": "Bảo Thắng"},
    )
    commune = db.session.scalar(sa.select(Commune))
    assert commune.office_id == office.id
    supervisor_client.post(
        "/places/villages/new",
        data={"name": "Bắc Ngầm", "kind": "thon", "commune_id": str(commune.id)},
    )
    village = db.session.scalar(sa.select(Village))
    assert village.commune_id == commune.id
    page = supervisor_client.get("/places/").get_data(as_text=True)
    assert "Xã Xuân Quang" in page
    assert "Thôn Bắc Ngầm" in page
    assert "trước đây thuộc Bảo Thắng" in page


def test_the_places_list_loads_in_a_fixed_number_of_queries(
    supervisor_client, office, places, count_queries
):
    few = count_queries.page(supervisor_client, "/places/")
    for n in range(8):
        commune = Commune(office=office, name=f"Xã {n}", former_district="Bắc Hà")
        db.session.add_all(
            [
                commune,
                Village(commune=commune, name=f"Thôn {n}a", kind=VillageKind.THON),
                Village(commune=commune, name=f"Thôn {n}b", kind=VillageKind.BAN),
                Venue(
                    office_id=office.id,
                    commune=commune,
                    kind=VenueKind.MARKET,
                    name=f"Chợ {n}",
                    market_weekdays=str(n % 7),
                ),
                Partner(office_id=office.id, name=f"Đối tác {n}", kind=PartnerKind.POST_OFFICE),
            ]
        )
    db.session.commit()
    page = supervisor_client.get("/places/").get_data(as_text=True)
    assert "Thôn 7b" in page and "Chợ 7" in page and "Đối tác 7" in page
    assert count_queries.page(supervisor_client, "/places/") == few


def test_a_market_needs_its_market_days(supervisor_client, places):
    response = supervisor_client.post(
        "/places/venues/new",
        data={
            "name": "Chợ Cốc Ly",
            "kind": "market",
            "commune_id": str(places.commune.id),
            "village_id": "0",
        },
    )
    assert "Hãy nhập ngày họp chợ" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Venue.id))) == 2


def test_a_market_on_tuesdays(supervisor_client, places):
    supervisor_client.post(
        "/places/venues/new",
        data={
            "name": "Chợ Cốc Ly",
            "kind": "market",
            "commune_id": str(places.commune.id),
            "village_id": str(places.other_village.id),
            "market_weekdays": "1",
            "active": "y",
        },
    )
    venue = db.session.scalar(sa.select(Venue).where(Venue.name == "Chợ Cốc Ly"))
    assert venue.market_weekdays == "1"
    assert "Thứ Ba" in supervisor_client.get("/places/").get_data(as_text=True)


def test_a_market_cycle_needs_a_known_date(supervisor_client, places):
    response = supervisor_client.post(
        "/places/venues/new",
        data={
            "name": "Chợ phiên 6 ngày",
            "kind": "market",
            "commune_id": str(places.commune.id),
            "village_id": "0",
            "market_cycle_days": "6",
        },
    )
    assert "cần có cả số ngày và một ngày họp chợ đã biết" in response.get_data(as_text=True)


def test_a_village_of_another_commune_is_refused(supervisor_client, office, places):
    other = Commune(office=office, name="Văn Bàn")
    db.session.add(other)
    db.session.commit()
    response = supervisor_client.post(
        "/places/venues/new",
        data={
            "name": "Nhà văn hóa",
            "kind": "meeting_place",
            "commune_id": str(other.id),
            "village_id": str(places.village.id),
        },
    )
    assert "không thuộc xã đã chọn" in response.get_data(as_text=True)


def test_another_offices_places_are_404(supervisor_client):
    other = factories.office("Bảo hiểm xã hội tỉnh Lai Châu", "Lai Châu")
    foreign = factories.places(other)
    db.session.commit()
    assert supervisor_client.get(f"/places/communes/{foreign.commune.id}").status_code == 404
    assert supervisor_client.get(f"/places/villages/{foreign.village.id}").status_code == 404
    assert supervisor_client.get(f"/places/venues/{foreign.market.id}").status_code == 404
    assert supervisor_client.get(f"/places/partners/{foreign.partner.id}").status_code == 404
    response = supervisor_client.post(
        "/places/villages/new",
        data={"name": "Lạ", "kind": "ban", "commune_id": str(foreign.commune.id)},
    )
    assert response.status_code == 200  # not a choice of this office: a form error
    assert db.session.scalar(sa.select(sa.func.count(Village.id)).where(Village.name == "Lạ")) == 0


def test_a_partner_phone_is_normalised(supervisor_client):
    supervisor_client.post(
        "/places/partners/new",
        data={
            "name": "Bưu điện xã Bắc Hà",
            "kind": "post_office",
            "contact_name": "Chị Lan",
            "phone": "0912 345 678",
            "active": "y",
        },
    )
    assert db.session.scalar(sa.select(Partner.phone)) == "+84912345678"


def test_market_days_by_weekday_and_by_cycle(places):
    assert market_held_on(places.market, date(2026, 11, 29))  # Sunday
    assert not market_held_on(places.market, date(2026, 11, 28))
    places.market.market_weekdays = ""
    places.market.market_cycle_days = 5
    places.market.market_anchor_date = date(2026, 11, 20)
    november = [date(2026, 11, 1) + timedelta(days=n) for n in range(30)]
    assert [day for day in november if market_held_on(places.market, day)] == [
        date(2026, 11, 5),
        date(2026, 11, 10),
        date(2026, 11, 15),
        date(2026, 11, 20),
        date(2026, 11, 25),
        date(2026, 11, 30),
    ]
