"""Coverage per commune: dated population and insured counts, typed or imported (all or none),
and the uninsured estimate the dashboard and "where to go next" show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from planner import import_jobs
from planner.accounts.models import User
from planner.collation import vi_order
from planner.enrolments.models import Enrolment
from planner.errors import PlannerError
from planner.extensions import db
from planner.followups.models import Product
from planner.forms import required
from planner.jobs import IMPORTS, job_function
from planner.people.importing import ImportRefused, SheetError, read_table
from planner.people.models import fold_name
from planner.places.models import Commune
from planner.printing.models import JobKind, PrintJob
from planner.results.figures import EnrolmentJoin, rate
from planner.results.models import CommuneCoverage
from planner.results.periods import Period, ResultsFilter
from planner.timezones import today_local

MAX_POPULATION = 10_000_000


@dataclass(frozen=True)
class CoverageInput:
    commune_id: int | None
    as_of: date | None
    population: int | None
    households: int | None
    with_health_insurance: int | None
    with_voluntary_si: int | None


def _check(office_id: int, entered: CoverageInput, communes: dict[int, Commune]) -> list[tuple]:
    """(field, message) for every problem with one row; empty when it can be saved."""
    problems = []
    if not entered.commune_id or entered.commune_id not in communes:
        problems.append(("commune_id", _("Choose a commune of your office.")))
    if entered.as_of is None:
        problems.append(("as_of", _("Enter the day these figures were counted.")))
    elif entered.as_of > today_local():
        problems.append(("as_of", _("Figures cannot be counted on a day still to come.")))
    numbers = {
        "population": entered.population,
        "households": entered.households,
        "with_health_insurance": entered.with_health_insurance,
        "with_voluntary_si": entered.with_voluntary_si,
    }
    for name, value in numbers.items():
        if value is None or value < 0 or value > MAX_POPULATION:
            problems.append((name, _("Enter a whole number, zero or more.")))
    if not problems:
        population = required(entered.population)
        if required(entered.households) > population:
            problems.append(("households", _("There are more households than people.")))
        for name in ("with_health_insurance", "with_voluntary_si"):
            if required(numbers[name]) > population:
                problems.append((name, _("More people are insured than live in the commune.")))
    return problems


def _office_communes(office_id: int) -> dict[int, Commune]:
    return {
        c.id: c
        for c in db.session.scalars(sa.select(Commune).where(Commune.office_id == office_id))
    }


def _store(office_id: int, entered: CoverageInput, by: User | None) -> CommuneCoverage:
    """Save the row; the figures of one commune on one day replace what was there."""
    row = db.session.scalar(
        sa.select(CommuneCoverage).where(
            CommuneCoverage.commune_id == entered.commune_id,
            CommuneCoverage.as_of == entered.as_of,
        )
    )
    if row is None:
        row = CommuneCoverage(
            office_id=office_id, commune_id=entered.commune_id, as_of=entered.as_of
        )
        db.session.add(row)
    # Called only once _check found nothing wrong: every figure is there.
    row.population = required(entered.population)
    row.households = required(entered.households)
    row.with_health_insurance = required(entered.with_health_insurance)
    row.with_voluntary_si = required(entered.with_voluntary_si)
    row.recorded_by_id = by.id if by else None
    return row


def record_coverage(office_id: int, entered: CoverageInput, by: User | None) -> CommuneCoverage:
    """Save one commune's figures for a day; PlannerError (with the field) when one is wrong."""
    problems = _check(office_id, entered, _office_communes(office_id))
    if problems:
        field, message = problems[0]
        raise PlannerError(message, field=field)
    row = _store(office_id, entered, by)
    db.session.flush()
    return row


# --- Import ---------------------------------------------------------------------------------

COLUMNS = {
    "commune": ("Xã/phường", ("xa", "xa phuong", "xa/phuong", "commune", "phuong")),
    "as_of": ("Ngày số liệu", ("ngay", "ngay so lieu", "as of", "date")),
    "population": ("Số dân", ("so dan", "dan so", "population", "people")),
    "households": ("Số hộ", ("so ho", "ho", "households")),
    "with_health_insurance": (
        "Đã có BHYT",
        ("da co bhyt", "co bhyt", "so nguoi co bhyt", "with health insurance"),
    ),
    "with_voluntary_si": (
        "Đã tham gia BHXH tự nguyện",
        ("da tham gia bhxh tu nguyen", "bhxh tu nguyen", "with voluntary si"),
    ),
}


