"""Reading an uploaded spreadsheet (XLSX or CSV) as the program that wrote it shows it.

What a reader must not trust or forget, each seen in real files:
- the used range a sheet declares (WPS Office and some exporters write `A1`): the cells are read
  wherever they are;
- merged cells: a value typed once and merged down over several rows belongs to each of them (a
  village merged over three people); merged across columns, to the first column;
- hidden columns are reported, so a column nobody can see is not held against the file;
- every sheet of a workbook is read, so the caller can pick the one with the list;
- CSV comes as UTF-8 with or without BOM, UTF-16 (Excel's "Unicode text") or Windows code page
  1258 (Excel's CSV on Vietnamese Windows, which writes tone marks as combining characters); all
  text comes out NFC (planner/text.py).
Limits (bytes, unpacked size, rows, cells) are checked before anything large is built.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from openpyxl import load_workbook

from planner.errors import PlannerError
from planner.text import nfc

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 2000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Rows of titles, notes and blank lines accepted beyond the row limit.
SPARE_ROWS = 20
# Cells a workbook may hold before the full reader (which keeps every cell) is used on it.
MAX_CELLS = 400_000

# (row number, cell values, indexes of the cells that are formulas)
Row = tuple[int, list[Any], set[int]]


@dataclass(frozen=True)
class Table:
    """One sheet (or the CSV file) as rows; `sheet` is the sheet's name, None for a CSV file."""

    sheet: str | None
    rows: list[Row]
    hidden_columns: frozenset[int] = frozenset()
    # (first row, last row) of each merged range that spans several rows.
    row_merges: tuple[tuple[int, int], ...] = field(default=())


class ImportRefused(PlannerError):
    """The file was refused; `errors` names each bad row and column."""

    def __init__(self, message: str, errors: list | None = None):
        super().__init__(message, code="import_refused", field="sheet")
        self.errors = errors or []


def max_rows() -> int:
    return current_app.config.get("PEOPLE_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def too_many_rows(limit: int) -> str:
    return ngettext(
        "The file has more than %(num)d row. Split it into smaller files.",
        "The file has more than %(num)d rows. Split it into smaller files.",
        limit,
    )


def read_tables(filename: str, content: bytes) -> list[Table]:
    """Every sheet of the file, in the workbook's order (visible sheets first), or the CSV file
    as one table. Raises ImportRefused for a file too large, empty, or not a spreadsheet."""
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
    return [Table(None, _read_csv(content))]


def read_table(filename: str, content: bytes) -> list[Row]:
    """The rows of the file's first sheet (or its CSV rows)."""
    return read_tables(filename, content)[0].rows


def _not_xlsx(error: Exception | None = None) -> ImportRefused:
    refused = ImportRefused(_("This file is not a readable XLSX spreadsheet."))
    refused.__cause__ = error
    return refused


def _check_xlsx_size(content: bytes) -> None:
    """Refuse a workbook too big to read, before the reader that keeps every cell sees it."""
    # A small zip can unpack to gigabytes; look at the sizes before openpyxl reads anything.
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise _not_xlsx(error) from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRefused(too_many_rows(DEFAULT_MAX_ROWS))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # any damaged or disguised file ends here
        raise _not_xlsx(error) from error
    try:
        cells = 0
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # the declared used range may be wrong (`A1`)
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > max_rows() + SPARE_ROWS:
                    raise ImportRefused(too_many_rows(max_rows()))
                cells += len(row)
                if cells > MAX_CELLS:
                    raise ImportRefused(too_many_rows(max_rows()))
    finally:
        workbook.close()


def _read_xlsx(content: bytes) -> list[Table]:
    _check_xlsx_size(content)
    try:
        workbook = load_workbook(io.BytesIO(content), data_only=False)
    except Exception as error:
        raise _not_xlsx(error) from error
    try:
        sheets = sorted(workbook.worksheets, key=lambda s: s.sheet_state != "visible")
        return [_sheet_table(sheet) for sheet in sheets]
    finally:
        workbook.close()


def _sheet_table(sheet: Any) -> Table:
    """One worksheet's cells, merged values spread down their first column."""
    grid: dict[tuple[int, int], Any] = {}
    formulas: dict[int, set[int]] = {}
    for cells in sheet.iter_rows():  # every cell there is, whatever range the sheet declares
        for cell in cells:
            value = getattr(cell, "value", None)
            if value is None:
                continue
            if getattr(cell, "data_type", None) == "f":
                formulas.setdefault(cell.row, set()).add(cell.column - 1)
            grid[(cell.row, cell.column)] = nfc(value)
    row_merges = []
    for merged in sheet.merged_cells.ranges:
        value = grid.get((merged.min_row, merged.min_col))
        for row in range(merged.min_row, merged.max_row + 1):
            if value is not None:
                grid[(row, merged.min_col)] = value
            if merged.min_col in formulas.get(merged.min_row, set()):
                formulas.setdefault(row, set()).add(merged.min_col - 1)
        if merged.max_row > merged.min_row:
            row_merges.append((merged.min_row, merged.max_row))
    hidden: set[int] = set()
    for dimension in sheet.column_dimensions.values():
        if dimension.hidden and dimension.min and dimension.max:
            hidden.update(range(dimension.min - 1, min(dimension.max, 16384)))
    last_row = max((r for r, _c in grid), default=0)
    last_column = max((c for _r, c in grid), default=0)
    rows = [
        (
            number,
            [grid.get((number, column)) for column in range(1, last_column + 1)],
            formulas.get(number, set()),
        )
        for number in range(1, last_row + 1)
    ]
    return Table(sheet.title, rows, frozenset(hidden), tuple(row_merges))


def _decode_csv(content: bytes) -> str:
    """The CSV's text in NFC, from UTF-8 (with or without BOM), UTF-16 or code page 1258."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = content.decode("utf-16")
    elif len(content) >= 4 and content[1] == 0 and content[3] == 0 and content[0] != 0:
        text = content.decode("utf-16-le", errors="strict")  # UTF-16 without its BOM
    elif b"\x00" in content[:4096]:
        raise ImportRefused(_("This is not a spreadsheet. Upload an XLSX or CSV file."))
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                # Excel's "CSV" on Vietnamese Windows: tone marks as combining characters.
                text = content.decode("cp1258")
            except UnicodeDecodeError as error:
                raise ImportRefused(
                    _("The CSV file's characters cannot be read. Save it as “CSV UTF-8”.")
                ) from error
    return nfc(text)


def _read_csv(content: bytes) -> list[Row]:
    try:
        text = _decode_csv(content)
    except UnicodeDecodeError as error:
        raise ImportRefused(
            _("The CSV file's characters cannot be read. Save it as “CSV UTF-8”.")
        ) from error
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[Row] = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if number > max_rows() + SPARE_ROWS:
                raise ImportRefused(too_many_rows(max_rows()))
            rows.append((number, cells, set()))
    except csv.Error as error:
        raise ImportRefused(_("The CSV file is damaged and cannot be read.")) from error
    return rows
