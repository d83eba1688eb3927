"""Reading itself: files of every kind a phone or scanner makes, and the decisions' band."""

from __future__ import annotations

from io import BytesIO

import cv2
import numpy as np
import pytest
from PIL import Image

from bench.sheet_photos import (
    Condition,
    RowMarks,
    apply_marks,
    photograph,
    random_marks,
    render_pages,
)
from planner.errors import PlannerError
from planner.extensions import db
from planner.printing import sheet
from planner.readback import cells
from planner.readback.cells import Decision, decide
from planner.readback.decoding import decode_image, decode_upload
from planner.readback.models import PageOutcome, PageReading
from planner.readback.reading import read_page, sheet_page_finder
from tests.test_readback import meeting_with_invitations, print_sheet, send, wait_for


@pytest.fixture
def signed_session(officer, places):
    return meeting_with_invitations(officer, places)


def test_a_box_between_the_thresholds_is_uncertain_never_guessed():
    assert decide(cells.BOX_TICKED_AT, cells.BOX_TICKED_AT, cells.BOX_EMPTY_BELOW).decision == (
        Decision.YES
    )
    middle = (cells.BOX_TICKED_AT + cells.BOX_EMPTY_BELOW) / 2
    uncertain = decide(middle, cells.BOX_TICKED_AT, cells.BOX_EMPTY_BELOW)
    assert uncertain.decision == Decision.UNCERTAIN and uncertain.confidence == pytest.approx(0.5)
    empty = decide(0.0, cells.BOX_TICKED_AT, cells.BOX_EMPTY_BELOW)
    assert empty.decision == Decision.NO and empty.confidence == 1.0
    sure = decide(0.5, cells.BOX_TICKED_AT, cells.BOX_EMPTY_BELOW)
    assert sure.decision == Decision.YES and sure.confidence == 1.0


def test_an_iphone_heic_photo_is_turned_upright_by_its_exif_orientation():
    from pillow_heif import register_heif_opener

    register_heif_opener()
    upright = np.full((300, 400), 255, np.uint8)
    upright[:50, :] = 0  # a black band at the top
    # The camera stored it turned a quarter and said so in EXIF (orientation 6: turn 90° right).
    stored = Image.fromarray(np.rot90(upright, 1).copy())
    exif = Image.Exif()
    exif[0x0112] = 6
    heic = BytesIO()
    stored.save(heic, format="HEIF", exif=exif.tobytes())

    image = decode_image(heic.getvalue(), "IMG_0001.HEIC")

    assert image.shape == (300, 400)
    assert image[:40].mean() < 60 and image[60:].mean() > 200


def test_a_truncated_photo_is_not_a_picture():
    with pytest.raises(PlannerError) as error:
        decode_upload(b"\xff\xd8\xff\xe0 broken", "broken.jpg", 10_000_000)
    assert error.value.code == "not_image"


