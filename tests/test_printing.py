"""Printed matter: an officer downloads a flyer and an attendance sheet that read right on paper."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from io import BytesIO
from itertools import pairwise

import pytest
from pypdf import PdfReader

from planner.accounts.models import Office
from planner.enums import Language, SessionKind, Topic
from planner.extensions import db
from planner.printing import columns, flyer, render, settings, sheet, talking_points
from planner.printing.markup import render_markup
from planner.printing.models import SheetVersion
from planner.rates.services import add_rate_value
from planner.sessions.models import OutreachSession
from tests import factories

SUNDAY = date(2026, 12, 6)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def flat_text(pdf: bytes) -> str:
    """The text with line breaks as spaces: narrow columns wrap their headings."""
    return " ".join(pdf_text(pdf).split())


def pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)


@pytest.fixture
def market_session(officer, places):
    factories.rates()
    talking_points.seed_talking_points()
    session = factories.session(
        officer,
        places.commune,
        day=SUNDAY,
        venue=places.market,
        kind=SessionKind.MARKET,
        partner_id=places.partner.id,
        title="Chợ phiên Bắc Hà",
        expected_attendance=25,
    )
    db.session.commit()
    return session


def test_flyer_prints_talking_points_costs_place_and_officer(officer_client, market_session):
    response = officer_client.get(f"/printing/sessions/{market_session.id}/flyer.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Bảo hiểm xã hội tự nguyện" in text
    assert "Bảo hiểm y tế hộ gia đình" in text
    assert "Nhà nước hỗ trợ" in text
    assert "Chợ phiên Bắc Hà" in text
    assert "Hội Liên hiệp Phụ nữ xã Bắc Hà" in text
    assert "Lý Thị Mai" in text and "0912 000 003" in text
    # The poor pay half of 330,000; the first household member 105,300 a month, 1,263,600 a year.
    assert "165.000" in text and "264.000" in text
    assert "1.263.600" in text
    # Two A5 flyers on one landscape A4 sheet by default.
    page = PdfReader(BytesIO(response.data)).pages[0]
    assert pdf_pages(response.data) == 1
    assert float(page.mediabox.width) == pytest.approx(841.9, abs=1)  # A4 landscape, in points
    assert float(page.mediabox.height) == pytest.approx(595.3, abs=1)
    assert text.count("Lý Thị Mai") == 2 and text.count("Chợ phiên Bắc Hà") >= 2


def test_flyer_uses_the_rates_in_force_on_the_session_date(app, officer, places):
    factories.rates()
    add_rate_value("base_salary", date(2027, 7, 1), 2_530_000, "Announced for 1 July 2027")
    before = factories.session(officer, places.commune, day=SUNDAY, topic=Topic.HOUSEHOLD_HI)
    after = factories.session(
        officer, places.commune, day=date(2027, 8, 1), topic=Topic.HOUSEHOLD_HI
    )
    db.session.commit()

    assert "1.263.600" in pdf_text(flyer.flyer_pdf(before)[1])
    # 4.5% of 2,530,000 = 113,850 a month, 1,366,200 a year.
    assert "1.366.200" in pdf_text(flyer.flyer_pdf(after)[1])


def test_a_printed_flyer_follows_every_change_to_what_it_prints(officer, market_session):
    """Flyer bodies are cached by what they print, so no change is served stale."""
    before = flat_text(flyer.flyer_pdf(market_session)[1])
    assert "Quét mã để xem thêm thông tin" in before and "1.263.600" in before

    office = db.session.get(Office, officer.office_id)
    office.name = "Bảo hiểm xã hội huyện Si Ma Cai"
    office.contact_link = ""
    add_rate_value("base_salary", date(2026, 12, 1), 2_530_000, "Announced for 1 December")
    db.session.commit()
    after = flat_text(flyer.flyer_pdf(market_session)[1])

    assert "HUYỆN SI MA CAI" in after
    assert "Quét mã để xem thêm thông tin" not in after
    assert "1.366.200" in after and "1.263.600" not in after


def test_a_new_sessions_flyer_over_a_prepared_body_reads_each_thing_once(
    officer, places, market_session, count_queries
):
    """An officer prints the flyer of a session nobody printed yet, its body prepared ahead:
    the flyer reads the office, its settings, talking points and rates, and the session's
    place and officer once each (a request that read one twice was a third slower)."""
    assert flyer.prepare_flyer_body(market_session)
    later = factories.session(
        officer,
        places.commune,
        day=date(2026, 12, 13),
        venue=places.market,
        kind=SessionKind.MARKET,
        title="Chợ phiên Bắc Hà tuần sau",
    )
    db.session.commit()
    later_id = later.id
    db.session.expunge_all()  # as a request finds it: nothing read yet
    later = db.session.get(OutreachSession, later_id)

    with count_queries() as statements:
        _key, pdf = flyer.flyer_pdf(later)

    assert "Chợ phiên Bắc Hà tuần sau" in flat_text(pdf)
    assert sorted(statements) == sorted(set(statements))
    assert sum("FROM office" in s for s in statements) == 1


def test_a4_flyer_prints_the_second_language_beside_vietnamese(officer, places, market_session):
    settings.save_print_settings(officer.office_id, "a4", [], 5, by=officer)
    market_session.language = Language.HMONG
    talking_points.save_talking_point(
        officer.office_id,
        Topic.VOLUNTARY_SI,
        Language.HMONG,
        "**Kev pov hwm** rau cov neeg ua liaj ua teb.\n- Lub xeev pab nyiaj",
        officer,
    )
    db.session.commit()

    html = flyer.flyer_html(market_session)
    text = pdf_text(flyer.flyer_pdf(market_session)[1])

    assert "<strong>Kev pov hwm</strong>" in html
    assert "Lub xeev pab nyiaj" in text
    assert "TIẾNG MÔNG" in text
    assert "Bảo hiểm xã hội tự nguyện" in text
    assert pdf_pages(flyer.flyer_pdf(market_session)[1]) == 1


def details_overflow(session, fit: str) -> float:
    """How far the session's details run past the bottom of the flyer's box (<= 0: they fit)."""
    layout = settings.print_settings(session.office_id).flyer_layout
    body = flyer.flyer_body_inputs(session, layout, flyer.talking_texts(session))
    _key, _pdf, box = flyer._flyer_body(body)
    html = flyer.flyer_layer_html(session, body, box, fit=fit)
    end = render.layout(html, flyer.FLYER_LAYER_STYLES).pages[0].anchors["details"][3]
    return end - (box["top"] + box["height"])


def test_long_session_details_print_smaller_rather_than_cut(officer, market_session):
    market_session.title = "Tuyên truyền chính sách BHXH tự nguyện và BHYT hộ gia đình " * 3
    db.session.commit()

    assert details_overflow(market_session, "") > 0
    assert details_overflow(market_session, "tight") <= 0
    text = pdf_text(flyer.flyer_pdf(market_session)[1])
    assert "Phối hợp: Hội Liên hiệp Phụ nữ xã Bắc Hà" in text


@pytest.mark.parametrize("layout", settings.FLYER_LAYOUTS)
@pytest.mark.parametrize("topic", [Topic.BOTH, Topic.HOUSEHOLD_HI])
def test_details_too_long_even_when_smaller_stay_inside_their_box(
    officer, places, market_session, layout, topic
):
    settings.save_print_settings(officer.office_id, layout, [], 5, by=officer)
    market_session.topic = topic  # one topic prints larger
    # Every field as long as it may be, the title in wide capitals.
    market_session.title = ("TUYÊN TRUYỀN CHÍNH SÁCH BHXH TỰ NGUYỆN VÀ BHYT HỘ GIA ĐÌNH " * 4)[:200]
    places.market.address = ("Ngã ba đường vào trung tâm xã, cạnh trạm y tế, " * 7)[:300]
    places.partner.name = ("Hội Liên hiệp Phụ nữ xã Bắc Hà và Chi hội Nông dân thôn " * 4)[:200]
    officer.full_name = ("Lý Thị Mai Hương Giàng Seo Phử " * 4)[:120]
    db.session.commit()

    assert details_overflow(market_session, "tight") > 0
    assert details_overflow(market_session, "cut") <= 0
    _key, pdf = flyer.flyer_pdf(market_session)
    assert pdf_pages(pdf) == 1
    # Shortened, but the officer to call is still on it.
    assert "…" in pdf_text(pdf)
    assert "0912 000 003" in pdf_text(pdf)


def test_user_text_prints_as_text_never_as_markup(officer, market_session):
    market_session.title = "<script>alert('x')</script> & <b>đậm</b>"
    db.session.commit()

    html = flyer.flyer_html(market_session)
    text = pdf_text(flyer.flyer_pdf(market_session)[1])

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<script>alert('x')</script>" in text
    assert "<b>đậm</b>" in text


def test_a_talking_point_cannot_make_the_renderer_fetch_anything(
    officer, market_session, monkeypatch
):
    fetched = []
    original = render.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(render.StaticOnlyFetcher, "fetch", spy)
    hostile = (
        '<img src="http://127.0.0.1:6379/"> <img src="http://169.254.169.254/latest/meta-data/">\n'
        '<link rel="stylesheet" href="file:///etc/passwd"> ![x](file:///etc/passwd)\n'
        "<style>@import url(http://169.254.169.254/)</style>"
    )
    talking_points.save_talking_point(
        officer.office_id, Topic.VOLUNTARY_SI, Language.VIETNAMESE, hostile, officer
    )
    db.session.commit()

    text = pdf_text(flyer.flyer_pdf(market_session)[1])

    assert 'img src="http://127.0.0.1:6379/"' in text
    assert all(url.startswith(("planner-static:", "data:image/")) for url in fetched), fetched


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/logo.png",
        "file:///etc/passwd",
        "data:text/html,<h1>x</h1>",
        "planner-static:/../planner/config.py",
        "planner-static:/fonts/missing.ttf",
        "ftp://example.org/x.png",
        "planner-generated:not-drawn-by-the-app.svg",
    ],
)
def test_the_fetcher_refuses_everything_outside_static(app, url):
    with pytest.raises(render.FetchRefused):
        render.render_pdf(f'<img src="{url}">', ["base"])


def test_the_fetcher_serves_static_files_and_image_data(app):
    png = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk"
        "YAAAAAYAAjCB0C8AAAAASUVORK5CYII="
    )
    pdf = render.render_pdf(
        f'<p>Bảo hiểm</p><img src="{png}"><img src="planner-static:/img/icon.svg">', ["base"]
    )
    assert "Bảo hiểm" in pdf_text(pdf)


def test_every_vietnamese_diacritic_prints_with_the_bundled_font(app):
    phrases = ["Bảo hiểm xã hội tự nguyện", "Hội Liên hiệp Phụ nữ", "điểm chỉ", "Ỹ ỹ Ự ự Đ đ"]
    pdf = render.render_pdf("".join(f"<p>{p}</p>" for p in phrases), ["base"])
    text = pdf_text(pdf)
    for phrase in phrases:
        assert phrase in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert all("Planner-Sans" in name for name in fonts), fonts


def test_talking_point_markup_is_tiny_and_safe():
    html = str(
        render_markup("**Đóng** ít, *hưởng* nhiều\n- một\n- hai **ba**\n\n<i onclick=x>2 * 3</i>")
    )
    assert "<p><strong>Đóng</strong> ít, <em>hưởng</em> nhiều</p>" in html
    assert "<ul><li>một</li><li>hai <strong>ba</strong></li></ul>" in html
    assert "&lt;i onclick=x&gt;2 * 3&lt;/i&gt;" in html


# --- Attendance sheet -----------------------------------------------------------------------


def people(n: int) -> list[sheet.SheetPerson]:
    return [
        sheet.SheetPerson(
            full_name=f"Giàng Thị Mỷ {i}",
            birth_year=1970 + i % 40,
            gender="Nữ",
            ethnicity="Mông",
            village="Na Hối",
            phone="0912 345 678",
            occupation="Làm ruộng",
            priority_group="Hộ cận nghèo",
        )
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize(("rows", "pages"), [(0, 1), (1, 1), (40, 4), (200, 16)])
def test_sheet_page_count_follows_the_rows(officer, market_session, rows, pages):
    settings.save_print_settings(officer.office_id, "a5x2", [], 0, by=officer)
    market_session.expected_attendance = 0
    db.session.commit()

    version, pdf = sheet.attendance_sheet(market_session, people(rows))

    assert len(sheet.plan_sheet_pages([None] * rows)) == pages
    assert pdf_pages(pdf) == pages == version.page_count
    text = pdf_text(pdf)
    assert f"Trang {pages} / {pages}" in text
    assert "Người lập" in text
    if rows:
        assert f"Giàng Thị Mỷ {rows}" in text


def test_sheet_has_the_motto_details_columns_and_invited_people(
    officer_client, officer, market_session
):
    response = officer_client.get(f"/printing/sessions/{market_session.id}/sheet.pdf")

    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "BẢO HIỂM XÃ HỘI TỈNH LÀO CAI" in text
    assert "DANH SÁCH NGƯỜI THAM DỰ" in text
    assert "Chợ phiên Bắc Hà" in text and "Hội Liên hiệp Phụ nữ xã Bắc Hà" in text
    headings = flat_text(response.data)
    for heading in ("Họ và tên", "Năm sinh", "Dân tộc", "Đã có thẻ BHYT", "điểm chỉ"):
        assert heading in headings
    assert "Xác nhận của trưởng thôn/bản hoặc đại diện xã" in text
    assert "Thủ trưởng đơn vị" in text
    assert f"PL-{market_session.id}-1-1" in text
    # 25 expected + 5 spare rows: 11 on the first page, then 13, then 6 with the signatures.
    assert pdf_pages(response.data) == 3


def test_invited_people_of_the_session_are_pre_filled(officer, places, market_session):
    from planner.people.models import Attendance, Person

    person = Person(
        office_id=officer.office_id,
        full_name="Sùng Văn Páo",
        birth_year=1985,
        phone="+84912345678",
    )
    db.session.add(person)
    db.session.flush()
    db.session.add(
        Attendance(office_id=officer.office_id, session_id=market_session.id, person_id=person.id)
    )
    db.session.commit()

    _version, pdf = sheet.attendance_sheet(market_session)

    text = pdf_text(pdf)
    assert "Sùng Văn Páo" in text
    # Sheets pass from hand to hand: phone numbers are masked unless the office chooses not to.
    assert "0912 345 678" not in text and "0••• ••• 678" in text


def test_an_office_can_print_phone_numbers_in_full(admin_client, officer, places, market_session):
    from planner.people.models import Attendance, Person

    person = Person(office_id=officer.office_id, full_name="Sùng Văn Páo", phone="+84912345678")
    db.session.add(person)
    db.session.flush()
    db.session.add(
        Attendance(office_id=officer.office_id, session_id=market_session.id, person_id=person.id)
    )
    db.session.commit()
    page = admin_client.get("/printing/settings").get_data(as_text=True)
    checkbox = re.search(r'<input[^>]*name="mask_phones"[^>]*>', page).group(0)
    assert " checked " in checkbox  # masked unless the office says otherwise

    response = admin_client.post(
        "/printing/settings", data={"flyer_layout": "a5x2", "spare_rows": 5}
    )

    assert response.status_code == 302
    _version, pdf = sheet.attendance_sheet(market_session)
    assert "0912 345 678" in pdf_text(pdf)


def test_sheet_keeps_where_its_markers_qr_and_boxes_are(officer, market_session):
    version, _pdf = sheet.attendance_sheet(market_session, people(3))
    layout = json.loads(version.layout_json)

    assert layout["unit"] == "mm" and len(layout["pages"]) == version.page_count
    first = layout["pages"][0]
    corners = {m["corner"]: m for m in first["markers"]}
    assert corners["tl"]["x"] == pytest.approx(10) and corners["tl"]["y"] == pytest.approx(10)
    assert corners["br"]["x"] + corners["br"]["w"] == pytest.approx(297 - 10)
    assert corners["br"]["y"] + corners["br"]["h"] == pytest.approx(210 - 10)
    assert all(m["w"] >= 8 and m["h"] >= 8 for m in first["markers"])
    # Version 1 of a short code: 21 modules and a 2-module border across 25 mm.
    assert first["qr"]["w"] / 25 >= 1.0
    assert first["code"] == f"PL-{market_session.id}-{version.number}-1"
    rows = {}
    for box in first["boxes"]:
        assert 6 <= box["w"] <= 7 and 6 <= box["h"] <= 7
        rows.setdefault(box["row"], []).append(box)
    assert len(rows) == sheet.FIRST_PAGE_ROWS
    for boxes in rows.values():
        assert [b["column"] for b in boxes] == [c.key for c in columns.SHEET_COLUMNS if c.tick]
        gaps = [b["x"] - (a["x"] + a["w"]) for a, b in pairwise(boxes)]
        assert min(gaps) >= 15 - 0.01
    # The signature column starts after the notes column, well right of the last box.
    widths = {c.key: c.width_mm for c in columns.SHEET_COLUMNS}
    last_box = max(b["x"] + b["w"] for b in first["boxes"])
    signature_left = 297 - sheet.TABLE_MARGIN - widths["signature"]
    assert signature_left - last_box >= widths["notes"]


def page_image(pdf: bytes, page: int, dpi: int, tmp_path):
    """One page as a greyscale image, as a phone photo of the printed sheet would see it."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("PLANNER_REQUIRE_BROWSER"):
            pytest.fail("pdftoppm (poppler-utils) is required in CI")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    from PIL import Image

    source = tmp_path / "sheet.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-gray",
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    return Image.open(tmp_path / "page.png").convert("L")


