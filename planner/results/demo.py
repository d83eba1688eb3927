"""A few months of demo history (sessions held, attendance, follow-ups, enrolments), targets,
a campaign and coverage figures, so the demo supervisor's results page has something to show.
Called by planner.demo.load_demo_data(); deterministic (a fixed random seed)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, time, timedelta

import sqlalchemy as sa

from planner.accounts.models import Office, User
from planner.enrolments.services import EnrolmentInput, record_enrolment
from planner.enums import PriorityGroup, SessionKind, SessionStatus, TargetGroup, Topic, VenueKind
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups.models import (
    Channel,
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    OutcomeKind,
    Product,
)
from planner.people.attendance import record_attendances
from planner.people.identity import AttendeeInput, clean_attendee
from planner.people.models import Attendance, Gender, Interest, Person
from planner.places.models import Commune, Partner, Venue
from planner.results.models import Campaign, CommuneCoverage, Target, TargetMetric
from planner.sessions.drafts import SessionDraft
from planner.sessions.planning import create_sessions
from planner.timezones import local_to_utc, to_local

WEEKS = 16
FAMILIES = {
    "Mông": ["Giàng", "Sùng", "Vàng", "Thào", "Lù", "Mùa"],
    "Dao": ["Triệu", "Bàn", "Lý", "Đặng"],
    "Tày": ["Hoàng", "Nông", "Lương", "Ma"],
    "Kinh": ["Nguyễn", "Trần", "Phạm", "Đỗ"],
}
GIVEN = {
    Gender.MALE: ["Seo Chứ", "A Páo", "Văn Pằng", "Văn Thắng", "Seo Dìn", "A Sử", "Văn Hùng"],
    Gender.FEMALE: ["Thị Dợ", "Thị Mẩy", "Thị Sính", "Thị Lan", "Thị Chi", "Thị Hoa", "Thị Mỷ"],
}
KIND_OF_VENUE = {
    VenueKind.MARKET: SessionKind.MARKET,
    VenueKind.MEETING_PLACE: SessionKind.VILLAGE_MEETING,
    VenueKind.HOUSEHOLD: SessionKind.HOME_VISIT,
}
# How readily people enrol after each kind of session (for a believable comparison).
ENROL_CHANCE = {
    SessionKind.MARKET: 0.15,
    SessionKind.VILLAGE_MEETING: 0.3,
    SessionKind.HOME_VISIT: 0.5,
    SessionKind.CONFERENCE: 0.2,
}


def _people_pool(rng: random.Random, commune: Commune, size: int) -> list[AttendeeInput]:
    pool = []
    for index in range(size):
        ethnicity = rng.choice(list(FAMILIES))
        gender = rng.choice([Gender.MALE, Gender.FEMALE])
        name = f"{rng.choice(FAMILIES[ethnicity])} {rng.choice(GIVEN[gender])}"
        priority = rng.choice(
            [PriorityGroup.POOR, PriorityGroup.NEAR_POOR, PriorityGroup.ETHNIC_MINORITY]
            if ethnicity != "Kinh"
            else [PriorityGroup.OTHER, PriorityGroup.NEAR_POOR]
        )
        pool.append(
            AttendeeInput(
                full_name=name,
                birth_year=rng.randint(1960, 2004),
                gender=gender,
                ethnicity=ethnicity,
                village_id=commune.villages[0].id if commune.villages else None,
                phone=f"09{commune.id % 10}{index:03d}{rng.randint(1000, 9999)}",
                priority_group=priority,
                consent_contact=rng.random() < 0.85,
            )
        )
    return pool


def add_demo_history(office: Office, today: date) -> None:
    """Sessions over the last WEEKS weeks with people, follow-ups and enrolments; targets for
    this month, a campaign, and coverage figures per commune."""
    rng = random.Random(2026)  # noqa: S311  (demo data, repeatable on purpose)
    officers = db.session.scalars(
        sa.select(User).where(
            User.office_id == office.id, User.username.in_(["mai", "pao", "toan", "huong"])
        )
    ).all()
    venues = db.session.scalars(
        sa.select(Venue).where(Venue.office_id == office.id).order_by(Venue.id)
    ).all()
    partners = db.session.scalars(
        sa.select(Partner).where(Partner.office_id == office.id).order_by(Partner.id)
    ).all()
    communes = {
        c.id: c
        for c in db.session.scalars(sa.select(Commune).where(Commune.office_id == office.id))
    }
    pools = {cid: _people_pool(rng, c, 30) for cid, c in communes.items()}
    sessions = []
    for weeks_ago in range(WEEKS, 0, -1):
        for _slot in range(3):
            venue = rng.choice(venues)
            day = today - timedelta(days=7 * weeks_ago - rng.randint(0, 6))
            if day >= today:
                day = today - timedelta(days=1)
            kind = KIND_OF_VENUE[venue.kind]
            if kind == SessionKind.VILLAGE_MEETING and rng.random() < 0.15:
                kind = SessionKind.CONFERENCE
            lead = rng.choice(officers)
            draft = SessionDraft(
                kind=kind,
                topic=rng.choice(list(Topic)),
                day=day,
                start=time(19, 0) if kind == SessionKind.VILLAGE_MEETING else time(8, 0),
                end=time(21, 0) if kind == SessionKind.VILLAGE_MEETING else time(10, 30),
                commune_id=venue.commune_id,
                lead_officer_id=lead.id,
                venue_id=venue.id,
                village_id=venue.village_id,
                partner_id=rng.choice(partners).id if rng.random() < 0.6 else None,
                target_group=rng.choice(
                    [TargetGroup.FARMERS, TargetGroup.ETHNIC_MINORITY, TargetGroup.GENERAL]
                ),
                expected_attendance=6 if kind == SessionKind.HOME_VISIT else 30,
            )
            session = create_sessions(office.id, draft, lead)[0]
            roll = rng.random()
            if weeks_ago <= 2 and roll < 0.2:
                continue  # left "planned" after the day: the dashboard asks to close it
            if roll > 0.93:
                session.status = SessionStatus.CANCELLED
                continue
            session.status = SessionStatus.HELD
            sessions.append(session)
    db.session.flush()
    for session in sessions:
        size = 5 if session.kind == SessionKind.HOME_VISIT else rng.randint(8, 18)
        rows = []
        for person in rng.sample(pools[session.commune_id], size):
            interested = rng.random() < 0.45
            interest = rng.choice(list(Interest)[1:]) if interested else Interest.NONE
            rows.append(clean_attendee(replace(person, errors={}, interest=interest)))
        try:
            record_attendances(session, rows, session.lead_officer)
        except PlannerError:
            continue
    db.session.flush()
    _work_follow_ups(rng, office, today)
    _enrol(rng, office, sessions, today)
    _targets_and_coverage(rng, office, communes, today)
    db.session.flush()


def _work_follow_ups(rng: random.Random, office: Office, today: date) -> None:
    """Most follow-ups got a first call, some after their due day; a few are still open."""
    open_ones = db.session.scalars(
        sa.select(FollowUp).where(
            FollowUp.office_id == office.id,
            FollowUp.status == FollowUpStatus.OPEN,
            FollowUp.due_on < today - timedelta(days=3),
        )
    ).all()
    for follow_up in open_ones:
        roll = rng.random()
        if roll < 0.15:
            continue  # overdue, still open
        late = roll > 0.75
        day = follow_up.due_on + timedelta(days=rng.randint(1, 5) if late else -rng.randint(0, 2))
        day = min(day, today)
        at = local_to_utc(day, time(16, 0))
        follow_up.outcomes.append(
            FollowUpOutcome(
                office_id=office.id,
                kind=rng.choice([OutcomeKind.REACHED, OutcomeKind.REACHED, OutcomeKind.DECLINED]),
                channel=Channel.CALL,
                by_id=follow_up.assigned_to_id,
                at=at,
            )
        )
        follow_up.status = FollowUpStatus.DONE
        follow_up.closed_at = at


def _enrol(rng: random.Random, office: Office, sessions: list, today: date) -> None:
    attendances = db.session.execute(
        sa.select(Attendance, Person)
        .join(Person, Person.id == Attendance.person_id)
        .where(
            Attendance.session_id.in_([s.id for s in sessions]),
            sa.or_(Attendance.interested_voluntary_si, Attendance.interested_household_hi),
        )
        .order_by(Attendance.id)
    ).all()
    by_id = {s.id: s for s in sessions}
    enrolled: set[tuple[int, Product]] = set()
    for attendance, person in attendances:
        session = by_id[attendance.session_id]
        if rng.random() > ENROL_CHANCE[session.kind]:
            continue
        product = (
            Product.VOLUNTARY_SI if attendance.interested_voluntary_si else Product.HOUSEHOLD_HI
        )
        if (person.id, product) in enrolled:
            continue
        held_on = to_local(session.starts_at).date()
        on = min(today, held_on + timedelta(days=rng.randint(1, 20)))
        entered = EnrolmentInput(
            product=product,
            enrolled_on=on,
            receipt_number=f"BL-{on:%y%m}-{person.id:05d}",
            months=rng.choice([1, 3, 6, 12]) if product == Product.VOLUNTARY_SI else 12,
            income=rng.choice([1_500_000, 2_000_000, 3_000_000])
            if product == Product.VOLUNTARY_SI
            else None,
            priority_group=person.priority_group if product == Product.VOLUNTARY_SI else None,
            members=rng.randint(1, 5) if product == Product.HOUSEHOLD_HI else None,
        )
        try:
            record_enrolment(person, entered, session.lead_officer)
        except PlannerError:
            continue
        enrolled.add((person.id, product))


def _targets_and_coverage(
    rng: random.Random, office: Office, communes: dict[int, Commune], today: date
) -> None:
    supervisor = db.session.scalar(
        sa.select(User).where(User.office_id == office.id, User.username == "hoa")
    )
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    for metric, value in (
        (TargetMetric.ENROLLED_VOLUNTARY_SI, 25),
        (TargetMetric.ENROLLED_HOUSEHOLD_HI, 30),
        (TargetMetric.REACHED, 250),
        (TargetMetric.SESSIONS_HELD, 14),
    ):
        db.session.add(
            Target(
                office_id=office.id,
                metric=metric,
                first_day=first,
                last_day=last,
                value=value,
                created_by_id=supervisor.id if supervisor else None,
            )
        )
    campaign = Campaign(
        office_id=office.id,
        name="30 ngày đêm cao điểm",
        first_day=first,
        last_day=first + timedelta(days=29),
        created_by_id=supervisor.id if supervisor else None,
    )
    db.session.add(campaign)
    by_name = {c.name: c for c in communes.values()}
    for name, value in (("Bắc Hà", 12), ("Si Ma Cai", 8), ("Mường Bo", 6), ("Xuân Quang", 6)):
        if name in by_name:
            db.session.add(
                Target(
                    office_id=office.id,
                    campaign=campaign,
                    commune_id=by_name[name].id,
                    metric=TargetMetric.ENROLLED_HOUSEHOLD_HI,
                    first_day=campaign.first_day,
                    last_day=campaign.last_day,
                    value=value,
                    created_by_id=supervisor.id if supervisor else None,
                )
            )
    counted = date(today.year, today.month, 1) - timedelta(days=90)
    for commune in communes.values():
        population = rng.randint(5_000, 15_000)
        db.session.add(
            CommuneCoverage(
                office_id=office.id,
                commune_id=commune.id,
                as_of=counted,
                population=population,
                households=population * 10 // 45,
                with_health_insurance=population * rng.randint(82, 96) // 100,
                with_voluntary_si=population * rng.randint(2, 7) // 100,
                recorded_by_id=supervisor.id if supervisor else None,
            )
        )
