"""Demo data from Lào Cai and Lai Châu, so a newcomer sees a realistic week at once."""

from __future__ import annotations

from datetime import date, time, timedelta

from planner.accounts.models import Office, Team, User
from planner.accounts.services import create_user
from planner.enums import (
    CommuneKind,
    Language,
    PartnerKind,
    Role,
    SessionKind,
    SessionStatus,
    TargetGroup,
    Topic,
    VenueKind,
    VillageKind,
)
from planner.extensions import db
from planner.people.demo import add_demo_attendance
from planner.places.models import Commune, Partner, Venue, Village
from planner.results.demo import add_demo_history
from planner.sessions.days import monday_of
from planner.sessions.drafts import Recurrence, SessionDraft
from planner.sessions.models import RepeatRule
from planner.sessions.planning import create_sessions
from planner.timezones import today_local

DEMO_PASSWORD = "demo12345"  # noqa: S105 (published on purpose: demo accounts only)
# username, full name, role, team, phone
DEMO_USERS = [
    ("admin", "Phạm Quốc Hùng", Role.ADMIN, None, "0912000001"),
    ("hoa", "Nguyễn Thị Hoa", Role.SUPERVISOR, None, "0912000002"),
    ("mai", "Lý Thị Mai", Role.OFFICER, "Tổ truyền thông Bắc Hà", "0912000003"),
    ("pao", "Giàng Seo Pao", Role.OFFICER, "Tổ truyền thông Bắc Hà", "0912000004"),
    ("toan", "Hoàng Văn Toàn", Role.OFFICER, "Tổ truyền thông Văn Yên", "0912000005"),
    ("huong", "Lò Thị Hương", Role.OFFICER, "Tổ truyền thông Văn Yên", "0912000006"),
]

LAO_CAI_COMMUNES = {
    "Văn Yên": ("Văn Yên", [("Đại Thắng", VillageKind.THON)]),
    "Hạnh Phúc": ("Bắc Hà", [("Nậm Thố", VillageKind.THON)]),
    "Bát Xát": ("Bát Xát", [("Phìn Ngan", VillageKind.BAN)]),
    "Bắc Hà": ("Bắc Hà", [("Na Hối", VillageKind.THON), ("Cốc Ly", VillageKind.THON)]),
    "Xuân Quang": ("Bảo Thắng", [("Bắc Ngầm", VillageKind.THON)]),
    "Mường Bo": ("Sa Pa", [("Nậm Cang", VillageKind.BAN)]),
    "Âu Lâu": ("Yên Bái", [("Phúc Thịnh", VillageKind.THON)]),
    "Si Ma Cai": ("Si Ma Cai", [("Cán Cấu", VillageKind.THON)]),
    "Văn Bàn": ("Văn Bàn", [("Khe Bá", VillageKind.THON)]),
}
LAI_CHAU_COMMUNES = {
    "Pu Sam Cap": ("Sìn Hồ", [("Hồng Quang 1", VillageKind.BAN)]),
    "Sìn Hồ": ("Sìn Hồ", [("Sìn Hồ", VillageKind.BAN)]),
}


def _office(name: str, province: str, communes: dict) -> tuple[Office, dict[str, Commune]]:
    office = Office(
        name=name,
        province=province,
        phone="02143840000",
        contact_link="https://baohiemxahoi.gov.vn",
    )
    db.session.add(office)
    by_name = {}
    for commune_name, (former, villages) in communes.items():
        commune = Commune(
            office=office, name=commune_name, kind=CommuneKind.COMMUNE, former_district=former
        )
        commune.villages = [Village(name=v, kind=k) for v, k in villages]
        db.session.add(commune)
        by_name[commune_name] = commune
    return office, by_name


