"""Importing a typed-up attendance sheet: the whole file or nothing, with every problem named."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from planner.extensions import db
from planner.people.attendance import record_attendance
from planner.people.identity import AttendeeInput, clean_attendee
from planner.people.importing import ImportRefused, import_sheet, template_headers
from planner.people.models import Attendance, AttendanceSource, Interest, Person
from planner.people.signals import attendance_recorded
from planner.timezones import today_local
from tests import factories

HEADERS = template_headers()


def good_rows() -> list[list]:
    return [
        [
            1,
            "Lò Văn Páo",
            1985,
            "Nam",
            "Hmông",
            "Na Hối",
            "0912 345 678",
            "Làm ruộng",
            "Hộ nghèo",
            "Không",
            "BHXH tự nguyện",
            "Không",
            "Có",
            "",
            "010085012345",
        ],
        [
            2,
            "Giàng Thị Dợ",
            "1990",
            "Nữ",
            "Hmông",
            "Thôn Cốc Ly",
            "+84987654321",
            "Buôn bán",
            "Hộ cận nghèo",
            "Có",
            "BHYT hộ gia đình",
            "Có",
            "Có",
            "Hẹn gọi lại",
            "",
        ],
        [3, "Vàng A Sử", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ]


def as_csv(rows: list[list], headers=HEADERS, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def as_xlsx(rows: list[list], headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for line in rows:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def people_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Person.id)))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_good_sheet_is_imported_whole(officer, held, places, kind):
    content = as_csv(good_rows()) if kind == "csv" else as_xlsx(good_rows())
    recorded = []
    with attendance_recorded.connected_to(lambda a, **_kwargs: recorded.append(a.interest)):
        result = import_sheet(held, f"danh-sach.{kind}", content, officer)
    db.session.commit()
    assert (result.rows, result.new_people, result.known_people) == (3, 3, 0)
    assert recorded == [Interest.VOLUNTARY_SI, Interest.HOUSEHOLD_HI, Interest.NONE]
    pao = db.session.scalars(sa.select(Person).where(Person.full_name == "Lò Văn Páo")).one()
    assert (pao.phone, pao.cccd, pao.birth_year, pao.village_id) == (
        "+84912345678",
        "010085012345",
        1985,
        places.village.id,
    )
    assert pao.consent_contact is True
    do = db.session.scalars(sa.select(Person).where(Person.full_name == "Giàng Thị Dợ")).one()
    assert do.village_id == places.other_village.id
    assert do.has_health_insurance is True
    attendance = db.session.scalars(
        sa.select(Attendance).where(Attendance.person_id == do.id)
    ).one()
    assert attendance.source == AttendanceSource.IMPORT
    assert attendance.registered_on_spot is True
    assert attendance.notes == "Hẹn gọi lại"


def test_known_people_are_recognised_not_duplicated(officer, held, places):
    earlier = factories.session(officer, places.commune, day=today_local() - timedelta(days=8))
    record_attendance(
        earlier, clean_attendee(AttendeeInput(full_name="Lo Van Pao", phone="0912345678")), officer
    )
    result = import_sheet(held, "a.csv", as_csv(good_rows()), officer)
    assert (result.new_people, result.known_people) == (2, 1)
    assert people_count() == 3


def test_a_partly_bad_sheet_is_refused_whole_with_each_row_and_column_named(
    officer_client, held, places
):
    rows = good_rows()
    rows[0][6] = "0912 34"  # phone too short
    rows[1][2] = "199O"  # a letter O in the year
    rows[2][5] = "Bản Không Có"  # no such village
    rows.append(
        [4, "Sùng Thị Mỷ", 1986, "Nam", "", "", "", "", "", "", "", "", "", "", "010186012345"]
    )  # a woman's CCCD written as a man
    response = officer_client.post(
        f"/sessions/{held.id}/import",
        data={"sheet": (io.BytesIO(as_csv(rows)), "danh-sach.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Không có gì được lưu" in page
    for number, column in ((2, "Số điện thoại"), (3, "Năm sinh"), (4, "Thôn/bản"), (5, "Số CCCD")):
        assert f'<td class="num">{number}</td><td>{column}</td>' in page
    assert people_count() == 0
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0


def test_formulas_in_cells_are_refused(officer, held):
    rows = good_rows()
    rows[0][13] = '=HYPERLINK("http://evil.example","bấm")'
    rows[1][7] = "@SUM(1+1)"
    rows[2][1] = "-2+3+cmd|' /C calc'!A0"
    with pytest.raises(ImportRefused) as caught:
        import_sheet(held, "a.csv", as_csv(rows), officer)
    assert {(e.row, e.column) for e in caught.value.errors} == {
        (2, "Ghi chú"),
        (3, "Nghề nghiệp"),
        (4, "Họ và tên"),
    }
    assert people_count() == 0


def test_an_xlsx_formula_cell_is_refused(officer, held):
    rows = good_rows()
    rows[0][2] = "=1980+5"
    with pytest.raises(ImportRefused) as caught:
        import_sheet(held, "a.xlsx", as_xlsx(rows), officer)
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "Năm sinh")]


def test_a_phone_written_with_plus_84_is_not_taken_for_a_formula(officer, held):
    result = import_sheet(held, "a.csv", as_csv(good_rows()), officer)
    assert result.rows == 3


def test_the_same_person_twice_in_one_file_is_refused(officer, held):
    rows = good_rows()
    rows[2] = [3, "LÒ VĂN PÁO", "", "", "", "", "0912345678", "", "", "", "", "", "", "", ""]
    with pytest.raises(ImportRefused) as caught:
        import_sheet(held, "a.csv", as_csv(rows), officer)
    assert [(e.row, e.column) for e in caught.value.errors] == [(4, "Họ và tên")]


def test_importing_the_same_file_twice_is_refused_the_second_time(officer, held):
    import_sheet(held, "a.csv", as_csv(good_rows()), officer)
    db.session.commit()
    with pytest.raises(ImportRefused):
        import_sheet(held, "a.csv", as_csv(good_rows()), officer)
    assert people_count() == 3


def test_an_unknown_column_is_refused_by_name(officer, held):
    headers = [*HEADERS[:-1], "Mật khẩu"]
    with pytest.raises(ImportRefused) as caught:
        import_sheet(held, "a.csv", as_csv(good_rows(), headers=headers), officer)
    assert [e.column for e in caught.value.errors] == ["Mật khẩu"]


def test_english_headers_and_semicolons_are_understood(officer, held):
    headers = [
        "No.",
        "Full name",
        "Year of birth",
        "Gender",
        "Ethnicity",
        "Village",
        "Phone",
        "Occupation",
        "Priority group",
        "Has health insurance",
        "Interested in",
        "Registered on the spot",
        "Consent to be contacted",
        "Notes",
        "CCCD",
    ]
    result = import_sheet(held, "a.csv", as_csv(good_rows(), headers, ";"), officer)
    assert result.rows == 3


@pytest.mark.parametrize(
    ("filename", "content", "words"),
    [
        ("photo.jpg", b"\xff\xd8\xff\xe0JFIF\x00\x01", "không phải bảng tính"),
        ("list.xlsx", b"just some text pretending", "XLSX"),
        ("list.xlsx", b"PK\x03\x04broken zip", "XLSX"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls"),
        ("empty.csv", b"   ", "trống"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_clearly(
    officer_client, held, filename, content, words
):
    response = officer_client.post(
        f"/sessions/{held.id}/import",
        data={"sheet": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert people_count() == 0


def test_a_file_over_the_import_limit_is_refused(officer_client, held, app):
    app.config["PEOPLE_IMPORT_MAX_BYTES"] = 1024
    big = as_csv(good_rows() * 20)
    response = officer_client.post(
        f"/sessions/{held.id}/import",
        data={"sheet": (io.BytesIO(big), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "MB" in response.get_data(as_text=True)
    assert people_count() == 0


def test_an_upload_over_the_request_limit_gets_a_friendly_page(officer_client, held, app):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = officer_client.post(
        f"/sessions/{held.id}/import",
        data={"sheet": (io.BytesIO(b"x" * 10_000), "huge.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<html" in page and "413" in page


def test_a_successful_import_redirects_to_the_session_with_a_summary(officer_client, held):
    response = officer_client.post(
        f"/sessions/{held.id}/import",
        data={"sheet": (io.BytesIO(as_xlsx(good_rows())), "danh-sach.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Giàng Thị Dợ" in page
    assert people_count() == 3


def test_the_template_has_the_sheets_vietnamese_columns(officer_client, places):
    response = officer_client.get("/people/import-template.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert "Họ và tên" in HEADERS and "Đồng ý được liên hệ" in HEADERS
    values = workbook["Giá trị"]
    assert "Thôn Na Hối" in [c.value for c in values["A"]]
    text = officer_client.get("/people/import-template.csv").data.decode("utf-8-sig")
    assert text.strip() == ",".join(HEADERS)


def test_the_filled_template_imports(officer, held, places, officer_client):
    workbook = load_workbook(io.BytesIO(officer_client.get("/people/import-template.xlsx").data))
    sheet = workbook.worksheets[0]
    for column, value in enumerate(good_rows()[0], start=1):
        sheet.cell(2, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = import_sheet(held, "mau.xlsx", buffer.getvalue(), officer)
    assert result.rows == 1


def test_an_xlsx_that_unpacks_to_a_huge_size_is_refused(officer, held, monkeypatch):
    from planner.people import sheets as importing

    monkeypatch.setattr(importing, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ImportRefused):
        import_sheet(held, "a.xlsx", as_xlsx(good_rows()), officer)
    assert people_count() == 0


def test_the_import_page_of_a_session_not_yet_held_says_so_before_any_upload(
    officer_client, officer, places, held
):
    coming = factories.session(officer, places.commune, day=today_local() + timedelta(days=3))
    db.session.commit()
    page = officer_client.get(f"/sessions/{coming.id}/import").get_data(as_text=True)
    assert "Buổi truyền thông này chưa diễn ra" in page
    # A held session's import page carries no such warning.
    page = officer_client.get(f"/sessions/{held.id}/import").get_data(as_text=True)
    assert "chưa diễn ra" not in page and "alert-warning" not in page