def template_headers() -> list[str]:
    return [header for header, _aliases in COLUMNS.values()]


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value or "").strip().replace(".", "").replace(",", "").replace(" ", "")
    return int(text) if text.isdigit() else None


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for parse in (
        date.fromisoformat,
        lambda t: datetime.strptime(t, "%d/%m/%Y").date(),
    ):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def import_coverage(office_id: int, filename: str, content: bytes, by: User | None) -> int:
    """Check every row of the file, then save them all, or save nothing and raise ImportRefused
    naming each bad row and column. Returns the number of rows saved."""
    table = read_table(filename, content)
    rows = [(n, cells, formulas) for n, cells, formulas in table if any(_filled(c) for c in cells)]
    if not rows:
        raise ImportRefused(_("The file is empty."))
    header_row, header, _formulas = rows[0]
    known = {}
    for name, (title, aliases) in COLUMNS.items():
        known[fold_name(title)] = name
        for alias in aliases:
            known[alias] = name
    mapping: dict[int, str] = {}
    errors: list[SheetError] = []
    for index, cell in enumerate(header):
        key = fold_name(str(cell or "")).rstrip(":*.")
        if not key or key in ("stt", "tt"):
            continue
        if key not in known:
            errors.append(
                SheetError(header_row, str(cell), _("This column is not in the template."))
            )
        else:
            mapping[index] = known[key]
    missing = [COLUMNS[n][0] for n in COLUMNS if n not in mapping.values()]
    for title in missing:
        errors.append(SheetError(header_row, title, _("This column is missing; use the template.")))
    if errors:
        raise _refused(errors)
    communes = _office_communes(office_id)
    by_name = {fold_name(c.name): c.id for c in communes.values()}
    by_name |= {fold_name(c.display_name): c.id for c in communes.values()}
    parsed: list[CoverageInput] = []
    seen: dict[tuple, int] = {}
    for number, cells, formulas in rows[1:]:
        values = {name: cells[i] if i < len(cells) else None for i, name in mapping.items()}
        if any(i in formulas for i in mapping):
            errors.append(SheetError(number, "", _("Formulas are not read; type the figures.")))
            continue
        commune_id = by_name.get(fold_name(str(values["commune"] or "")))
        entered = CoverageInput(
            commune_id=commune_id,
            as_of=_day(values["as_of"]),
            population=_number(values["population"]),
            households=_number(values["households"]),
            with_health_insurance=_number(values["with_health_insurance"]),
            with_voluntary_si=_number(values["with_voluntary_si"]),
        )
        for field, message in _check(office_id, entered, communes):
            column = COLUMNS["commune" if field == "commune_id" else field][0]
            errors.append(SheetError(number, column, message))
        same_day = (commune_id, entered.as_of)
        if commune_id and same_day in seen:
            errors.append(
                SheetError(
                    number,
                    COLUMNS["commune"][0],
                    _("The same commune and day as row %(row)s.", row=seen[same_day]),
                )
            )
        seen.setdefault(same_day, number)
        parsed.append(entered)
    if errors:
        raise _refused(errors)
    if not parsed:
        raise ImportRefused(_("The file has a header row but no communes."))
    for entered in parsed:
        _store(office_id, entered, by)
    db.session.flush()
    return len(parsed)


# --- Import as a job ----------------------------------------------------------------------

IMPORT_KIND = JobKind.COVERAGE_IMPORT


def start_coverage_import(
    user: User, filename: str, content: bytes, page_args: dict[str, str]
) -> PrintJob:
    """Keep a file over the job size (planner.import_jobs) and queue its import for the
    user's office; `page_args` are the coverage page's filter, to go back to it."""
    params = {"page_args": page_args}
    return import_jobs.start(IMPORT_KIND, user, filename, content, params, run_coverage_import)


