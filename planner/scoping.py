"""Every record belongs to one office; another office's record is a 404, never a 403."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy.orm.interfaces import ORMOption

from planner.extensions import db
from planner.people.models import Person


class OfficeRecord(Protocol):
    """A model whose rows belong to one office."""

    @property
    def office_id(self) -> int: ...


T = TypeVar("T", bound=OfficeRecord)


def get_owned_or_404(model: type[T], ident: int, options: Sequence[ORMOption] = ()) -> T:
    """Load a record of the current user's office, or answer 404 as if it did not exist;
    `options` (e.g. joinedload) load what the page shows of it in the same query."""
    record = db.session.get(model, ident, options=options)
    if record is None or record.office_id != current_user.office_id:
        abort(404)
    return record


def person_for_new_record(person_id: int | None) -> Person:
    """The person a new follow-up or enrolment is for (`?person=`): one of the user's office
    whose data was not erased, or a 404 (an erased person cannot be contacted or enrolled)."""
    if person_id is None:
        abort(404)
    person = get_owned_or_404(Person, person_id)
    if person.erased_at is not None:
        abort(404)
    return person


def _logged_in_and(allowed: Callable[[Any], bool], view: Callable) -> Callable:
    """`view` behind login, for users `allowed` says may see it; others get a 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not allowed(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def supervisor_required(view: Callable) -> Callable:
    """Supervisors and administrators only; officers get a 403."""
    return _logged_in_and(lambda user: user.is_supervisor, view)


def admin_required(view: Callable) -> Callable:
    """Administrators only; everyone else gets a 403."""
    return _logged_in_and(lambda user: user.is_admin, view)
