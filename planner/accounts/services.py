"""Creating and updating users."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.accounts.models import Office, Team, User
from planner.enums import Role
from planner.errors import PlannerError
from planner.extensions import db
from planner.phones import normalise_phone


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for every failure)."""
    user = db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def create_user(
    office: Office,
    username: str,
    full_name: str,
    password: str,
    role: Role | str = Role.OFFICER,
    phone: str = "",
    team: Team | None = None,
) -> User:
    """A new user of `office`; usernames are unique across the whole installation."""
    username = username.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise PlannerError(_("The username “%(name)s” is taken.", name=username), field="username")
    if len(password) < 8:
        raise PlannerError(_("A password needs at least 8 characters."), field="password")
    user = User(
        office=office,
        username=username,
        full_name=full_name.strip(),
        role=Role(role),
        phone=normalise_phone(phone) if phone else "",
        team=team,
    )
    user.set_password(password)
    db.session.add(user)
    return user
