"""Communes, villages, venues and the partner organisations that co-organise sessions."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import Office
from planner.enums import CommuneKind, PartnerKind, VenueKind, VillageKind, enum_column
from planner.extensions import Model
from planner.timezones import UTCDateTime, now_utc


class Commune(Model):
    """A commune, ward or special zone covered by an office."""

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # Edits show in calendar feeds: their ETag takes the latest of these into account.
    updated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, default=now_utc, onupdate=now_utc
    )
    kind: Mapped[CommuneKind] = mapped_column(enum_column(CommuneKind), default=CommuneKind.COMMUNE)
    # Districts were abolished in 2025; the old name helps people find a place.
    former_district: Mapped[str] = mapped_column(sa.String(120), default="")

    office: Mapped[Office] = relationship()
    villages: Mapped[list[Village]] = relationship(
        back_populates="commune", order_by="Village.name", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        return f"{self.kind.label} {self.name}"


class Village(Model):
    """A village (thôn, bản) or residential group inside a commune."""

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # Edits show in calendar feeds: their ETag takes the latest of these into account.
    updated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, default=now_utc, onupdate=now_utc
    )
    kind: Mapped[VillageKind] = mapped_column(enum_column(VillageKind), default=VillageKind.THON)

    commune: Mapped[Commune] = relationship(back_populates="villages")

    @property
    def display_name(self) -> str:
        return village_display_name(self.name, self.kind)


def village_display_name(name: str, kind: VillageKind) -> str:
    """A village as people write it: "Thôn Na Hối", "Bản Phố", "Tổ dân phố 3"."""
    prefix = {"thon": "Thôn", "ban": "Bản", "to_dan_pho": "Tổ dân phố"}[kind.value]
    return f"{prefix} {name}"


class Venue(Model):
    """Where a session happens: a market, a meeting place or a household."""

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"), index=True)
    kind: Mapped[VenueKind] = mapped_column(enum_column(VenueKind))
    name: Mapped[str] = mapped_column(sa.String(160))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    # Edits show in calendar feeds: their ETag takes the latest of these into account.
    updated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, default=now_utc, onupdate=now_utc
    )
    # Market days: weekdays as digits (0 = Monday … 6 = Sunday), or a cycle of N days
    # counted from a known market date (some highland markets follow the lunar-style cycle).
    market_weekdays: Mapped[str] = mapped_column(sa.String(7), default="")
    market_cycle_days: Mapped[int | None]
    market_anchor_date: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)

    office: Mapped[Office] = relationship()
    commune: Mapped[Commune] = relationship()
    village: Mapped[Village | None] = relationship()

    @property
    def is_market(self) -> bool:
        return self.kind == VenueKind.MARKET


class Partner(Model):
    """A collection agent or mass organisation that co-organises sessions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Edits show in calendar feeds: their ETag takes the latest of these into account.
    updated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, default=now_utc, onupdate=now_utc
    )
    kind: Mapped[PartnerKind] = mapped_column(enum_column(PartnerKind), default=PartnerKind.OTHER)
    contact_name: Mapped[str] = mapped_column(sa.String(120), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)