def test_the_stored_layout_is_where_the_ink_is(officer, market_session, tmp_path):
    """Markers, QR finder pattern and tick boxes are black exactly where the layout says."""
    version, pdf = sheet.attendance_sheet(market_session, people(3))
    first = json.loads(version.layout_json)["pages"][0]
    dpi = 150
    image = page_image(pdf, 1, dpi, tmp_path)

    def ink(x_mm: float, y_mm: float) -> bool:
        return image.getpixel((round(x_mm * dpi / 25.4), round(y_mm * dpi / 25.4))) < 100

    for m in first["markers"]:
        assert ink(m["x"] + m["w"] / 2, m["y"] + m["h"] / 2)
        assert ink(m["x"] + 0.5, m["y"] + 0.5) and ink(m["x"] + m["w"] - 0.5, m["y"] + m["h"] - 0.5)
        # White around the marker, so it stands out in a photo.
        assert not ink(m["x"] - 1, m["y"] + m["h"] / 2) and not ink(m["x"] + m["w"] + 1, m["y"] + 1)
    qr = first["qr"]
    module = sheet.QR_MODULE_MM
    # Two white modules of border, then the finder pattern's black corner.
    assert not ink(qr["x"] + module, qr["y"] + module)
    assert ink(qr["x"] + 2.5 * module, qr["y"] + 2.5 * module)
    for box in first["boxes"]:
        middle_y = box["y"] + box["h"] / 2
        assert ink(box["x"] + 0.2, middle_y) and ink(box["x"] + box["w"] - 0.2, middle_y)
        assert not ink(box["x"] - 1, middle_y) and not ink(box["x"] + box["w"] + 1, middle_y)
        middle_x = box["x"] + box["w"] / 2
        assert ink(middle_x, box["y"] + 0.2) and ink(middle_x, box["y"] + box["h"] - 0.2)
        assert not ink(middle_x, box["y"] - 1) and not ink(middle_x, box["y"] + box["h"] + 1)
        if box["column"] != "has_hi":
            assert not ink(box["x"] + box["w"] / 2, middle_y)