@job_function(IMPORTS)
def run_coverage_import(job_id: str) -> None:
    """Import the job's file, all rows or none (RQ calls this in a worker; the pool in the app)."""
    import_jobs.run(job_id, IMPORT_KIND, _import_job)


def _import_job(job: PrintJob, filename: str, content: bytes) -> dict[str, Any]:
    by = db.session.get(User, job.user_id)
    return {"communes": import_coverage(job.office_id, filename, content, by)}


def _filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _refused(errors: list[SheetError]) -> ImportRefused:
    errors.sort(key=lambda e: e.row)
    return ImportRefused(
        ngettext(
            "The file was not imported: %(num)d problem was found. Nothing was saved.",
            "The file was not imported: %(num)d problems were found. Nothing was saved.",
            len(errors),
        ),
        errors,
    )


# --- Reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommuneCoverageRow:
    """A commune's latest figures on a day and what was enrolled since they were counted.

    uninsured_estimate = population - with health insurance - household members enrolled in
    household health insurance after the figures' day (never below zero).
    """

    commune_id: int
    name: str
    as_of: date | None
    population: int
    households: int
    with_health_insurance: int
    with_voluntary_si: int
    members_enrolled_since: int

    @property
    def health_insurance_rate(self) -> Decimal | None:
        return rate(self.with_health_insurance + self.members_enrolled_since, self.population)

    @property
    def voluntary_si_rate(self) -> Decimal | None:
        return rate(self.with_voluntary_si, self.population)

    @property
    def uninsured_estimate(self) -> int | None:
        if self.as_of is None:
            return None
        return max(0, self.population - self.with_health_insurance - self.members_enrolled_since)


def coverage_table(
    office_id: int, on: date | None = None, commune_id: int | None = None
) -> list[CommuneCoverageRow]:
    """Every commune of the office with its latest figures on `on` (default today): 2 queries."""
    on = on or today_local()
    latest = (
        sa.select(CommuneCoverage.commune_id, sa.func.max(CommuneCoverage.as_of).label("as_of"))
        .where(CommuneCoverage.office_id == office_id, CommuneCoverage.as_of <= on)
        .group_by(CommuneCoverage.commune_id)
        .subquery()
    )
    query = (
        sa.select(Commune, CommuneCoverage)
        .outerjoin(latest, latest.c.commune_id == Commune.id)
        .outerjoin(
            CommuneCoverage,
            sa.and_(
                CommuneCoverage.commune_id == Commune.id, CommuneCoverage.as_of == latest.c.as_of
            ),
        )
        .where(Commune.office_id == office_id)
        .order_by(vi_order(Commune.name))
    )
    if commune_id is not None:
        query = query.where(Commune.id == commune_id)
    rows = db.session.execute(query).all()
    counted = [figures.as_of for _commune, figures in rows if figures is not None]
    since = _members_enrolled_since(office_id, min(counted), on, latest) if counted else {}
    return [
        CommuneCoverageRow(
            commune_id=commune.id,
            name=commune.name,
            as_of=figures.as_of if figures else None,
            population=figures.population if figures else 0,
            households=figures.households if figures else 0,
            with_health_insurance=figures.with_health_insurance if figures else 0,
            with_voluntary_si=figures.with_voluntary_si if figures else 0,
            members_enrolled_since=since.get(commune.id, 0) if figures else 0,
        )
        for commune, figures in rows
    ]


def _members_enrolled_since(office_id: int, oldest: date, on: date, latest) -> dict[int, int]:
    """Household members enrolled per commune after that commune's figures were counted
    (`oldest`: the oldest of those days, so only enrolments after it are read)."""
    joined = EnrolmentJoin()
    office = ResultsFilter(office_id, None, None, Period(oldest + timedelta(days=1), on))
    query = (
        joined.query(
            office,
            joined.commune,
            sa.func.coalesce(sa.func.sum(sa.func.coalesce(Enrolment.members, 1)), 0),
        )
        .join(latest, latest.c.commune_id == joined.commune)
        .where(Enrolment.product == Product.HOUSEHOLD_HI, Enrolment.enrolled_on > latest.c.as_of)
        .group_by(joined.commune)
    )
    return {commune: int(n) for commune, n in db.session.execute(query)}
