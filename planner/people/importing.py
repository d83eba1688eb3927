"""Import a typed-up attendance sheet (XLSX or CSV): all rows or none.

Reading the file (every sheet, merged cells, encodings, limits) is planner.people.sheets; this
module finds the sheet and row with the header, maps the columns and turns cells into rows.

The columns are the paper sheet's columns with their Vietnamese headers. A file with any error is
refused with every bad row and column named, and nothing is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from planner.accounts.models import User
from planner.enums import PriorityGroup
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.attendance import check_session_open, record_attendances
from planner.people.identity import AttendeeInput, clean_attendee, match_people
from planner.people.import_template import (
    COLUMNS,
    Column,
    template_csv,
    template_headers,
    template_xlsx,
)
from planner.people.models import Attendance, AttendanceSource, Gender, Interest, fold_name
from planner.people.sheets import (
    ImportRefused,
    Table,
    max_rows,
    read_table,
    read_tables,
    too_many_rows,
)
from planner.places.models import Commune, Village
from planner.sessions.models import OutreachSession

# Columns of the paper sheet that are not typed up: the row number and the signature.
IGNORED = {"stt", "tt", "no", "so tt", "ky ten", "ky ten hoac diem chi", "signature"}

YES = {"co", "x", "v", "yes", "y", "1", "true", "da co", "roi", "dong y"}
NO = {"khong", "no", "n", "0", "false", "chua", "chua co", "k"}
GENDERS = {
    "nam": Gender.MALE,
    "male": Gender.MALE,
    "m": Gender.MALE,
    "nu": Gender.FEMALE,
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
}
PRIORITY = {
    "ho ngheo": PriorityGroup.POOR,
    "ngheo": PriorityGroup.POOR,
    "poor": PriorityGroup.POOR,
    "poor household": PriorityGroup.POOR,
    "ho can ngheo": PriorityGroup.NEAR_POOR,
    "can ngheo": PriorityGroup.NEAR_POOR,
    "near-poor": PriorityGroup.NEAR_POOR,
    "near poor": PriorityGroup.NEAR_POOR,
    "near-poor household": PriorityGroup.NEAR_POOR,
    "dan toc thieu so": PriorityGroup.ETHNIC_MINORITY,
    "dtts": PriorityGroup.ETHNIC_MINORITY,
    "nguoi dan toc thieu so": PriorityGroup.ETHNIC_MINORITY,
    "ethnic minority": PriorityGroup.ETHNIC_MINORITY,
    "khac": PriorityGroup.OTHER,
    "other": PriorityGroup.OTHER,
    "": PriorityGroup.OTHER,
}
INTERESTS = {
    "bhxh tu nguyen": Interest.VOLUNTARY_SI,
    "bhxh": Interest.VOLUNTARY_SI,
    "voluntary social insurance": Interest.VOLUNTARY_SI,
    "voluntary si": Interest.VOLUNTARY_SI,
    "bhyt ho gia dinh": Interest.HOUSEHOLD_HI,
    "bhyt": Interest.HOUSEHOLD_HI,
    "household health insurance": Interest.HOUSEHOLD_HI,
    "household hi": Interest.HOUSEHOLD_HI,
    "ca hai": Interest.BOTH,
    "both": Interest.BOTH,
    "khong": Interest.NONE,
    "none": Interest.NONE,
    "no": Interest.NONE,
    "": Interest.NONE,
}
FOLDED_FIELDS = {
    "gender",
    "has_health_insurance",
    "registered_on_spot",
    "consent_contact",
    "priority_group",
    "interest",
}
PLAIN_NUMBER = re.compile(r"^[+-]?[\d\s.()]+$")
FUNCTION_CALL = re.compile(r"^[+\-@]+\s*[A-Za-z_][A-Za-z0-9_.]*\s*\(")
DDE_LINK = re.compile(r"\|.*!")
# How far down a sheet its header row is looked for (titles and notes above it).
HEADER_SEARCH_ROWS = 30


@dataclass
class SheetError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int
    new_people: int
    known_people: int
    sheet: str | None = None  # the sheet that was read, None for a CSV file


# read_table and ImportRefused are imported from here by the coverage import, the template's
# functions by the routes.
__all__ = [
    "ImportRefused",
    "SheetError",
    "import_sheet",
    "read_table",
    "template_csv",
    "template_headers",
    "template_xlsx",
]


# --- Turning cells into rows ----------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _is_formula_text(text: str) -> bool:
    """Text a spreadsheet program would have run as a formula, which no person writes as data:
    `=…`, or a sign followed at once by a function call or a DDE link (`@SUM(…)`,
    `-2+3+cmd|' /C calc'!A0`). A lone `-` (none), a note starting with `- `, a phone written
    `+84…` and a hyphenated word are data; they are neutralised when exported, not refused."""
    if len(text) < 2:
        return False
    if text[0] == "=":
        return True
    if text[0] not in "+-@" or text[1].isspace() or PLAIN_NUMBER.match(text):
        return False
    return bool(FUNCTION_CALL.match(text) or DDE_LINK.search(text))


def header_key(title: str) -> str:
    """A header cell as the column vocabulary spells it: case, diacritics, composition, extra
    spaces, line breaks, a trailing colon and the "required" star do not count."""
    key = fold_name(title.replace("(*)", " ").replace("*", " "))
    key = re.sub(r"[:.,;]+", " ", key)
    key = re.sub(r"\s*/\s*", "/", " ".join(key.split()))
    return key


def _known_headers() -> dict[str, Column]:
    known: dict[str, Column] = {}
    for named in COLUMNS:
        known[header_key(named.header)] = named
        for alias in named.aliases:
            known[header_key(alias)] = named
    return known


def _header_map(
    cells: list[Any], row: int, hidden: frozenset[int] = frozenset()
) -> tuple[dict[int, Column], list[SheetError]]:
    """Which column holds what. A hidden column is read when it is one of ours and no visible
    column is the same; a hidden column of anything else is left alone (nobody can see it to
    rename or remove it)."""
    known = _known_headers()
    mapping: dict[int, Column] = {}
    errors: list[SheetError] = []
    seen: set[str] = set()
    visible_fields = {
        known[header_key(_text(c))].field
        for i, c in enumerate(cells)
        if i not in hidden and header_key(_text(c)) in known
    }
    for index, cell in enumerate(cells):
        title = _text(cell)
        key = header_key(title)
        if not key or key in IGNORED:
            continue
        column = known.get(key)
        if index in hidden and (column is None or column.field in visible_fields):
            continue
        if column is None:
            errors.append(
                SheetError(
                    row, title, _("This column is not on the sheet template; rename or remove it.")
                )
            )
        elif column.field in seen:
            errors.append(SheetError(row, title, _("This column appears twice.")))
        else:
            seen.add(column.field)
            mapping[index] = column
    if "full_name" not in seen:
        errors.append(
            SheetError(row, "Họ và tên", _("The file has no “Họ và tên” column; use the template."))
        )
    return mapping, errors


@dataclass(frozen=True)
class Header:
    """Where a table's list starts: the header's titles (one per column), the row they are on,
    and the index of the first row after the header (below rows merged down from it)."""

    titles: list[Any]
    row: int
    body_start: int


def find_header(table: Table) -> Header | None:
    """The header row: the first of the top rows with a “Họ và tên” cell (titles, the office's
    name and blank rows above it are passed over). A header merged down over two rows takes the
    lower row's text where it has its own (sub-headers under a merged title)."""
    names = {key for key, column in _known_headers().items() if column.field == "full_name"}
    for position, (number, cells, _formulas) in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        if not any(header_key(_text(c)) in names for c in cells):
            continue
        last = max([end for start, end in table.row_merges if start == number], default=number)
        titles = list(cells)
        body_start = position + 1
        while body_start < len(table.rows) and table.rows[body_start][0] <= last:
            for index, value in enumerate(table.rows[body_start][1]):
                if _text(value) and index < len(titles):
                    titles[index] = value
            body_start += 1
        return Header(titles, number, body_start)
    return None