def load_demo_data(today: date | None = None) -> Office:
    """Two offices, places, three markets, six users and two weeks of sessions around today."""
    lao_cai, communes = _office("Bảo hiểm xã hội tỉnh Lào Cai", "Lào Cai", LAO_CAI_COMMUNES)
    _office("Bảo hiểm xã hội tỉnh Lai Châu", "Lai Châu", LAI_CHAU_COMMUNES)
    db.session.flush()

    teams: dict[str, Team] = {}
    users: dict[str, User] = {}
    for username, full_name, role, team_name, phone in DEMO_USERS:
        team = None
        if team_name:
            if team_name not in teams:
                teams[team_name] = Team(office=lao_cai, name=team_name)
                db.session.add(teams[team_name])
            team = teams[team_name]
        users[username] = create_user(
            lao_cai,
            username,
            full_name,
            DEMO_PASSWORD,
            role=role,
            phone=phone,
            team=team,
            # Published on purpose for the demo office; real accounts are checked.
            check_password_strength=False,
        )

    def village(commune: str, name: str) -> Village:
        return next(v for v in communes[commune].villages if v.name == name)

    def venue(name, kind, commune, village_name=None, weekdays="", address=""):
        record = Venue(
            office_id=lao_cai.id,
            name=name,
            kind=kind,
            commune=communes[commune],
            village=village(commune, village_name) if village_name else None,
            market_weekdays=weekdays,
            address=address,
        )
        db.session.add(record)
        return record

    bac_ha_market = venue(
        "Chợ phiên Bắc Hà", VenueKind.MARKET, "Bắc Hà", weekdays="6", address="Trung tâm xã Bắc Hà"
    )
    can_cau_market = venue(
        "Chợ phiên Cán Cấu", VenueKind.MARKET, "Si Ma Cai", "Cán Cấu", weekdays="5"
    )
    coc_ly_market = venue("Chợ phiên Cốc Ly", VenueKind.MARKET, "Bắc Hà", "Cốc Ly", weekdays="1")
    bac_ngam_house = venue(
        "Nhà văn hóa thôn Bắc Ngầm", VenueKind.MEETING_PLACE, "Xuân Quang", "Bắc Ngầm"
    )
    nam_cang_house = venue(
        "Nhà văn hóa bản Nậm Cang", VenueKind.MEETING_PLACE, "Mường Bo", "Nậm Cang"
    )
    au_lau_hall = venue(
        "Hội trường UBND xã Âu Lâu", VenueKind.MEETING_PLACE, "Âu Lâu", "Phúc Thịnh"
    )
    home = venue("Hộ ông Giàng A Páo", VenueKind.HOUSEHOLD, "Mường Bo", "Nậm Cang")

    partners = {}
    for key, name, kind in [
        ("post", "Bưu điện tỉnh Lào Cai", PartnerKind.POST_OFFICE),
        ("women", "Hội Liên hiệp Phụ nữ xã Bắc Hà", PartnerKind.WOMENS_UNION),
        ("farmers", "Hội Nông dân xã Xuân Quang", PartnerKind.FARMERS_ASSOCIATION),
        ("youth", "Đoàn Thanh niên xã Mường Bo", PartnerKind.YOUTH_UNION),
        ("committee", "UBND xã Âu Lâu", PartnerKind.COMMUNE_COMMITTEE),
    ]:
        partners[key] = Partner(office_id=lao_cai.id, name=name, kind=kind)
        db.session.add(partners[key])
    db.session.flush()

    monday = monday_of(today or today_local())

    def plan(
        kind,
        topic,
        offset,
        start,
        end,
        place,
        lead,
        *,
        recurrence=None,
        partner=None,
        language=Language.VIETNAMESE,
        interpreter=False,
        expected=25,
        title="",
        target=TargetGroup.GENERAL,
        helpers=(),
        commune=None,
        village_obj=None,
    ):
        draft = SessionDraft(
            kind=kind,
            topic=topic,
            day=monday + timedelta(days=offset),
            start=start,
            end=end,
            commune_id=(commune or place.commune).id,
            lead_officer_id=users[lead].id,
            title=title,
            venue_id=place.id if place else None,
            village_id=village_obj.id if village_obj else (place.village_id if place else None),
            facilitator_ids=[users[h].id for h in helpers],
            partner_id=partners[partner].id if partner else None,
            target_group=target,
            language=language,
            interpreter_needed=interpreter,
            expected_attendance=expected,
        )
        return create_sessions(lao_cai.id, draft, users[lead], recurrence)

    # Market days repeat for two months: Bắc Hà on Sundays, Cán Cấu on Saturdays.
    plan(
        SessionKind.MARKET,
        Topic.BOTH,
        6,
        time(7, 30),
        time(11, 0),
        bac_ha_market,
        "mai",
        recurrence=Recurrence(RepeatRule.WEEKLY, frozenset({6}), count=8),
        partner="women",
        language=Language.HMONG,
        interpreter=True,
        expected=40,
        helpers=("pao",),
        target=TargetGroup.ETHNIC_MINORITY,
    )
    plan(
        SessionKind.MARKET,
        Topic.VOLUNTARY_SI,
        5,
        time(8, 0),
        time(11, 0),
        can_cau_market,
        "pao",
        recurrence=Recurrence(RepeatRule.WEEKLY, frozenset({5}), count=8),
        partner="post",
        language=Language.HMONG,
        expected=30,
        target=TargetGroup.FARMERS,
    )
    for offset in (1, 8):  # the Cốc Ly market, this week and next
        plan(
            SessionKind.MARKET,
            Topic.HOUSEHOLD_HI,
            offset,
            time(8, 0),
            time(10, 30),
            coc_ly_market,
            "mai",
            expected=30,
        )
    # Village meetings in the evening, when farmers are back from the fields.
    plan(
        SessionKind.VILLAGE_MEETING,
        Topic.BOTH,
        2,
        time(19, 0),
        time(21, 0),
        bac_ngam_house,
        "toan",
        partner="farmers",
        expected=35,
        target=TargetGroup.FARMERS,
    )
    plan(
        SessionKind.VILLAGE_MEETING,
        Topic.VOLUNTARY_SI,
        3,
        time(19, 30),
        time(21, 0),
        nam_cang_house,
        "huong",
        partner="youth",
        language=Language.DAO,
        interpreter=True,
        expected=25,
        target=TargetGroup.ETHNIC_MINORITY,
    )
    plan(
        SessionKind.VILLAGE_MEETING,
        Topic.HOUSEHOLD_HI,
        10,
        time(19, 0),
        time(21, 0),
        nam_cang_house,
        "huong",
        partner="youth",
        language=Language.DAO,
        interpreter=True,
    )
    plan(
        SessionKind.HOME_VISIT,
        Topic.BOTH,
        4,
        time(17, 30),
        time(18, 30),
        home,
        "huong",
        expected=6,
        target=TargetGroup.ETHNIC_MINORITY,
    )
    plan(
        SessionKind.HOME_VISIT,
        Topic.VOLUNTARY_SI,
        11,
        time(17, 30),
        time(18, 30),
        home,
        "toan",
        expected=4,
    )
    plan(
        SessionKind.CONFERENCE,
        Topic.BOTH,
        9,
        time(8, 0),
        time(11, 30),
        au_lau_hall,
        "toan",
        partner="committee",
        expected=120,
        title="Hội nghị khách hàng xã Âu Lâu",
        helpers=("huong",),
    )
    plan(
        SessionKind.VILLAGE_MEETING,
        Topic.BOTH,
        12,
        time(19, 0),
        time(21, 0),
        None,
        "mai",
        commune=communes["Hạnh Phúc"],
        village_obj=village("Hạnh Phúc", "Nậm Thố"),
    )
    # Last week's meeting was held, so there is something to record attendance for.
    held = plan(
        SessionKind.VILLAGE_MEETING,
        Topic.BOTH,
        -5,
        time(19, 0),
        time(21, 0),
        bac_ngam_house,
        "toan",
        partner="farmers",
        expected=30,
    )
    held[0].status = SessionStatus.HELD
    db.session.flush()
    add_demo_attendance(lao_cai)
    add_demo_history(lao_cai, today or today_local())
    return lao_cai
