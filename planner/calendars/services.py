"""Calendar rules: who sees what in a feed, secret tokens, conditional answers and imports."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Component
from sqlalchemy.orm import selectinload

from planner.accounts.models import Team, User
from planner.calendars import ical
from planner.calendars.models import BlockedDay, CalendarFeed
from planner.enums import VenueKind
from planner.errors import PlannerError
from planner.extensions import db
from planner.places.models import Commune, Partner, Venue, Village
from planner.places.services import format_weekdays
from planner.sessions.models import OutreachSession, SessionSeries, session_facilitator
from planner.timezones import local_day_bounds, local_to_utc, today_local

# A feed shows the last 60 days and the next 365, so it stays small however old the office is.
WINDOW_PAST_DAYS = 60
WINDOW_FUTURE_DAYS = 365
FEED_LANGUAGES = ("vi", "en")
# Imports are small text files; anything bigger is not a calendar an office would make.
MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORTED_DAYS = 1000


# ---------------------------------------------------------------------------- tokens


def hash_token(token: str) -> str:
    """The sha256 of a feed token (256 random bits: no salt or slow hash needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh URL token and its hash."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed a token opens, or None; found by hash, then compared in constant time."""
    if not token or len(token) > 100:
        return None
    wanted = hash_token(token)
    feed = db.session.scalars(
        sa.select(CalendarFeed)
        .where(CalendarFeed.token_hash == wanted)
        .options(sa.orm.joinedload(CalendarFeed.user), sa.orm.joinedload(CalendarFeed.created_by))
    ).first()
    if feed is None or not hmac.compare_digest(feed.token_hash, wanted):
        return None
    if feed.kind == "officer" and (
        feed.user is None or not feed.user.active or feed.user.office_id != feed.office_id
    ):
        return None
    # A team or commune feed stops with the supervisor who shared it (deactivated or removed).
    owner = feed.created_by
    if owner is None or not owner.active or owner.office_id != feed.office_id:
        return None
    return feed


# ---------------------------------------------------------------------------- managing feeds


def create_feed(
    creator: User,
    kind: str,
    *,
    team_id: int | None = None,
    commune_id: int | None = None,
    include_followups: bool = False,
    language: str = "vi",
) -> tuple[CalendarFeed, str]:
    """A new feed and its token (shown once): officers get their own, supervisors team/commune."""
    if language not in FEED_LANGUAGES:
        raise PlannerError(_("Choose Vietnamese or English."), field="language")
    feed = CalendarFeed(
        office_id=creator.office_id,
        kind=kind,
        created_by_id=creator.id,
        include_followups=include_followups,
        language=language,
    )
    if kind == "officer":
        existing = db.session.scalars(
            sa.select(CalendarFeed).where(
                CalendarFeed.kind == "officer", CalendarFeed.user_id == creator.id
            )
        ).first()
        if existing is not None:
            raise PlannerError(
                _("You already have a calendar link. Get a new link to replace it."),
                code="exists",
            )
        feed.user_id = creator.id
    elif kind in ("team", "commune"):
        if not creator.is_supervisor:
            raise PlannerError(_("Only supervisors can share team or commune calendars."))
        if kind == "team":
            team = db.session.get(Team, team_id) if team_id else None
            if team is None or team.office_id != creator.office_id:
                raise PlannerError(_("Choose a team of your office."), field="team_id")
            feed.team_id = team.id
        else:
            commune = db.session.get(Commune, commune_id) if commune_id else None
            if commune is None or commune.office_id != creator.office_id:
                raise PlannerError(_("Choose a commune of your office."), field="commune_id")
            feed.commune_id = commune.id
        # Follow-ups belong to one officer; a shared calendar never carries them.
        feed.include_followups = False
    else:
        raise PlannerError(_("Choose what the calendar shows."), field="kind")
    token, feed.token_hash = new_token()
    db.session.add(feed)
    db.session.flush()
    return feed, token


def regenerate_token(feed: CalendarFeed) -> str:
    """Replace a feed's token: the old URL stops working at once."""
    token, feed.token_hash = new_token()
    feed.token_created_at = feed.updated_at = datetime.now(feed.created_at.tzinfo)
    db.session.flush()
    return token


def update_feed_settings(feed: CalendarFeed, include_followups: bool, language: str) -> None:
    """Change what a feed carries and in which language."""
    if language not in FEED_LANGUAGES:
        raise PlannerError(_("Choose Vietnamese or English."), field="language")
    feed.include_followups = include_followups if feed.kind == "officer" else False
    feed.language = language
    db.session.flush()


def may_manage(user: User, feed: CalendarFeed) -> bool:
    """An officer manages their own feed; a supervisor also the team and commune feeds."""
    if feed.office_id != user.office_id:
        return False
    if feed.kind == "officer":
        return feed.user_id == user.id
    return user.is_supervisor


def visible_feeds(user: User) -> list[CalendarFeed]:
    """The feeds listed on a user's "My calendars" page."""
    query = sa.select(CalendarFeed).where(CalendarFeed.office_id == user.office_id)
    if user.is_supervisor:
        query = query.where(sa.or_(CalendarFeed.kind != "officer", CalendarFeed.user_id == user.id))
    else:
        query = query.where(CalendarFeed.kind == "officer", CalendarFeed.user_id == user.id)
    return db.session.scalars(
        query.options(
            selectinload(CalendarFeed.team),
            selectinload(CalendarFeed.commune),
            selectinload(CalendarFeed.user),
        ).order_by(CalendarFeed.kind != "officer", CalendarFeed.id)
    ).all()


def feed_name(feed: CalendarFeed) -> str:
    """The calendar's name as a calendar app shows it, in the feed's language."""
    with force_locale(feed.language):
        if feed.kind == "officer":
            return _("Sessions of %(name)s", name=feed.user.full_name)
        if feed.kind == "team":
            return _("Sessions of team %(team)s", team=feed.team.name)
        return _("Sessions in %(commune)s", commune=feed.commune.display_name)


# ---------------------------------------------------------------------------- what a feed holds


def feed_window(today: date | None = None) -> tuple[date, date]:
    """The first and last local day a feed shows."""
    today = today or today_local()
    return today - timedelta(days=WINDOW_PAST_DAYS), today + timedelta(days=WINDOW_FUTURE_DAYS)


def officers_filter(officer_ids: Iterable[int] | sa.Select) -> sa.ColumnElement[bool]:
    """Sessions led or co-facilitated by any of these officers."""
    facilitating = sa.select(session_facilitator.c.session_id).where(
        session_facilitator.c.user_id.in_(officer_ids)
    )
    return sa.or_(
        OutreachSession.lead_officer_id.in_(officer_ids), OutreachSession.id.in_(facilitating)
    )


def _feed_filter(feed: CalendarFeed) -> sa.ColumnElement[bool]:
    scope = OutreachSession.office_id == feed.office_id
    if feed.kind == "officer":
        return sa.and_(scope, officers_filter([feed.user_id]))
    if feed.kind == "team":
        members = sa.select(User.id).where(
            User.team_id == feed.team_id, User.office_id == feed.office_id
        )
        return sa.and_(scope, officers_filter(members))
    return sa.and_(scope, OutreachSession.commune_id == feed.commune_id)


def _feed_condition(feed: CalendarFeed, first: date, last: date) -> sa.ColumnElement[bool]:
    """The feed's sessions in the window, plus every occurrence it may see of a series in it.

    A series is sent whole (at most a few hundred rows by the planning limits), so a cancelled
    or moved occurrence just outside the window is still right in the calendar app.
    """
    start, end = local_day_bounds(first, last)
    scope = _feed_filter(feed)
    in_window = sa.and_(OutreachSession.starts_at >= start, OutreachSession.starts_at < end)
    series_in_window = (
        sa.select(OutreachSession.series_id)
        .where(scope, in_window, OutreachSession.series_id.is_not(None))
        .distinct()
    )
    return sa.and_(
        scope, sa.or_(in_window, OutreachSession.series_id.in_(series_in_window.scalar_subquery()))
    )


SESSION_LOADS = (
    selectinload(OutreachSession.venue),
    selectinload(OutreachSession.commune),
    selectinload(OutreachSession.village),
    selectinload(OutreachSession.partner),
    selectinload(OutreachSession.lead_officer),
    selectinload(OutreachSession.facilitators),
    selectinload(OutreachSession.series),
)


@dataclass(frozen=True)
class Place:
    """A venue, village, commune or partner as a calendar names it."""

    name: str
    kind: object = None
    display_name: str = ""


@dataclass(frozen=True)
class Officer:
    id: int
    full_name: str


@dataclass
class SessionView:
    """The columns of a session a feed needs, read without the ORM's bookkeeping.

    It has the attribute names of OutreachSession that the calendar builder reads, so the
    builder serves both (a feed of 1,000 sessions loads several times faster this way).
    """

    id: int
    series_id: int | None
    occurrence_date: date | None
    detached: bool
    kind: object
    topic: object
    title: str
    starts_at: datetime
    ends_at: datetime
    status: object
    status_reason: str
    language: object
    interpreter_needed: bool
    expected_attendance: int
    updated_at: datetime
    sequence: int
    venue: Place | None
    commune: Place
    village: Place | None
    partner: Place | None
    officers: list[Officer]
    series: SessionSeries | None = None


def feed_sessions(feed: CalendarFeed, first: date, last: date) -> list[SessionView]:
    """Everything the feed shows, in three queries."""
    condition = _feed_condition(feed, first, last)
    lead = sa.orm.aliased(User)
    rows = db.session.execute(
        sa.select(
            OutreachSession.id,
            OutreachSession.series_id,
            OutreachSession.occurrence_date,
            OutreachSession.detached,
            OutreachSession.kind,
            OutreachSession.topic,
            OutreachSession.title,
            OutreachSession.starts_at,
            OutreachSession.ends_at,
            OutreachSession.status,
            OutreachSession.status_reason,
            OutreachSession.language,
            OutreachSession.interpreter_needed,
            OutreachSession.expected_attendance,
            OutreachSession.updated_at,
            OutreachSession.sequence,
            Venue.name,
            Commune.name,
            Commune.kind,
            Village.name,
            Village.kind,
            Partner.name,
            lead.id,
            lead.full_name,
        )
        .join(Commune, OutreachSession.commune_id == Commune.id)
        .join(lead, OutreachSession.lead_officer_id == lead.id)
        .outerjoin(Venue, OutreachSession.venue_id == Venue.id)
        .outerjoin(Village, OutreachSession.village_id == Village.id)
        .outerjoin(Partner, OutreachSession.partner_id == Partner.id)
        .where(condition)
        .order_by(OutreachSession.starts_at, OutreachSession.id)
    ).all()
    ids = sa.select(OutreachSession.id).where(condition).scalar_subquery()
    helpers: dict[int, list[Officer]] = {}
    for session_id, user_id, full_name in db.session.execute(
        sa.select(session_facilitator.c.session_id, User.id, User.full_name)
        .join(User, User.id == session_facilitator.c.user_id)
        .where(session_facilitator.c.session_id.in_(ids))
        .order_by(User.full_name)
    ):
        helpers.setdefault(session_id, []).append(Officer(user_id, full_name))
    series = {
        s.id: s
        for s in db.session.scalars(
            sa.select(SessionSeries).where(
                SessionSeries.id.in_(
                    sa.select(OutreachSession.series_id).where(condition).scalar_subquery()
                )
            )
        )
    }
    villages: dict[tuple, Place] = {}
    views = []
    for row in rows:
        (
            *columns,
            venue_name,
            commune_name,
            commune_kind,
            village_name,
            village_kind,
            partner_name,
            lead_id,
            lead_name,
        ) = row
        village = None
        if village_name is not None:
            village = villages.get((village_name, village_kind))
            if village is None:
                # Reuse the model's own wording ("Thôn", "Bản", "Tổ dân phố").
                shown = Village.display_name.fget(Place(village_name, village_kind))
                village = villages[(village_name, village_kind)] = Place(
                    village_name, village_kind, shown
                )
        view = SessionView(
            *columns,
            venue=Place(venue_name) if venue_name is not None else None,
            commune=Place(commune_name, commune_kind),
            village=village,
            partner=Place(partner_name) if partner_name is not None else None,
            officers=[
                Officer(lead_id, lead_name),
                *(o for o in helpers.get(columns[0], []) if o.id != lead_id),
            ],
        )
        view.series = series.get(view.series_id)
        views.append(view)
    return views


@dataclass
class FeedSource:
    """Something besides sessions that a feed can carry (follow-ups, for instance).

    `components(feed, first, last)` gives the iCalendar components; `fingerprint(feed, first,
    last)` a short string that changes whenever they would, so 304 answers stay right.
    `wanted(feed)` says whether this feed carries them at all.
    """

    name: str
    components: Callable[[CalendarFeed, date, date], Iterable[Component]]
    fingerprint: Callable[[CalendarFeed, date, date], str]
    wanted: Callable[[CalendarFeed], bool] = lambda feed: True


# Other domains append to this list (the integrator wires follow-ups here).
FEED_SOURCES: list[FeedSource] = []


def _sources(feed: CalendarFeed) -> list[FeedSource]:
    return [s for s in FEED_SOURCES if s.wanted(feed)]


@dataclass(frozen=True)
class FeedVersion:
    """What identifies one state of a feed, worked out without building it."""

    etag: str
    last_modified: datetime


def feed_version(feed: CalendarFeed, today: date | None = None) -> FeedVersion:
    """The feed's ETag and Last-Modified from one aggregate query (for fast 304 answers)."""
    today = today or today_local()
    first, last = feed_window(today)
    condition = _feed_condition(feed, first, last)
    # One query: the series columns come through an outer join, so their sums are weighted by
    # the number of occurrences, which still changes whenever any of them changes.
    row = db.session.execute(
        sa.select(
            sa.func.count(OutreachSession.id),
            sa.func.max(OutreachSession.updated_at),
            sa.func.coalesce(sa.func.sum(OutreachSession.version), 0),
            sa.func.coalesce(sa.func.sum(OutreachSession.sequence), 0),
            sa.func.max(SessionSeries.updated_at),
            sa.func.coalesce(sa.func.sum(SessionSeries.sequence), 0),
            # A renamed venue, village, commune or partner changes LOCATION or DESCRIPTION.
            sa.func.max(Venue.updated_at),
            sa.func.max(Village.updated_at),
            sa.func.max(Commune.updated_at),
            sa.func.max(Partner.updated_at),
        )
        .select_from(OutreachSession)
        .outerjoin(SessionSeries, OutreachSession.series_id == SessionSeries.id)
        .outerjoin(Venue, OutreachSession.venue_id == Venue.id)
        .outerjoin(Village, OutreachSession.village_id == Village.id)
        .join(Commune, OutreachSession.commune_id == Commune.id)
        .outerjoin(Partner, OutreachSession.partner_id == Partner.id)
        .where(condition)
    ).one()
    count, latest, versions, sequences, series_latest, series_sequences = row[:6]
    places = [m for m in row[6:] if m is not None]
    extra = [f"{s.name}:{s.fingerprint(feed, first, last)}" for s in _sources(feed)]
    moments = [m for m in (latest, series_latest, feed.updated_at) if m is not None] + places
    # The window moves every day, so a new day is a new version too.
    moments.append(local_to_utc(today, time.min))
    key = "|".join(
        str(part)
        for part in (
            feed.id,
            feed.token_hash,
            feed.language,
            feed.include_followups,
            today.isoformat(),
            count,
            latest.isoformat() if latest else "",
            versions,
            sequences,
            series_latest.isoformat() if series_latest else "",
            series_sequences,
            *(m.isoformat() for m in places),
            *extra,
        )
    )
    return FeedVersion(
        etag=hashlib.sha256(key.encode()).hexdigest()[:32],
        last_modified=max(moments).replace(microsecond=0),
    )


# The last bodies served, by feed and ETag: calendar apps that ignore ETags (many poll with
# plain GETs) get the same bytes without a rebuild, and one ETag always means one body.
FEED_BODIES = ical.BoundedCache(32)


def feed_body(feed: CalendarFeed, version: FeedVersion, today: date | None = None) -> bytes:
    """The feed's calendar file for this version, built only if it is not cached."""
    key = (feed.id, version.etag)
    body = FEED_BODIES.get(key)
    if body is None:
        body = build_feed(feed, today)
        FEED_BODIES.put(key, body)
    return body


def clear_caches() -> None:
    """Forget cached feed bodies and serialised events (for benchmarks and tests)."""
    FEED_BODIES.clear()
    ical.clear_cache()


def build_feed(feed: CalendarFeed, today: date | None = None) -> bytes:
    """The feed's calendar file, in the feed's language."""
    first, last = feed_window(today)
    sessions = feed_sessions(feed, first, last)
    with force_locale(feed.language):
        extra: list[Component] = []
        for source in _sources(feed):
            extra.extend(source.components(feed, first, last))
        return ical.feed_ics(sessions, feed_name(feed), extra)


# ---------------------------------------------------------------------------- downloads


def week_officer_ids(user: User, scope: str) -> set[int] | None:
    """Whose sessions the week view shows for a scope (None: everyone's)."""
    if scope == "me":
        return {user.id}
    if scope == "team":
        if user.team_id is None:
            return {user.id}
        return set(
            db.session.scalars(
                sa.select(User.id).where(
                    User.team_id == user.team_id, User.office_id == user.office_id
                )
            )
        )
    return None


# ---------------------------------------------------------------------------- imports


@dataclass
class MarketSchedule:
    """Market days read from one event of an imported calendar."""

    name: str
    weekdays: set[int] = field(default_factory=set)
    cycle_days: int | None = None
    anchor: date | None = None


def _fold(text: str) -> str:
    """Lower case without diacritics, for matching names written slightly differently."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


def parse_calendar_file(raw: bytes) -> Calendar:
    """An uploaded file as a calendar with events, or a PlannerError saying what is wrong."""
    if not raw:
        raise PlannerError(_("Choose a calendar file (.ics) to import."), field="file")
    if len(raw) > MAX_IMPORT_BYTES:
        raise PlannerError(
            _("The file is too large: a calendar to import is at most 1 MB."), field="file"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlannerError(_("This file is not an iCalendar (.ics) file."), field="file") from None
    if "BEGIN:VCALENDAR" not in text[:2000].upper():
        raise PlannerError(_("This file is not an iCalendar (.ics) file."), field="file")
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError, TypeError):
        raise PlannerError(
            _("This calendar file is damaged and cannot be read."), field="file"
        ) from None
    if isinstance(calendar, list):
        calendar = calendar[0]
    if not calendar.walk("VEVENT"):
        raise PlannerError(_("The calendar has no events to import."), field="file")
    return calendar


def _event_start(event: Component) -> date | None:
    try:
        start = event.decoded("DTSTART")
    except (KeyError, ValueError, TypeError):
        return None
    if isinstance(start, datetime):
        return start.astimezone(ical.LOCAL_TZ).date() if start.tzinfo else start.date()
    return start if isinstance(start, date) else None


def _event_name(event: Component) -> str:
    return ical.clean(str(event.get("SUMMARY", ""))).strip()[:200]


def read_market_schedules(calendar: Calendar) -> list[MarketSchedule]:
    """The weekly or every-N-days rule of each event in a market-day calendar."""
    schedules: list[MarketSchedule] = []
    for event in calendar.walk("VEVENT"):
        name = _event_name(event) or _("(no name)")
        start = _event_start(event)
        if start is None:
            raise PlannerError(_("The event “%(name)s” has no date.", name=name), field="file")
        rules = event.get("RRULE")
        rule = rules[0] if isinstance(rules, list) else rules
        if rule is None:
            raise PlannerError(
                _("The event “%(name)s” does not repeat, so it gives no market days.", name=name),
                field="file",
            )
        frequency = (rule.get("FREQ") or [""])[0]
        interval = int((rule.get("INTERVAL") or [1])[0])
        schedule = MarketSchedule(name=name)
        if frequency == "WEEKLY" and interval == 1:
            byday = rule.get("BYDAY") or [ical.ICAL_WEEKDAYS[start.weekday()]]
            try:
                schedule.weekdays = {ical.ICAL_WEEKDAYS.index(str(d)[-2:]) for d in byday}
            except ValueError:
                raise PlannerError(
                    _("The event “%(name)s” repeats on days that cannot be read.", name=name),
                    field="file",
                ) from None
        elif frequency == "DAILY" and 2 <= interval <= 60:
            schedule.cycle_days, schedule.anchor = interval, start
        elif frequency == "DAILY" and interval == 1:
            schedule.weekdays = set(range(7))
        else:
            raise PlannerError(
                _(
                    "The event “%(name)s” must repeat every week on fixed days or every 2 to 60"
                    " days.",
                    name=name,
                ),
                field="file",
            )
        schedules.append(schedule)
    return schedules


def match_market(office_id: int, name: str) -> Venue | None:
    """The office's market whose name matches an event's name (ignoring case and accents)."""
    wanted = _fold(name)
    markets = db.session.scalars(
        sa.select(Venue).where(
            Venue.office_id == office_id, Venue.kind == VenueKind.MARKET, Venue.active
        )
    ).all()
    exact = [v for v in markets if _fold(v.name) == wanted]
    if len(exact) == 1:
        return exact[0]
    partial = [v for v in markets if _fold(v.name) in wanted or wanted in _fold(v.name)]
    return partial[0] if len(partial) == 1 else None


def import_market_days(office_id: int, raw: bytes, venue_id: int | None = None) -> list[Venue]:
    """Set markets' days from a calendar; every event must find its market, or nothing changes."""
    schedules = read_market_schedules(parse_calendar_file(raw))
    chosen = None
    if venue_id:
        chosen = db.session.get(Venue, venue_id)
        if chosen is None or chosen.office_id != office_id or chosen.kind != VenueKind.MARKET:
            raise PlannerError(_("Choose a market of your office."), field="venue_id")
    plan: dict[int, tuple[Venue, set[int], int | None, date | None]] = {}
    unmatched = []
    for schedule in schedules:
        venue = chosen or match_market(office_id, schedule.name)
        if venue is None:
            unmatched.append(schedule.name)
            continue
        _venue, weekdays, cycle, anchor = plan.get(venue.id, (venue, set(), None, None))
        weekdays |= schedule.weekdays
        if schedule.cycle_days:
            if cycle and (cycle, anchor) != (schedule.cycle_days, schedule.anchor):
                raise PlannerError(
                    _("%(venue)s gets two different market cycles.", venue=venue.name),
                    field="file",
                )
            cycle, anchor = schedule.cycle_days, schedule.anchor
        plan[venue.id] = (venue, weekdays, cycle, anchor)
    if unmatched:
        raise PlannerError(
            _(
                "No market of your office matches: %(names)s. Choose the market to update,"
                " or rename the event or the market.",
                names=", ".join(f"“{n}”" for n in unmatched),
            ),
            field="venue_id",
        )
    for venue, weekdays, cycle, anchor in plan.values():
        venue.market_weekdays = format_weekdays(weekdays)
        venue.market_cycle_days = cycle
        venue.market_anchor_date = anchor
    db.session.flush()
    return [v for v, *_rest in plan.values()]


def _event_days(event: Component, name: str) -> list[date]:
    """Every day an event covers: its span (DTEND exclusive) and its repeats, within limits."""
    start = _event_start(event)
    if start is None:
        raise PlannerError(_("The event “%(name)s” has no date.", name=name), field="file")
    try:
        end_value = event.decoded("DTEND") if "DTEND" in event else None
    except (ValueError, TypeError):
        end_value = None
    span = 1
    if isinstance(end_value, datetime):
        end_day = end_value.astimezone(ical.LOCAL_TZ).date() if end_value.tzinfo else end_value
        end_day = end_day.date() if isinstance(end_day, datetime) else end_day
        span = max(1, (end_day - start).days + (1 if end_value.time() != time.min else 0))
    elif isinstance(end_value, date):
        span = max(1, (end_value - start).days)
    starts = [start]
    if "RRULE" in event:
        from dateutil.rrule import rrulestr

        rule = event["RRULE"][0] if isinstance(event["RRULE"], list) else event["RRULE"]
        horizon = datetime.combine(start + timedelta(days=3 * 366), time.min)
        try:
            rrule = rrulestr(rule.to_ical().decode(), dtstart=datetime.combine(start, time.min))
        except (ValueError, TypeError):
            raise PlannerError(
                _("The event “%(name)s” repeats in a way that cannot be read.", name=name),
                field="file",
            ) from None
        starts = [
            d.date()
            for d in rrule.between(datetime.combine(start, time.min), horizon, inc=True)[
                :MAX_IMPORTED_DAYS
            ]
        ]
    days = []
    for first in starts:
        days.extend(first + timedelta(days=i) for i in range(min(span, 60)))
    return days


def read_blocked_days(calendar: Calendar) -> dict[date, str]:
    """The named days of a holiday calendar."""
    days: dict[date, str] = {}
    for event in calendar.walk("VEVENT"):
        name = _event_name(event) or _("Blocked day")
        for day in _event_days(event, name):
            days.setdefault(day, name)
            if len(days) > MAX_IMPORTED_DAYS:
                raise PlannerError(
                    _(
                        "The calendar has more than %(n)s days; import a shorter one.",
                        n=MAX_IMPORTED_DAYS,
                    ),
                    field="file",
                )
    return days


def import_blocked_days(office_id: int, raw: bytes, source: str) -> int:
    """Save the days of a holiday calendar as blocked days; a day already blocked is renamed."""
    days = read_blocked_days(parse_calendar_file(raw))
    existing = {
        b.day: b
        for b in db.session.scalars(
            sa.select(BlockedDay).where(
                BlockedDay.office_id == office_id, BlockedDay.day.in_(list(days))
            )
        )
    }
    source = ical.clean(source)[:200]
    for day, name in days.items():
        if day in existing:
            existing[day].name, existing[day].source = name, source
        else:
            db.session.add(BlockedDay(office_id=office_id, day=day, name=name, source=source))
    db.session.flush()
    return len(days)


def blocked_day_name(office_id: int, day: date) -> str | None:
    """The name of the office's blocked day on `day`, or None (for the clash warnings)."""
    return db.session.scalar(
        sa.select(BlockedDay.name).where(BlockedDay.office_id == office_id, BlockedDay.day == day)
    )


def office_blocked_days(office_id: int, since: date) -> list[BlockedDay]:
    """The office's blocked days from `since` on."""
    return db.session.scalars(
        sa.select(BlockedDay)
        .where(BlockedDay.office_id == office_id, BlockedDay.day >= since)
        .order_by(BlockedDay.day)
    ).all()
