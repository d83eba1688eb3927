"""The attendance sheet hides nothing: every text fits its cell (smaller type, then a taller row),
the stored layout follows taller rows, and the totals and signatures stay with the last rows."""

from __future__ import annotations

import itertools
import json
import random
from datetime import date

import pytest
from weasyprint.formatting_structure.boxes import LineBox, TextBox

from planner.extensions import db
from planner.people.models import Gender
from planner.printing import columns, fitting, render, settings, sheet, talking_points
from planner.sessions.models import OutreachSession
from tests import factories
from tests.test_printing import flat_text, page_image, pdf_pages, pdf_text

SUNDAY = date(2026, 12, 6)
PX_PER_MM = 96 / 25.4
# The longest text each field holds (planner/people/models.py, places/models.py), in words as
# people write them; and the longest labels the app itself prints in them.
LONGEST_NAME = ("Hoàng Thị Phương Thảo Nguyễn Ngọc Bích Liên " * 4)[:120].strip()
LONGEST_OCCUPATION = ("Buôn bán nhỏ, chăn nuôi lợn, trồng ngô và thảo quả, " * 3)[:120].strip()
LONGEST_ETHNICITY = ("Phù Lá Hà Nhì Lô Lô Bố Y " * 3)[:60].strip()
LONGEST_VILLAGE = ("Tổ dân phố Nậm Cang Thượng Hồng Quang " * 4)[:120].strip()
NO_SPACES = "Giàngthịmỷ" * 12  # a name typed without spaces still breaks


@pytest.fixture
def meeting(officer, places):
    factories.rates()
    talking_points.seed_talking_points()
    session = factories.session(
        officer, places.commune, day=SUNDAY, venue=places.house, expected_attendance=1
    )
    settings.save_print_settings(officer.office_id, "a5x2", [], 0, by=officer)
    db.session.commit()
    return session


def person(i: int = 1, **fields) -> sheet.SheetPerson:
    values = {
        "full_name": f"Giàng Thị Mỷ {i}",
        "birth_year": 1980,
        "gender": "Nữ",
        "ethnicity": "Mông",
        "village": "Na Hối",
        "phone": "0••• ••• 678",
        "occupation": "Làm ruộng",
        "priority_group": "Hộ cận nghèo",
        "has_hi": True,
    }
    return sheet.SheetPerson(**{**values, **fields})


def longest(i: int = 1) -> sheet.SheetPerson:
    return person(
        i,
        full_name=LONGEST_NAME,
        ethnicity=LONGEST_ETHNICITY,
        village=LONGEST_VILLAGE,
        occupation=LONGEST_OCCUPATION,
        priority_group="Người dân tộc thiểu số",
        gender=str(Gender.FEMALE.label),
    )


def print_sheet(session: OutreachSession, people: list) -> tuple[dict, bytes, str]:
    session.expected_attendance = 0  # only these rows
    version, pdf = sheet.attendance_sheet(session, people)
    html = sheet.sheet_html(session, sheet.sheet_rows(people, 0, 0), version.number)
    return json.loads(version.layout_json), pdf, html


def cells(html: str):
    """Every text cell of the laid-out sheet: (its text, whether all of it is inside the cell)."""
    document = render.layout(html, sheet.SHEET_STYLES)
    found = []
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or "td" not in (element.get("class") or "").split():
                continue
            if box.element_tag != "div":
                continue
            bottom = box.padding_box_y() + box.padding_height()
            right = box.padding_box_x() + box.padding_width()
            lines = [b for b in box.descendants() if isinstance(b, LineBox)]
            texts = [b for b in box.descendants() if isinstance(b, TextBox)]
            inside = all(line.position_y + line.height <= bottom + 0.5 for line in lines) and all(
                t.position_x + t.width <= right + 0.5 for t in texts
            )
            found.append(("".join(t.text for t in texts), inside, element.get("class")))
    return found


def squeezed(text: str) -> str:
    return "".join(text.split())


def test_a_long_occupation_and_the_apps_own_labels_lose_no_line(officer, meeting):
    people = [
        person(1, occupation="Buôn bán nhỏ, chăn nuôi lợn", priority_group="Đối tượng khác"),
        person(2, full_name="Hoàng Thị Phương Thảo Nguyễn Ngọc Bích Liên"),
    ]
    _layout, pdf, html = print_sheet(meeting, people)

    printed = cells(html)
    assert printed and all(inside for _text, inside, _class in printed), [
        p for p in printed if not p[1]
    ]
    text = squeezed(pdf_text(pdf))
    for whole in ("Buônbánnhỏ,chănnuôilợn", "Đốitượngkhác", "HoàngThịPhươngThảoNguyễnNgọcBíchLiên"):
        assert whole in text


