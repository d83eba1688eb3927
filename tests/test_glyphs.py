"""Every character a document prints is in a bundled font: checked before rendering, named to the
officer and the admin, and proven by rendering with WeasyPrint limited to the bundled fonts."""

from __future__ import annotations

import base64
import itertools
import json
import re
import subprocess
import sys
import unicodedata
from datetime import date
from io import BytesIO

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from planner import PACKAGE_DIR, STATIC_DIR
from planner.enums import Language, PriorityGroup, SessionKind, Topic
from planner.extensions import db
from planner.people.models import Attendance, Person
from planner.printing import flyer, glyphs, packet, quote_sheet, render, sheet, talking_points
from planner.rates.quotes import HouseholdQuoteRequest, household_quote
from tests import factories
from tests.test_printing import pdf_text

SUNDAY = date(2026, 12, 6)
# Talking points as offices write them in minority languages' Latin spellings.
HMONG = "**Kev pov hwm** rau cov neeg ua liaj ua teb: nyiaj laus thaum koj muaj hnub nyoog."
DAO = "Mienh nyei **baau-hiemx**: zoux gong mienh yiem gorngv, nyaanh ziangh hoc."
TAY = "Bảo hiểm hâng slư̱ pjạ: pỉ noọng xo̱ng khảu, mì tỉnh cần khỏ, ngài pác mừa."
# Letters of minority spellings, IPA and symbols Noto Sans lacks and Planner Symbols has.
EXTRA = "ɛ ɔ ŋ ƀ ✓ ✗ → ★ ☎ €"


def test_vietnamese_minority_spellings_and_symbols_all_print():
    for text in (HMONG, DAO, TAY, EXTRA, "Ỹ ỹ Ự ự Đ đ ₫ – … “ ” • ·"):
        assert glyphs.missing_characters(text) == (), text


def test_decomposed_letters_print_when_their_parts_do():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hằng, Tày, Giáy")
    assert len(decomposed) > len("Nguyễn Thị Hằng, Tày, Giáy")
    assert glyphs.missing_characters(decomposed) == ()


def test_characters_no_bundled_font_has_are_named_once_each():
    missing = glyphs.missing_characters("Nyob zoo 😀 中文 😀 ok\u200d\n")

    assert missing == ("😀", "中", "文")
    assert glyphs.describe(missing) == "“😀” (U+1F600), “中” (U+4E2D), “文” (U+6587)"


def test_the_bundled_fonts_have_the_tick_the_system_font_gave_before():
    assert ord("✓") in glyphs.bundled_code_points()
    noto = TTFont(STATIC_DIR / "fonts" / "NotoSans-Regular.ttf")
    assert ord("✓") not in noto.getBestCmap()  # it comes from Planner Symbols
    assert "Planner Symbols" in (PACKAGE_DIR.parent / "templates/pdf/base.css").read_text()


def test_the_editor_hint_ranges_are_the_bundled_code_points():
    ranges = glyphs.printable_ranges()
    covered = {p for first, last in ranges for p in range(first, last + 1)}
    assert covered == glyphs.bundled_code_points()
    assert all(a[1] + 1 < b[0] for a, b in itertools.pairwise(ranges))


# --- Officers and admins are told --------------------------------------------------------------


@pytest.fixture
def meeting(officer, places):
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
        expected_attendance=5,
    )
    db.session.commit()
    return session


