"""The one place a request becomes a ResultsFilter, and the context every results page shares."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TypeVar

import sqlalchemy as sa
from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from planner.accounts.models import User
from planner.bounds import parse_date
from planner.collation import vi_order
from planner.enums import Role, SessionKind
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups.models import Product
from planner.places.services import office_communes
from planner.results import records
from planner.results.periods import (
    Period,
    PeriodKind,
    ResultsFilter,
    custom_period,
    period_of,
)
from planner.scope import ScopeError, ScopeKind, default_kind, resolve_scope
from planner.timezones import today_local


class FilterRefused(PlannerError):
    """The page's filter cannot be used; `status` is the HTTP answer (400 or 404)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


# --- The one place a request becomes a ResultsFilter ----------------------------------------

# Whose results: the shared scope kinds (planner/scope.py); a commune narrows any of them.
RESULTS_KINDS = (ScopeKind.MINE, ScopeKind.TEAM, ScopeKind.OFFICE, ScopeKind.OFFICER)


def _day_arg(name: str) -> date | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise FilterRefused(_("%(text)s is not a date.", text=text)) from None


def _scope_args() -> dict[str, str]:
    """The scope arguments; choosing an officer in the office view shows that officer's."""
    args = {name: request.args.get(name, "") for name in ("scope", "officer")}
    args["scope"] = args["scope"] or default_kind(current_user).value
    if args["scope"] == ScopeKind.OFFICE and args["officer"].strip() not in ("", "0"):
        args["scope"] = ScopeKind.OFFICER.value
    return args


def _period() -> Period:
    kind = request.args.get("period") or PeriodKind.MONTH.value
    try:
        kind = PeriodKind(kind)
    except ValueError:
        raise FilterRefused(_("Choose a period: week, month, quarter, year or from/to.")) from None
    try:
        if kind == PeriodKind.CUSTOM:
            return custom_period(_day_arg("first"), _day_arg("last"))
        return period_of(kind, _day_arg("day") or today_local())
    except PlannerError as error:
        raise FilterRefused(error.message) from None


def resolve_filter() -> ResultsFilter:
    """The filter from the address: period (week, month, quarter, year, or from/to), scope (me,
    team, office, one officer; resolved by planner.scope like every other page) and commune.
    Officers see their own by default, supervisors the office. Another office's ids are a 404;
    an unknown kind, a malformed id or a bad period is a 400."""
    period = _period()
    commune = (request.args.get("commune") or "").strip()
    try:
        scope = resolve_scope(current_user, _scope_args(), kinds=RESULTS_KINDS)
        narrowed = (
            resolve_scope(
                current_user, {"scope": "commune", "commune": commune}, kinds=(ScopeKind.COMMUNE,)
            )
            if commune not in ("", "0")
            else None
        )
    except ScopeError as error:
        raise FilterRefused(error.message, error.status) from None
    officers = scope.officers_select()
    officer_ids = (
        frozenset(db.session.scalars(officers)) if isinstance(officers, sa.Select) else officers
    )
    return ResultsFilter(
        scope.office_id, officer_ids, narrowed.commune_id if narrowed else None, period
    )


def filter_args(f: ResultsFilter) -> dict:
    """The address arguments that give `f` back (for links and exports)."""
    args = {"period": f.period.kind.value}
    if f.period.kind == PeriodKind.CUSTOM:
        args |= {"first": f.period.first.isoformat(), "last": f.period.last.isoformat()}
    elif request.args.get("day"):
        args["day"] = f.period.first.isoformat()
    for name in ("scope", "officer", "commune"):
        if request.args.get(name):
            args[name] = request.args[name]
    return args


def narrowing() -> records.Narrowing:
    kind = request.args.get("kind") or None
    product = request.args.get("product") or None
    try:
        return records.Narrowing(
            kind=SessionKind(kind) if kind else None, product=Product(product) if product else None
        )
    except ValueError:
        raise FilterRefused(_("Choose a session kind and a product from the lists.")) from None


def filter_context(f: ResultsFilter) -> dict:
    officers = db.session.scalars(
        sa.select(User)
        # Officers and supervisors lead sessions; an administrator keeps the accounts.
        .where(
            User.office_id == f.office_id,
            User.active,
            User.role.in_((Role.OFFICER, Role.SUPERVISOR)),
        )
        .order_by(vi_order(User.full_name))
    ).all()
    return {
        "f": f,
        "args": filter_args(f),
        "communes": office_communes(f.office_id),
        "officers": officers,
        "period_kinds": list(PeriodKind),
        "scope": _scope_args()["scope"],
    }


Named = TypeVar("Named", bound=StrEnum)


def named_or_404(vocabulary: type[Named], name: str) -> Named:
    """A list or a comparison named in the URL; a name we do not have is a page that is not."""
    try:
        return vocabulary(name)
    except ValueError:
        abort(404)
