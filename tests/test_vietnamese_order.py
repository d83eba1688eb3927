"""Names are listed in Vietnamese alphabetical order everywhere (a < ă < â, d < đ, tones second),
in Python and in the database (SQLite's registered collation, PostgreSQL's ICU collation)."""

from __future__ import annotations

import sqlalchemy as sa

from planner.collation import sort_key, vi_order, vi_sorted
from planner.extensions import db
from planner.places.models import Commune, Partner, PartnerKind, Village, VillageKind
from tests import factories
from tests import factories_followups as ff

NAMES = ["UBND", "Đoàn Thanh niên", "Âu Lâu", "Ánh", "Anh", "Bắc Hà"]
IN_ORDER = ["Anh", "Ánh", "Âu Lâu", "Bắc Hà", "Đoàn Thanh niên", "UBND"]


def test_vietnamese_letters_follow_their_base_letter_and_tones_come_second():
    assert vi_sorted(NAMES) == IN_ORDER
    assert vi_sorted(["Bắc Hà", "Bát Xát", "Bảo Yên"]) == ["Bảo Yên", "Bát Xát", "Bắc Hà"]
    assert vi_sorted(["Đào", "Dung", "Zô", "Ưng", "Ung"]) == ["Dung", "Đào", "Ung", "Ưng", "Zô"]
    tones = ["Má", "Mạ", "Ma", "Mả", "Mà", "Mã"]
    assert vi_sorted(tones) == ["Ma", "Mà", "Mả", "Mã", "Má", "Mạ"]
    assert sort_key("anh") < sort_key("Anh") < sort_key("Ánh")


def test_the_database_orders_names_the_same_way(office):
    for name in NAMES:
        db.session.add(Commune(office=office, name=name))
    db.session.flush()
    names = db.session.scalars(
        sa.select(Commune.name)
        .where(Commune.office_id == office.id)
        .order_by(vi_order(Commune.name))
    ).all()
    assert names == IN_ORDER


def names_in(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


def test_the_places_page_lists_communes_villages_and_partners_in_vietnamese_order(
    supervisor_client, office
):
    for name in NAMES:
        commune = Commune(office=office, name=f"Xã {name}")
        db.session.add(commune)
        if name == "Bắc Hà":
            for village in NAMES:
                db.session.add(
                    Village(commune=commune, name=f"Thôn {village}", kind=VillageKind.THON)
                )
        db.session.add(Partner(office_id=office.id, name=name, kind=PartnerKind.OTHER))
    db.session.commit()
    page = supervisor_client.get("/places/").get_data(as_text=True)
    assert names_in(page, [f"Xã {n}" for n in NAMES]) == [f"Xã {n}" for n in IN_ORDER]
    assert names_in(page, [f"Thôn {n}" for n in NAMES]) == [f"Thôn {n}" for n in IN_ORDER]


def test_the_planning_form_offers_officers_and_partners_in_vietnamese_order(
    officer_client, office, places
):
    for i, name in enumerate(NAMES):
        factories.user(office, username=f"u{i}", full_name=f"Cán bộ {name}")
        db.session.add(Partner(office_id=office.id, name=f"Hội {name}", kind=PartnerKind.OTHER))
    db.session.commit()
    page = officer_client.get("/sessions/new").get_data(as_text=True)
    lead = page[page.index('id="lead_officer_id"') :]
    lead = lead[: lead.index("</select>")]
    assert names_in(lead, [f"Cán bộ {n}" for n in NAMES]) == [f"Cán bộ {n}" for n in IN_ORDER]
    partners = page[page.index('id="partner_id"') :]
    partners = partners[: partners.index("</select>")]
    assert names_in(partners, [f"Hội {n}" for n in NAMES]) == [f"Hội {n}" for n in IN_ORDER]


def test_the_people_list_pages_in_vietnamese_order(officer_client, office):
    for name in NAMES:
        ff.person(office, full_name=f"Nguyễn {name}", phone=None)
    for n in range(60):
        ff.person(office, full_name=f"Vàng Seo {n:02d}", phone=None)
    db.session.commit()
    page = officer_client.get("/people").get_data(as_text=True)
    assert names_in(page, [f"Nguyễn {n}" for n in NAMES]) == [f"Nguyễn {n}" for n in IN_ORDER]
    assert "Vàng Seo 49" not in page  # the first page ends before, chosen in SQL
