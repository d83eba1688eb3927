"""Imports every domain's models so metadata (and Alembic) sees all tables."""

from planner.accounts.models import Office, Team, User
from planner.audit.models import AuditEntry
from planner.calendars.models import BlockedDay, CalendarFeed
from planner.enrolments.models import Enrolment, EnrolmentCredit
from planner.followups.models import FollowUp, FollowUpOutcome, OfficeSettings
from planner.offline.models import OfflineEntry
from planner.people.models import Attendance, DistinctPeople, Person
from planner.places.models import Commune, Partner, Venue, Village
from planner.printing.models import PrintJob, PrintSettings, SheetVersion, TalkingPoint
from planner.rates.models import RateValue
from planner.readback.models import PageReading, ReadbackSettings, ReadingBatch
from planner.results.models import Campaign, CommuneCoverage, Target
from planner.sessions.models import OutreachSession, SessionSeries
from planner.storage import StoredFile

__all__ = [
    "Attendance",
    "AuditEntry",
    "BlockedDay",
    "CalendarFeed",
    "Campaign",
    "Commune",
    "CommuneCoverage",
    "DistinctPeople",
    "Enrolment",
    "EnrolmentCredit",
    "FollowUp",
    "FollowUpOutcome",
    "Office",
    "OfficeSettings",
    "OfflineEntry",
    "OutreachSession",
    "PageReading",
    "Partner",
    "Person",
    "PrintJob",
    "PrintSettings",
    "RateValue",
    "ReadbackSettings",
    "ReadingBatch",
    "SessionSeries",
    "SheetVersion",
    "StoredFile",
    "TalkingPoint",
    "Target",
    "Team",
    "User",
    "Venue",
    "Village",
]
