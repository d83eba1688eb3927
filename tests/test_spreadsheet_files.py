"""Attendance spreadsheets as people's own programs write them: each file is built here the way
Excel, WPS Office, LibreOffice or a Windows CSV export leaves it, and imports as its author sees
it on screen."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from planner.extensions import db
from planner.people.importing import ImportRefused, import_sheet, template_headers
from planner.people.models import Attendance, Person
from tests.test_people_import import as_csv, good_rows

HEADERS = template_headers()


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def people() -> dict[str, Person]:
    return {p.full_name: p for p in db.session.scalars(sa.select(Person))}


def notes() -> dict[str, str]:
    rows = db.session.execute(
        sa.select(Person.full_name, Attendance.notes).join(Attendance.person)
    ).all()
    return dict(rows)


def test_a_sheet_declaring_its_used_range_as_a1_is_read_whole(officer, held):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for line in good_rows():
        sheet.append(line)
    raw = workbook_bytes(workbook)
    # WPS Office writes <dimension ref="A1"/> whatever the sheet holds.
    source, target = io.BytesIO(raw), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, replaced = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
                assert replaced == 1
            new.writestr(item, data)
    result = import_sheet(held, "wps.xlsx", target.getvalue(), officer)
    assert result.rows == 3
    assert set(people()) == {"Lò Văn Páo", "Giàng Thị Dợ", "Vàng A Sử"}


def report_layout() -> Workbook:
    """The list as an office types it: title and office name merged across the top, a header
    merged down over two rows, a village merged down over three people, blank rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet["A1"] = "BẢO HIỂM XÃ HỘI TỈNH LÀO CAI"
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "DANH SÁCH NGƯỜI THAM DỰ BUỔI TRUYỀN THÔNG"
    sheet.merge_cells("A2:F2")
    titles = ["STT", "HỌ VÀ TÊN", "Năm sinh", "Thôn/bản", "Ghi chú", "Số điện thoại"]
    for column, title in enumerate(titles, start=1):
        sheet.cell(4, column, title)
        sheet.merge_cells(start_row=4, start_column=column, end_row=5, end_column=column)
    rows = [
        (1, "Lò Văn Páo", 1985, "Na Hối", "-", "0912345678"),
        (2, "Giàng Thị Dợ", 1990, None, "- hẹn gọi lại sau mùa gặt", ""),
        (3, "Vàng A Sử", 1979, None, "", ""),
        None,
        (4, "Sùng Thị Mỷ", 1988, "Thôn Cốc Ly", "", ""),
    ]
    for offset, line in enumerate(rows):
        for column, value in enumerate(line or (), start=1):
            if value is not None:
                sheet.cell(6 + offset, column, value)
    sheet.merge_cells("D6:D8")  # "Na Hối" typed once for the first three people
    return workbook


def test_titles_merged_headers_merged_villages_and_blank_rows(officer, held, places):
    result = import_sheet(held, "ds.xlsx", workbook_bytes(report_layout()), officer)
    assert result.rows == 4
    found = people()
    assert [found[n].village_id for n in ("Lò Văn Páo", "Giàng Thị Dợ", "Vàng A Sử")] == [
        places.village.id
    ] * 3
    assert found["Sùng Thị Mỷ"].village_id == places.other_village.id
    assert notes()["Lò Văn Páo"] == "-"
    assert notes()["Giàng Thị Dợ"] == "- hẹn gọi lại sau mùa gặt"


def test_a_header_merged_across_two_columns_is_one_column(officer, held):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Họ và tên", None, "Năm sinh"])
    sheet.merge_cells("B1:C1")
    sheet.append([1, "Lò Văn Páo", None, 1985])
    assert import_sheet(held, "a.xlsx", workbook_bytes(workbook), officer).rows == 1


@pytest.mark.parametrize(
    "title",
    [
        "HỌ VÀ TÊN",
        "Ho va ten",
        "Họ  và\ntên:",
        "Họ và tên (*)",
        " họ và tên ",
        unicodedata.normalize("NFD", "Họ và tên"),
        "Họ tên",
    ],
)
def test_header_cells_written_differently_are_understood(officer, held, title):
    headers = [*HEADERS]
    headers[1] = title
    headers[5] = "Thôn / Bản"
    assert import_sheet(held, "a.csv", as_csv(good_rows(), headers), officer).rows == 3


def test_hidden_columns_are_read_if_ours_and_left_alone_if_not(officer, held):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Họ và tên", "Mã nội bộ", "Số CCCD", "Họ và tên"])
    sheet.append([1, "Lò Văn Páo", "X-17", "010085012345", "LO VAN PAO (cũ)"])
    for letter in ("C", "D", "E"):
        sheet.column_dimensions[letter].hidden = True
    result = import_sheet(held, "a.xlsx", workbook_bytes(workbook), officer)
    assert result.rows == 1
    pao = people()["Lò Văn Páo"]
    assert pao.cccd == "010085012345"


