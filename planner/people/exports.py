"""A session's attendance list as a spreadsheet: the rows an officer downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, cast

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from planner.people.identity import person_label, shown_phone
from planner.people.models import Attendance
from planner.people.privacy import neutralise_formula

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header() -> list[Any]:
    return [
        _("No."),
        _("Full name"),
        _("Year of birth"),
        _("Gender"),
        _("Ethnicity"),
        _("Village"),
        _("Phone"),
        _("Occupation"),
        _("Priority group"),
        _("Has a health insurance card now"),
        _("Interested in"),
        _("Registered on the spot"),
        _("Agrees to be contacted"),
        _("Notes"),
    ]


def _line(number: int, a: Attendance, mask: bool) -> list[Any]:
    yes, no = _("Yes"), _("No")
    p = a.person
    return [
        number,
        person_label(p),
        p.birth_year or "",
        p.gender.label if p.gender else "",
        p.ethnicity,
        p.village.display_name if p.village else "",
        shown_phone(p.phone, mask),
        p.occupation,
        p.priority_group.label,
        "" if p.has_health_insurance is None else (yes if p.has_health_insurance else no),
        a.interest.label,
        yes if a.registered_on_spot else no,
        yes if p.consent_contact else no,
        a.notes,
    ]


def attendance_lines(attendances: Iterable[Attendance], mask: bool) -> list[list[Any]]:
    """A header and one numbered line per confirmed attendance, in the order given.

    `mask` hides the middle of phone numbers. Text that a spreadsheet would run as a formula is
    made plain (privacy.neutralise_formula); numbers stay numbers."""
    confirmed = (a for a in attendances if a.confirmed)
    lines = [_header()] + [_line(n, a, mask) for n, a in enumerate(confirmed, start=1)]
    return [
        [neutralise_formula(str(c) if not isinstance(c, int) else c) for c in line]
        for line in lines
    ]


def lines_csv(lines: list[list[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark, so that Excel reads Vietnamese right."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def lines_xlsx(lines: list[list[Any]]) -> bytes:
    """One sheet with the lines as rows."""
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one sheet, never None
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
