"""A person is one record however many sessions they attend; attendance links them to sessions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from planner.collation import sort_name as collation_sort_name
from planner.enums import LABELS, LabelledEnum, PriorityGroup, enum_column
from planner.extensions import Model
from planner.places.models import Commune, Village
from planner.sessions.models import OutreachSession
from planner.text import without_diacritics
from planner.timezones import UTCDateTime, now_utc


def name_search_keys(name_key: str) -> tuple[str, str, str]:
    """The folded name from its second word, from its third, and its last word: with `name_key`
    itself, the four columns a name search looks up by prefix through an index, so "pao",
    "van pao" and "lo van pao" all find "Lò Văn Páo" without reading every person."""
    words = name_key.split()
    return (" ".join(words[1:]), " ".join(words[2:]), words[-1] if len(words) > 1 else "")


def fold_name(name: str) -> str:
    """Lower case without diacritics or extra spaces: how names are compared."""
    return " ".join(without_diacritics(name).lower().split())[:120]


class Gender(LabelledEnum):
    MALE = "male"
    FEMALE = "female"


class AttendanceSource(LabelledEnum):
    SHEET = "sheet"  # typed from the signed paper sheet
    IMPORT = "import"  # uploaded spreadsheet
    SELF_CHECKIN = "self_checkin"  # the public QR form; unconfirmed until an officer confirms


class Interest(LabelledEnum):
    """What a person said they were interested in, as one choice on the sheet."""

    NONE = "none"
    VOLUNTARY_SI = "voluntary_si"
    HOUSEHOLD_HI = "household_hi"
    BOTH = "both"

    @classmethod
    def of(cls, voluntary_si: bool, household_hi: bool) -> Interest:
        if voluntary_si and household_hi:
            return cls.BOTH
        if voluntary_si:
            return cls.VOLUNTARY_SI
        return cls.HOUSEHOLD_HI if household_hi else cls.NONE

    @property
    def voluntary_si(self) -> bool:
        return self in (Interest.VOLUNTARY_SI, Interest.BOTH)

    @property
    def household_hi(self) -> bool:
        return self in (Interest.HOUSEHOLD_HI, Interest.BOTH)


LABELS.update(
    {
        Gender.MALE: _l("Male"),
        Gender.FEMALE: _l("Female"),
        AttendanceSource.SHEET: _l("Typed from the sheet"),
        AttendanceSource.IMPORT: _l("Imported spreadsheet"),
        AttendanceSource.SELF_CHECKIN: _l("Self check-in"),
        Interest.NONE: _l("Not interested"),
        Interest.VOLUNTARY_SI: _l("Voluntary social insurance"),
        Interest.HOUSEHOLD_HI: _l("Household health insurance"),
        Interest.BOTH: _l("Both"),
    }
)


class Person(Model):
    """Someone an office has met; personal data kept to what the work needs, with consent."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic locking (planner/concurrency.py): every UPDATE matches this version or fails.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    # The name folded (no case, no diacritics) so "Lò Văn Páo" finds "LO VAN PAO".
    name_key: Mapped[str] = mapped_column(sa.String(120), default="")
    # `name_search_keys(name_key)`, kept with it: searched by prefix, each through an index.
    name_key_2: Mapped[str] = mapped_column(sa.String(120), default="")
    name_key_3: Mapped[str] = mapped_column(sa.String(120), default="")
    name_key_last: Mapped[str] = mapped_column(sa.String(120), default="")
    # The name's Vietnamese collation key (`planner.collation.sort_name`), kept with it: the
    # people list pages through an index in Vietnamese alphabetical order.
    sort_name: Mapped[str] = mapped_column(sa.String(600), default="")
    birth_year: Mapped[int | None]
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender))
    ethnicity: Mapped[str] = mapped_column(sa.String(60), default="")
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)  # E.164
    cccd: Mapped[str | None] = mapped_column(sa.String(12), index=True)  # citizen ID, optional
    occupation: Mapped[str] = mapped_column(sa.String(120), default="")
    priority_group: Mapped[PriorityGroup] = mapped_column(
        enum_column(PriorityGroup), default=PriorityGroup.OTHER
    )
    has_health_insurance: Mapped[bool | None]
    consent_contact: Mapped[bool] = mapped_column(default=False)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # False for people who signed themselves in by QR until an officer confirms them.
    confirmed: Mapped[bool] = mapped_column(default=True)
    # Set when a supervisor erases the person: the row stays (anonymous) so counts do not change.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    commune: Mapped[Commune | None] = relationship()
    village: Mapped[Village | None] = relationship()
    attendances: Mapped[list[Attendance]] = relationship(back_populates="person")

    __table_args__ = (
        sa.Index("ix_person_office_name", "office_id", "full_name"),
        sa.Index("ix_person_office_name_key", "office_id", "name_key"),
        sa.Index("ix_person_office_name_key_2", "office_id", "name_key_2"),
        sa.Index("ix_person_office_name_key_3", "office_id", "name_key_3"),
        sa.Index("ix_person_office_name_key_last", "office_id", "name_key_last"),
        sa.Index("ix_person_office_sort_name", "office_id", "sort_name"),
        # Blocking keys of likely duplicates, walked in order a page at a time; `confirmed` and
        # `erased_at` in the index so the walk never reads the table.
        sa.Index("ix_person_office_phone", "office_id", "phone", "confirmed", "erased_at"),
        sa.Index(
            "ix_person_office_details",
            "office_id",
            "name_key",
            "birth_year",
            "village_id",
            "confirmed",
            "erased_at",
        ),
        # Results: who the office's reached and enrolled people are (commune, sex, ethnicity)
        # read from the index alone; inside a nation PostgreSQL reads the office's people this
        # way rather than visiting 150,000 table rows (issue 12).
        sa.Index("ix_person_office_reach", "office_id", "id", "commune_id", "gender", "ethnicity"),
    )

    @validates("full_name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = fold_name(value or "")
        self.name_key_2, self.name_key_3, self.name_key_last = name_search_keys(self.name_key)
        self.sort_name = collation_sort_name(value or "")
        return value

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class Attendance(Model):
    """One person at one session, as written on the sheet."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic locking (planner/concurrency.py): every UPDATE matches this version or fails.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("outreach_session.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    interested_voluntary_si: Mapped[bool] = mapped_column(default=False)
    interested_household_hi: Mapped[bool] = mapped_column(default=False)
    registered_on_spot: Mapped[bool] = mapped_column(default=False)
    source: Mapped[AttendanceSource] = mapped_column(
        enum_column(AttendanceSource), default=AttendanceSource.SHEET
    )
    confirmed: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    session: Mapped[OutreachSession] = relationship()
    person: Mapped[Person] = relationship(back_populates="attendances")

    __table_args__ = (
        sa.UniqueConstraint("session_id", "person_id", name="uq_attendance_once"),
        # The office's reach (distinct people) counted from the index alone.
        sa.Index("ix_attendance_office_confirmed_person", "office_id", "confirmed", "person_id"),
        # Results: a period's reach (distinct people, interested or not) from the index alone,
        # reached through the period's sessions.
        sa.Index(
            "ix_attendance_session_reach",
            "session_id",
            "confirmed",
            "person_id",
            "interested_voluntary_si",
            "interested_household_hi",
        ),
    )

    @property
    def interested(self) -> bool:
        return self.interested_voluntary_si or self.interested_household_hi

    @property
    def interest(self) -> Interest:
        return Interest.of(self.interested_voluntary_si, self.interested_household_hi)


class DistinctPeople(Model):
    """An officer's decision that two likely duplicates are different people (a shared phone)."""

    __tablename__ = "distinct_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    # Stored with first_id < second_id so a pair is recorded once.
    first_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    __table_args__ = (sa.UniqueConstraint("first_id", "second_id", name="uq_distinct_people_pair"),)
