"""The change log shows names and labels in the user's language, never raw stored values."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from planner.audit.labels import FIELDS, Field, Shown, field_of, shown_entries
from planner.audit.models import AuditEntry
from planner.audit.services import record
from planner.enrolments.models import Enrolment
from planner.enrolments.services import EnrolmentInput, record_enrolment
from planner.enrolments.services import snapshot as enrolment_snapshot
from planner.enums import LabelledEnum, PriorityGroup
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpStatus, Product
from planner.followups.scheduling import created_from
from planner.followups.scheduling import snapshot as follow_up_snapshot
from planner.people.models import Gender
from planner.people.snapshots import ATTENDANCE_FIELDS, PERSON_FIELDS
from planner.phones import display_phone
from planner.sessions.models import OutreachSession
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff


def test_every_field_an_entry_can_hold_has_its_one_mapping():
    follow_up = FollowUp(product=Product.BOTH, due_on=date(2026, 12, 4), status=FollowUpStatus.OPEN)
    enrolment = Enrolment(product=Product.HOUSEHOLD_HI, enrolled_on=date(2026, 12, 4))
    recorded = {
        "person": set(PERSON_FIELDS),
        "attendance": set(ATTENDANCE_FIELDS),
        "follow_up": set(follow_up_snapshot(follow_up))
        | {"outcome", "call_back_on"}
        | set(created_from(OutreachSession(id=1))),
        "enrolment": set(enrolment_snapshot(enrolment)),
    }
    for entity, keys in recorded.items():
        assert keys <= set(FIELDS[entity]), (entity, keys - set(FIELDS[entity]))


@pytest.mark.parametrize(
    ("entity", "key"),
    [
        (e, k)
        for e, fields in FIELDS.items()
        for k, f in fields.items()
        if isinstance(f.shown, type)
    ],
)
def test_every_value_of_a_labelled_field_shows_its_label(app, entity, key):
    enum: type[LabelledEnum] = field_of(entity, key).shown  # type: ignore[assignment]
    with app.test_request_context(), app.app_context():
        from flask_babel import force_locale

        with force_locale("vi"):
            for member in enum:
                entry = AuditEntry(entity=entity, entity_id=1, action="update", changes={})
                entry.changes = {key: [None, member.value]}
                (shown,) = shown_entries(0, [entry])
                (change,) = shown.changes
                assert change.after == member.label
                assert change.after != member.value


def test_a_field_nobody_described_keeps_its_name():
    assert field_of("person", "shoe_size") == Field("shoe_size", Shown.TEXT)


def test_the_change_log_reads_in_vietnamese_with_names_not_numbers(
    supervisor_client, office, officer, supervisor, places
):
    factories.rates()
    sua = ff.person(office, full_name="Giàng Thị Sua")
    enrolment = record_enrolment(
        sua,
        EnrolmentInput(
            product=Product.HOUSEHOLD_HI,
            enrolled_on=today_local(),
            receipt_number="HGD-9",
            members=2,
            months=12,
        ),
        officer,
    )
    session = factories.session(officer, places.commune, day=today_local())
    attendance = ff.attend(session, sua)
    record(
        office.id,
        "person",
        sua.id,
        "update",
        {
            "gender": [None, Gender.MALE.value],
            "priority_group": [PriorityGroup.OTHER.value, PriorityGroup.POOR.value],
            "commune_id": [None, places.commune.id],
            "phone": [None, "+84912345678"],
            "has_health_insurance": [False, True],
        },
        supervisor.id,
    )
    record(
        office.id,
        "follow_up",
        77,
        "update",
        {"status": ["open", "done"], "assigned_to_id": [supervisor.id, officer.id]},
        supervisor.id,
    )
    record(office.id, "attendance", attendance.id, "update", {"confirmed": [False, True]}, None)
    db.session.commit()

    page = supervisor_client.get("/audit").get_data(as_text=True)
    table = page[page.index("<table") : page.index("</table>")]
    assert "Loại hình: BHYT hộ gia đình" in table
    assert "Giới tính: — → Nam" in table
    assert "Hộ nghèo" in table
    assert "Trạng thái: Đang theo dõi → Đã xong" in table
    assert f"Cán bộ: {supervisor.full_name} → {officer.full_name}" in table
    assert f"Ngày tham gia: {today_local():%d/%m/%Y}" in table
    assert f"Số điện thoại: — → {display_phone('+84912345678')}" in table
    assert "Người tham dự: Giàng Thị Sua" in table
    assert f'href="/enrolments/{enrolment.id}"' in table
    assert "Lượt tham dự: Giàng Thị Sua tại buổi" in table
    # No raw value, record number or ISO date is left.
    for raw in ("household_hi", "male", "poor", "open", "done", today_local().isoformat(), "+8491"):
        assert not re.search(rf"\b{re.escape(raw)}\b", table), raw
    assert not re.search(r"#\d+", table)


def test_the_persons_own_trail_reads_the_same_way(supervisor_client, office, supervisor):
    sua = ff.person(office, full_name="Giàng Thị Sua")
    record(office.id, "person", sua.id, "update", {"gender": ["female", "male"]}, supervisor.id)
    db.session.commit()
    page = supervisor_client.get(f"/people/{sua.id}").get_data(as_text=True)
    assert "Giới tính: Nữ → Nam" in page
    assert "female" not in page


def test_the_persons_trail_names_their_sessions_as_the_offices_trail_does(
    supervisor_client, office, officer, supervisor, places
):
    # The person's page names the sessions of their trail from the attendance rows it shows
    # (with no lookup of its own): the same words as the office's trail, which looks them up.
    sua = ff.person(office, full_name="Giàng Thị Sua")
    at_house = factories.session(officer, places.commune, day=today_local(), venue=places.house)
    at_commune = factories.session(
        officer, places.commune, day=today_local() - timedelta(days=7), title="Họp dân bản"
    )
    for session in (at_house, at_commune):
        attendance = ff.attend(session, sua)
        record(office.id, "attendance", attendance.id, "create", {}, officer.id)
    db.session.commit()

    office_trail = supervisor_client.get("/audit").get_data(as_text=True)
    own_trail = supervisor_client.get(f"/people/{sua.id}").get_data(as_text=True)

    for session in (at_house, at_commune):
        named = f"Lượt tham dự: Giàng Thị Sua tại buổi {session.label_with_place}, "
        named += f"{session.local_day:%d/%m/%Y}"
        assert named in office_trail
        assert named in own_trail


def test_in_english_the_same_entry_reads_in_english(supervisor_client, office, supervisor):
    sua = ff.person(office, full_name="Giàng Thị Sua")
    record(
        office.id, "person", sua.id, "update", {"priority_group": ["other", "poor"]}, supervisor.id
    )
    db.session.commit()
    supervisor_client.get("/language/en")
    page = supervisor_client.get("/audit").get_data(as_text=True)
    assert "Poor household" in page