def choose_table(tables: list[Table]) -> tuple[Table, Header]:
    """The first sheet with a header row; or ImportRefused saying that none has one."""
    for table in tables:
        header = find_header(table)
        if header is not None:
            return table, header
    if not any(any(_text(c) for c in cells) for t in tables for _n, cells, _f in t.rows):
        raise ImportRefused(_("The file is empty."))
    first = tables[0]
    number = next((n for n, cells, _f in first.rows if any(_text(c) for c in cells)), 1)
    cells = next((cells for n, cells, _f in first.rows if n == number), [])
    _mapping, errors = _header_map(cells, number, first.hidden_columns)
    if len(tables) > 1:
        errors = [
            SheetError(
                number,
                "Họ và tên",
                _(
                    "No sheet of the file has a “Họ và tên” column (sheets read: %(names)s);"
                    " use the template.",
                    names=", ".join(f"“{t.sheet}”" for t in tables),
                ),
            )
        ]
    raise _refused(errors)


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


class _Villages:
    """Find an office's village by the name in the sheet, preferring the session's commune."""

    def __init__(self, office_id: int, commune_id: int):
        villages = db.session.scalars(
            sa.select(Village).join(Commune).where(Commune.office_id == office_id)
        ).all()
        self.by_key: dict[str, list[Village]] = {}
        for village in villages:
            for key in {fold_name(village.name), fold_name(village.display_name)}:
                self.by_key.setdefault(key, []).append(village)
        self.commune_id = commune_id

    def find(self, text: str) -> Village:
        found = self.by_key.get(fold_name(text), [])
        if len(found) > 1:
            local = [v for v in found if v.commune_id == self.commune_id]
            if len(local) == 1:
                return local[0]
            raise PlannerError(
                _(
                    "Several villages are called “%(name)s”; add the village kind (Thôn, Bản).",
                    name=text,
                )
            )
        if not found:
            raise PlannerError(
                _("There is no village “%(name)s” in your office's communes.", name=text)
            )
        return found[0]


