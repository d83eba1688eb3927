"""Two people, one record: a save from a form opened before someone else's save is refused and
says what they changed (as sessions do), and two saves at the same moment never both win.

Every editable record (session, person, attendance row, enrolment, follow-up) has a `version`
column that SQLAlchemy uses as `version_id_col`: each UPDATE is `... WHERE id = ? AND version = ?`,
a conditional update, so of two requests that read the same version only the first one's UPDATE
matches; the other gets `StaleDataError`, which `planner.web` answers with a 409 that tells the
loser. A form carries the version and a snapshot of what it showed (`version`, `base`), so a save
from a stale form is caught before anything is written, with the list of changes.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from wtforms import HiddenField

from planner.errors import PlannerError


class StaleForm(PlannerError):
    """Someone saved the record after this form was opened; `changes` is (name, theirs before,
    theirs now) for every value that differs from what the form showed."""

    def __init__(self, changes: list[tuple[str, str, str]], current_version: int):
        super().__init__(
            _(
                "Someone else changed this after you opened it, so your change was not saved. "
                "Check their changes below; save again to keep yours."
            ),
            code="edit_conflict",
        )
        self.changes = changes
        self.current_version = current_version


class VersionFields:
    """Mixed into an edit form: the record's version and what the form showed, both hidden."""

    version = HiddenField()
    base = HiddenField()

    def remember(self, version: int, snapshot: dict[str, Any]) -> None:
        """Fill the hidden fields from the record as the form shows it."""
        self.version.data = str(version)
        self.base.data = json.dumps(_plain(snapshot), ensure_ascii=False)


def _plain(snapshot: dict[str, Any]) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in snapshot.items()}


def check_version(current_version: int, form: VersionFields, now: dict[str, Any]) -> None:
    """Refuse (StaleForm) a save from a form opened on an older version of the record.

    A post without a version (a client that never showed the form) is not checked: the
    conditional UPDATE still keeps two simultaneous saves from both winning.
    """
    sent = str(form.version.data or "").strip()
    if not sent:
        return
    if sent.isdigit() and int(sent) == current_version:
        return
    try:
        base = json.loads(form.base.data or "{}")
    except ValueError:
        base = {}
    if not isinstance(base, dict):
        base = {}
    current = _plain(now)
    changes = [
        (name, str(base[name]), value)
        for name, value in current.items()
        if isinstance(base.get(name), str) and base[name] != value
    ]
    # The next save is made knowingly over the other person's version.
    form.remember(current_version, now)
    raise StaleForm(changes, current_version)


def describe(form, error: StaleForm) -> list[tuple[str, str, str]]:
    """The changes with the form's own labels where the form has the field."""
    rows = []
    for name, before, after in error.changes:
        field = getattr(form, name, None) or getattr(form, f"{name}_id", None)
        label = field.label.text if field is not None and hasattr(field, "label") else name
        rows.append((str(label), before, after))
    return rows