def test_the_sheet_with_the_list_is_read_and_named(officer, held, officer_client):
    workbook = Workbook()
    guide = workbook.active
    guide.title = "Hướng dẫn"
    guide.append(["Điền danh sách ở trang sau."])
    sheet = workbook.create_sheet("Buổi 12-12")
    sheet.append(HEADERS)
    sheet.append(good_rows()[0])
    workbook.create_sheet("Giá trị").append(["Nam", "Nữ"])
    raw = workbook_bytes(workbook)
    response = officer_client.post(
        f"/sessions/{held.id}/import",
        data={"sheet": (io.BytesIO(raw), "ds.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "“Buổi 12-12”" in page
    assert set(people()) == {"Lò Văn Páo"}


def test_a_workbook_without_the_list_names_the_sheets_it_read(officer, held):
    workbook = Workbook()
    workbook.active.title = "Trang 1"
    workbook.active.append(["Tên", "Tuổi"])
    workbook.create_sheet("Trang 2").append(["Ghi chú"])
    with pytest.raises(ImportRefused) as caught:
        import_sheet(held, "a.xlsx", workbook_bytes(workbook), officer)
    assert "“Trang 1”, “Trang 2”" in caught.value.errors[0].message


def test_dashes_in_csv_are_text_and_formulas_are_still_refused(officer, held):
    rows = good_rows()
    rows[0][7] = "-"
    rows[0][13] = "- gọi lại sau Tết"
    rows[1][13] = "-Chị Mỷ-con gái"
    rows[2][13] = "+84 là mã nước"
    import_sheet(held, "a.csv", as_csv(rows), officer)
    db.session.commit()
    assert notes() == {
        "Lò Văn Páo": "- gọi lại sau Tết",
        "Giàng Thị Dợ": "-Chị Mỷ-con gái",
        "Vàng A Sử": "+84 là mã nước",
    }
    assert people()["Lò Văn Páo"].occupation == "-"


def test_text_cells_of_an_xlsx_are_data_whatever_they_start_with(officer, held):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(good_rows()[0])
    cell = sheet.cell(2, 14)
    cell.value, cell.data_type = "=ghi chú viết tay", "s"  # typed with a leading apostrophe
    assert import_sheet(held, "a.xlsx", workbook_bytes(workbook), officer).rows == 1
    assert notes()["Lò Văn Páo"] == "=ghi chú viết tay"


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """As Excel on Vietnamese Windows saves CSV: precomposed where the code page has the
    letter, base letter and combining tone mark where it does not."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            tone = next(c for c in decomposed if c in TONE_MARKS)
            base = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def utf16_tabs(text: str, bom: bool) -> bytes:
    tabbed = text.replace(",", "\t")
    return tabbed.encode("utf-16") if bom else tabbed.encode("utf-16-le")


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(cp1258, id="cp1258"),
        pytest.param(lambda t: ("\ufeff" + t).encode("utf-8"), id="utf-8-bom"),
        pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
        pytest.param(lambda t: unicodedata.normalize("NFD", t).encode("utf-8"), id="utf-8-nfd"),
        pytest.param(lambda t: utf16_tabs(t, bom=True), id="utf-16"),
        pytest.param(lambda t: utf16_tabs(t, bom=False), id="utf-16-no-bom"),
    ],
)
def test_csv_in_each_encoding_is_stored_composed(officer, held, places, encode):
    text = as_csv(good_rows()).decode("utf-8")
    raw = encode(text)
    result = import_sheet(held, "ds.csv", raw, officer)
    db.session.commit()
    assert result.rows == 3
    found = people()
    assert set(found) == {"Lò Văn Páo", "Giàng Thị Dợ", "Vàng A Sử"}
    assert all(unicodedata.is_normalized("NFC", n) for n in found)
    assert found["Giàng Thị Dợ"].village_id == places.other_village.id
    assert notes()["Giàng Thị Dợ"] == "Hẹn gọi lại"


def test_the_cp1258_file_really_is_decomposed():
    raw = cp1258("Giàng Thị Dợ")
    assert unicodedata.normalize("NFC", raw.decode("cp1258")) == "Giàng Thị Dợ"
    assert raw.decode("cp1258") != "Giàng Thị Dợ"


@pytest.mark.parametrize(
    ("count", "words"),
    [(1, "1 attendee was imported (1 new person"), (2, "2 attendees were imported (2 new people")],
)
def test_the_summary_counts_in_english(officer_client, held, count, words):
    with officer_client.session_transaction() as cookie:
        cookie["lang"] = "en"
    response = officer_client.post(
        f"/sessions/{held.id}/import",
        data={"sheet": (io.BytesIO(as_csv(good_rows()[:count])), "ds.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert words in page
    assert "1 attendees" not in page and "1 days" not in page
