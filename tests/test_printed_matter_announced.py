"""Whatever changes what a flyer prints announces it once, from the operation itself (not the
page that called it), after the change is committed: the flyer job that reacts must see it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from planner.accounts.services import update_office
from planner.enums import Language, Topic
from planner.errors import PlannerError
from planner.extensions import db
from planner.printing.models import PrintSettings, TalkingPoint
from planner.printing.settings import save_print_settings
from planner.printing.talking_points import save_talking_point
from planner.rates.province import PROVINCE_KEYS, add_province_support
from planner.signals import printed_matter_changed


@pytest.fixture
def announcements(app):
    """(office id, user id, whether the change was already committed) per announcement."""
    heard: list[tuple[int, int, bool]] = []

    def receiver(office_id, user_id, **_extra):
        # A separate connection sees only what was committed.
        with db.engine.connect() as conn:
            committed = conn.execute(sa.text("SELECT count(*) FROM office")).scalar_one() > 0
        heard.append((office_id, user_id, committed))

    printed_matter_changed.connect(receiver)
    yield heard
    printed_matter_changed.disconnect(receiver)


def test_saving_talking_points_announces_the_change_after_committing(admin, announcements):
    save_talking_point(admin.office_id, Topic.VOLUNTARY_SI, Language.VIETNAMESE, "Đóng 22%.", admin)
    assert announcements == [(admin.office_id, admin.id, True)]
    db.session.rollback()  # nothing left to roll back: it was committed
    assert db.session.scalar(sa.select(TalkingPoint.body)) == "Đóng 22%."


def test_print_settings_announce_the_change(admin, announcements):
    save_print_settings(admin.office_id, "a4", [], 3, by=admin)
    assert announcements == [(admin.office_id, admin.id, True)]
    db.session.rollback()
    assert db.session.get(PrintSettings, admin.office_id).spare_rows == 3


def test_the_offices_details_announce_the_change(admin, announcements):
    update_office(
        admin.office,
        name=" Bảo hiểm xã hội tỉnh Lào Cai ",
        province="Lào Cai",
        address="",
        phone="0214 3840 123",
        contact_link="",
        by=admin,
    )
    assert announcements == [(admin.office_id, admin.id, True)]
    assert admin.office.name == "Bảo hiểm xã hội tỉnh Lào Cai"


def test_a_refused_change_announces_nothing(admin, announcements):
    with pytest.raises(PlannerError):
        save_print_settings(admin.office_id, "letter", [], 3, by=admin)
    with pytest.raises(PlannerError):
        update_office(
            admin.office, name="X", province="Y", address="", phone="12", contact_link="", by=admin
        )
    assert announcements == []


def test_an_offices_own_support_announces_the_change(admin, announcements, rates):
    key = sorted(PROVINCE_KEYS)[0]
    add_province_support(admin.office_id, key, date(2026, 1, 1), Decimal("10"), "NQ", by=admin)
    assert announcements == [(admin.office_id, admin.id, True)]
