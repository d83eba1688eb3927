"""The week view and the pages to plan, see and change a session."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from planner.accounts.models import User
from planner.bounds import parse_date
from planner.collation import vi_order
from planner.enums import Language, SessionKind, SessionStatus, TargetGroup, Topic
from planner.errors import PlannerError
from planner.extensions import db
from planner.forms import required
from planner.places.services import (
    office_communes,
    office_partners,
    office_venues,
    office_villages,
)
from planner.printing.languages import flyer_languages
from planner.scope import WEEK_KINDS, requested_scope
from planner.scoping import get_owned_or_404
from planner.sessions import bp
from planner.sessions.clashes import clash_lines
from planner.sessions.days import monday_of, week_days
from planner.sessions.drafts import Recurrence, SessionDraft
from planner.sessions.forms import SessionForm, StatusForm
from planner.sessions.models import OutreachSession, RepeatRule, SessionSeries
from planner.sessions.planning import (
    EditConflict,
    Planning,
    plan_sessions,
    revise_session,
    snapshot,
)
from planner.sessions.status import cancel_series, set_status
from planner.sessions.week import week_clashes, week_sessions
from planner.timezones import today_local


def _parse_day(text: str | None) -> date | None:
    try:
        return parse_date(text) if text else None
    except ValueError:
        return None


def _count_message(done: str, count: int) -> str:
    """What was done to how many sessions, in the plural form the count needs."""
    if done == "planned":
        return ngettext("%(num)d session was planned.", "%(num)d sessions were planned.", count)
    if done == "updated":
        return ngettext(
            "%(num)d session of the series was updated.",
            "%(num)d sessions of the series were updated.",
            count,
        )
    return ngettext(
        "%(num)d session of the series was cancelled.",
        "%(num)d sessions of the series were cancelled.",
        count,
    )


@bp.get("/")
@login_required
def week():
    requested = request.args.get("week")
    day = _parse_day(requested)
    if requested and day is None:
        abort(400)
    monday = monday_of(day or today_local())
    scope = requested_scope(current_user, request.args)
    days = week_days(monday, str(get_locale()))
    by_day: dict[date, list[OutreachSession]] = {d.day: [] for d in days}
    shown = week_sessions(scope, monday)
    for session in shown:
        by_day.setdefault(session.local_day, []).append(session)
    return render_template(
        "sessions/week.html",
        monday=monday,
        days=days,
        by_day=by_day,
        scope=scope,
        scope_kinds=WEEK_KINDS,
        communes=office_communes(current_user.office_id),
        today=today_local(),
        previous_week=monday - timedelta(days=7),
        next_week=monday + timedelta(days=7),
        kinds=list(SessionKind),
        clashes=week_clashes(shown),
    )


def _form_context() -> dict:
    office_id = current_user.office_id
    officers = db.session.scalars(
        sa.select(User)
        .where(User.office_id == office_id, User.active)
        .order_by(vi_order(User.full_name))
    ).all()
    return {
        "communes": office_communes(office_id),
        "villages": office_villages(office_id),
        "venues": office_venues(office_id),
        "officers": officers,
        "partners": office_partners(office_id),
    }


def _flash_flyer_languages(session: OutreachSession) -> None:
    """Say when the flyer will not print in the language the session is held in."""
    languages = flyer_languages(session.office_id, session.topic, session.language)
    if not languages.complete:
        flash(languages.message, "warning")


def _draft_from(form: SessionForm) -> SessionDraft:
    """The form as a draft; blanks stay blank (the service fills them in from the venue)."""
    return SessionDraft(
        kind=SessionKind(form.kind.data),
        topic=Topic(form.topic.data),
        title=form.title.data or "",
        day=required(form.day.data),
        start=required(form.start.data),
        end=required(form.end.data),
        venue_id=form.venue_id.data or None,
        commune_id=form.commune_id.data or 0,
        village_id=form.village_id.data or None,
        lead_officer_id=form.lead_officer_id.data,
        facilitator_ids=list(form.facilitator_ids.data or []),
        partner_id=form.partner_id.data or None,
        target_group=TargetGroup(form.target_group.data),
        language=Language(form.language.data),
        interpreter_needed=form.interpreter_needed.data,
        expected_attendance=required(form.expected_attendance.data),
        notes=form.notes.data or "",
    )


def _recurrence_from(form: SessionForm) -> Recurrence | None:
    if form.repeat.data == "none":
        return None
    return Recurrence(
        rule=RepeatRule(form.repeat.data),
        weekdays=frozenset(int(d) for d in form.weekdays.data or []),
        interval_days=form.interval_days.data,
        until=form.until.data,
        count=form.count.data,
    )


def _fill_new(form: SessionForm) -> None:
    """A new session's form: the day asked for, the user leading, a usual evening meeting."""
    form.day.data = _parse_day(request.args.get("day")) or today_local()
    form.lead_officer_id.data = current_user.id
    form.kind.data = request.args.get("kind", SessionKind.VILLAGE_MEETING.value)
    form.topic.data = Topic.BOTH.value
    form.target_group.data = TargetGroup.GENERAL.value
    form.start.data = time(8, 0)
    form.end.data = time(10, 0)
    # "Plan a session there" links from results/where-next preselect the place.
    for name in ("commune", "venue"):
        if request.args.get(name, type=int):
            getattr(form, f"{name}_id").data = request.args.get(name, type=int)


