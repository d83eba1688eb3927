"""The commands a newcomer and an administrator run."""

import sqlalchemy as sa

from planner.accounts.models import Office, User
from planner.extensions import db
from planner.rates.models import RateValue
from planner.sessions.models import OutreachSession


def test_create_user_makes_the_first_admin_and_their_office(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--username",
            "Quantri",
            "--full-name",
            "Phạm Quốc Hùng",
            "--office",
            "Bảo hiểm xã hội tỉnh Lào Cai",
            "--province",
            "Lào Cai",
            "--password",
            "mat-khau-dai",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert user.username == "quantri"
    assert user.is_admin
    assert user.office.name == "Bảo hiểm xã hội tỉnh Lào Cai"


def test_create_user_refuses_a_short_password_with_a_message(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--username",
            "a1",
            "--full-name",
            "A",
            "--office",
            "X",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0
    assert "8" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_demo_data_loads_offices_places_people_and_two_weeks(runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(Office.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 6
    assert db.session.scalar(sa.select(sa.func.count(OutreachSession.id))) >= 20
    assert db.session.scalar(sa.select(sa.func.count(RateValue.id))) == 15
    again = runner.invoke(args=["demo-data"])
    assert again.exit_code != 0  # never on top of real data


def test_prepare_loads_demo_data_once_and_prints_the_logins(runner):
    first = runner.invoke(args=["prepare", "--port", "5000"])
    assert first.exit_code == 0, first.output
    assert "http://127.0.0.1:5000/" in first.output
    assert "demo12345" in first.output
    sessions = db.session.scalar(sa.select(sa.func.count(OutreachSession.id)))
    second = runner.invoke(args=["prepare"])
    assert second.exit_code == 0
    assert "Loaded demo data" not in second.output
    assert db.session.scalar(sa.select(sa.func.count(OutreachSession.id))) == sessions
