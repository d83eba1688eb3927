"""Small closed vocabularies shared across domains, with the labels people see."""

from enum import StrEnum

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms lags WTForms 3.3 (no SelectChoice)


def enum_column(enum: type[StrEnum], length: int = 24) -> sa.Enum:
    """A portable string column holding an enum's values (no native type, no constraint)."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a translated label."""

    @property
    def label(self) -> str:
        return str(LABELS[self])

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """The members as choices whose labels are translated when shown, not when made: a
        form's class attribute is built at import, outside any request's language."""
        return [SelectChoice(m.value, LazyString(lambda m=m: m.label)) for m in cls]


class EnumLabels(dict):
    """Labels keyed by (enum class, value): members of two StrEnums with one value are equal,
    so a plain dict would let SessionKind.MARKET's label replace VenueKind.MARKET's."""

    def __setitem__(self, member: StrEnum, label) -> None:
        super().__setitem__((type(member), member.value), label)

    def __getitem__(self, member: StrEnum):
        return super().__getitem__((type(member), member.value))

    def __contains__(self, member) -> bool:
        return super().__contains__((type(member), getattr(member, "value", member)))

    def update(self, pairs) -> None:
        for member, label in pairs.items() if isinstance(pairs, dict) else pairs:
            self[member] = label


class Role(LabelledEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class CommuneKind(LabelledEnum):
    COMMUNE = "xa"
    WARD = "phuong"
    SPECIAL_ZONE = "dac_khu"


class VillageKind(LabelledEnum):
    THON = "thon"
    BAN = "ban"
    RESIDENTIAL_GROUP = "to_dan_pho"


class VenueKind(LabelledEnum):
    MARKET = "market"
    MEETING_PLACE = "meeting_place"
    HOUSEHOLD = "household"


class PartnerKind(LabelledEnum):
    POST_OFFICE = "post_office"
    COMMUNE_COMMITTEE = "commune_committee"
    WOMENS_UNION = "womens_union"
    FARMERS_ASSOCIATION = "farmers_association"
    YOUTH_UNION = "youth_union"
    TELECOM = "telecom"
    OTHER = "other"


class SessionKind(LabelledEnum):
    MARKET = "market"
    VILLAGE_MEETING = "village_meeting"
    HOME_VISIT = "home_visit"
    CONFERENCE = "conference"


class Topic(LabelledEnum):
    VOLUNTARY_SI = "voluntary_si"
    HOUSEHOLD_HI = "household_hi"
    BOTH = "both"


class SessionStatus(LabelledEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


class TargetGroup(LabelledEnum):
    FARMERS = "farmers"
    SELF_EMPLOYED = "self_employed"
    ETHNIC_MINORITY = "ethnic_minority"
    WOMEN = "women"
    YOUTH = "youth"
    OLDER_PEOPLE = "older_people"
    GENERAL = "general"


class Language(LabelledEnum):
    VIETNAMESE = "vi"
    HMONG = "hmn"
    DAO = "dao"
    TAY = "tay"
    GIAY = "giay"
    NUNG = "nung"
    OTHER = "other"


class PriorityGroup(LabelledEnum):
    POOR = "poor"
    NEAR_POOR = "near_poor"
    ETHNIC_MINORITY = "ethnic_minority"
    OTHER = "other"


LABELS = EnumLabels()
# Pairs, not a dict literal: equal StrEnum values of two enums would collapse into one key.
LABELS.update(
    [
        (Role.OFFICER, _l("Officer")),
        (Role.SUPERVISOR, _l("Supervisor")),
        (Role.ADMIN, _l("Administrator")),
        (CommuneKind.COMMUNE, _l("Commune")),
        (CommuneKind.WARD, _l("Ward")),
        (CommuneKind.SPECIAL_ZONE, _l("Special zone")),
        (VillageKind.THON, _l("Village (thôn)")),
        (VillageKind.BAN, _l("Village (bản)")),
        (VillageKind.RESIDENTIAL_GROUP, _l("Residential group")),
        (VenueKind.MARKET, _l("Market")),
        (VenueKind.MEETING_PLACE, _l("Meeting place")),
        (VenueKind.HOUSEHOLD, _l("Household")),
        (PartnerKind.POST_OFFICE, _l("Post office")),
        (PartnerKind.COMMUNE_COMMITTEE, _l("Commune People's Committee")),
        (PartnerKind.WOMENS_UNION, _l("Women's Union")),
        (PartnerKind.FARMERS_ASSOCIATION, _l("Farmers' Association")),
        (PartnerKind.YOUTH_UNION, _l("Youth Union")),
        (PartnerKind.TELECOM, _l("Telecom company")),
        (PartnerKind.OTHER, _l("Other organisation")),
        (SessionKind.MARKET, _l("Market session")),
        (SessionKind.VILLAGE_MEETING, _l("Village meeting")),
        (SessionKind.HOME_VISIT, _l("Home visit")),
        (SessionKind.CONFERENCE, _l("Customer conference")),
        (Topic.VOLUNTARY_SI, _l("Voluntary social insurance")),
        (Topic.HOUSEHOLD_HI, _l("Household health insurance")),
        (Topic.BOTH, _l("Voluntary social insurance and household health insurance")),
        (SessionStatus.PLANNED, _l("Planned")),
        (SessionStatus.HELD, _l("Held")),
        (SessionStatus.CANCELLED, _l("Cancelled")),
        (SessionStatus.POSTPONED, _l("Postponed")),
        (TargetGroup.FARMERS, _l("Farmers")),
        (TargetGroup.SELF_EMPLOYED, _l("Self-employed workers")),
        (TargetGroup.ETHNIC_MINORITY, _l("Ethnic minority families")),
        (TargetGroup.WOMEN, _l("Women")),
        (TargetGroup.YOUTH, _l("Young people")),
        (TargetGroup.OLDER_PEOPLE, _l("Older people")),
        (TargetGroup.GENERAL, _l("Everyone")),
        (Language.VIETNAMESE, _l("Vietnamese")),
        (Language.HMONG, _l("Hmong")),
        (Language.DAO, _l("Dao")),
        (Language.TAY, _l("Tày")),
        (Language.GIAY, _l("Giáy")),
        (Language.NUNG, _l("Nùng")),
        (Language.OTHER, _l("Other language")),
        (PriorityGroup.POOR, _l("Poor household")),
        (PriorityGroup.NEAR_POOR, _l("Near-poor household")),
        (PriorityGroup.ETHNIC_MINORITY, _l("Ethnic minority")),
        (PriorityGroup.OTHER, _l("Other")),
    ]
)
