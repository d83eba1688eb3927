"""Reading one photo of a session's signed sheet: which page it is, checked against the
session and office, and every row read (see locating and cells for the image work).

`read_page` is what the job, the CLI and the bench call; it raises PlannerError with a
PageOutcome code for every photo that cannot be used, and changes nothing in the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np
import sqlalchemy as sa
from flask_babel import gettext as _

from planner.collation import vi_order
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.models import Attendance, Person
from planner.printing.models import SheetVersion
from planner.printing.sheet import parse_sheet_code
from planner.readback import cells
from planner.readback.cells import Decision, RowReading
from planner.readback.locating import LocatedPage, PageGeometry, f32, i32, locate_page
from planner.readback.models import PageOutcome
from planner.sessions.models import OutreachSession

OVERLAY_LONG_SIDE = 1200


@dataclass(frozen=True)
class SheetPage:
    """The stored page a QR code names."""

    version: SheetVersion
    page: int
    layout_page: dict
    geometry: PageGeometry


@dataclass
class PageResult:
    """What was read on one photo: the page, its rows, the invited person of each pre-filled
    row, and the images the review shows (drawn-over photo, row crops)."""

    located: LocatedPage
    sheet: SheetPage
    rows: list[RowReading]
    invited: dict[int, int]  # row number -> person id
    milliseconds: int
    overlay: np.ndarray | None = None
    crops: dict[int, np.ndarray] = field(default_factory=dict)

    def as_rows(self) -> list[dict]:
        return [
            {
                "row": r.row,
                "person_id": self.invited.get(r.row),
                "signature": r.signature.as_dict(),
                "handwriting": r.handwriting.as_dict(),
                "boxes": {column: b.mark.as_dict() for column, b in r.boxes.items()},
            }
            for r in self.rows
        ]


def invited_rows(version: SheetVersion) -> dict[int, int]:
    """Row number -> person id of the rows printed with a name: the people listed for the
    session when this version was printed, in the order the sheet prints them (by name)."""
    people = db.session.execute(
        sa.select(Person.id)
        .join(Attendance, Attendance.person_id == Person.id)
        .where(
            Attendance.session_id == version.session_id,
            Attendance.office_id == version.office_id,
            Attendance.created_at <= version.created_at,
            Person.erased_at.is_(None),
        )
        .order_by(vi_order(Person.full_name), Person.id)
    ).scalars()
    return {index + 1: person_id for index, person_id in enumerate(people)}


def sheet_page_finder(office_id: int | None, session: OutreachSession | None = None):
    """A lookup from a page's QR code to its stored page, refusing what does not belong.

    office_id None (the command line) accepts any office's sheet; a session refuses the pages
    of other sessions and of versions older than the session's latest.
    """

    def find(code: str) -> SheetPage:
        try:
            session_id, number, page = parse_sheet_code(code)
        except PlannerError as error:
            raise PlannerError(error.message, code=PageOutcome.NOT_OURS.value) from error
        version = db.session.scalar(
            sa.select(SheetVersion).where(
                SheetVersion.session_id == session_id, SheetVersion.number == number
            )
        )
        if version is None or (office_id is not None and version.office_id != office_id):
            raise PlannerError(
                _("This page (%(code)s) is not from a sheet of your office.", code=code),
                code=PageOutcome.NOT_OURS.value,
            )
        if session is not None and version.session_id != session.id:
            other = db.session.get(OutreachSession, version.session_id)
            raise PlannerError(
                _(
                    "This page (%(code)s) belongs to another session: %(title)s. Read it from "
                    "that session's page.",
                    code=code,
                    title=(other.title or other.kind.label) if other else "",
                ),
                code=PageOutcome.OTHER_SESSION.value,
            )
        latest = db.session.scalar(
            sa.select(sa.func.max(SheetVersion.number)).where(
                SheetVersion.session_id == version.session_id
            )
        )
        if session is not None and latest is not None and number < latest:
            raise PlannerError(
                _(
                    "This page is from version %(old)s of the sheet, but version %(new)s was "
                    "printed later. Use the pages of the latest version.",
                    old=number,
                    new=latest,
                ),
                code=PageOutcome.OLD_VERSION.value,
            )
        layout = version.layout
        pages = {p["page"]: p for p in layout.get("pages", [])}
        if page not in pages:
            raise PlannerError(
                _("This sheet has no page %(page)s.", page=page), code=PageOutcome.NOT_OURS.value
            )
        return SheetPage(version, page, pages[page], PageGeometry.from_layout(layout, pages[page]))

    return find


def read_page(image: np.ndarray, find, images: bool = True) -> PageResult:
    """Find, identify and read one page in a greyscale photo (see `sheet_page_finder`)."""
    started = time.perf_counter()
    found: dict[str, SheetPage] = {}

    def geometry_of(code: str) -> PageGeometry:
        found["sheet"] = find(code)
        return found["sheet"].geometry

    located = locate_page(image, geometry_of)
    sheet = found["sheet"]
    invited = invited_rows(sheet.version)
    rows = cells.read_rows(located, sheet.layout_page, set(invited))
    result = PageResult(
        located=located,
        sheet=sheet,
        rows=rows,
        invited=invited,
        milliseconds=round((time.perf_counter() - started) * 1000),
    )
    if images:
        result.overlay = overlay(image, result)
        written = cells.written_span(sheet.layout_page, located.geometry.width)
        for row in rows:
            if row.row not in invited and shows(row):
                result.crops[row.row] = cells.row_crop(
                    located, row, written.start, written.start + written.length
                )
    return result


def shows(row: RowReading) -> bool:
    """Whether a row goes to the review: signed (or maybe), a name written, or a box ticked."""
    return (
        row.signature.decision != Decision.NO
        or row.handwriting.decision == Decision.YES
        or any(b.mark.decision == Decision.YES for b in row.boxes.values())
    )


COLOURS = {
    Decision.YES: (40, 160, 40),
    Decision.NO: (160, 160, 160),
    Decision.UNCERTAIN: (0, 140, 255),
}


def overlay(image: np.ndarray, result: PageResult) -> np.ndarray:
    """The photo, smaller, with the page's outline and every box drawn where it was read."""
    scale = min(1.0, OVERLAY_LONG_SIDE / max(image.shape[:2]))
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    picture = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
    to_photo = np.linalg.inv(result.located.to_page)
    outline = i32(f32(result.located.outline) * scale)
    cv2.polylines(picture, [outline], True, (255, 90, 0), 2, cv2.LINE_AA)
    for row in result.rows:
        for box in row.boxes.values():
            square = f32(
                [[box.x, box.y], [box.x + 6, box.y], [box.x + 6, box.y + 6], [box.x, box.y + 6]]
            ).reshape(-1, 1, 2)
            corners = cv2.perspectiveTransform(square, to_photo).reshape(-1, 2) * scale
            thickness = 1 if box.mark.decision == Decision.NO else 2
            cv2.polylines(picture, [i32(corners)], True, COLOURS[box.mark.decision], thickness)
    return picture
