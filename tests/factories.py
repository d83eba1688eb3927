"""Small factories for test data; each returns a saved-but-uncommitted record."""

from __future__ import annotations

from datetime import date, time
from types import SimpleNamespace

from planner.accounts.models import Office, Team, User
from planner.enums import (
    Language,
    PartnerKind,
    Role,
    SessionKind,
    TargetGroup,
    Topic,
    VenueKind,
    VillageKind,
)
from planner.extensions import db
from planner.places.models import Commune, Partner, Venue, Village
from planner.rates.services import seed_national_rates
from planner.sessions.drafts import Recurrence, SessionDraft
from planner.sessions.models import OutreachSession
from planner.sessions.planning import create_sessions

PASSWORD = "correct horse battery"


def office(name: str = "Bảo hiểm xã hội tỉnh Lào Cai", province: str = "Lào Cai") -> Office:
    record = Office(
        name=name,
        province=province,
        phone="02143840000",
        contact_link="https://example.org/lien-he",
    )
    db.session.add(record)
    db.session.flush()
    return record


def team(of: Office, name: str = "Tổ truyền thông Bắc Hà") -> Team:
    record = Team(office=of, name=name)
    db.session.add(record)
    db.session.flush()
    return record


def user(
    of: Office,
    username: str = "mai",
    full_name: str = "Lý Thị Mai",
    role: str = Role.OFFICER,
    team: Team | None = None,
    phone: str = "+84912000003",
) -> User:
    record = User(
        office=of, username=username, full_name=full_name, role=Role(role), team=team, phone=phone
    )
    record.set_password(PASSWORD)
    db.session.add(record)
    db.session.flush()
    return record


def places(of: Office) -> SimpleNamespace:
    commune = Commune(office=of, name="Bắc Hà", former_district="Bắc Hà")
    village = Village(commune=commune, name="Na Hối", kind=VillageKind.THON)
    other_village = Village(commune=commune, name="Cốc Ly", kind=VillageKind.THON)
    market = Venue(
        office_id=of.id,
        commune=commune,
        village=None,
        kind=VenueKind.MARKET,
        name="Chợ phiên Bắc Hà",
        market_weekdays="6",
    )
    house = Venue(
        office_id=of.id,
        commune=commune,
        village=village,
        kind=VenueKind.MEETING_PLACE,
        name="Nhà văn hóa thôn Na Hối",
    )
    partner = Partner(
        office_id=of.id, name="Hội Liên hiệp Phụ nữ xã Bắc Hà", kind=PartnerKind.WOMENS_UNION
    )
    db.session.add_all([commune, village, other_village, market, house, partner])
    db.session.flush()
    return SimpleNamespace(
        commune=commune,
        village=village,
        other_village=other_village,
        market=market,
        house=house,
        partner=partner,
    )


def draft(
    lead: User,
    commune: Commune,
    *,
    day: date,
    start: time = time(19, 0),
    end: time = time(21, 0),
    venue: Venue | None = None,
    kind=SessionKind.VILLAGE_MEETING,
    topic=Topic.BOTH,
    **extra,
) -> SessionDraft:
    return SessionDraft(
        kind=kind,
        topic=topic,
        day=day,
        start=start,
        end=end,
        commune_id=commune.id,
        lead_officer_id=lead.id,
        venue_id=venue.id if venue else None,
        village_id=venue.village_id if venue else None,
        target_group=extra.pop("target_group", TargetGroup.GENERAL),
        language=extra.pop("language", Language.VIETNAMESE),
        **extra,
    )


def session(
    lead: User, commune: Commune, *, day: date, recurrence: Recurrence | None = None, **kwargs
) -> OutreachSession:
    """Plan a session (or the first of a series) through the real service."""
    planned = create_sessions(
        lead.office_id, draft(lead, commune, day=day, **kwargs), lead, recurrence
    )
    return planned[0]


def rates() -> None:
    seed_national_rates()
    db.session.flush()


def session_form(places, officer, *, day: date | str, **overrides) -> dict:
    """What an officer posts to plan a village meeting (None leaves a field out; `day` may be
    text, as typed)."""
    data = {
        "kind": "village_meeting",
        "topic": "both",
        "title": "Họp thôn Na Hối",
        "day": day.isoformat() if isinstance(day, date) else day,
        "start": "19:00",
        "end": "21:00",
        "venue_id": str(places.house.id),
        "commune_id": "0",
        "village_id": "0",
        "lead_officer_id": str(officer.id),
        "partner_id": str(places.partner.id),
        "target_group": "farmers",
        "language": "vi",
        "expected_attendance": "30",
        "notes": "",
        "repeat": "none",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