def test_unchanged_sheet_keeps_its_version_and_a_change_makes_a_new_one(
    officer, market_session, monkeypatch
):
    first, pdf = sheet.attendance_sheet(market_session, people(2))
    db.session.commit()

    def no_render(*args, **kwargs):
        raise AssertionError("an unchanged sheet must come from the cache")

    monkeypatch.setattr(render, "layout", no_render)
    again, cached = sheet.attendance_sheet(market_session, people(2))
    assert again.id == first.id and cached == pdf
    monkeypatch.undo()

    market_session.expected_attendance = 40
    db.session.commit()
    second, _pdf = sheet.attendance_sheet(market_session, people(2))
    db.session.commit()
    assert second.number == 2
    assert db.session.query(SheetVersion).count() == 2


def test_an_office_can_hide_columns_it_does_not_use(admin_client, officer, market_session):
    response = admin_client.post(
        "/printing/settings",
        data={"flyer_layout": "a4", "hidden_columns": ["occupation", "ethnicity"], "spare_rows": 2},
    )
    assert response.status_code == 302

    _version, pdf = sheet.attendance_sheet(market_session, people(1))
    text = flat_text(pdf)
    assert "Nghề nghiệp" not in text and "Dân tộc" not in text
    assert "Năm sinh" in text and "điểm chỉ" in text