def test_saving_talking_points_with_an_unprintable_character_names_it_and_keeps_the_text(
    admin_client, officer
):
    url = f"/printing/talking-points/{Topic.VOLUNTARY_SI.value}/{Language.HMONG.value}"
    response = admin_client.post(url, data={"body": "Kev pov hwm 🙂 rau koj"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "“🙂” (U+1F642)" in page
    assert "Kev pov hwm 🙂 rau koj</textarea>" in page  # nothing typed is lost
    assert (
        talking_points.talking_point(officer.office_id, Topic.VOLUNTARY_SI, Language.HMONG) is None
    )

    saved = admin_client.post(url, data={"body": HMONG})
    assert saved.status_code == 302


def test_the_talking_point_editor_carries_what_the_hint_checks_as_the_admin_types(admin_client):
    page = admin_client.get(f"/printing/talking-points/household_hi/{Language.TAY.value}")
    html = page.get_data(as_text=True)

    assert 'class="error glyph-hint"' in html and 'data-for="body"' in html
    assert "js/glyph-hint.js" in html
    ranges = json.loads(re.search(r'data-ranges="([^"]*)"', html).group(1).replace("&#34;", '"'))
    assert [list(r) for r in glyphs.printable_ranges()] == ranges
    assert "Không in được các ký tự này" in html


def test_a_flyer_with_an_unprintable_character_says_where_instead_of_printing(
    officer_client, officer, meeting
):
    meeting.title = "Chợ phiên 中 Bắc Hà"
    db.session.commit()

    response = officer_client.get(f"/printing/sessions/{meeting.id}/flyer.pdf")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Thông tin buổi truyền thông: không in được “中” (U+4E2D)" in page
    with pytest.raises(glyphs.UnprintableText):
        flyer.flyer_pdf(meeting)


def test_a_sheet_names_the_row_whose_text_would_not_print(officer_client, officer, meeting):
    person = Person(office_id=officer.office_id, full_name="Lò Văn 😀", occupation="Làm ruộng")
    db.session.add(person)
    db.session.flush()
    db.session.add(
        Attendance(office_id=officer.office_id, session_id=meeting.id, person_id=person.id)
    )
    db.session.commit()

    response = officer_client.get(f"/printing/sessions/{meeting.id}/sheet.pdf")
    panel = officer_client.get(f"/sessions/{meeting.id}").get_data(as_text=True)

    assert response.status_code == 422
    assert "Dòng 1 (Lò Văn 😀): không in được “😀” (U+1F600)" in response.get_data(as_text=True)
    assert "print-glyphs" in panel and "Dòng 1 (Lò Văn 😀)" in panel


def test_an_untouched_session_page_warns_of_nothing(officer_client, meeting):
    assert "print-glyphs" not in officer_client.get(f"/sessions/{meeting.id}").get_data(
        as_text=True
    )


def test_the_last_check_refuses_any_document_with_an_unprintable_character(app):
    with pytest.raises(glyphs.UnprintableText) as refused:
        render.render_pdf("<p>Bảo hiểm &#x1F600;</p>", ["base"])
    assert "U+1F600" in refused.value.message


# --- Rendered with WeasyPrint able to find the bundled fonts only -------------------------------

RENDER_ALONE = """
import json, sys
from weasyprint import HTML
from planner.printing import render
for job in json.load(open(sys.argv[1], encoding="utf-8")):
    if job["checked"]:
        pdf = render.render_pdf(job["html"], job["styles"])
    else:  # the control: straight to WeasyPrint, past the check
        sheets = [render.stylesheet(name) for name in job["styles"]]
        pdf = HTML(string=job["html"], base_url=render.BASE_URL).write_pdf(
            stylesheets=sheets, font_config=render.FONT_CONFIG
        )
    open(job["out"], "wb").write(pdf)
"""


def _inline_generated(html: str) -> str:
    """The app's drawn SVGs as data: URIs, for a process that did not draw them."""

    def data_uri(match: re.Match) -> str:
        svg = render._GENERATED[match.group(0)]
        return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()

    return re.sub(rf"{render.GENERATED_SCHEME}:[0-9a-f]+\.svg", data_uri, html)


def _unrendered(pdf: bytes) -> tuple[set[str], list[str]]:
    """The PDF's fonts, and the characters drawn with no glyph of their font (the box that
    Pango draws for a character its font lacks has a glyph id past the font's last glyph)."""
    names, missing = set(), []
    for page in PdfReader(BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]).split("+", 1)[-1])
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            glyph_count = TTFont(BytesIO(descriptor["/FontFile2"].get_object().get_data()))[
                "maxp"
            ].numGlyphs
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for gid, code in re.findall(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>", cmap):
                character = bytes.fromhex(code).decode("utf-16-be")
                # U+FFFF: what WeasyPrint maps a glyph with no character to (not printed text).
                if character != "\uffff" and (int(gid, 16) == 0 or int(gid, 16) >= glyph_count):
                    missing.append(character)
    return names, missing


def test_every_document_prints_with_the_bundled_fonts_alone(officer, places, meeting, tmp_path):
    person = Person(
        office_id=officer.office_id,
        full_name="Hoàng Thị Slư̱",
        has_health_insurance=True,
        ethnicity="Tày",
        occupation="Buôn bán nhỏ, chăn nuôi lợn",
    )
    db.session.add(person)
    db.session.flush()
    db.session.add(
        Attendance(office_id=officer.office_id, session_id=meeting.id, person_id=person.id)
    )
    documents: dict[str, tuple[str, tuple[str, ...]]] = {}
    for language, text in ((Language.HMONG, HMONG), (Language.DAO, DAO), (Language.TAY, TAY)):
        for topic in (Topic.VOLUNTARY_SI, Topic.HOUSEHOLD_HI):
            talking_points.save_talking_point(officer.office_id, topic, language, text, officer)
        meeting.language = language
        db.session.commit()
        inputs = flyer.flyer_body_inputs(meeting, "a4", flyer.talking_texts(meeting))
        documents[f"flyer-{language.value}"] = (flyer.flyer_body_html(inputs), flyer.FLYER_STYLES)
    box = {"left": 0, "top": 0, "width": 400, "height": 200}
    documents["details"] = (
        flyer.flyer_layer_html(meeting, inputs, box),
        flyer.FLYER_LAYER_STYLES,
    )
    people = sheet.invited_people(meeting)
    assert people[0].has_hi
    documents["sheet"] = (
        _inline_generated(sheet.sheet_html(meeting, sheet.sheet_rows(people, 3, 0), 1)),
        sheet.SHEET_STYLES,
    )
    quote = household_quote(
        HouseholdQuoteRequest(
            on=SUNDAY, group=PriorityGroup.ETHNIC_MINORITY, income=1_500_000, months=6, members=2
        ),
        officer.office_id,
    )
    documents["quote"] = (
        quote_sheet.quote_sheet_html(quote, officer.office, officer),
        quote_sheet.QUOTE_STYLES,
    )
    documents["week"] = (
        packet.week_plan_html(officer.office, SUNDAY, [meeting], "Xã Bắc Hà"),
        packet.WEEK_STYLES,
    )
    jobs = []
    for name, (html, styles) in documents.items():
        assert glyphs.missing_characters(glyphs.html_text(html)) == (), name
        jobs.append({"html": html, "styles": list(styles), "out": str(tmp_path / f"{name}.pdf")})
    # The control: a character no bundled font has, past the check, must show as missing.
    control = tmp_path / "control.pdf"
    jobs.append({"html": "<p>Bảo 中</p>", "styles": ["base"], "out": str(control)})
    for job in jobs:
        job["checked"] = job["out"] != str(control)
    (tmp_path / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{STATIC_DIR / 'fonts'}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir>"
        "</fontconfig>"
    )
    env = {"FONTCONFIG_FILE": str(tmp_path / "fonts.conf"), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-c", RENDER_ALONE, str(tmp_path / "jobs.json")],
        check=True,
        env=env,
        cwd=PACKAGE_DIR.parent,
        timeout=300,
    )

    _fonts, control_missing = _unrendered(control.read_bytes())
    assert control_missing == ["中"]
    for name in documents:
        pdf = (tmp_path / f"{name}.pdf").read_bytes()
        fonts, missing = _unrendered(pdf)
        assert missing == [], (name, missing)
        assert fonts <= {
            "Planner-Sans",
            "Planner-Sans-Bold",
            "Planner-Sans-Italic",
            "Planner-Symbols",
        }, (name, fonts)
    assert "✓" in pdf_text((tmp_path / "sheet.pdf").read_bytes())
    assert "Planner-Symbols" in _unrendered((tmp_path / "sheet.pdf").read_bytes())[0]
    flyer_text = " ".join(pdf_text((tmp_path / "flyer-tay.pdf").read_bytes()).split())
    assert "pỉ noọng" in flyer_text


def test_talking_points_stored_before_the_check_are_named_and_skipped_when_preparing(
    officer_client, officer, meeting
):
    from planner.printing.models import TalkingPoint

    db.session.add(
        TalkingPoint(
            office_id=officer.office_id,
            topic=Topic.VOLUNTARY_SI,
            language=Language.VIETNAMESE,
            body="Tham gia ngay 👍",
        )
    )
    db.session.commit()

    assert flyer.prepare_flyer_body(meeting) is False  # the other bodies still get prepared
    response = officer_client.get(f"/printing/sessions/{meeting.id}/flyer.pdf")
    panel = officer_client.get(f"/sessions/{meeting.id}").get_data(as_text=True)

    assert response.status_code == 422
    message = "Nội dung tuyên truyền về BHXH tự nguyện bằng Tiếng Việt: không in được “👍”"
    assert message in response.get_data(as_text=True)
    assert message in panel
