"""Calendar feeds: who sees what in a feed, secret tokens and conditional answers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from planner.accounts.models import Team, User
from planner.calendars import ical
from planner.calendars.models import CalendarFeed, FeedKind
from planner.errors import PlannerError
from planner.extensions import db
from planner.places.models import Commune, Partner, Venue, Village, village_display_name
from planner.scope import Scope, ScopeKind
from planner.sessions.models import OutreachSession, SessionSeries, session_facilitator
from planner.sessions.week import in_scope, sessions_in_scope
from planner.timezones import local_day_bounds, local_to_utc, today_local

# A feed shows the last 60 days and the next 365, so it stays small however old the office is.
WINDOW_PAST_DAYS = 60
WINDOW_FUTURE_DAYS = 365
FEED_LANGUAGES = ("vi", "en")


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
    if feed.kind == FeedKind.OFFICER and (
        feed.user is None or not feed.user.active or feed.user.office_id != feed.office_id
    ):
        return None
    # A team or commune feed stops with the supervisor who shared it (deactivated or removed).
    owner = feed.created_by
    if owner is None or not owner.active or owner.office_id != feed.office_id:
        return None
    return feed


# ---------------------------------------------------------------------------- managing feeds

# The reminders an officer may ask for, in minutes before a session (a day at most: a phone
# that rings a week ahead is noise).
REMINDER_MINUTES = (15, 30, 60, 120, 1440)


def _check_reminder(reminder_minutes: int | None) -> None:
    if reminder_minutes is not None and reminder_minutes not in REMINDER_MINUTES:
        raise PlannerError(_("Choose one of the reminders offered."), field="reminder_minutes")


def create_feed(
    creator: User,
    kind: FeedKind | str,
    *,
    team_id: int | None = None,
    commune_id: int | None = None,
    include_followups: bool = False,
    language: str = "vi",
    reminder_minutes: int | None = None,
) -> tuple[CalendarFeed, str]:
    """A new feed and its token (shown once): officers get their own, supervisors team/commune."""
    _check_reminder(reminder_minutes)
    try:
        kind = FeedKind(kind)
    except ValueError:
        raise PlannerError(_("Choose what the calendar shows."), field="kind") from None
    if language not in FEED_LANGUAGES:
        raise PlannerError(_("Choose Vietnamese or English."), field="language")
    feed = CalendarFeed(
        office_id=creator.office_id,
        kind=kind,
        created_by_id=creator.id,
        include_followups=include_followups,
        language=language,
        reminder_minutes=reminder_minutes,
    )
    if kind == FeedKind.OFFICER:
        existing = db.session.scalars(
            sa.select(CalendarFeed).where(
                CalendarFeed.kind == FeedKind.OFFICER, CalendarFeed.user_id == creator.id
            )
        ).first()
        if existing is not None:
            raise PlannerError(
                _("You already have a calendar link. Get a new link to replace it."),
                code="exists",
            )
        feed.user_id = creator.id
    elif kind in (FeedKind.TEAM, FeedKind.COMMUNE):
        if not creator.is_supervisor:
            raise PlannerError(_("Only supervisors can share team or commune calendars."))
        if kind == FeedKind.TEAM:
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


def update_feed_settings(
    feed: CalendarFeed, include_followups: bool, language: str, reminder_minutes: int | None = None
) -> None:
    """Change what a feed carries, in which language, and the reminder before each session.

    `reminder_minutes` is one of `REMINDER_MINUTES` or None (no reminder, the default); any other
    value raises PlannerError on the field `reminder_minutes`.
    """
    if language not in FEED_LANGUAGES:
        raise PlannerError(_("Choose Vietnamese or English."), field="language")
    _check_reminder(reminder_minutes)
    feed.include_followups = include_followups if feed.kind == FeedKind.OFFICER else False
    feed.language = language
    feed.reminder_minutes = reminder_minutes
    db.session.flush()


def may_manage(user: User, feed: CalendarFeed) -> bool:
    """An officer manages their own feed; a supervisor also the team and commune feeds."""
    if feed.office_id != user.office_id:
        return False
    if feed.kind == FeedKind.OFFICER:
        return feed.user_id == user.id
    return user.is_supervisor


def visible_feeds(user: User) -> Sequence[CalendarFeed]:
    """The feeds listed on a user's "My calendars" page."""
    query = sa.select(CalendarFeed).where(CalendarFeed.office_id == user.office_id)
    if user.is_supervisor:
        query = query.where(
            sa.or_(CalendarFeed.kind != FeedKind.OFFICER, CalendarFeed.user_id == user.id)
        )
    else:
        query = query.where(CalendarFeed.kind == FeedKind.OFFICER, CalendarFeed.user_id == user.id)
    return db.session.scalars(
        query.options(
            selectinload(CalendarFeed.team),
            selectinload(CalendarFeed.commune),
            selectinload(CalendarFeed.user),
        ).order_by(CalendarFeed.kind != FeedKind.OFFICER, CalendarFeed.id)
    ).all()