def test_every_field_at_its_longest_prints_whole(officer, meeting):
    people = [longest(1), person(2), person(3, full_name=NO_SPACES), longest(4)]
    layout, pdf, html = print_sheet(meeting, people)

    printed = [c for c in cells(html) if c[2] not in ("td number", "td has_hi")]
    assert len(printed) == 4 * 8  # eight text cells a row
    assert all(inside for _text, inside, _class in printed), [p for p in printed if not p[1]]
    by_text = {squeezed(t) for t, _inside, _class in printed}
    for whole in (LONGEST_NAME, LONGEST_OCCUPATION, LONGEST_ETHNICITY, LONGEST_VILLAGE, NO_SPACES):
        assert squeezed(whole) in by_text
    # Only rows that need it grow; an ordinary row keeps its height.
    heights = {r["row"]: r["h"] for page in layout["pages"] for r in page["rows"]}
    assert heights[2] == sheet.ROW_H
    assert heights[1] > sheet.ROW_H and heights[3] > sheet.ROW_H
    assert pdf_pages(pdf) == len(layout["pages"])


def test_text_prints_smaller_before_its_row_grows_and_never_below_the_floor():
    style = sheet.CELL_STYLE
    short = fitting.fit_cell("Làm ruộng", 13, sheet.ROW_H, style)
    three_lines = fitting.fit_cell("Buôn bán nhỏ, chăn nuôi lợn", 13, sheet.ROW_H, style)
    very_long = fitting.fit_cell(LONGEST_OCCUPATION, 13, sheet.ROW_H, style)

    assert (short.size_pt, short.height_mm) == (7.5, sheet.ROW_H)
    # Three lines do not fit a 9 mm row at 7.5 pt: smaller, in the same row.
    assert fitting.wrap("Buôn bán nhỏ, chăn nuôi lợn", 11, 7.5)[2:]
    assert three_lines.size_pt < 7.5 and three_lines.height_mm == sheet.ROW_H
    assert three_lines.lines == 3
    assert very_long.size_pt == min(style.sizes) >= 6.5
    assert very_long.height_mm > sheet.ROW_H
    needed = style.padding_top + very_long.lines * 6.5 * style.line_height * fitting.PT_MM
    assert very_long.height_mm >= needed + style.padding_bottom


def test_the_measured_width_is_never_narrower_than_the_renderers(app):
    """fitting.py's widths against WeasyPrint's own line, for the sheet's size and font."""
    samples = ("Buôn bán nhỏ, chăn nuôi lợn", LONGEST_NAME[:40], "Người dân tộc thiểu số")
    for text in (*samples, "0••• ••• 678", "Giàngthịmỷ" * 4):
        html = f'<p style="font-size: 7.5pt; white-space: nowrap"><span id="t">{text}</span></p>'
        document = render.layout(html, ["base"])
        spans = [b for b in document.pages[0]._page_box.descendants() if isinstance(b, TextBox)]
        rendered_mm = sum(b.width for b in spans) / PX_PER_MM
        measured = fitting.text_width_mm(text, 7.5)
        assert measured >= rendered_mm - 0.05, text
        assert measured <= rendered_mm * 1.05 + 0.3, text


def test_the_stored_layout_follows_taller_rows_to_the_ink(officer, meeting, tmp_path):
    """Boxes of rows below a taller row are where the layout says, in the rendered page."""
    layout, pdf, _html = print_sheet(meeting, [longest(1), person(2), longest(3), person(4)])
    first = layout["pages"][0]
    rows = first["rows"]
    for above, below in itertools.pairwise(rows):
        assert below["y"] == pytest.approx(above["y"] + above["h"], abs=0.01)
    for box in first["boxes"]:
        row = next(r for r in rows if r["row"] == box["row"])
        # At the top of its row, where readback.cells looks for the row's top.
        assert box["y"] == pytest.approx(row["y"] + (sheet.ROW_H - sheet.TICK_MM) / 2, abs=0.01)

    dpi = 150
    image = page_image(pdf, 1, dpi, tmp_path)

    def ink(x_mm: float, y_mm: float) -> bool:
        return image.getpixel((round(x_mm * dpi / 25.4), round(y_mm * dpi / 25.4))) < 100

    for box in first["boxes"]:
        middle_y = box["y"] + box["h"] / 2
        assert ink(box["x"] + 0.2, middle_y) and ink(box["x"] + box["w"] - 0.2, middle_y)
        assert not ink(box["x"] - 1, middle_y) and not ink(box["x"] + box["w"] + 1, middle_y)
        middle_x = box["x"] + box["w"] / 2
        assert ink(middle_x, box["y"] + 0.2) and ink(middle_x, box["y"] + box["h"] - 0.2)
        assert not ink(middle_x, box["y"] - 1)
    # Each row's rules: the line under a tall row is where its height ends.
    name = next(c for c in sheet.place_columns() if c.key == "full_name")
    for row in rows:
        bottom = row["y"] + row["h"]
        assert any(ink(name.left + 10, bottom + d) for d in (-0.15, 0, 0.15))
    # Each column's rules: where the layout says its left edge is (the read-back reads the name
    # and signature cells there), and the table spans its margins.
    placed = first["columns"]
    assert [c["key"] for c in placed] == [c.key for c in sheet.place_columns()]
    middle = rows[0]["y"] + rows[0]["h"] / 2
    for column in placed:
        assert any(ink(column["x"] + d, middle) for d in (-0.15, 0, 0.15)), column["key"]
    assert placed[0]["x"] == sheet.TABLE_MARGIN
    assert placed[-1]["x"] + placed[-1]["w"] == pytest.approx(sheet.PAGE_W - sheet.TABLE_MARGIN)


