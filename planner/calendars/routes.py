"""Calendar downloads, subscription feeds, "My calendars" and imports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import segno
import sqlalchemy as sa
from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm import selectinload
from werkzeug.http import is_resource_modified

from planner.accounts.services import office_teams
from planner.bounds import parse_date
from planner.calendars import bp, ical
from planner.calendars.blocked_days import office_blocked_days
from planner.calendars.forms import ActionForm, FeedSettingsForm, ImportForm, SharedFeedForm
from planner.calendars.importing import MAX_IMPORT_BYTES, import_blocked_days, import_market_days
from planner.calendars.models import BlockedDay, CalendarFeed, FeedKind
from planner.calendars.occurrences import series_occurrence
from planner.calendars.services import (
    SESSION_LOADS,
    create_feed,
    feed_body,
    feed_for_token,
    feed_version,
    may_manage,
    regenerate_token,
    update_feed_settings,
    visible_feeds,
)
from planner.enums import VenueKind
from planner.errors import PlannerError
from planner.extensions import csrf, db, limiter
from planner.places.models import Venue
from planner.places.services import office_communes
from planner.scope import requested_scope
from planner.scoping import get_owned_or_404, supervisor_required
from planner.sessions.days import monday_of
from planner.sessions.models import OutreachSession
from planner.sessions.week import week_sessions
from planner.timezones import today_local
from planner.web import content_type, file_response

ICS_MIMETYPE = "text/calendar"
# The token shown once after it was made; kept in the signed session cookie until shown.
FRESH_TOKEN_KEY = "calendar_fresh_token"  # noqa: S105 (a session key, not a secret)


@bp.get("/sessions/<int:session_id>.ics")
@login_required
def session_ics(session_id: int):
    record = db.session.scalars(
        sa.select(OutreachSession)
        .where(
            OutreachSession.id == session_id,
            OutreachSession.office_id == current_user.office_id,
        )
        .options(*SESSION_LOADS)
    ).first()
    if record is None:
        abort(404)
    body = ical.download_ics([record], record.label_with_place)
    day = record.local_day.isoformat()
    return file_response(body, f"session-{day}-{record.id}.ics", ICS_MIMETYPE)


@bp.get("/week.ics")
@login_required
def week_ics():
    try:
        monday = monday_of(parse_date(request.args.get("week") or today_local().isoformat()))
    except ValueError:
        abort(400)
    sessions = week_sessions(requested_scope(current_user, request.args), monday)
    name = _(
        "Sessions %(first)s – %(last)s",
        first=monday.strftime("%d/%m"),
        last=(monday + timedelta(days=6)).strftime("%d/%m/%Y"),
    )
    body = ical.download_ics(sessions, name)
    return file_response(body, f"week-{monday.isoformat()}.ics", ICS_MIMETYPE)


@bp.get("/feed/<token>.ics")
@csrf.exempt
# Generous: Google and Apple fetch many officers' feeds from the same few addresses.
@limiter.limit("600 per minute")
def feed(token: str):
    # A wrong, old or malformed token gets exactly the 404 any missing page gets.
    calendar_feed = feed_for_token(token)
    if calendar_feed is None:
        abort(404)
    version = feed_version(calendar_feed)
    if is_resource_modified(
        request.environ, etag=version.etag, last_modified=version.last_modified
    ):
        response = Response(
            feed_body(calendar_feed, version), content_type=content_type(ICS_MIMETYPE)
        )
    else:
        response = Response(status=304)
    response.set_etag(version.etag)
    response.last_modified = version.last_modified
    # Calendar apps may keep a copy but must ask (cheaply, with the ETag) before using it.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/series/<int:series_id>")
@login_required
def series_session(series_id: int):
    """A recurring event's link: today's or the next occurrence, or the one `?on=` names."""
    on = None
    if request.args.get("on"):
        try:
            on = parse_date(request.args["on"])
        except ValueError:
            abort(400)
    occurrence = series_occurrence(current_user.office_id, series_id, on)
    if occurrence is None:
        abort(404)
    return redirect(url_for("sessions.detail", session_id=occurrence.id))


def _feed_urls(token: str) -> dict:
    https = url_for("calendars.feed", token=token, _external=True)
    webcal = "webcal://" + https.split("://", 1)[1]
    qr = segno.make(webcal, error="m").svg_inline(
        scale=4, border=2, omitsize=True, title=_("QR code of the calendar link")
    )
    return {"https": https, "webcal": webcal, "qr": Markup(qr)}  # noqa: S704 (segno's own SVG)


@bp.get("/")
@login_required
def index():
    return _calendars_page()


def _calendars_page(
    settings_form: FeedSettingsForm | None = None,
    shared_form: SharedFeedForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The calendars page; a refused form is shown again as posted, its errors beside its
    fields (and the status says it was refused)."""
    fresh = session.pop(FRESH_TOKEN_KEY, None)
    feeds = visible_feeds(current_user)
    own = next((f for f in feeds if f.kind == FeedKind.OFFICER), None)
    shown = None
    if fresh and any(f.id == fresh.get("feed") for f in feeds):
        shown = {"feed_id": fresh["feed"], **_feed_urls(fresh["token"])}
    settings_form = settings_form or FeedSettingsForm(
        formdata=None,
        include_followups=own.include_followups if own else False,
        language=own.language if own else str(get_locale()),
        reminder_minutes=(own.reminder_minutes or 0) if own else 0,
    )
    shared_form = shared_form or SharedFeedForm(
        formdata=None,
        teams=office_teams(current_user.office_id),
        communes=office_communes(current_user.office_id),
        language="vi",
    )
    return render_template(
        "calendars/index.html",
        feeds=feeds,
        own=own,
        shown=shown,
        settings_form=settings_form,
        shared_form=shared_form,
        action_form=ActionForm(),
    ), status


