"""Results pages: the dashboard, the lists behind each figure, comparisons, where to go next."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from planner.enums import SessionKind
from planner.followups.models import Product
from planner.results import (
    bp,
    charts,
    comparisons,
    coverage,
    exports,
    figures,
    ranking,
    records,
    tables,
    targets,
)
from planner.results.periods import ResultsFilter, period_name
from planner.results.routes.filters import (
    filter_context,
    named_or_404,
    narrowing,
    resolve_filter,
)
from planner.timezones import today_local
from planner.web import page_arg


@bp.get("/")
@login_required
def dashboard():
    f = resolve_filter()
    current, previous = figures.figures_with_previous(f)
    return render_template(
        "results/dashboard.html",
        **_figures_context(f, current, previous),
        **_watch_context(f, current),
        dimensions=list(comparisons.Dimension),
        record_lists=records.RecordList,
        session_kinds=list(SessionKind),
        products=Product.single(),
        report_period=period_name(f.period),
        **filter_context(f),
    )


def _figures_context(f: ResultsFilter, current: figures.Figures, previous: figures.Figures) -> dict:
    """The dashboard's figures against the period before, the funnel and the split by kind."""
    steps = comparisons.funnel(current)
    by_kind = comparisons.breakdown(f, comparisons.Dimension.KIND)
    return {
        "figure_rows": exports.figure_rows(current, previous),
        "previous_period": f.period.previous(),
        "funnel_table": tables.funnel(steps),
        "funnel_chart": charts.bar_chart(
            _("From reach to enrolment"),
            [charts.Bar(s.label, s.value, note=charts.percent_note(s.share)) for s in steps],
        ),
        "kind_table": tables.comparison(by_kind),
        "kind_chart": exports.comparison_chart(_("By session kind"), by_kind),
    }


def _watch_context(f: ResultsFilter, current: figures.Figures) -> dict:
    """What the dashboard asks to watch: targets, stale sessions, overdue work, coverage."""
    progress = targets.progress(
        targets.targets_in(f.office_id, f.period, f.officer_ids, f.commune_id)
    )
    stale = records.sessions(
        f, records.RecordList.SESSIONS_STALE, records.Narrowing(), records.Window(1, 10)
    )
    overdue = figures.overdue_by_officer(f)
    cover = coverage.coverage_table(f.office_id, min(f.period.last, today_local()), f.commune_id)
    return {
        "progress": progress,
        "targets_table": tables.targets(progress),
        "stale": stale[:10],
        "stale_count": current.sessions_stale,
        "overdue_table": tables.overdue(overdue),
        "coverage_table": tables.coverage(cover),
    }


def _records_items(
    f: ResultsFilter, which: records.RecordList, window: records.Window | None
) -> list:
    narrow = narrowing()
    if which.of_sessions:
        return records.sessions(f, which, narrow, window)
    if which.of_follow_ups:
        return records.follow_ups(f, which, narrow, window)
    if which == records.RecordList.ENROLMENTS:
        return records.enrolments(f, narrow, window)
    return records.people(f, which, narrow, window)


@bp.get("/records/<which>")
@login_required
def record_list(which: str):
    f = resolve_filter()
    chosen = named_or_404(records.RecordList, which)
    window = records.Window(page_arg(), records.PER_PAGE)
    items, has_next = window.cut(_records_items(f, chosen, window))
    return render_template(
        "results/records.html",
        which=chosen,
        table=tables.records(chosen, items, url_for),
        window=window,
        has_next=has_next,
        session_kinds=list(SessionKind),
        products=Product.single(),
        narrowing=narrowing(),
        **filter_context(f),
    )


@bp.get("/compare/<dimension>")
@login_required
def compare(dimension: str):
    f = resolve_filter()
    chosen = named_or_404(comparisons.Dimension, dimension)
    split = comparisons.breakdown(f, chosen)
    table = tables.comparison(split)
    return render_template(
        "results/compare.html",
        dimension=chosen,
        dimensions=list(comparisons.Dimension),
        table=table,
        chart=exports.comparison_chart(table.title, split),
        **filter_context(f),
    )


# Communes shown as cards with their plan buttons; the ranking table lists them all (a province
# has 100 communes: 100 cards would be over 100 KiB on a phone).
WHERE_NEXT_CARDS = 20


@bp.get("/where-next")
@login_required
def where_next():
    f = resolve_filter()
    ranks = ranking.where_next(f)
    return render_template(
        "results/where_next.html",
        ranks=ranks,
        cards=WHERE_NEXT_CARDS,
        table=tables.ranking(ranks),
        **filter_context(f),
    )