def test_required_columns_cannot_be_hidden(admin_client, market_session):
    response = admin_client.post(
        "/printing/settings",
        data={"flyer_layout": "a4", "hidden_columns": ["signature"], "spare_rows": 2},
    )
    assert response.status_code == 422
    assert settings.print_settings(market_session.office_id).hidden == set()


def test_sheet_codes_read_back():
    assert sheet.parse_sheet_code("pl-12-3-4") == (12, 3, 4)
    with pytest.raises(Exception, match="attendance sheet code"):
        sheet.parse_sheet_code("XX-1-2")


# --- Scoping --------------------------------------------------------------------------------


def test_another_offices_session_prints_nothing(client, market_session):
    other = factories.office(name="Bảo hiểm xã hội tỉnh Lai Châu", province="Lai Châu")
    stranger = factories.user(other, username="lan", full_name="Lò Thị Lan")
    db.session.commit()
    client.post("/login", data={"username": "lan", "password": factories.PASSWORD})

    for kind in ("flyer", "sheet"):
        response = client.get(f"/printing/sessions/{market_session.id}/{kind}.pdf")
        assert response.status_code == 404
    version, _pdf = sheet.attendance_sheet(market_session, people(1))
    db.session.commit()
    assert client.get(f"/printing/sheets/{version.id}/layout.json").status_code == 404
    assert stranger.office_id != market_session.office_id


