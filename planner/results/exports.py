"""Results as files: any table as XLSX or CSV, and the monthly report as PDF.

Cells are neutralised with the people domain's `neutralise_formula` (text starting with = + - @
would run as a formula in a spreadsheet). The report goes through planner.printing.render, the
one helper every printed document uses (same fonts, same static-only fetcher).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import format_date
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from planner.accounts.models import Office
from planner.people.privacy import neutralise_formula
from planner.printing import render
from planner.results import charts, comparisons, coverage, figures, tables, targets
from planner.results.periods import Period, ResultsFilter, month_period
from planner.timezones import today_local

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_STYLES = ("base", "results_report")


def _cells(table: tables.Table) -> list[list]:
    lines = [[c.title for c in table.columns]]
    lines += [[tables.raw(v) for v in row] for row in table.rows]
    return [[neutralise_formula(v) for v in line] for line in lines]


def table_csv(table: tables.Table) -> bytes:
    """The table as CSV with a BOM, so Excel shows the Vietnamese letters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in _cells(table):
        writer.writerow(["" if v is None else v for v in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def tables_xlsx(sheets: list[tables.Table]) -> bytes:
    """One sheet per table, the header row bold and frozen; dates as dates, numbers as numbers."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook starts with
    used: set[str] = set()
    for table in sheets:
        name = _sheet_name(table.title, used)
        sheet = workbook.create_sheet(name)
        for line in _cells(table):
            sheet.append(line)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(table.columns, start=1):
            letter = sheet.cell(1, index).column_letter
            sheet.column_dimensions[letter].width = max(12, min(40, len(column.title) + 4))
            if column.kind == tables.Kind.DATE:
                for row in range(2, len(table.rows) + 2):
                    sheet.cell(row, index).number_format = "DD/MM/YYYY"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel allows 31 characters and none of []:*?/\ in a sheet's name.
    clean = "".join(c for c in title if c not in "[]:*?/\\")[:28] or "Sheet"
    name, n = clean, 2
    while name in used:
        name, n = f"{clean[:26]} {n}", n + 1
    used.add(name)
    return name


# --- The monthly report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    office: Office
    filter: ResultsFilter
    current: figures.Figures
    previous: figures.Figures
    tables: list[tables.Table]
    charts: list


def monthly_report(office: Office, f: ResultsFilter, progress=None) -> Report:
    """Everything the monthly report prints, computed by the same services as the dashboard."""
    report_step = progress or (lambda _n: None)
    current, previous = figures.figures_with_previous(f)
    report_step(1)
    steps = comparisons.funnel(current)
    parts = [tables.funnel(steps)]
    drawn = [
        charts.bar_chart(
            parts[0].title,
            [charts.Bar(s.label, s.value, note=charts.percent_note(s.share)) for s in steps],
        )
    ]
    for dimension in (
        comparisons.Dimension.KIND,
        comparisons.Dimension.COMMUNE,
        comparisons.Dimension.OFFICER,
    ):
        split = comparisons.breakdown(f, dimension)
        table = tables.comparison(split)
        parts.append(table)
        drawn.append(comparison_chart(table.title, split))
        report_step(1)
    running = targets.progress(
        targets.targets_in(f.office_id, f.period, f.officer_ids, f.commune_id)
    )
    parts.append(tables.targets(running))
    parts.append(tables.coverage(coverage.coverage_table(f.office_id, f.period.last, f.commune_id)))
    report_step(1)
    return Report(office, f, current, previous, parts, drawn)


def comparison_chart(title: str, split: comparisons.Breakdown):
    return charts.bar_chart(
        title,
        [
            charts.Bar(r.label, r.reached, r.enrolled, charts.percent_note(r.conversion_rate))
            for r in split.rows[:15]
        ],
        legend=(_("Reached"), _("Enrolled")),
    )


def report_pdf(report: Report) -> bytes:
    html = render_template(
        "pdf/results_report.html",
        report=report,
        figure_rows=figure_rows(report.current, report.previous),
        printed_on=format_date(today_local(), "dd/MM/yyyy"),
        shown=tables.shown,
    )
    return render.render_pdf(html, REPORT_STYLES)


def report_month(text: str | None, today: date | None = None) -> Period:
    """'2026-11' as that month's period; the current month when empty. ValueError if bad."""
    today = today or today_local()
    if not text:
        return month_period(today.year, today.month)
    year, month = (int(part) for part in text.split("-", 1))
    if not 2000 <= year <= today.year + 1 or not 1 <= month <= 12:
        raise ValueError(text)
    return month_period(year, month)


def figure_rows(current: figures.Figures, previous: figures.Figures) -> list[tuple]:
    """(name, label, kind, this period, previous period) for the figure cards and the report."""
    k = tables.Kind
    items = [
        ("sessions_planned", _("Sessions planned"), k.COUNT),
        ("sessions_held", _("Sessions held"), k.COUNT),
        ("sessions_cancelled", _("Sessions cancelled"), k.COUNT),
        ("sessions_stale", _("Past sessions still planned"), k.COUNT),
        ("reached", _("People reached"), k.COUNT),
        ("interested", _("People interested"), k.COUNT),
        ("follow_ups_due", _("Follow-ups due"), k.COUNT),
        ("follow_ups_on_time", _("Follow-ups done on time"), k.COUNT),
        ("enrolled_voluntary_si", _("Enrolments in voluntary social insurance"), k.COUNT),
        ("enrolled_household_hi", _("Enrolments in household health insurance"), k.COUNT),
        ("household_members", _("Household members covered"), k.COUNT),
        ("conversion_rate", _("Conversion rate"), k.PERCENT),
        ("contributions", _("Contributions recorded"), k.MONEY),
        ("state_support", _("State support"), k.MONEY),
    ]
    return [(n, label, kind, current.value(n), previous.value(n)) for n, label, kind in items]


def all_tables(f: ResultsFilter, progress=None) -> list[tables.Table]:
    """Every table of the period for the workbook export: figures' lists and comparisons."""
    from planner.results import ranking, records

    step = progress or (lambda _n: None)
    sheets = [tables.funnel(comparisons.funnel(figures.figures(f)))]
    for dimension in comparisons.Dimension:
        sheets.append(tables.comparison(comparisons.breakdown(f, dimension)))
    step(1)
    no_link = lambda *_a, **_k: None  # noqa: E731  (a workbook has no links)
    everything = records.Narrowing()
    for which in (records.RecordList.SESSIONS_HELD, records.RecordList.SESSIONS_STALE):
        sheets.append(tables.records(which, records.sessions(f, which, everything), no_link))
    sheets.append(
        tables.records(
            records.RecordList.REACHED,
            records.people(f, records.RecordList.REACHED, everything),
            no_link,
        )
    )
    step(1)
    sheets.append(
        tables.records(
            records.RecordList.FOLLOW_UPS_DUE,
            records.follow_ups(f, records.RecordList.FOLLOW_UPS_DUE, everything),
            no_link,
        )
    )
    sheets.append(
        tables.records(records.RecordList.ENROLMENTS, records.enrolments(f, everything), no_link)
    )
    step(1)
    sheets.append(
        tables.targets(
            targets.progress(targets.targets_in(f.office_id, f.period, f.officer_ids, f.commune_id))
        )
    )
    sheets.append(
        tables.coverage(coverage.coverage_table(f.office_id, f.period.last, f.commune_id))
    )
    sheets.append(tables.ranking(ranking.where_next(f)))
    step(1)
    return sheets
