"""Whose sessions a page shows: mine, my team's, the office's, one commune's or one officer's.

One value (`Scope`) resolved in one place (`resolve_scope`) and passed to the week view, the
week's calendar file, the week's packet, "My follow-ups", the subscription feeds and the results.
A scope always stays inside one office: every condition it builds starts with the office.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.accounts.models import User
from planner.bounds import int_in_range
from planner.enums import LABELS, LabelledEnum
from planner.errors import PlannerError
from planner.extensions import db
from planner.places.models import Commune


class ScopeKind(LabelledEnum):
    """The values of the `scope` request argument."""

    MINE = "me"
    TEAM = "team"
    OFFICE = "office"
    COMMUNE = "commune"
    OFFICER = "officer"


LABELS.update(
    [
        (ScopeKind.MINE, _l("Mine")),
        (ScopeKind.TEAM, _l("My team")),
        (ScopeKind.OFFICE, _l("Whole office")),
        (ScopeKind.COMMUNE, _l("One commune")),
        (ScopeKind.OFFICER, _l("One officer")),
    ]
)

# What the week view, its calendar file and its packet offer, in the order they are shown.
WEEK_KINDS = (ScopeKind.MINE, ScopeKind.TEAM, ScopeKind.OFFICE, ScopeKind.COMMUNE)


class ScopeError(PlannerError):
    """A scope that cannot be shown; `status` is the HTTP answer (400, 403 or 404)."""

    def __init__(self, message: str, status: int):
        super().__init__(message, code=f"scope_{status}", field="scope")
        self.status = status


@dataclass(frozen=True)
class Scope:
    """Whose sessions (or follow-ups) to show, always within `office_id`.

    `officer_ids` are the officers for MINE and OFFICER (and for TEAM when the user has no team:
    then it is just the user); a TEAM with a `team_id` is its members at query time; OFFICE and
    COMMUNE have no officers (`None`: everyone's). `title` names it on printed matter.
    """

    kind: ScopeKind
    office_id: int
    officer_ids: frozenset[int] | None = None
    team_id: int | None = None
    commune_id: int | None = None
    title: str = ""

    def officers_select(self) -> sa.Select | frozenset[int] | None:
        """The officers' ids as a subquery or a set to use with `in_`, or None for everyone."""
        if self.officer_ids is not None:
            return self.officer_ids
        if self.team_id is not None:
            return sa.select(User.id).where(
                User.team_id == self.team_id, User.office_id == self.office_id
            )
        return None

    def query_args(self) -> dict[str, str | int | None]:
        """The request arguments that resolve to this scope again (for links and forms)."""
        officer = (
            next(iter(self.officer_ids))
            if self.kind == ScopeKind.OFFICER and self.officer_ids
            else None
        )
        return {"scope": self.kind.value, "commune": self.commune_id, "officer": officer}

    def to_params(self) -> dict:
        """A JSON-ready form of the scope (a print job stores it)."""
        return {
            "kind": self.kind.value,
            "office_id": self.office_id,
            "officer_ids": sorted(self.officer_ids) if self.officer_ids is not None else None,
            "team_id": self.team_id,
            "commune_id": self.commune_id,
            "title": self.title,
        }

    @classmethod
    def from_params(cls, params: dict) -> Scope:
        """The scope `to_params` stored."""
        ids = params.get("officer_ids")
        return cls(
            kind=ScopeKind(params["kind"]),
            office_id=params["office_id"],
            officer_ids=frozenset(ids) if ids is not None else None,
            team_id=params.get("team_id"),
            commune_id=params.get("commune_id"),
            title=params.get("title", ""),
        )


def default_kind(user: User) -> ScopeKind:
    """Supervisors start on the whole office, officers on their own sessions."""
    return ScopeKind.OFFICE if user.is_supervisor else ScopeKind.MINE


def _record_id(values: Mapping[str, str], name: str) -> int:
    """An id argument; a missing or malformed one is a request not understood (400), one beyond
    the database's integer is no record there is (404, as in a path)."""
    text = (values.get(name) or "").strip()
    # isdigit() alone admits "²" and other digits int() refuses.
    if not (text.isascii() and text.isdigit()):
        # Say which choice is wrong: "whose sessions" for a commune misled (a newcomer's check).
        if name == "commune":
            raise ScopeError(_("Choose a commune of your office."), 400)
        if name == "officer":
            raise ScopeError(_("Choose an officer of your office."), 400)
        raise ScopeError(_("Choose whose sessions to show."), 400)
    ident = int(text)
    if not int_in_range(ident):
        raise ScopeError(_("This page does not exist, or it belongs to another office."), 404)
    return ident


def resolve_scope(
    user: User,
    values: Mapping[str, str],
    kinds: tuple[ScopeKind, ...] = WEEK_KINDS,
    default: ScopeKind | None = None,
    supervisor_kinds: frozenset[ScopeKind] = frozenset(),
) -> Scope:
    """The scope asked for by `values` (`scope`, `commune`, `officer`) for `user`.

    `kinds` are the ones the page offers; `supervisor_kinds` those only supervisors may use.
    Raises ScopeError: 400 for an unknown kind or a missing or malformed id; 403 for a kind kept
    for supervisors; 404 for a commune or officer that is not of the user's office, exactly as
    any other office's record is a 404 (never a silent fall back to another commune: a packet or
    a calendar file of a commune nobody asked for would be printed or shared as if it were right).
    """
    text = values.get("scope") or (default or default_kind(user)).value
    try:
        kind = ScopeKind(text)
    except ValueError:
        kind = None
    if kind is None or kind not in kinds:
        raise ScopeError(_("Choose whose sessions to show."), 400)
    if kind in supervisor_kinds and not user.is_supervisor:
        raise ScopeError(_("You do not have permission to do that."), 403)
    office_id = user.office_id
    if kind == ScopeKind.MINE:
        return Scope(kind, office_id, officer_ids=frozenset({user.id}), title=user.full_name)
    if kind == ScopeKind.TEAM:
        if user.team is None:
            # Without a team, "my team" is just me.
            return Scope(kind, office_id, officer_ids=frozenset({user.id}), title=user.full_name)
        return Scope(kind, office_id, team_id=user.team.id, title=user.team.name)
    if kind == ScopeKind.COMMUNE:
        commune = db.session.get(Commune, _record_id(values, "commune"))
        if commune is None or commune.office_id != office_id:
            raise ScopeError(_("This page does not exist, or it belongs to another office."), 404)
        return Scope(kind, office_id, commune_id=commune.id, title=commune.display_name)
    if kind == ScopeKind.OFFICER:
        officer = db.session.get(User, _record_id(values, "officer"))
        if officer is None or officer.office_id != office_id:
            raise ScopeError(_("This page does not exist, or it belongs to another office."), 404)
        return Scope(kind, office_id, officer_ids=frozenset({officer.id}), title=officer.full_name)
    # No title: the office's name is the packet's default, and loading it here cost every page a
    # query.
    return Scope(kind, office_id)


def requested_scope(user: User, values: Mapping[str, str], **options) -> Scope:
    """`resolve_scope` for a view: a scope that cannot be shown is the matching error page."""
    try:
        return resolve_scope(user, values, **options)
    except ScopeError as error:
        abort(error.status)