def _parse_cell(column: Column, value: Any, villages: _Villages) -> Any:
    """A cell's value in the row's terms, or PlannerError with a message naming what is wrong."""
    text = _text(value)
    field = column.field
    # Folding is only needed for the columns with a closed list of answers.
    key = fold_name(text) if field in FOLDED_FIELDS else ""
    if field == "birth_year":
        if isinstance(value, datetime | date):
            return value.year
        if not text:
            return None
        if not text.isdigit() or len(text) != 4:
            raise PlannerError(_("Write the year of birth as four digits, e.g. 1985."))
        return int(text)
    if field == "gender":
        if not key:
            return None
        if key not in GENDERS:
            raise PlannerError(_("Write “Nam” or “Nữ”."))
        return GENDERS[key]
    if field in ("has_health_insurance", "registered_on_spot", "consent_contact"):
        if not key:
            return None if field == "has_health_insurance" else False
        if key in YES:
            return True
        if key in NO:
            return False
        raise PlannerError(_("Write “Có” or “Không”."))
    if field == "priority_group":
        if key not in PRIORITY:
            raise PlannerError(_("Write one of: Hộ nghèo, Hộ cận nghèo, Dân tộc thiểu số, Khác."))
        return PRIORITY[key]
    if field == "interest":
        if key in INTERESTS:
            return INTERESTS[key]
        if "bhxh" in key and "bhyt" in key:
            return Interest.BOTH
        raise PlannerError(_("Write one of: BHXH tự nguyện, BHYT hộ gia đình, Cả hai, Không."))
    if field == "village":
        return villages.find(text).id if text else None
    if field == "phone" and isinstance(value, int | float) and len(text) == 9:
        return "0" + text  # a spreadsheet drops the leading 0 of a number typed as a number
    if field == "cccd" and isinstance(value, int | float) and text.isdigit() and len(text) < 12:
        return text.zfill(12)  # likewise for a CCCD whose province code starts with 0
    return text