def _remember_token(feed_record: CalendarFeed, token: str) -> None:
    session[FRESH_TOKEN_KEY] = {"feed": feed_record.id, "token": token}


@bp.post("/mine")
@login_required
def create_own():
    form = FeedSettingsForm()
    if not form.validate_on_submit():
        return _calendars_page(settings_form=form, status=400)
    return _new_feed(
        form,
        FeedKind.OFFICER,
        _("Your calendar link is ready. Add it to your calendar app now."),
        include_followups=form.include_followups.data,
        language=form.language.data,
        reminder_minutes=form.reminder,
    )


@bp.post("/shared")
@supervisor_required
def create_shared():
    office_id = current_user.office_id
    form = SharedFeedForm(teams=office_teams(office_id), communes=office_communes(office_id))
    if not form.validate_on_submit():
        return _calendars_page(shared_form=form, status=400)
    return _new_feed(
        form,
        form.kind.data,
        _("The calendar link is ready. Share it with the people who need it."),
        team_id=form.team_id.data or None,
        commune_id=form.commune_id.data or None,
        language=form.language.data,
    )


def _new_feed(
    form: FeedSettingsForm | SharedFeedForm, kind: FeedKind | str, ready: str, **settings
) -> ResponseReturnValue:
    """Make a feed, keep its token for the list to show once, and go back to the list; a
    refused feed shows `form` again with the reason beside its field (`ready`: the message
    for a feed made)."""
    try:
        record, token = create_feed(current_user, kind, **settings)
        db.session.commit()
    except PlannerError as error:
        db.session.rollback()
        if isinstance(form, SharedFeedForm):
            form.add_error(error, default="kind")
            return _calendars_page(shared_form=form, status=422)
        form.add_error(error, default="language")
        return _calendars_page(settings_form=form, status=422)
    _remember_token(record, token)
    flash(ready, "success")
    return redirect(url_for("calendars.index"))


