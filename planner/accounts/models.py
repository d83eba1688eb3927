"""Offices, teams and the people who log in."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from planner.config import PASSWORD_HASH_METHOD
from planner.enums import Role, enum_column
from planner.extensions import Model
from planner.timezones import UTCDateTime, now_utc


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class Office(Model):
    """A provincial or grassroots social insurance office; the unit of data scoping."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    province: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    # Where a flyer's QR code points: the office page, a Zalo contact or a registration form.
    contact_link: Mapped[str] = mapped_column(sa.String(500), default="")

    teams: Mapped[list[Team]] = relationship(back_populates="office", order_by="Team.name")


class Team(Model):
    """A group of officers in an office who plan together."""

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))

    office: Mapped[Office] = relationship(back_populates="teams")
    members: Mapped[list[User]] = relationship(back_populates="team", order_by="User.full_name")


class User(UserMixin, Model):
    """An officer, supervisor or administrator of one office."""

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"), index=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.OFFICER)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # Part of the id in the session and remember cookies: a new one ends every session of the
    # user (log out, password change, admin reset, deactivation), copied cookies included.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    # Set by an admin reset: the user chooses their own password before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False)

    office: Mapped[Office] = relationship()
    team: Mapped[Team | None] = relationship(back_populates="members")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookies: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Every session and remember cookie issued so far stops working."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        """Store a salted hash by the app's PASSWORD_HASH_METHOD (the hash names its method, so
        a password set under another method still checks)."""
        method = PASSWORD_HASH_METHOD
        if has_app_context():
            method = current_app.config.get("PASSWORD_HASH_METHOD", method)
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