def feed_name(feed: CalendarFeed) -> str:
    """The calendar's name as a calendar app shows it, in the feed's language."""
    with force_locale(feed.language):
        if feed.kind == FeedKind.OFFICER and feed.user is not None:
            return _("Sessions of %(name)s", name=feed.user.full_name)
        if feed.kind == FeedKind.TEAM and feed.team is not None:
            return _("Sessions of team %(team)s", team=feed.team.name)
        if feed.kind == FeedKind.COMMUNE and feed.commune is not None:
            return _("Sessions in %(commune)s", commune=feed.commune.display_name)
    # A feed's officer, team or commune takes the feed with it when deleted (ON DELETE CASCADE).
    raise ValueError(f"calendar feed {feed.id} has no {feed.kind.value}")


# ---------------------------------------------------------------------------- what a feed holds


def feed_window(today: date | None = None) -> tuple[date, date]:
    """The first and last local day a feed shows."""
    today = today or today_local()
    return today - timedelta(days=WINDOW_PAST_DAYS), today + timedelta(days=WINDOW_FUTURE_DAYS)


def feed_scope(feed: CalendarFeed) -> Scope:
    """Whose sessions a feed holds: one officer's, a team's or a commune's."""
    if feed.kind == FeedKind.OFFICER:
        if feed.user_id is None:  # deleting the officer deletes the feed (ON DELETE CASCADE)
            raise ValueError(f"calendar feed {feed.id} has no officer")
        return Scope(ScopeKind.OFFICER, feed.office_id, officer_ids=frozenset({feed.user_id}))
    if feed.kind == FeedKind.TEAM:
        return Scope(ScopeKind.TEAM, feed.office_id, team_id=feed.team_id)
    return Scope(ScopeKind.COMMUNE, feed.office_id, commune_id=feed.commune_id)


def _feed_filter(feed: CalendarFeed) -> sa.ColumnElement[bool]:
    return in_scope(feed_scope(feed))


def _feed_condition(feed: CalendarFeed, first: date, last: date) -> sa.ColumnElement[bool]:
    """The feed's sessions in the window, plus every occurrence it may see of a series in it.

    A series is sent whole (at most a few hundred rows by the planning limits), so a cancelled
    or moved occurrence just outside the window is still right in the calendar app.
    """
    start, end = local_day_bounds(first, last)
    # The sessions the feed may show at all, found once: PostgreSQL and SQLite compute a CTE
    # used three times only once, where each of the three parts below searched the office's
    # sessions again (a quarter of PostgreSQL's time for an officer's feed in a nation).
    scoped = sessions_in_scope(
        feed_scope(feed), OutreachSession.id, OutreachSession.series_id, OutreachSession.starts_at
    ).cte("feed_scope")
    in_window = sa.and_(scoped.c.starts_at >= start, scoped.c.starts_at < end)
    series_in_window = sa.select(scoped.c.series_id).where(
        in_window, scoped.c.series_id.is_not(None)
    )
    # Two branches joined by UNION rather than one OR, which made the database read every
    # session instead.
    in_feed = sa.union(
        sa.select(scoped.c.id).where(in_window),
        sa.select(scoped.c.id).where(scoped.c.series_id.in_(series_in_window)),
    )
    return OutreachSession.id.in_(in_feed)


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
    _: KW_ONLY  # the ORM's columns above come positionally, these by name
    venue: Place | None
    commune: Place
    village: Place | None
    partner: Place | None
    officers: list[Officer]
    series: SessionSeries | None = None


def feed_sessions(feed: CalendarFeed, first: date, last: date) -> list[SessionView]:
    """Everything the feed shows, in three queries at most (fewer without series or rows)."""
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
    # The co-facilitators and series of the rows in hand, by their ids: asking again with the
    # feed's condition made the database find the feed's sessions three times over.
    helpers: dict[int, list[Officer]] = {}
    if rows:
        for session_id, user_id, full_name in db.session.execute(
            sa.select(session_facilitator.c.session_id, User.id, User.full_name)
            .join(User, User.id == session_facilitator.c.user_id)
            .where(session_facilitator.c.session_id.in_([row[0] for row in rows]))
            .order_by(User.full_name)
        ):
            helpers.setdefault(session_id, []).append(Officer(user_id, full_name))
    series_ids = sorted({row[1] for row in rows if row[1] is not None})
    series: dict[int | None, SessionSeries] = {}
    if series_ids:
        series = {
            s.id: s
            for s in db.session.scalars(
                sa.select(SessionSeries).where(SessionSeries.id.in_(series_ids))
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
                shown = village_display_name(village_name, village_kind)
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

    `components(feed, first, last)` gives the iCalendar components, or each already written as
    bytes (`ical.write_lines`); `fingerprint(feed, first, last)` a short string that changes
    whenever they would, so 304 answers stay right. `wanted(feed)` says whether this feed carries
    them at all.
    """

    name: str
    components: Callable[[CalendarFeed, date, date], Iterable[ical.Extra]]
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
            feed.reminder_minutes,
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
        extra: list[ical.Extra] = []
        for source in _sources(feed):
            extra.extend(source.components(feed, first, last))
        # A SessionView has every attribute of OutreachSession that the builder reads.
        return ical.feed_ics(
            cast(list[OutreachSession], sessions),
            feed_name(feed),
            extra,
            reminder_minutes=feed.reminder_minutes,
        )
