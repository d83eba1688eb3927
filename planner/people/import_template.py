"""The attendance sheet's columns as an import reads them, and the empty template (XLSX with
drop-down lists, or the CSV header row) an officer fills in."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation


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

# Values the template offers in its drop-down lists.
TEMPLATE_VALUES = {
    "gender": ["Nam", "Nữ"],
    "priority_group": ["Hộ nghèo", "Hộ cận nghèo", "Dân tộc thiểu số", "Khác"],
    "has_health_insurance": ["Có", "Không"],
    "interest": ["BHXH tự nguyện", "BHYT hộ gia đình", "Cả hai", "Không"],
    "registered_on_spot": ["Có", "Không"],
    "consent_contact": ["Có", "Không"],
}


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
