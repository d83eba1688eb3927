"""Creating and updating users."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.accounts.models import Office, Team, User
from planner.accounts.passwords import check_strength, waste_a_check
from planner.enums import Role
from planner.errors import PlannerError
from planner.extensions import db
from planner.phones import normalise_phone
from planner.signals import printed_matter_changed


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer, and the same work of one
    password hash, for every failure: an unknown username is not faster to refuse)."""
    user = db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    if user is None:
        waste_a_check(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def change_own_password(user: User, current: str, new: str) -> None:
    """The user replaces their password; every other session of theirs ends."""
    if not user.check_password(current):
        raise PlannerError(_("The current password is not right."), field="current_password")
    if new == current:
        raise PlannerError(_("Choose a password different from the current one."), field="password")
    check_strength(new, user_inputs=(user.username, user.full_name))
    user.set_password(new)
    user.must_change_password = False


def reset_password(user: User, new: str) -> None:
    """An admin sets a password: the user's sessions end and they choose their own next login."""
    check_strength(new, user_inputs=(user.username, user.full_name))
    user.set_password(new)
    user.must_change_password = True


def create_user(
    office: Office,
    username: str,
    full_name: str,
    password: str,
    role: Role | str = Role.OFFICER,
    phone: str = "",
    team: Team | None = None,
    check_password_strength: bool = True,
) -> User:
    """A new user of `office`; usernames are unique across the whole installation. Only the
    demo office's published accounts skip the strength check."""
    username = username.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise PlannerError(_("The username “%(name)s” is taken.", name=username), field="username")
    if check_password_strength:
        check_strength(password, user_inputs=(username, full_name))
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


def update_office(
    office: Office,
    *,
    name: str,
    province: str,
    address: str,
    phone: str,
    contact_link: str,
    by: User,
) -> Office:
    """Save the office's details as printed on flyers, commit, and announce that its printed
    matter changed. Raises PlannerError (field `phone`) for a phone that is not Vietnamese."""
    normalised = normalise_phone(phone) if phone.strip() else ""
    office.name = name.strip()
    office.province = province.strip()
    office.address = address.strip()
    office.phone = normalised
    office.contact_link = contact_link.strip()
    db.session.commit()
    printed_matter_changed.send(office.id, user_id=by.id)
    return office


def office_teams(office_id: int) -> list[Team]:
    """The office's teams in Vietnamese alphabetical order (for team choices in forms)."""
    from planner.collation import vi_order

    return list(
        db.session.scalars(
            sa.select(Team).where(Team.office_id == office_id).order_by(vi_order(Team.name))
        )
    )