def test_a_scanned_pdf_of_signed_pages_is_read_page_by_page(officer_client, signed_session):
    version, pdf = print_sheet(signed_session)
    rng = np.random.default_rng(3)
    plans = {
        1: {1: RowMarks(boxes={"wants_hhi": "cross"}, sign="scribble")},
        2: {12: RowMarks(boxes={"registered": "fill"}, sign="thumb", name=True)},
    }
    scans = []
    for number, page in enumerate(render_pages(pdf), start=1):
        layout_page = version.layout["pages"][number - 1]
        marked, _truth = apply_marks(page, layout_page, plans.get(number, {}), rng)
        # A 150 dpi office scanner.
        scans.append(
            Image.fromarray(cv2.resize(marked, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
        )
    scanned = BytesIO()
    scans[0].save(scanned, format="PDF", save_all=True, append_images=scans[1:], resolution=150)

    response = send(officer_client, signed_session, [(scanned.getvalue(), "scan.pdf")])

    assert wait_for(officer_client, response.headers["Location"])["status"] == "done"
    readings = db.session.scalars(db.select(PageReading).order_by(PageReading.id)).all()
    assert [(r.outcome, r.page, r.pdf_page) for r in readings] == [
        (PageOutcome.READ, 1, 1),
        (PageOutcome.READ, 2, 2),
    ]
    first = {row["row"]: row for row in readings[0].rows}
    assert first[1]["boxes"]["wants_hhi"]["decision"] == "yes"
    assert first[1]["person_id"] is not None  # Giàng Thị Mỷ, printed on row 1
    second = {row["row"]: row for row in readings[1].rows}
    assert second[12]["signature"]["decision"] == "yes"
    assert second[12]["handwriting"]["decision"] == "yes"
    assert second[12]["boxes"]["registered"]["decision"] == "yes"
    review = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Giàng Thị Mỷ" in review and "Trang 2, dòng 12" in review


@pytest.mark.parametrize(
    "condition",
    [
        Condition("leaning and turned", tilt=18, turns=(1, 2, 3)),
        Condition("bent, in a shadow", tilt=8, bend_mm=2.5, uneven=0.4, shadow=True),
        Condition("old phone, heavy JPEG", tilt=10, megapixels=3, jpeg=40, noise=5, blur=0.8),
    ],
    ids=lambda c: c.name,
)
def test_every_box_and_signature_is_read_right_on_a_difficult_photo(signed_session, condition):
    version, pdf = print_sheet(signed_session)
    layout_page = version.layout["pages"][0]
    rng = np.random.default_rng(11)
    plan = random_marks(layout_page, rng, prefilled={1, 2}, stray=0.2)
    marked, truth = apply_marks(render_pages(pdf)[0], layout_page, plan, rng)
    photo = photograph(marked, condition, rng)

    result = read_page(
        decode_image(photo), sheet_page_finder(signed_session.office_id, signed_session)
    )

    assert result.located.code == layout_page["code"]
    assert result.invited == {1: result.invited[1], 2: result.invited[2]}
    decided = uncertain = 0
    for row in result.rows:
        assert (row.signature.decision == Decision.YES) == (row.row in truth.signed), row.row
        for column, box in row.boxes.items():
            if box.mark.decision == Decision.UNCERTAIN:
                uncertain += 1
                continue
            decided += 1
            assert (box.mark.decision == Decision.YES) == truth.boxes[(row.row, column)], (
                row.row,
                column,
                box.mark,
            )
    assert decided >= 42 and uncertain <= 2


def test_a_tall_row_is_read_whole_and_every_cell_where_its_column_printed(officer, places):
    """A long name makes its row taller (printing.fitting); the person signs at its foot and
    the next row's newcomer writes their name: both are read where the stored layout put the
    row and the columns, not in a usual row's first 9 mm."""
    session = meeting_with_invitations(officer, places)
    long_name = ("Hoàng Thị Phương Thảo Nguyễn Ngọc Bích Liên " * 3)[:110].strip()
    invited = [sheet.SheetPerson(full_name=long_name), sheet.SheetPerson(full_name="Sùng Páo")]
    version, pdf = sheet.attendance_sheet(session, invited)
    db.session.commit()
    layout_page = version.layout["pages"][0]
    rows = {r["row"]: r for r in layout_page["rows"]}
    tall = rows[1]
    assert tall["h"] >= sheet.ROW_H + 4
    columns = {c["key"]: c for c in layout_page["columns"]}
    signature, name = columns["signature"], columns["full_name"]

    page = render_pages(pdf)[0]
    px = 300 / 25.4

    def scribble(left: float, top: float, width: float) -> None:
        points = [(left + i * width / 8, top + (2.5 if i % 2 else 0)) for i in range(9)]
        cv2.polylines(page, [np.int32([(x * px, y * px) for x, y in points])], False, 30, 5)

    foot = tall["y"] + tall["h"] - 5
    scribble(signature["x"] + 3, foot, signature["w"] - 6)  # signed at the foot of row 1
    scribble(name["x"] + 2, rows[3]["y"] + 3, name["w"] - 5)  # a name written on blank row 3
    photo = photograph(page, Condition("careful", tilt=6), np.random.default_rng(5))

    result = read_page(decode_image(photo), sheet_page_finder(officer.office_id), images=True)

    read = {row.row: row for row in result.rows}
    assert read[1].signature.decision == Decision.YES
    assert read[1].height == tall["h"]
    assert read[2].signature.decision == Decision.NO
    assert read[3].handwriting.decision == Decision.YES
    assert read[4].handwriting.decision == Decision.NO
    # The review's crop of row 3 holds the whole row, from the table's edge to the boxes.
    crop = result.crops[3]
    assert crop.shape[0] >= round((rows[3]["h"]) * 6)
    assert crop.shape[1] >= round((layout_page["boxes"][0]["x"] - 7 - 22) * 6)
