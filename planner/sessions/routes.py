"""The week view and the pages to plan, see and change a session."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from planner.accounts.models import User
from planner.bounds import parse_date
from planner.enums import Language, SessionKind, SessionStatus, TargetGroup, Topic
from planner.errors import PlannerError
from planner.extensions import db
from planner.places.models import Venue
from planner.places.services import (
    office_communes,
    office_partners,
    office_venues,
    office_villages,
)
from planner.scoping import get_owned_or_404
from planner.sessions import bp
from planner.sessions.days import monday_of, week_days
from planner.sessions.forms import SessionForm, StatusForm
from planner.sessions.models import OutreachSession
from planner.sessions.services import (
    EditConflict,
    Recurrence,
    SessionDraft,
    cancel_series,
    create_sessions,
    find_clashes,
    occurrence_dates,
    set_status,
    snapshot,
    update_series,
    update_session,
    validate_draft,
    week_sessions,
)
from planner.signals import printed_matter_changed
from planner.timezones import to_local, today_local

SCOPES = ("me", "team", "office", "commune")


def _parse_day(text: str | None) -> date | None:
    try:
        return parse_date(text) if text else None
    except ValueError:
        return None


@bp.get("/")
@login_required
def week():
    requested = request.args.get("week")
    day = _parse_day(requested)
    if requested and day is None:
        abort(400)
    monday = monday_of(day or today_local())
    default_scope = "office" if current_user.is_supervisor else "me"
    scope = request.args.get("scope", default_scope)
    if scope not in SCOPES:
        abort(400)
    communes = office_communes(current_user.office_id)
    commune = None
    officer_ids = None
    if scope == "me":
        officer_ids = {current_user.id}
    elif scope == "team":
        if current_user.team_id is None:
            officer_ids = {current_user.id}
        else:
            officer_ids = set(
                db.session.scalars(sa.select(User.id).where(User.team_id == current_user.team_id))
            )
    elif scope == "commune":
        if not communes:
            scope = "office"
        else:
            commune_id = request.args.get("commune", type=int)
            commune = next((c for c in communes if c.id == commune_id), communes[0])
    sessions = week_sessions(
        current_user.office_id,
        monday,
        officer_ids=officer_ids,
        commune_id=commune.id if commune else None,
    )
    days = week_days(monday, str(get_locale()))
    by_day: dict[date, list[OutreachSession]] = {d.day: [] for d in days}
    for session in sessions:
        by_day.setdefault(to_local(session.starts_at).date(), []).append(session)
    return render_template(
        "sessions/week.html",
        monday=monday,
        days=days,
        by_day=by_day,
        scope=scope,
        commune=commune,
        communes=communes,
        today=today_local(),
        previous_week=monday - timedelta(days=7),
        next_week=monday + timedelta(days=7),
        kinds=list(SessionKind),
    )


def _form_context() -> dict:
    office_id = current_user.office_id
    officers = db.session.scalars(
        sa.select(User).where(User.office_id == office_id, User.active).order_by(User.full_name)
    ).all()
    return {
        "communes": office_communes(office_id),
        "villages": office_villages(office_id),
        "venues": office_venues(office_id),
        "officers": officers,
        "partners": office_partners(office_id),
    }


def _draft_from(form: SessionForm) -> SessionDraft:
    """Read the form into a draft; a venue fills in its own commune and village when left blank."""
    venue = db.session.get(Venue, form.venue_id.data) if form.venue_id.data else None
    if venue is not None and venue.office_id != current_user.office_id:
        raise PlannerError(_("Choose a venue of your office."), field="venue_id")
    commune_id = form.commune_id.data or (venue.commune_id if venue else None)
    if not commune_id:
        raise PlannerError(_("Choose a commune or a venue."), field="commune_id")
    village_id = form.village_id.data or (
        venue.village_id if venue and venue.commune_id == commune_id else None
    )
    return SessionDraft(
        kind=SessionKind(form.kind.data),
        topic=Topic(form.topic.data),
        title=form.title.data or "",
        day=form.day.data,
        start=form.start.data,
        end=form.end.data,
        venue_id=venue.id if venue else None,
        commune_id=commune_id,
        village_id=village_id or None,
        lead_officer_id=form.lead_officer_id.data,
        facilitator_ids=list(form.facilitator_ids.data or []),
        partner_id=form.partner_id.data or None,
        target_group=TargetGroup(form.target_group.data),
        language=Language(form.language.data),
        interpreter_needed=form.interpreter_needed.data,
        expected_attendance=form.expected_attendance.data,
        notes=form.notes.data or "",
    )


def _recurrence_from(form: SessionForm) -> Recurrence | None:
    if form.repeat.data == "none":
        return None
    return Recurrence(
        rule=form.repeat.data,
        weekdays=frozenset(int(d) for d in form.weekdays.data or []),
        interval_days=form.interval_days.data,
        until=form.until.data,
        count=form.count.data,
    )


def _field_error(form: SessionForm, error: PlannerError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is None or error.field in ("reason",):
        target = form.day
    target.errors = [*target.errors, error.message]


@bp.route("/sessions/new", methods=["GET", "POST"])
@login_required
def new():
    context = _form_context()
    form = SessionForm(**context)
    if request.method == "GET":
        form.day.data = _parse_day(request.args.get("day")) or today_local()
        form.lead_officer_id.data = current_user.id
        form.kind.data = request.args.get("kind", SessionKind.VILLAGE_MEETING.value)
        form.topic.data = Topic.BOTH.value
        form.target_group.data = TargetGroup.GENERAL.value
        form.start.data = time(8, 0)
        form.end.data = time(10, 0)
        form.weekdays.data = [str(form.day.data.weekday())]
    clashes = []
    if form.validate_on_submit():
        try:
            draft = _draft_from(form)
            recurrence = _recurrence_from(form)
            days = occurrence_dates(draft.day, recurrence) if recurrence else [draft.day]
            validate_draft(current_user.office_id, draft)
            clashes = find_clashes(current_user.office_id, draft, days)
            if not clashes or form.save_anyway.data:
                sessions = create_sessions(current_user.office_id, draft, current_user, recurrence)
                db.session.commit()
                printed_matter_changed.send(current_user.office_id, user_id=current_user.id)
                if len(sessions) > 1:
                    flash(_("%(n)s sessions were planned.", n=len(sessions)), "success")
                else:
                    flash(_("The session was planned."), "success")
                return redirect(url_for("sessions.detail", session_id=sessions[0].id))
        except PlannerError as error:
            db.session.rollback()
            _field_error(form, error)
            clashes = []
    return render_template(
        "sessions/form.html", form=form, session=None, clashes=clashes, conflict=None
    )


@bp.get("/sessions/<int:session_id>")
@login_required
def detail(session_id: int):
    session = db.session.scalars(
        sa.select(OutreachSession)
        .where(
            OutreachSession.id == session_id, OutreachSession.office_id == current_user.office_id
        )
        .options(selectinload(OutreachSession.facilitators), selectinload(OutreachSession.series))
    ).first()
    if session is None:
        abort(404)
    status_form = StatusForm(status=session.status.value, reason=session.status_reason)
    return render_template("sessions/detail.html", session=session, status_form=status_form)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit(session_id: int):
    session = get_owned_or_404(OutreachSession, session_id)
    context = _form_context()
    if request.method == "GET":
        local_start, local_end = to_local(session.starts_at), to_local(session.ends_at)
        form = SessionForm(obj=session, **context)
        form.day.data = local_start.date()
        form.start.data = local_start.time().replace(tzinfo=None)
        form.end.data = local_end.time().replace(tzinfo=None)
        form.venue_id.data = session.venue_id or 0
        form.village_id.data = session.village_id or 0
        form.partner_id.data = session.partner_id or 0
        form.facilitator_ids.data = [u.id for u in session.facilitators]
        form.kind.data, form.topic.data = session.kind.value, session.topic.value
        form.target_group.data, form.language.data = (
            session.target_group.value,
            session.language.value,
        )
        form.version.data = str(session.version)
        form.base.data = json.dumps(snapshot(session), ensure_ascii=False)
    else:
        form = SessionForm(**context)
    clashes, conflict = [], None
    if form.validate_on_submit():
        try:
            base_version = int(form.version.data or 0)
            base = json.loads(form.base.data or "{}")
        except (ValueError, TypeError):
            abort(400)
        if not isinstance(base, dict):
            abort(400)
        # The snapshot comes back from the browser: only text under the names we wrote is kept.
        base = {k: v for k, v in base.items() if k in SNAPSHOT_KEYS and isinstance(v, str)}
        try:
            draft = _draft_from(form)
            validate_draft(current_user.office_id, draft)
            clashes = find_clashes(current_user.office_id, draft, exclude_ids={session.id})
            if not clashes or form.save_anyway.data:
                if form.apply_to.data == "following" and session.series_id:
                    count = update_series(session, draft, base_version, base)
                    db.session.commit()
                    printed_matter_changed.send(current_user.office_id, user_id=current_user.id)
                    flash(_("%(n)s sessions of the series were updated.", n=count), "success")
                else:
                    update_session(session, draft, base_version, base)
                    db.session.commit()
                    printed_matter_changed.send(current_user.office_id, user_id=current_user.id)
                    flash(_("The session was saved."), "success")
                return redirect(url_for("sessions.detail", session_id=session.id))
        except EditConflict as error:
            db.session.rollback()
            conflict = error
            # The next save is made knowingly over the other person's version.
            form.version.data = str(error.current_version)
            form.base.data = json.dumps(snapshot(session), ensure_ascii=False)
            clashes = []
        except StaleDataError:
            db.session.rollback()
            conflict = EditConflict([], db.session.get(OutreachSession, session_id).version)
            form.version.data = str(conflict.current_version)
        except PlannerError as error:
            db.session.rollback()
            _field_error(form, error)
            clashes = []
    return render_template(
        "sessions/form.html",
        form=form,
        session=session,
        clashes=clashes,
        conflict=conflict,
        conflict_changes=_describe_changes(form, conflict) if conflict else [],
    )


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
    if not form.validate_on_submit():
        flash(_("Choose a status."), "error")
        return redirect(url_for("sessions.detail", session_id=session.id))
    try:
        if form.series.data and form.status.data == SessionStatus.CANCELLED.value:
            count = cancel_series(session, form.reason.data or "")
            flash(_("%(n)s sessions of the series were cancelled.", n=count), "success")
        else:
            set_status(session, form.status.data, form.reason.data or "")
            flash(
                _(
                    "The status was changed to “%(status)s”.",
                    status=SessionStatus(form.status.data).label,
                ),
                "success",
            )
        db.session.commit()
    except PlannerError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("sessions.detail", session_id=session.id))
