"""Targets and campaigns: saving them, their progress, and the pace the rest of the period needs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from planner.accounts.models import User
from planner.enums import SessionStatus
from planner.errors import PlannerError
from planner.extensions import db
from planner.places.models import Commune
from planner.results.comparisons import Dimension, Row, breakdown
from planner.results.figures import reach_query, reached_people
from planner.results.models import Campaign, Target, TargetMetric
from planner.results.periods import Period, ResultsFilter, checked_days
from planner.sessions.models import OutreachSession
from planner.timezones import local_day_bounds, now_utc, today_local

MAX_TARGET = 10_000_000


# --- Pace --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    """Where a target stands on `today`.

    elapsed_days counts the period's days up to and including today; days_left counts today
    and the days after it (today can still add to the count). `needed_per_week` is what the
    remaining days need, per 7 days; `projected` is the count at the period's end if the rate so
    far (actual / elapsed_days) goes on. on_track is None before the period starts.
    """

    value: int
    actual: int
    remaining: int
    elapsed_days: int
    days_left: int
    needed_per_week: float | None
    projected: int
    on_track: bool | None

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.actual / self.value)) if self.value else 100


def pace(value: int, actual: int, first: date, last: date, today: date) -> Pace:
    """The pace arithmetic for a target of `value` between `first` and `last`."""
    total = (last - first).days + 1
    remaining = max(0, value - actual)
    if today < first:
        elapsed, left = 0, total
    elif today > last:
        elapsed, left = total, 0
    else:
        elapsed, left = (today - first).days + 1, (last - today).days + 1
    # None once the period is over: nothing can still be done.
    needed = remaining * 7 / left if left else None
    if elapsed == 0:
        projected, on_track = actual, (True if remaining == 0 else None)
    else:
        # Today is half done: the rate so far carries over the days after today.
        projected = round(actual + actual / elapsed * (left - 1 if left else 0))
        on_track = projected >= value
    return Pace(value, actual, remaining, elapsed, left, needed, projected, on_track)


# --- Saving ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetInput:
    metric: TargetMetric | str
    value: int | None
    first_day: date | None
    last_day: date | None
    commune_id: int | None = None
    officer_id: int | None = None
    campaign_id: int | None = None


def _check_days(first: date | None, last: date | None) -> None:
    checked_days(first, last, ("first_day", "last_day"))


def _office_commune(office_id: int, commune_id: int | None) -> int | None:
    if not commune_id:
        return None
    found = db.session.scalar(
        sa.select(Commune.id).where(Commune.id == commune_id, Commune.office_id == office_id)
    )
    if found is None:
        raise PlannerError(
            _("Choose a commune of your office."), code="not_found", field="commune_id"
        )
    return found


def _office_officer(office_id: int, officer_id: int | None) -> int | None:
    if not officer_id:
        return None
    found = db.session.scalar(
        sa.select(User.id).where(User.id == officer_id, User.office_id == office_id)
    )
    if found is None:
        raise PlannerError(
            _("Choose an officer of your office."), code="not_found", field="officer_id"
        )
    return found


def office_campaign(office_id: int, campaign_id: int | None) -> Campaign | None:
    if not campaign_id:
        return None
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.office_id != office_id:
        raise PlannerError(_("This campaign does not exist."), code="not_found")
    return campaign


def save_target(office_id: int, entered: TargetInput, by: User) -> Target:
    """Set (or replace) the target of one metric for one scope and period; PlannerError if bad.

    A target for the same metric, scope and days is replaced, so setting it twice keeps one.
    """
    try:
        metric = TargetMetric(entered.metric)
    except ValueError:
        raise PlannerError(_("Choose what the target counts."), field="metric") from None
    if entered.value is None or entered.value < 0:
        raise PlannerError(_("A target is a whole number, zero or more."), field="value")
    if entered.value > MAX_TARGET:
        raise PlannerError(_("This target is too large."), field="value")
    campaign = office_campaign(office_id, entered.campaign_id)
    first, last = (
        (campaign.first_day, campaign.last_day)
        if campaign
        else (entered.first_day, entered.last_day)
    )
    _check_days(first, last)
    commune_id = _office_commune(office_id, entered.commune_id)
    officer_id = _office_officer(office_id, entered.officer_id)
    if commune_id and officer_id:
        raise PlannerError(
            _("A target is for the office, one commune or one officer, not both."),
            field="officer_id",
        )
    target = db.session.scalar(
        sa.select(Target).where(
            Target.office_id == office_id,
            Target.metric == metric,
            Target.first_day == first,
            Target.last_day == last,
            Target.campaign_id.is_(None) if campaign is None else Target.campaign_id == campaign.id,
            Target.commune_id.is_(None) if commune_id is None else Target.commune_id == commune_id,
            Target.officer_id.is_(None) if officer_id is None else Target.officer_id == officer_id,
        )
    )
    if target is None:
        target = Target(
            office_id=office_id,
            campaign_id=campaign.id if campaign else None,
            commune_id=commune_id,
            officer_id=officer_id,
            metric=metric,
            first_day=first,
            last_day=last,
            created_by_id=by.id,
        )
        db.session.add(target)
    target.value = entered.value
    db.session.flush()
    return target


def delete_target(office_id: int, target_id: int) -> None:
    target = db.session.get(Target, target_id)
    if target is None or target.office_id != office_id:
        raise PlannerError(_("This target does not exist."), code="not_found")
    db.session.delete(target)
    db.session.flush()


def save_campaign(
    office_id: int, name: str, first: date | None, last: date | None, by: User
) -> Campaign:
    name = (name or "").strip()
    if not name:
        raise PlannerError(_("Give the campaign a name."), field="name")
    _check_days(first, last)
    campaign = Campaign(
        office_id=office_id, name=name[:200], first_day=first, last_day=last, created_by_id=by.id
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def office_campaigns(office_id: int) -> list[Campaign]:
    return list(
        db.session.scalars(
            sa.select(Campaign)
            .where(Campaign.office_id == office_id)
            .order_by(Campaign.first_day.desc(), Campaign.id.desc())
        )
    )


# --- Progress ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    target: Target
    pace: Pace
    planned_left: int  # sessions still planned from now to the period's end, in the scope


def _actual(metric: TargetMetric, row: Row | None) -> int:
    if row is None:
        return 0
    return {
        TargetMetric.ENROLLED_VOLUNTARY_SI: row.enrolled_vsi,
        TargetMetric.ENROLLED_HOUSEHOLD_HI: row.enrolled_hhi,
        TargetMetric.REACHED: row.reached,
        TargetMetric.SESSIONS_HELD: row.sessions_held,
    }[metric]


def targets_in(
    office_id: int,
    period: Period,
    officer_ids: frozenset[int] | None = None,
    commune_id: int | None = None,
    campaign_id: int | None = None,
) -> list[Target]:
    """Targets whose days overlap the period, narrowed like the dashboard's scope."""
    query = (
        sa.select(Target)
        .where(
            Target.office_id == office_id,
            Target.first_day <= period.last,
            Target.last_day >= period.first,
        )
        .options(
            selectinload(Target.commune),
            selectinload(Target.officer),
            selectinload(Target.campaign),
        )
        .order_by(Target.first_day, Target.campaign_id, Target.metric, Target.id)
    )
    if campaign_id is not None:
        query = query.where(Target.campaign_id == campaign_id)
    if commune_id is not None:
        query = query.where(Target.commune_id == commune_id)
    if officer_ids is not None:
        query = query.where(Target.officer_id.in_(officer_ids))
    return list(db.session.scalars(query))