def test_printing_needs_a_login(client, market_session):
    response = client.get(f"/printing/sessions/{market_session.id}/flyer.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_missing_rates_say_what_to_do_instead_of_failing(officer_client, officer, places):
    session = factories.session(officer, places.commune, day=SUNDAY)
    db.session.commit()

    response = officer_client.get(f"/printing/sessions/{session.id}/flyer.pdf")

    assert response.status_code == 422
    assert "quản trị viên cần nhập" in response.get_data(as_text=True)


def test_session_page_offers_the_flyer_and_the_sheet(officer_client, market_session):
    page = officer_client.get(f"/sessions/{market_session.id}").get_data(as_text=True)
    assert f"/printing/sessions/{market_session.id}/flyer.pdf" in page
    assert f"/printing/sessions/{market_session.id}/sheet.pdf" in page


# --- Talking points admin -------------------------------------------------------------------


def test_admin_edits_talking_points_and_flyers_use_them(admin_client, officer, market_session):
    page = admin_client.get("/printing/talking-points")
    assert page.status_code == 200
    assert "Bảo hiểm xã hội tự nguyện" in page.get_data(as_text=True)

    response = admin_client.post(
        "/printing/talking-points/voluntary_si/vi",
        data={"body": "**Tham gia ngay** để có lương hưu.\n- Đóng linh hoạt <b>x</b>"},
    )
    assert response.status_code == 302

    text = pdf_text(flyer.flyer_pdf(market_session)[1])
    assert "Tham gia ngay để có lương hưu." in text
    assert "Đóng linh hoạt <b>x</b>" in text


def test_officers_cannot_edit_talking_points(officer_client, market_session):
    assert officer_client.get("/printing/talking-points").status_code == 403
    response = officer_client.post("/printing/talking-points/voluntary_si/vi", data={"body": "x"})
    assert response.status_code == 403


def test_seeding_talking_points_twice_adds_them_once(app):
    assert talking_points.seed_talking_points() == 2
    assert talking_points.seed_talking_points() == 0
