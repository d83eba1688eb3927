"""What an officer asks for when planning: a draft, its recurrence and the dates it expands to,
checked against the office (DOMAIN.md: sessions).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from planner.accounts.models import User
from planner.enums import Language, SessionKind, TargetGroup, Topic, VenueKind
from planner.errors import PlannerError
from planner.extensions import db
from planner.places.models import Commune, Partner, Venue, Village
from planner.sessions.models import (
    RepeatRule,
)
from planner.timezones import local_to_utc


@dataclass
class SessionDraft:
    """What the planning form says about a session, before it is saved."""

    kind: SessionKind
    topic: Topic
    day: date
    start: time
    end: time
    commune_id: int
    lead_officer_id: int
    title: str = ""
    venue_id: int | None = None
    village_id: int | None = None
    facilitator_ids: list[int] = field(default_factory=list)
    partner_id: int | None = None
    target_group: TargetGroup = TargetGroup.GENERAL
    language: Language = Language.VIETNAMESE
    interpreter_needed: bool = False
    expected_attendance: int = 20
    notes: str = ""

    def bounds(self, day: date | None = None) -> tuple[datetime, datetime]:
        """UTC start and end of the session on `day` (default: its own day)."""
        day = day or self.day
        return local_to_utc(day, self.start), local_to_utc(day, self.end)

    @property
    def officer_ids(self) -> set[int]:
        return {self.lead_officer_id, *self.facilitator_ids}


@dataclass(frozen=True)
class Recurrence:
    """Every week on `weekdays`, or every `interval_days` days; ends at `until` or after `count`."""

    rule: RepeatRule
    weekdays: frozenset[int] = frozenset()
    interval_days: int | None = None
    until: date | None = None
    count: int | None = None


# A market session belongs at a market, a home visit in a household.
VENUE_KIND_FOR = {SessionKind.MARKET: VenueKind.MARKET, SessionKind.HOME_VISIT: VenueKind.HOUSEHOLD}


def occurrence_dates(first_day: date, recurrence: Recurrence) -> list[date]:
    """The dates a recurring session falls on; refuses a series with no end or too many dates."""
    limit = current_app.config["MAX_SERIES_OCCURRENCES"]
    max_days = current_app.config["MAX_SERIES_DAYS"]
    if recurrence.until is None and recurrence.count is None:
        raise PlannerError(
            _("A recurring session needs an end: a last date or a number of sessions."),
            field="until",
        )
    if recurrence.until is not None and recurrence.until < first_day:
        raise PlannerError(_("The last date is before the first session."), field="until")
    if recurrence.count is not None and not 1 <= recurrence.count <= limit:
        raise PlannerError(
            ngettext(
                "A series has between 1 and %(num)d session.",
                "A series has between 1 and %(num)d sessions.",
                limit,
            ),
            field="count",
        )
    last = first_day + timedelta(days=max_days)
    if recurrence.until is not None and recurrence.until > last:
        raise PlannerError(
            ngettext(
                "A series can run for at most %(num)d day; plan the next one later.",
                "A series can run for at most %(num)d days; plan the next one later.",
                max_days,
            ),
            field="until",
        )
    until = min(recurrence.until or last, last)
    wanted = recurrence.count or limit + 1

    if recurrence.rule == RepeatRule.WEEKLY:
        weekdays = recurrence.weekdays or frozenset({first_day.weekday()})
        step = 1
        matches = lambda d: d.weekday() in weekdays  # noqa: E731
    elif recurrence.rule == RepeatRule.INTERVAL:
        if not recurrence.interval_days or not 1 <= recurrence.interval_days <= 60:
            raise PlannerError(_("Repeat every 1 to 60 days."), field="interval_days")
        step = recurrence.interval_days
        matches = lambda d: True  # noqa: E731
    else:
        raise PlannerError(_("Choose how the session repeats."), field="repeat")

    days: list[date] = []
    day = first_day
    while day <= until and len(days) < wanted:
        if matches(day):
            days.append(day)
        day += timedelta(days=step)
    if len(days) > limit:
        raise PlannerError(
            ngettext(
                "A series has at most %(num)d session; choose an earlier last date.",
                "A series has at most %(num)d sessions; choose an earlier last date.",
                limit,
            ),
            field="until",
        )
    if not days:
        raise PlannerError(_("No date matches this repeat rule."), field="weekdays")
    return days


def complete_draft(office_id: int, draft: SessionDraft) -> SessionDraft:
    """A venue fills in its own commune and village when the draft leaves them blank."""
    venue = db.session.get(Venue, draft.venue_id) if draft.venue_id else None
    if venue is not None and venue.office_id != office_id:
        raise PlannerError(_("Choose a venue of your office."), field="venue_id")
    commune_id = draft.commune_id or (venue.commune_id if venue else None)
    if not commune_id:
        raise PlannerError(_("Choose a commune or a venue."), field="commune_id")
    village_id = draft.village_id or (
        venue.village_id if venue and venue.commune_id == commune_id else None
    )
    return replace(
        draft,
        venue_id=venue.id if venue else None,
        commune_id=commune_id,
        village_id=village_id or None,
    )


def validate_draft(office_id: int, draft: SessionDraft) -> None:
    """Everything a draft points to must exist in the same office and fit together."""
    if draft.end <= draft.start:
        raise PlannerError(_("The session must end after it starts."), field="end")
    if not 1 <= draft.expected_attendance <= 2000:
        raise PlannerError(
            _("Expected attendance is between 1 and 2,000 people."), field="expected_attendance"
        )
    commune = db.session.get(Commune, draft.commune_id)
    if commune is None or commune.office_id != office_id:
        raise PlannerError(_("Choose a commune of your office."), field="commune_id")
    if draft.village_id is not None:
        village = db.session.get(Village, draft.village_id)
        if village is None or village.commune_id != commune.id:
            raise PlannerError(_("The village is not in the chosen commune."), field="village_id")
    if draft.venue_id is not None:
        venue = db.session.get(Venue, draft.venue_id)
        if venue is None or venue.office_id != office_id:
            raise PlannerError(_("Choose a venue of your office."), field="venue_id")
        if venue.commune_id != commune.id:
            raise PlannerError(
                _("The venue %(venue)s is in another commune.", venue=venue.name),
                field="venue_id",
            )
    if draft.partner_id is not None:
        partner = db.session.get(Partner, draft.partner_id)
        if partner is None or partner.office_id != office_id:
            raise PlannerError(
                _("Choose a partner organisation of your office."), field="partner_id"
            )
    officers = db.session.scalars(sa.select(User).where(User.id.in_(draft.officer_ids))).all()
    if len(officers) != len(draft.officer_ids) or any(
        u.office_id != office_id or not u.active for u in officers
    ):
        raise PlannerError(_("Choose officers of your office."), field="lead_officer_id")
