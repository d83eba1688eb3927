"""Entries made offline, sent when the signal returns: each recorded once under its key.

The phone gives every entry a random key when it is typed (an attendee added to a session, a
follow-up's outcome, a session marked held) and sends the same key on every attempt: again after
a lost response, from the page and from the service worker at once, or twice from two tabs. The
first attempt claims the key by inserting `OfflineEntry(user, key)` *before* it records anything,
in the same transaction as the record: a second attempt either finds the row (and is told what
the first was told) or waits on the unique key while the first commits and then finds it
(PostgreSQL blocks on the index; SQLite's write lock, taken by the insert, serialises the two).
A refused entry records nothing and keeps no row: the officer sees the reason on the phone and
may correct and send it again under the same key.

Recording goes through the services every other path uses: `people.attendance.record_attendances`,
`followups.outcomes.log_outcome` and `sessions.status.set_status`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from planner.accounts.models import User
from planner.enums import SessionStatus
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups.forms import OutcomeForm
from planner.followups.models import FollowUp, OutcomeKind
from planner.followups.outcomes import OutcomeInput, log_outcome
from planner.offline.models import EntryKind, OfflineEntry
from planner.people.attendance import record_attendances
from planner.people.forms import AttendeeForm
from planner.people.identity import clean_attendee
from planner.people.models import Person
from planner.places.services import commune_villages
from planner.sessions.models import OutreachSession
from planner.sessions.status import set_status

KEY_PATTERN = re.compile(r"[A-Za-z0-9-]{8,64}")
# How many form fields an entry may carry (the attendance form has 14).
MAX_FIELDS = 40


class EntryRefused(PlannerError):
    """The server will not record the entry; `status` is the HTTP answer: 409 when the world
    changed under the entry (the session was cancelled, the person merged, the follow-up
    closed), 422 when the entry itself is wrong, 404 when its session or follow-up is gone."""

    def __init__(self, message: str, code: str, status: int = 409):
        super().__init__(message, code=code)
        self.status = status


@dataclass(frozen=True)
class Submission:
    """One entry as the phone sends it: `fields` are the form's fields as typed (names as the
    page's form has them), `seen` what the page showed when it was typed (`status` of the
    session, `person_id` of the follow-up)."""

    key: str
    kind: EntryKind
    target_id: int
    fields: MultiDict = field(default_factory=MultiDict)
    seen: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Replayed:
    """What the officer is told: `recorded` is False when an earlier attempt recorded it."""

    recorded: bool
    message: str


def parse_submission(body: object) -> Submission:
    """Read the JSON body `{key, kind, target, fields: {name: value | [values]}, seen: {}}`;
    anything else raises `EntryRefused` (422)."""
    if not isinstance(body, dict):
        raise EntryRefused(_("This entry could not be read; type it again."), "unreadable", 422)
    key, kind, target = body.get("key"), body.get("kind"), body.get("target")
    fields, seen = body.get("fields") or {}, body.get("seen") or {}
    if (
        not isinstance(key, str)
        or not KEY_PATTERN.fullmatch(key)
        or kind not in set(EntryKind)
        or not isinstance(target, int)
        or isinstance(target, bool)
        or not 0 < target < 2**31
        or not isinstance(fields, dict)
        or not isinstance(seen, dict)
        or len(fields) > MAX_FIELDS
    ):
        raise EntryRefused(_("This entry could not be read; type it again."), "unreadable", 422)
    data: MultiDict = MultiDict()
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        for one in values[:MAX_FIELDS]:
            if isinstance(one, str | int) and not isinstance(one, bool):
                data.add(str(name)[:100], str(one)[:4000])
    return Submission(
        key=key,
        kind=EntryKind(kind),
        target_id=target,
        fields=data,
        seen={str(k)[:40]: str(v)[:100] for k, v in list(seen.items())[:10]},
    )


def replay(user: User, submission: Submission) -> Replayed:
    """Record the entry once and commit; a later attempt under the same key answers what the
    first did without recording anything. Raises `EntryRefused` (nothing recorded)."""
    earlier = _entry(user, submission.key)
    if earlier is not None:
        return Replayed(recorded=False, message=earlier.message)
    entry = OfflineEntry(
        office_id=user.office_id,
        user_id=user.id,
        key=submission.key,
        kind=submission.kind,
        target_id=submission.target_id,
    )
    db.session.add(entry)
    try:
        # The claim comes first: the attempt that loses it waits here, then reads the winner's.
        db.session.flush()
        entry.message = RECORDERS[submission.kind](user, submission)[:500]
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        earlier = _entry(user, submission.key)
        if earlier is None:  # another unique rule (the person listed twice at one moment)
            raise EntryRefused(
                _("This person is already on this session's list."), "already_listed"
            ) from None
        return Replayed(recorded=False, message=earlier.message)
    except PlannerError as error:
        db.session.rollback()
        if isinstance(error, EntryRefused):
            raise
        raise EntryRefused(error.message, error.code, _status_of(error)) from error
    except BaseException:
        db.session.rollback()
        raise
    return Replayed(recorded=True, message=entry.message)


def _entry(user: User, key: str) -> OfflineEntry | None:
    return db.session.scalars(
        sa.select(OfflineEntry).where(OfflineEntry.user_id == user.id, OfflineEntry.key == key)
    ).first()


# Rules broken because the world changed since the entry was typed; the rest are the entry's.
CONFLICTS = {"cancelled", "closed", "already_listed", "merged", "status_changed"}


def _status_of(error: PlannerError) -> int:
    return 409 if error.code in CONFLICTS else 422


def _session(user: User, session_id: int) -> OutreachSession:
    session = db.session.get(OutreachSession, session_id)
    if session is None or session.office_id != user.office_id:
        raise EntryRefused(
            _("This session no longer exists; it may have been deleted."), "gone", 404
        )
    return session


def _form_errors(form) -> str:
    """The form's errors as one sentence per field ("Full name: Enter the person's name.")."""
    parts = []
    for name, errors in form.errors.items():
        label = form[name].label.text if name in form else name
        parts.append(f"{label}: {' '.join(str(e) for e in errors)}")
    return " ".join(parts)


