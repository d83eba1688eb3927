"""Import a typed-up attendance sheet (XLSX or CSV): all rows or none.

The columns are the paper sheet's columns with their Vietnamese headers. A file with any error is
refused with every bad row and column named, and nothing is saved.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from planner.accounts.models import User
from planner.enums import PriorityGroup
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.attendance import check_session_open, record_attendances
from planner.people.identity import AttendeeInput, clean_attendee, match_people
from planner.people.models import Attendance, AttendanceSource, Gender, Interest, fold_name
from planner.places.models import Commune, Village
from planner.sessions.models import OutreachSession

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 2000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # as printed on the sheet (Vietnamese)
    aliases: tuple[str, ...]  # folded spellings also accepted, incl. English


COLUMNS = (
    Column("full_name", "Họ và tên", ("ho ten", "full name", "name")),
    Column("birth_year", "Năm sinh", ("year of birth", "birth year")),
    Column("gender", "Giới tính", ("gender", "nam/nu")),
    Column("ethnicity", "Dân tộc", ("ethnicity",)),
    Column("village", "Thôn/bản", ("thon", "ban", "thon ban", "village", "thon/ban/to dan pho")),
    Column("phone", "Số điện thoại", ("dien thoai", "sdt", "phone", "phone number")),
    Column("occupation", "Nghề nghiệp", ("occupation",)),
    Column("priority_group", "Nhóm ưu tiên", ("doi tuong", "priority group")),
    Column("has_health_insurance", "Đã có thẻ BHYT", ("co the bhyt", "has health insurance")),
    Column("interest", "Quan tâm", ("quan tam den", "interested in", "interest")),
    Column("registered_on_spot", "Đăng ký tại chỗ", ("registered on the spot",)),
    Column("consent_contact", "Đồng ý được liên hệ", ("dong y lien he", "consent to be contacted")),
    Column("notes", "Ghi chú", ("notes",)),
    Column("cccd", "Số CCCD", ("cccd", "so can cuoc", "citizen id")),
)
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
# Values the template offers in its drop-down lists.
TEMPLATE_VALUES = {
    "gender": ["Nam", "Nữ"],
    "priority_group": ["Hộ nghèo", "Hộ cận nghèo", "Dân tộc thiểu số", "Khác"],
    "has_health_insurance": ["Có", "Không"],
    "interest": ["BHXH tự nguyện", "BHYT hộ gia đình", "Cả hai", "Không"],
    "registered_on_spot": ["Có", "Không"],
    "consent_contact": ["Có", "Không"],
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


@dataclass
class SheetError:
    row: int
    column: str
    message: str


class ImportRefused(PlannerError):
    """The file was refused; `errors` names each bad row and column."""

    def __init__(self, message: str, errors: list[SheetError] | None = None):
        super().__init__(message, code="import_refused", field="sheet")
        self.errors = errors or []


@dataclass
class ImportResult:
    rows: int
    new_people: int
    known_people: int


# --- Reading the file -----------------------------------------------------------------------


def read_table(filename: str, content: bytes) -> list[tuple[int, list[Any], set[int]]]:
    """Rows of the file as (row number, cell values, indexes of formula cells)."""
    limit = current_app.config.get("PEOPLE_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)
    if len(content) > limit:
        raise ImportRefused(
            _(
                "The file is larger than %(mb)s MB. Split the list into smaller files.",
                mb=limit // (1024 * 1024),
            )
        )
    if not content.strip():
        raise ImportRefused(_("The file is empty."))
    name = (filename or "").lower()
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise ImportRefused(
            _(
                "Old Excel files (.xls) cannot be read. "
                "Save the sheet as .xlsx or CSV and upload it again."
            )
        )
    if name.endswith(".xlsx"):
        raise ImportRefused(_("This file is not a readable XLSX spreadsheet."))
    if not name.endswith((".csv", ".txt")):
        raise ImportRefused(_("This is not a spreadsheet. Upload an XLSX or CSV file."))
    return _read_csv(content)


def _read_xlsx(content: bytes) -> list[tuple[int, list[Any], set[int]]]:
    # A small zip can unpack to gigabytes; look at the sizes before openpyxl reads anything.
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise ImportRefused(_("This file is not a readable XLSX spreadsheet.")) from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRefused(_too_many_rows(DEFAULT_MAX_ROWS))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # any damaged or disguised file ends here
        raise ImportRefused(_("This file is not a readable XLSX spreadsheet.")) from error
    try:
        sheet = workbook.worksheets[0]
        max_rows = current_app.config.get("PEOPLE_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)
        rows = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if number > max_rows + 20:
                raise ImportRefused(_too_many_rows(max_rows))
            values, formulas = [], set()
            for index, cell in enumerate(cells):
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f":
                    formulas.add(index)
                values.append(value)
            rows.append((number, values, formulas))
        return rows
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[tuple[int, list[Any], set[int]]]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = content.decode("utf-16")
    elif b"\x00" in content[:4096]:
        raise ImportRefused(_("This is not a spreadsheet. Upload an XLSX or CSV file."))
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1258")  # Excel's "CSV" on Vietnamese Windows
            except UnicodeDecodeError as error:
                raise ImportRefused(
                    _("The CSV file's characters cannot be read. Save it as “CSV UTF-8”.")
                ) from error
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    max_rows = current_app.config.get("PEOPLE_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)
    rows: list[tuple[int, list[Any], set[int]]] = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if number > max_rows + 20:
                raise ImportRefused(_too_many_rows(max_rows))
            rows.append((number, cells, set()))
    except csv.Error as error:
        raise ImportRefused(_("The CSV file is damaged and cannot be read.")) from error
    return rows


def _too_many_rows(limit: int) -> str:
    return _("The file has more than %(n)s rows. Split it into smaller files.", n=limit)


# --- Turning cells into rows ----------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _is_formula_text(text: str) -> bool:
    if text.startswith(("=", "@")):
        return True
    return text.startswith(("+", "-")) and not PLAIN_NUMBER.match(text)


def _header_map(cells: list[Any], row: int) -> tuple[dict[int, Column], list[SheetError]]:
    known: dict[str, Column] = {}
    for named in COLUMNS:
        known[fold_name(named.header)] = named
        for alias in named.aliases:
            known[alias] = named
    mapping, errors, seen = {}, [], set()
    for index, cell in enumerate(cells):
        title = _text(cell)
        key = fold_name(title).rstrip(":*.")
        if not key or key in IGNORED:
            continue
        column = known.get(key)
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
    table: list[tuple[int, list[Any], set[int]]], villages: _Villages
) -> tuple[list[tuple[int, AttendeeInput]], list[SheetError]]:
    """The sheet's rows as attendee inputs, and every error found (row, column, message)."""
    start = next(
        (i for i, (_n, cells, _f) in enumerate(table) if any(_text(c) for c in cells)), None
    )
    if start is None:
        raise ImportRefused(_("The file is empty."))
    header_row, header_cells, _f = table[start]
    mapping, errors = _header_map(header_cells, header_row)
    if errors:
        return [], errors
    labels = {c.field: c.header for c in COLUMNS}
    max_rows = current_app.config.get("PEOPLE_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)
    parsed: list[tuple[int, AttendeeInput]] = []
    for number, cells, formulas in table[start + 1 :]:
        if not any(_text(cells[i]) for i in mapping if i < len(cells)):
            continue
        values: dict[str, Any] = {}
        row_errors: dict[str, str] = {}
        for index, column in mapping.items():
            value = cells[index] if index < len(cells) else None
            text = _text(value)
            if index in formulas or (isinstance(value, str) and _is_formula_text(text)):
                row_errors[column.field] = _(
                    "This cell holds a formula (it starts with =, +, - or @). "
                    "Type the value itself."
                )
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
        if len(parsed) > max_rows:
            raise ImportRefused(_too_many_rows(max_rows))
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
    table = read_table(filename, content)
    villages = _Villages(session.office_id, session.commune_id)
    parsed, errors = parse_rows(table, villages)
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
        errors.sort(key=lambda e: e.row)
        raise ImportRefused(
            _(
                "The file was not imported: %(n)s problems were found. Nothing was saved.",
                n=len(errors),
            ),
            errors,
        )
    known = sum(1 for p in matches if p is not None)
    record_attendances(session, rows, user, source=AttendanceSource.IMPORT)
    return ImportResult(rows=len(rows), new_people=len(rows) - known, known_people=known)


# --- The template ---------------------------------------------------------------------------


def template_headers() -> list[str]:
    return ["STT", *[c.header for c in COLUMNS]]


def template_xlsx(village_names: list[str]) -> bytes:
    """An empty sheet with the paper sheet's columns and drop-down lists of allowed values."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook's one sheet
    sheet.title = "Danh sách người tham dự"
    sheet.append(template_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [6, 26, 10, 10, 12, 18, 16, 16, 18, 14, 18, 14, 16, 24, 16]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    lists = workbook.create_sheet("Giá trị")
    lists.append(["Thôn/bản", *[c.header for c in COLUMNS if c.field in TEMPLATE_VALUES]])
    choices = [
        village_names,
        *[TEMPLATE_VALUES[c.field] for c in COLUMNS if c.field in TEMPLATE_VALUES],
    ]
    for row in range(max(len(c) for c in choices) if choices else 0):
        lists.append([c[row] if row < len(c) else None for c in choices])
    headers = template_headers()
    fields = ["village", *[c.field for c in COLUMNS if c.field in TEMPLATE_VALUES]]
    for list_index, field in enumerate(fields, start=1):
        values = choices[list_index - 1]
        if not values:
            continue
        letter = get_column_letter(list_index)
        header = next(c.header for c in COLUMNS if c.field == field)
        target = get_column_letter(headers.index(header) + 1)
        validation = DataValidation(
            type="list",
            formula1=f"'Giá trị'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=field != "village",
        )
        sheet.add_data_validation(validation)
        validation.add(f"{target}2:{target}1001")
    for index in range(2, 52):
        sheet.cell(index, 1, index - 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    """The header row as CSV, with a BOM so Excel shows the Vietnamese letters."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(template_headers())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
