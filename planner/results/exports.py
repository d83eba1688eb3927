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
from decimal import Decimal

from flask import render_template
from flask_babel import format_date
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from planner.accounts.models import Office
from planner.people.privacy import neutralise_formula
from planner.printing import render
from planner.results import charts, comparisons, coverage, figures, tables, targets
from planner.results.periods import (
    Period,
    PeriodKind,
    ResultsFilter,
    calendar_span,
    month_period,
    period_name,
)
from planner.timezones import today_local

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_STYLES = ("base", "results_report")


def _cell(value):
    """A cell as a file keeps it: numbers stay numbers, text that would run as a formula is
    made plain text."""
    if isinstance(value, str):
        # Most cells start with a letter or digit, which no normalisation turns into a formula's
        # first character: only the others are checked (a name per row of 70,000).
        if value[:1].isascii() and value[:1].isalnum():
            return value
        return neutralise_formula(value)
    return tables.raw(value)


def table_csv(table: tables.Table) -> bytes:
    """The table as CSV with a BOM, so Excel shows the Vietnamese letters."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([_cell(c.title) for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


# How often a long file's writing reports its progress, in rows.
PROGRESS_ROWS = 5000


def tables_xlsx(sheets: list[tables.Table], progress=None) -> bytes:
    """One sheet per table, the header row bold and frozen; dates as dates, numbers as numbers.

    Written as a stream (openpyxl's write-only mode: each row goes to the file as it is
    appended, with no cell kept): a year's reach of a province (70,000 rows) took 7 s to save
    from a workbook held in memory. `progress(rows)` is called every PROGRESS_ROWS rows written.
    """
    report = progress or (lambda _n: None)
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    for table in sheets:
        sheet = workbook.create_sheet(_sheet_name(table.title, used))
        sheet.freeze_panes = "A2"  # before the first row: a stream writes the view first
        for index, column in enumerate(table.columns, start=1):
            width = max(12, min(40, len(column.title) + 4))
            sheet.column_dimensions[get_column_letter(index)].width = width
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, _cell(column.title))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        formatted = [
            (i, NUMBER_FORMATS[c.kind])
            for i, c in enumerate(table.columns)
            if c.kind in NUMBER_FORMATS
        ]
        for written, row in enumerate(table.rows, start=1):
            line = [_cell(v) for v in row]
            for i, number_format in formatted:
                if line[i] is not None:
                    line[i] = _formatted_cell(sheet, line[i], number_format)
            sheet.append(line)
            if written % PROGRESS_ROWS == 0:
                report(PROGRESS_ROWS)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Dates as Vietnamese write them; money with thousands grouped (the spreadsheet shows its own
# separator: "1.500.000" in Vietnamese Excel), so a sum of a column is still a number.
NUMBER_FORMATS = {tables.Kind.DATE: "DD/MM/YYYY", tables.Kind.MONEY: "#,##0"}


def _formatted_cell(sheet, value: date | int | Decimal, number_format: str) -> Cell:
    cell = WriteOnlyCell(sheet)
    cell.value = value
    cell.number_format = number_format
    return cell


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
    period = report.filter.period
    html = render_template(
        "pdf/results_report.html",
        report=report,
        # The title names a calendar month, quarter or year ("tháng 10/2026") before its days.
        period_name=period_name(period) if calendar_span(period) != PeriodKind.CUSTOM else None,
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
    from planner.results import ranking, record_rows, records

    step = progress or (lambda _n: None)
    sheets = [tables.funnel(comparisons.funnel(figures.figures(f)))]
    for dimension in comparisons.Dimension:
        sheets.append(tables.comparison(comparisons.breakdown(f, dimension)))
    step(1)
    everything = records.Narrowing()
    for which in (records.RecordList.SESSIONS_HELD, records.RecordList.SESSIONS_STALE):
        sheets.append(record_rows.table(f, which, everything))
    sheets.append(record_rows.table(f, records.RecordList.REACHED, everything))
    step(1)
    sheets.append(record_rows.table(f, records.RecordList.FOLLOW_UPS_DUE, everything))
    sheets.append(record_rows.table(f, records.RecordList.ENROLMENTS, everything))
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