def _managed_feed(feed_id: int) -> CalendarFeed:
    record = get_owned_or_404(CalendarFeed, feed_id)
    if not may_manage(current_user, record):
        abort(404)
    return record


@bp.get("/feeds/<int:feed_id>/token")
@login_required
def confirm_regenerate(feed_id: int):
    """Asks before making a new link: every calendar subscribed to the old one stops updating."""
    record = _managed_feed(feed_id)
    return render_template("calendars/regenerate.html", feed=record, action_form=ActionForm())


@bp.post("/feeds/<int:feed_id>/token")
@login_required
def regenerate(feed_id: int):
    record = _managed_feed(feed_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    token = regenerate_token(record)
    db.session.commit()
    _remember_token(record, token)
    flash(_("A new link was made; the old link no longer works."), "success")
    return redirect(url_for("calendars.index"))


@bp.post("/feeds/<int:feed_id>/settings")
@login_required
def settings(feed_id: int):
    record = _managed_feed(feed_id)
    form = FeedSettingsForm()
    if not form.validate_on_submit():
        return _calendars_page(settings_form=form, status=400)
    try:
        update_feed_settings(record, form.include_followups.data, form.language.data, form.reminder)
        db.session.commit()
    except PlannerError as error:
        db.session.rollback()
        form.add_error(error, default="language")
        return _calendars_page(settings_form=form, status=422)
    flash(_("The calendar settings were saved."), "success")
    return redirect(url_for("calendars.index"))


@bp.post("/feeds/<int:feed_id>/delete")
@login_required
def delete(feed_id: int):
    record = _managed_feed(feed_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    db.session.delete(record)
    db.session.commit()
    flash(_("The calendar link was removed; it no longer works."), "success")
    return redirect(url_for("calendars.index"))


def _office_markets() -> Sequence[Venue]:
    return db.session.scalars(
        sa.select(Venue)
        .where(
            Venue.office_id == current_user.office_id,
            Venue.kind == VenueKind.MARKET,
            Venue.active,
        )
        .options(selectinload(Venue.commune))
        .order_by(Venue.name)
    ).all()


def _uploaded(form: ImportForm) -> bytes:
    """The uploaded file's bytes, read one byte past the limit so the service can tell "too
    big"; the spooled temporary file is closed at once rather than at garbage collection."""
    if not form.file.data:
        return b""
    with form.file.data.stream as stream:
        return stream.read(MAX_IMPORT_BYTES + 1)


def _import(form: ImportForm) -> str:
    """Import the uploaded calendar as the form asks; returns what to tell the user."""
    raw = _uploaded(form)
    if form.what.data == "market_days":
        venues = import_market_days(current_user.office_id, raw, form.venue_id.data)
        return _("Market days were set for %(names)s.", names=", ".join(v.name for v in venues))
    filename = ((form.file.data and form.file.data.filename) or "").rsplit("/", 1)[-1]
    count = import_blocked_days(current_user.office_id, raw, filename)
    return ngettext(
        "%(num)d day without sessions was saved.",
        "%(num)d days without sessions were saved.",
        count,
    )


@bp.route("/import", methods=["GET", "POST"])
@supervisor_required
def import_calendar():
    markets = _office_markets()
    form = ImportForm(markets=markets)
    if request.method == "GET":
        form.what.data = "market_days"
    if form.validate_on_submit():
        try:
            message = _import(form)
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("calendars.import_calendar"))
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="file")
    return render_template(
        "calendars/import.html",
        form=form,
        markets=markets,
        blocked_days=office_blocked_days(current_user.office_id, today_local()),
        action_form=ActionForm(),
    ), (400 if request.method == "POST" else 200)


@bp.post("/blocked-days/<int:blocked_id>/delete")
@supervisor_required
def delete_blocked_day(blocked_id: int):
    record = get_owned_or_404(BlockedDay, blocked_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    db.session.delete(record)
    db.session.commit()
    flash(_("The day is open for sessions again."), "success")
    return redirect(url_for("calendars.import_calendar"))