def _planned(planned):
    """Say what was planned (and which flyer languages are missing); go to the first session."""
    if planned.count > 1:
        flash(_count_message("planned", planned.count), "success")
    else:
        flash(_("The session was planned."), "success")
    _flash_flyer_languages(planned.sessions[0])
    return redirect(url_for("sessions.detail", session_id=planned.sessions[0].id))


@bp.route("/sessions/new", methods=["GET", "POST"])
@login_required
def new():
    form = SessionForm(**_form_context())
    if request.method == "GET":
        _fill_new(form)
    clashes: tuple = ()
    if form.validate_on_submit():
        try:
            planned = plan_sessions(
                current_user.office_id,
                _draft_from(form),
                current_user,
                _recurrence_from(form),
                save_anyway=form.save_anyway.data,
            )
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="day")
        else:
            if planned.saved:
                return _planned(planned)
            clashes = planned.clashes
    # A refused form is a 422 like every other form's; a clash to confirm is a question (200).
    return render_template(
        "sessions/form.html",
        form=form,
        session=None,
        clashes=clash_lines(clashes),
        conflict=None,
    ), (422 if form.errors else 200)


def _load_for_detail(session_id: int) -> OutreachSession:
    session = (
        db.session.scalars(
            sa.select(OutreachSession)
            .where(
                OutreachSession.id == session_id,
                OutreachSession.office_id == current_user.office_id,
            )
            .options(
                # The page shows each of these: joined into the session's own query (a round trip
                # each otherwise, which counts on PostgreSQL).
                joinedload(OutreachSession.venue),
                joinedload(OutreachSession.commune),
                joinedload(OutreachSession.village),
                joinedload(OutreachSession.lead_officer),
                joinedload(OutreachSession.partner),
                joinedload(OutreachSession.facilitators),
                # The series' summary reads only each occurrence's day: not whole sessions.
                joinedload(OutreachSession.series)
                .selectinload(SessionSeries.sessions)
                .load_only(OutreachSession.occurrence_date, OutreachSession.starts_at),
            )
        )
        # A row per co-facilitator, all of them the one session.
        .unique()
        .one_or_none()
    )
    if session is None:
        abort(404)
    return session


@bp.get("/sessions/<int:session_id>")
@login_required
def detail(session_id: int):
    session = _load_for_detail(session_id)
    status_form = StatusForm(status=session.status.value, reason=session.status_reason)
    return render_template("sessions/detail.html", session=session, status_form=status_form)


def _form_of(session: OutreachSession) -> SessionForm:
    """The edit form as the session is now, with the version and values it was opened at."""
    form = SessionForm(obj=session, **_form_context())
    form.day.data = session.local_day
    form.start.data = session.local_start.time().replace(tzinfo=None)
    form.end.data = session.local_end.time().replace(tzinfo=None)
    form.venue_id.data = session.venue_id or 0
    form.village_id.data = session.village_id or 0
    form.partner_id.data = session.partner_id or 0
    form.facilitator_ids.data = [u.id for u in session.facilitators]
    form.kind.data, form.topic.data = session.kind.value, session.topic.value
    form.target_group.data = session.target_group.value
    form.language.data = session.language.value
    _opened_at(form, session)
    return form


def _opened_at(form: SessionForm, session: OutreachSession) -> None:
    """The next save is compared with (and made knowingly over) the session as it is now."""
    form.version.data = str(session.version)
    form.base.data = json.dumps(snapshot(session), ensure_ascii=False)