def progress(targets: list[Target], today: date | None = None) -> list[Progress]:
    """Each target's count and pace, with a fixed number of grouped queries per distinct
    period among the targets (not one per target)."""
    today = today or today_local()
    by_period: dict[tuple[int, date, date], list[Target]] = defaultdict(list)
    for target in targets:
        by_period[(target.office_id, target.first_day, target.last_day)].append(target)
    results: dict[int, Progress] = {}
    for (office_id, first, last), group in by_period.items():
        period = Period(first, last)
        office = ResultsFilter(office_id, None, None, period)
        tables: dict[str, dict[object, Row]] = {}
        planned: dict[str, dict[object, int]] = {}
        for scope, dimension in (("commune", Dimension.COMMUNE), ("officer", Dimension.OFFICER)):
            if any(getattr(t, f"{scope}_id") for t in group):
                tables[scope] = {r.key: r for r in breakdown(office, dimension).rows}
                planned[scope] = _planned_left(
                    office, last, getattr(OutreachSession, _COLUMN[scope])
                )
        if any(not t.commune_id and not t.officer_id for t in group):
            rows = breakdown(office, Dimension.KIND).rows
            tables["office"] = {
                None: Row(
                    None,
                    "",
                    sessions_held=sum(r.sessions_held for r in rows),
                    reached=_office_reached(office),
                    enrolled_vsi=sum(r.enrolled_vsi for r in rows),
                    enrolled_hhi=sum(r.enrolled_hhi for r in rows),
                )
            }
            planned["office"] = {None: sum(_planned_left(office, last, None).values())}
        for target in group:
            scope, key = (
                ("commune", target.commune_id)
                if target.commune_id
                else ("officer", target.officer_id)
                if target.officer_id
                else ("office", None)
            )
            actual = _actual(target.metric, tables[scope].get(key))
            results[target.id] = Progress(
                target,
                pace(target.value, actual, first, last, today),
                planned[scope].get(key, 0),
            )
    return [results[t.id] for t in targets]


_COLUMN = {"commune": "commune_id", "officer": "lead_officer_id"}


def _office_reached(f: ResultsFilter) -> int:
    return db.session.scalar(reach_query(f, reached_people()))


def _planned_left(f: ResultsFilter, last: date, column) -> dict[object, int]:
    """Sessions still planned from now to the end of `last`, grouped by `column` (or one total)."""
    end = local_day_bounds(last, last)[1]
    columns = [column] if column is not None else []
    query = sa.select(*columns, sa.func.count()).where(
        OutreachSession.office_id == f.office_id,
        OutreachSession.status == SessionStatus.PLANNED,
        OutreachSession.starts_at >= now_utc(),
        OutreachSession.starts_at < end,
    )
    if column is None:
        return {None: db.session.scalar(query) or 0}
    return {row[0]: row[1] for row in db.session.execute(query.group_by(column))}