def parse_rows(
    table: Table, header: Header, villages: _Villages
) -> tuple[list[tuple[int, AttendeeInput]], list[SheetError]]:
    """The sheet's rows under its header as attendee inputs, and every error found (row,
    column, message). Blank rows are skipped."""
    mapping, errors = _header_map(header.titles, header.row, table.hidden_columns)
    if errors:
        return [], errors
    csv_file = table.sheet is None
    labels = {c.field: c.header for c in COLUMNS}
    limit = max_rows()
    parsed: list[tuple[int, AttendeeInput]] = []
    for number, cells, formulas in table.rows[header.body_start :]:
        if not any(_text(cells[i]) for i in mapping if i < len(cells)):
            continue
        values: dict[str, Any] = {}
        row_errors: dict[str, str] = {}
        for index, column in mapping.items():
            value = cells[index] if index < len(cells) else None
            text = _text(value)
            # In XLSX a formula is a formula cell (a text cell is text, whatever it starts
            # with); in CSV, text a spreadsheet would run.
            if index in formulas or (csv_file and _is_formula_text(text)):
                row_errors[column.field] = _("This cell holds a formula. Type the value itself.")
                continue
            try:
                values[column.field] = _parse_cell(column, value, villages)
            except PlannerError as error:
                row_errors[column.field] = error.message
        row = AttendeeInput(
            full_name=values.get("full_name", ""),
            birth_year=values.get("birth_year"),
            gender=values.get("gender"),
            ethnicity=values.get("ethnicity", ""),
            village_id=values.get("village"),
            phone=values.get("phone", ""),
            occupation=values.get("occupation", ""),
            priority_group=values.get("priority_group") or PriorityGroup.OTHER,
            has_health_insurance=values.get("has_health_insurance"),
            interest=values.get("interest") or Interest.NONE,
            registered_on_spot=bool(values.get("registered_on_spot")),
            consent_contact=bool(values.get("consent_contact")),
            notes=values.get("notes", ""),
            cccd=values.get("cccd", ""),
            errors={k.replace("village", "village_id"): v for k, v in row_errors.items()},
        )
        row = clean_attendee(row)
        for name, message in row.errors.items():
            field = "village" if name == "village_id" else name
            errors.append(SheetError(number, labels.get(field, field), message))
        parsed.append((number, row))
        if len(parsed) > limit:
            raise ImportRefused(too_many_rows(limit))
    if not parsed and not errors:
        raise ImportRefused(_("The file has a header row but no people."))
    return parsed, errors


def _same_person_errors(parsed: list[tuple[int, AttendeeInput]]) -> list[SheetError]:
    """Two rows of one file that are the same person would list them twice."""
    errors: list[SheetError] = []
    first_seen: dict[tuple[str, ...], int] = {}
    for number, row in parsed:
        keys: list[tuple[str, ...]] = []
        if row.cccd:
            keys.append(("cccd", row.cccd))
        if row.phone:
            keys.append(("phone", row.phone, fold_name(row.full_name)))
        for key in keys:
            if key in first_seen:
                errors.append(
                    SheetError(
                        number,
                        "Họ và tên",
                        _(
                            "The same person as row %(row)s; keep one of the two rows.",
                            row=first_seen[key],
                        ),
                    )
                )
                break
            first_seen[key] = number
    return errors


def import_sheet(
    session: OutreachSession, filename: str, content: bytes, user: User | None
) -> ImportResult:
    """Check the whole file, then record every row at the session, or refuse it all."""
    check_session_open(session)
    table, header = choose_table(read_tables(filename, content))
    villages = _Villages(session.office_id, session.commune_id)
    parsed, errors = parse_rows(table, header, villages)
    errors += _same_person_errors(parsed)
    rows = [row for _n, row in parsed]
    if not errors:
        matches = match_people(session.office_id, rows)
        listed = set(
            db.session.scalars(
                sa.select(Attendance.person_id).where(
                    Attendance.session_id == session.id,
                    Attendance.person_id.in_([p.id for p in matches if p is not None]),
                )
            )
        )
        for (number, row), person in zip(parsed, matches, strict=True):
            if person is not None and person.id in listed:
                errors.append(
                    SheetError(
                        number,
                        "Họ và tên",
                        _("%(name)s is already on this session's list.", name=row.full_name),
                    )
                )
    if errors:
        raise _refused(errors)
    known = sum(1 for p in matches if p is not None)
    record_attendances(session, rows, user, source=AttendanceSource.IMPORT)
    return ImportResult(
        rows=len(rows), new_people=len(rows) - known, known_people=known, sheet=table.sheet
    )


def import_summary(result: ImportResult) -> str:
    """What the officer is told after an import: how many, how many new, and which sheet."""
    summary = ngettext(
        "%(num)d attendee was imported",
        "%(num)d attendees were imported",
        result.rows,
    )
    new = ngettext("%(num)d new person", "%(num)d new people", result.new_people)
    known = ngettext("%(num)d already known", "%(num)d already known", result.known_people)
    message = _("%(summary)s (%(new)s, %(known)s).", summary=summary, new=new, known=known)
    if result.sheet is not None:
        message += " " + _("Read from the sheet “%(sheet)s”.", sheet=result.sheet)
    return message