def _base_of(form: SessionForm) -> tuple[int, dict]:
    """The version and values the form was opened at; a tampered form is a 400."""
    try:
        base_version, base = int(form.version.data or 0), json.loads(form.base.data or "{}")
    except (ValueError, TypeError):
        abort(400)
    if not isinstance(base, dict):
        abort(400)
    # The snapshot comes back from the browser: only text under the names we wrote is kept.
    base = {k: v for k, v in base.items() if k in SNAPSHOT_KEYS and isinstance(v, str)}
    return base_version, base


def _revise(session: OutreachSession, form: SessionForm) -> tuple[Planning, EditConflict | None]:
    """Save the edit form; an edit made over someone else's newer save comes back as a conflict."""
    base_version, base = _base_of(form)
    try:
        planning = revise_session(
            session,
            _draft_from(form),
            current_user,
            base_version,
            base,
            following=form.apply_to.data == "following",
            save_anyway=form.save_anyway.data,
        )
        return planning, None
    except EditConflict as conflict:
        db.session.rollback()
        _opened_at(form, session)
        return Planning(), conflict
    except StaleDataError:
        db.session.rollback()
        # Stale because it was changed, or gone because it was deleted meanwhile (a 404).
        current = db.get_or_404(OutreachSession, session.id).version
        form.version.data = str(current)
        return Planning(), EditConflict([], current)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit(session_id: int):
    session = get_owned_or_404(OutreachSession, session_id)
    form = _form_of(session) if request.method == "GET" else SessionForm(**_form_context())
    planning, conflict = Planning(), None
    if form.validate_on_submit():
        try:
            planning, conflict = _revise(session, form)
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="day")
        if planning.saved:
            if form.apply_to.data == "following" and session.series_id:
                flash(_count_message("updated", planning.count), "success")
            else:
                flash(_("The session was saved."), "success")
            _flash_flyer_languages(session)
            return redirect(url_for("sessions.detail", session_id=session.id))
    return render_template(
        "sessions/form.html",
        form=form,
        session=session,
        clashes=clash_lines(planning.clashes),
        conflict=conflict,
        conflict_changes=_describe_changes(form, conflict) if conflict else [],
    ), (422 if form.errors else 409 if conflict else 200)


# Snapshot keys (see services.snapshot) and the form field whose label names them.
SNAPSHOT_FIELDS = {
    "day": "day",
    "start": "start",
    "end": "end",
    "kind": "kind",
    "topic": "topic",
    "title": "title",
    "venue": "venue_id",
    "commune": "commune_id",
    "village": "village_id",
    "lead_officer": "lead_officer_id",
    "facilitators": "facilitator_ids",
    "partner": "partner_id",
    "target_group": "target_group",
    "language": "language",
    "interpreter_needed": "interpreter_needed",
    "expected_attendance": "expected_attendance",
    "notes": "notes",
}
SNAPSHOT_KEYS = {*SNAPSHOT_FIELDS, "status"}
SNAPSHOT_ENUMS = {
    "kind": SessionKind,
    "topic": Topic,
    "target_group": TargetGroup,
    "language": Language,
    "status": SessionStatus,
}


def _describe_changes(form: SessionForm, conflict: EditConflict) -> list[tuple[str, str, str]]:
    """What the other person changed, with the form's labels and readable values."""

    def readable(name: str, value: str) -> str:
        if name in SNAPSHOT_ENUMS and value in {m.value for m in SNAPSHOT_ENUMS[name]}:
            return SNAPSHOT_ENUMS[name](value).label
        if name == "interpreter_needed":
            return _("yes") if value == "1" else _("no")
        return value

    rows = []
    for name, before, after in conflict.changes:
        label = form[SNAPSHOT_FIELDS[name]].label.text if name in SNAPSHOT_FIELDS else _("Status")
        rows.append((label, readable(name, before), readable(name, after)))
    return rows


@bp.post("/sessions/<int:session_id>/status")
@login_required
def change_status(session_id: int):
    session = get_owned_or_404(OutreachSession, session_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            if form.series.data and form.status.data == SessionStatus.CANCELLED.value:
                count = cancel_series(session, form.reason.data or "")
                message = _count_message("cancelled", count)
            else:
                set_status(session, form.status.data, form.reason.data or "")
                message = _(
                    "The status was changed to “%(status)s”.",
                    status=SessionStatus(form.status.data).label,
                )
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("sessions.detail", session_id=session.id))
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="status")
    # What was chosen stays chosen, and the error stands beside its field.
    return render_template(
        "sessions/detail.html", session=_load_for_detail(session_id), status_form=form
    ), 400