# --- Pages, totals and signatures -----------------------------------------------------------


def test_a_35_row_sheet_keeps_its_totals_and_signatures_with_the_last_rows(
    officer_client, officer, meeting
):
    meeting.expected_attendance = 35
    db.session.commit()

    response = officer_client.get(f"/printing/sessions/{meeting.id}/sheet.pdf")

    assert response.status_code == 200
    pages = sheet.plan_sheet_pages([None] * 35)
    last = pages[-1]
    assert last.has_footer and len(last.rows) >= sheet.KEEP_WITH_FOOTER
    assert [len(p.rows) for p in pages] == [11, 13, 8, 3]
    text = pdf_text(response.data).split("Trang 4 / 4")[-1]
    assert "Người lập" in text and "Thủ trưởng đơn vị" in text


@pytest.mark.parametrize("rows", range(0, 61))
def test_the_signatures_never_print_alone_on_a_page(rows):
    pages = sheet.plan_sheet_pages([None] * rows)

    assert sum(len(p.rows) for p in pages) == rows
    assert [p.first_row for p in pages] == [
        1 + sum(len(q.rows) for q in pages[:i]) for i in range(len(pages))
    ]
    last = pages[-1]
    assert last.has_footer and not any(p.has_footer for p in pages[:-1])
    assert len(last.rows) >= min(rows, sheet.KEEP_WITH_FOOTER)
    assert last.used_mm() + sheet.FOOTER_H <= sheet.CONTENT_H
    # Every page holds rows (the totals have rows above them): none is cut short for nothing.
    assert all(p.rows for p in pages) or rows == 0


def test_tall_rows_are_paginated_by_their_height():
    generator = random.Random(13)
    for _trial in range(200):
        heights = [generator.choice([9.0, 9.0, 9.0, 12.5, 17.0, 36.0]) for _ in range(40)]
        pages = sheet.plan_sheet_pages([None] * 40, heights)
        assert [h for p in pages for h in p.heights] == heights
        for page in pages:
            assert page.used_mm() <= sheet.CONTENT_H + 1e-6
        assert pages[-1].has_footer
        assert pages[-1].used_mm() + sheet.FOOTER_H <= sheet.CONTENT_H
        assert pages[-1].rows or heights[-1] + sheet.FOOTER_H > 125


def test_the_footer_has_a_place_and_date_line_and_no_empty_prefilled_count(officer, meeting):
    _layout, blank, _html = print_sheet(meeting, [None, None])
    _layout, filled, _html = print_sheet(meeting, [person(1), None])

    blank_text, filled_text = flat_text(blank), flat_text(filled)
    assert "Bắc Hà, ngày ...... tháng ...... năm .........." in blank_text
    assert "Số dòng in sẵn" not in blank_text
    assert "Số dòng in sẵn: 1" in filled_text


def test_the_title_is_centred_and_the_notes_column_is_wide_enough_to_write_in(officer, meeting):
    _layout, _pdf, html = print_sheet(meeting, [person(1)])
    document = render.layout(html, sheet.SHEET_STYLES)
    title = next(
        b
        for b in document.pages[0]._page_box.descendants()
        if getattr(b, "element", None) is not None
        and b.element.get("class") == "doc-title"
        and b.element_tag == "div"
    )
    text = next(b for b in title.descendants() if isinstance(b, TextBox))
    assert text.text == "DANH SÁCH NGƯỜI THAM DỰ"
    centre_mm = (text.position_x + text.width / 2) / PX_PER_MM
    assert centre_mm == pytest.approx(sheet.PAGE_W / 2, abs=1)

    widths = {c.key: c.width for c in sheet.place_columns()}
    assert widths["notes"] >= 25  # was 11, then 13: room for a few handwritten words
    # Room for a handwritten name and a signature, beside the name column's fitted text.
    assert widths["full_name"] >= 31 and widths["signature"] == 30
    assert columns.SHEET_COLUMNS[-1].key == "signature"
