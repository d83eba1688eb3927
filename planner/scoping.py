"""Every record belongs to one office; another office's record is a 404, never a 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Protocol, TypeVar

from flask import abort
from flask_login import current_user, login_required

from planner.extensions import db


class OfficeRecord(Protocol):
    """A model whose rows belong to one office."""

    @property
    def office_id(self) -> int: ...


T = TypeVar("T", bound=OfficeRecord)


def get_owned_or_404(model: type[T], ident: int) -> T:
    """Load a record of the current user's office, or answer 404 as if it did not exist."""
    record = db.session.get(model, ident)
    if record is None or record.office_id != current_user.office_id:
        abort(404)
    return record


def supervisor_required(view: Callable) -> Callable:
    """Supervisors and administrators only; officers get a 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_supervisor:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view: Callable) -> Callable:
    """Administrators only; everyone else gets a 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