def _record_attendee(user: User, submission: Submission) -> str:
    session = _session(user, submission.target_id)
    form = AttendeeForm(
        formdata=submission.fields,
        villages=commune_villages(user.office_id, session.commune_id),
        meta={"csrf": False},
    )
    if not form.validate():
        raise EntryRefused(_form_errors(form), "invalid", 422)
    row = clean_attendee(form.to_input())
    if row.errors:
        raise EntryRefused(" ".join(row.errors.values()), "invalid", 422)
    attendance = record_attendances(session, [row], user)[0]
    return _("%(name)s was added to the list.", name=attendance.person.full_name)


def _record_outcome(user: User, submission: Submission) -> str:
    follow_up = db.session.get(FollowUp, submission.target_id)
    if follow_up is None or follow_up.office_id != user.office_id:
        raise EntryRefused(
            _("This follow-up no longer exists; it may have been deleted."), "gone", 404
        )
    seen_person = submission.seen.get("person_id")
    if seen_person and seen_person != str(follow_up.person_id):
        kept = db.session.get(Person, follow_up.person_id)
        raise EntryRefused(
            _(
                "Another officer merged this person into %(name)s after you typed this; "
                "check %(name)s's follow-ups and record the outcome there.",
                name=kept.full_name if kept else "?",
            ),
            "merged",
        )
    form = OutcomeForm(prefix=f"fu{follow_up.id}", formdata=submission.fields, meta={"csrf": False})
    if not form.validate():
        raise EntryRefused(_form_errors(form), "invalid", 422)
    kind = OutcomeKind(form.kind.data)
    if kind == OutcomeKind.ENROLLED:
        raise EntryRefused(
            _("An enrolment is recorded online with its contribution; open the enrolment form."),
            "enrolment_online",
            422,
        )
    log_outcome(
        follow_up,
        OutcomeInput(
            kind=kind,
            channel=form.channel.data,
            call_back_on=form.call_back_on.data,
            reason=form.reason.data or "",
            notes=form.notes.data or "",
        ),
        user,
    )
    return _(
        "Outcome saved for %(name)s: %(outcome)s.",
        name=follow_up.person.full_name,
        outcome=kind.label,
    )


def _record_held(user: User, submission: Submission) -> str:
    session = _session(user, submission.target_id)
    seen = submission.seen.get("status")
    if session.status in (SessionStatus.CANCELLED, SessionStatus.POSTPONED):
        raise EntryRefused(
            _(
                "This session was marked “%(status)s” meanwhile (%(reason)s); "
                "it cannot be marked held.",
                status=session.status.label,
                reason=session.status_reason or "—",
            ),
            "cancelled",
        )
    if seen and session.status.value != seen and session.status != SessionStatus.HELD:
        raise EntryRefused(
            _("This session's status changed meanwhile; open the session and check it."),
            "status_changed",
        )
    set_status(session, SessionStatus.HELD)
    return _("%(session)s was marked held.", session=session.label)


RECORDERS: dict[EntryKind, Callable[[User, Submission], str]] = {
    EntryKind.ATTENDANCE: _record_attendee,
    EntryKind.OUTCOME: _record_outcome,
    EntryKind.HELD: _record_held,
}
