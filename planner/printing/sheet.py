"""The attendance sheet: rows paginated here, every box at a computed place in millimetres, and
a version kept per distinct content so a scanned page can be read back against its layout."""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass, field

import segno
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from planner.accounts.models import Office, User
from planner.collation import vi_order
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.models import Attendance, Person
from planner.phones import display_phone, mask_phone
from planner.places.models import Village
from planner.printing import glyphs, render
from planner.printing.columns import SHEET_COLUMNS, SheetColumn
from planner.printing.facts import session_facts
from planner.printing.fitting import CellFit, CellStyle, fit_cell
from planner.printing.models import SheetVersion
from planner.printing.settings import print_settings
from planner.sessions.models import OutreachSession

SHEET_STYLES = ("base", "attendance_sheet")

# The sheet's geometry in millimetres (A4 landscape). Rows are paginated here, not by the
# renderer, so every page's boxes sit where the stored layout says they do.
PAGE_W, PAGE_H = 297, 210
MARGIN = 22  # corner markers sit 10-18 mm from the edge, with white around them
# The table runs wider than the band above it: it starts 49 mm or more from the top and ends
# 5 mm or more above the bottom markers, so beside them there is paper to spare, 6 mm a side
# that the notes column takes.
TABLE_MARGIN = 16
MARKER_INSET, MARKER_SIZE = 10, 8
CONTENT_H = PAGE_H - 2 * MARGIN - 1  # a millimetre of slack, so rounding never adds a page
BAND_H = 27  # office, motto, QR code and page number: on every page
DETAILS_H = 22  # the session's details: first page only
TITLE_W = 120  # the title, centred on the page under the motto (on every page)
HEAD_H = 13  # the column headings: on every page
ROW_H = 9  # a row's usual height; a row whose text needs more lines grows (fitting.py)
FOOTER_H = 46  # totals, the place and date line and the signature blocks: after the last row
# Rows that go over with the totals and signatures when these do not fit under the last row,
# so the signatures are never alone on a page, away from the names they confirm.
KEEP_WITH_FOOTER = 3
TICK_MM = 6
TICK_STROKE = 0.4  # tick box border, inside its 6 mm
RULE_STROKE = 0.2
FOOTER_GAP = 3
QR_MODULE_MM = 1.0
FIRST_PAGE_ROWS = (CONTENT_H - BAND_H - DETAILS_H - HEAD_H) // ROW_H
PAGE_ROWS = (CONTENT_H - BAND_H - HEAD_H) // ROW_H
# A cell's type (attendance_sheet.css .td): 7.5 pt, smaller down to 6.5 pt (still readable on a
# form passed from hand to hand) when its text needs more lines than the row has, then a taller
# row. The padding is the cell's, inside its rules.
CELL_STYLE = CellStyle(
    sizes=(7.5, 7.0, 6.5), line_height=1.12, padding_top=0.6, padding_bottom=0.4, padding_x=1.0
)
CELL_SIZE_PT = CELL_STYLE.sizes[0]
# Columns whose text is printed and fitted (the number is short; ticks are drawn).
TEXT_COLUMNS = frozenset(
    {"full_name", "birth_year", "gender", "ethnicity", "village", "phone", "occupation"}
    | {"priority_group"}
)


@dataclass
class SheetPerson:
    """A row printed before the meeting: someone invited or already known to the office."""

    full_name: str
    birth_year: int | None = None
    gender: str = ""
    ethnicity: str = ""
    village: str = ""
    phone: str = ""
    occupation: str = ""
    priority_group: str = ""
    has_hi: bool | None = None


@dataclass
class SheetPage:
    number: int
    first_row: int  # 1-based number of its first row
    rows: list[SheetPerson | None] = field(default_factory=list)
    has_table: bool = True
    has_footer: bool = False
    heights: list[float] = field(default_factory=list)  # each row's height, mm

    def used_mm(self) -> float:
        """Height from the top margin to the bottom of the last row."""
        details = DETAILS_H if self.number == 1 else 0
        return BAND_H + details + (HEAD_H + sum(self.heights) if self.has_table else 0)


def plan_sheet_pages(
    people: list[SheetPerson | None], heights: list[float] | None = None
) -> list[SheetPage]:
    """Split rows (of `heights` mm, ROW_H each by default) into pages; the totals and
    signatures go after the last row, and when they do not fit under it, the last rows
    (KEEP_WITH_FOOTER of them) go over to a new page with them: never the signatures alone."""
    heights = list(heights) if heights is not None else [float(ROW_H)] * len(people)
    pages: list[SheetPage] = []
    index = 0
    while True:
        room = CONTENT_H - BAND_H - (0 if pages else DETAILS_H) - HEAD_H
        count, used = 0, 0.0
        while index + count < len(people) and used + heights[index + count] <= room + 1e-6:
            used += heights[index + count]
            count += 1
        if count == 0 and index < len(people):
            count = 1  # a row taller than a page still prints (cut), never loops
        page = SheetPage(
            number=len(pages) + 1,
            first_row=index + 1,
            rows=people[index : index + count],
            heights=heights[index : index + count],
        )
        pages.append(page)
        index += count
        if index >= len(people):
            break
    last = pages[-1]
    if CONTENT_H - last.used_mm() >= FOOTER_H:
        last.has_footer = True
        # Fewer rows than KEEP_WITH_FOOTER under the signatures: bring a few from the page before.
        before = pages[-2] if len(pages) > 1 else None
        while (
            before is not None
            and len(last.rows) < KEEP_WITH_FOOTER
            and len(before.rows) > 1
            and CONTENT_H - last.used_mm() - before.heights[-1] >= FOOTER_H
        ):
            last.rows.insert(0, before.rows.pop())
            last.heights.insert(0, before.heights.pop())
            last.first_row -= 1
        return pages
    # The most rows (up to KEEP_WITH_FOOTER, leaving one) that fit on a page with the footer.
    room = CONTENT_H - BAND_H - HEAD_H - FOOTER_H
    keep = min(KEEP_WITH_FOOTER, len(last.rows) - 1)
    while keep > 0 and sum(last.heights[-keep:]) > room + 1e-6:
        keep -= 1
    if keep <= 0:
        # Very tall last rows fill the page: the totals follow on a page of their own.
        pages.append(
            SheetPage(number=len(pages) + 1, first_row=index + 1, has_table=False, has_footer=True)
        )
        return pages
    split = len(last.rows) - keep
    pages.append(
        SheetPage(
            number=len(pages) + 1,
            first_row=last.first_row + split,
            rows=last.rows[split:],
            heights=last.heights[split:],
            has_footer=True,
        )
    )
    last.rows, last.heights = last.rows[:split], last.heights[:split]
    return pages


def _cell_text(person: SheetPerson, key: str) -> str:
    value = getattr(person, key)
    return "" if value in (None, "") else str(value)


@functools.lru_cache(maxsize=8192)
def _fit(text: str, width: float) -> CellFit:
    return fit_cell(text, width, ROW_H, CELL_STYLE)


def fit_rows(
    people: list[SheetPerson | None], columns: list[PlacedColumn]
) -> list[tuple[float, dict[str, CellFit]]]:
    """Each row's height (mm) and how each of its texts fits its cell: smaller type down to
    the floor, then a taller row, so no text is ever cut (blank rows keep ROW_H)."""
    fitted = []
    for person in people:
        fits: dict[str, CellFit] = {}
        if person is not None:
            for c in columns:
                if c.key in TEXT_COLUMNS and (text := _cell_text(person, c.key)):
                    fits[c.key] = _fit(text, c.width)
        height = max((f.height_mm for f in fits.values()), default=float(ROW_H))
        fitted.append((height, fits))
    return fitted


def sheet_rows(invited: list[SheetPerson], expected: int, spare: int) -> list[SheetPerson | None]:
    """Invited people first, then blank rows up to the expected attendance plus spare rows."""
    blanks = max(expected - len(invited), 0) + spare
    return [*invited, *([None] * blanks)]


def invited_people(session: OutreachSession, masked: bool = True) -> list[SheetPerson]:
    """People already linked to the session (an imported invitation list), to pre-fill rows;
    `masked` prints their phone numbers with only the first and last three digits."""
    # The columns a row prints, not whole people: the session page asks for this on every view
    # (its print panel checks every character), and a large session has hundreds of rows.
    rows = db.session.execute(
        sa.select(
            Person.full_name,
            Person.birth_year,
            Person.gender,
            Person.ethnicity,
            Village.name,
            Person.phone,
            Person.occupation,
            Person.priority_group,
            Person.has_health_insurance,
        )
        .join(Attendance, Attendance.person_id == Person.id)
        .outerjoin(Village, Village.id == Person.village_id)
        .where(
            Attendance.session_id == session.id,
            Attendance.office_id == session.office_id,
            Person.erased_at.is_(None),
        )
        .order_by(vi_order(Person.full_name))
    ).all()
    shown = mask_phone if masked else display_phone
    with force_locale(render.DOCUMENT_LOCALE):
        # A label per value, not per row: translating is the costly part of a row.
        genders = {g: str(g.label) for g in {r.gender for r in rows} if g is not None}
        groups = {g: str(g.label) for g in {r.priority_group for r in rows}}
    return [
        SheetPerson(
            full_name=r.full_name,
            birth_year=r.birth_year,
            gender=genders[r.gender] if r.gender else "",
            ethnicity=r.ethnicity,
            village=r.name or "",
            phone=shown(r.phone) if r.phone else "",
            occupation=r.occupation,
            priority_group=groups[r.priority_group],
            has_hi=r.has_health_insurance,
        )
        for r in rows
    ]


def sheet_code(session_id: int, version: int, page: int) -> str:
    """The short id on each page: session, sheet version and page (QR alphanumeric mode)."""
    return f"PL-{session_id}-{version}-{page}"


def parse_sheet_code(code: str) -> tuple[int, int, int]:
    """Read a page's code back into (session id, version, page)."""
    prefix, *numbers = code.strip().upper().split("-")
    if prefix != "PL" or len(numbers) != 3 or not all(n.isdigit() for n in numbers):
        raise PlannerError(_("That is not an attendance sheet code."), code="bad_sheet_code")
    session_id, version, page = (int(n) for n in numbers)
    return session_id, version, page


@dataclass(frozen=True)
class PlacedColumn:
    """A sheet column at its place across the page, in millimetres from the paper's left edge."""

    column: SheetColumn
    left: float
    width: float

    @property
    def key(self) -> str:
        return self.column.key


def place_columns(hidden: set[str] | frozenset[str] = frozenset()) -> list[PlacedColumn]:
    """The visible columns left to right; the name column takes the width the others leave."""
    columns = [c for c in SHEET_COLUMNS if c.key not in hidden]
    free = PAGE_W - 2 * TABLE_MARGIN - sum(c.width_mm or 0 for c in columns)
    placed, left = [], float(TABLE_MARGIN)
    for column in columns:
        width = float(column.width_mm or free)
        placed.append(PlacedColumn(column, round(left, 2), round(width, 2)))
        left += width
    return placed


def _table_top(page: SheetPage) -> float:
    return MARGIN + BAND_H + (DETAILS_H if page.number == 1 else 0)


def _row_top(page: SheetPage, index: int) -> float:
    return _table_top(page) + HEAD_H + sum(page.heights[:index])


def _tick_box(placed: PlacedColumn, row_top: float) -> dict:
    # At the top of a taller row, where the usual row would put it: next to the first line of
    # the row's text, and the same in every row (readback.cells follows a row's boxes to place
    # the row as the layout stores it).
    return {
        "x": round(placed.left + (placed.width - TICK_MM) / 2, 2),
        "y": round(row_top + (ROW_H - TICK_MM) / 2, 2),
        "w": TICK_MM,
        "h": TICK_MM,
    }


def _markers() -> list[dict]:
    far_x, far_y = PAGE_W - MARKER_INSET - MARKER_SIZE, PAGE_H - MARKER_INSET - MARKER_SIZE
    spots = {"tl": (MARKER_INSET, MARKER_INSET), "tr": (far_x, MARKER_INSET)}
    spots |= {"bl": (MARKER_INSET, far_y), "br": (far_x, far_y)}
    size = MARKER_SIZE
    return [{"corner": c, "x": x, "y": y, "w": size, "h": size} for c, (x, y) in spots.items()]


@functools.lru_cache(maxsize=512)
def _sheet_qr_code(code: str) -> segno.QRCode:
    return segno.make(code, error="q", micro=False)


def _qr_box(code: str) -> dict:
    """The QR code's square at the top right, sized so one module is QR_MODULE_MM."""
    width, _height = _sheet_qr_code(code).symbol_size(scale=1, border=2)
    size = width * QR_MODULE_MM
    return {"x": PAGE_W - MARGIN - size, "y": float(MARGIN), "w": size, "h": size}


def _grid_svg(
    columns: tuple[PlacedColumn, ...], table_top: float, heights: tuple[float, ...]
) -> str:
    """Corner markers, table rules and tick boxes of one page, as an SVG the fetcher serves.

    The same grid serves every sheet with the same columns and rows, so WeasyPrint parses it
    once (render keeps images between renders); only the text differs between sessions.
    """
    parts = [
        f'<rect x="{m["x"]}" y="{m["y"]}" width="{m["w"]}" height="{m["h"]}"/>' for m in _markers()
    ]
    if columns:
        tops = [table_top + HEAD_H]
        for height in heights:
            tops.append(round(tops[-1] + height, 3))
        bottom = tops[-1]
        edges = [c.left for c in columns] + [columns[-1].left + columns[-1].width]
        rules = [f"M{x:g} {table_top:g}V{bottom:g}" for x in edges]
        ys = [table_top, *tops]
        rules += [f"M{TABLE_MARGIN:g} {y:g}H{PAGE_W - TABLE_MARGIN:g}" for y in ys]
        inset = TICK_STROKE / 2
        boxes = [
            f"M{b['x'] + inset:g} {b['y'] + inset:g}h{TICK_MM - TICK_STROKE:g}"
            f"v{TICK_MM - TICK_STROKE:g}h{TICK_STROKE - TICK_MM:g}z"
            for top in tops[:-1]
            for c in columns
            if c.column.tick
            for b in [_tick_box(c, top)]
        ]
        parts.append(
            f'<path d="{"".join(rules)}" fill="none" stroke="#000" stroke-width="{RULE_STROKE}"/>'
        )
        if boxes:
            parts.append(
                f'<path d="{"".join(boxes)}" fill="none" stroke="#000" '
                f'stroke-width="{TICK_STROKE}"/>'
            )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W}mm" height="{PAGE_H}mm" '
        f'viewBox="0 0 {PAGE_W} {PAGE_H}">{"".join(parts)}</svg>'
    )
    return render.generated_svg(svg)


def _sheet_qr(code: str) -> str:
    """The page's QR code as a PNG of one pixel per module, drawn without smoothing."""
    return _sheet_qr_code(code).png_data_uri(scale=1, border=2)


def sheet_html(
    session: OutreachSession,
    people: list[SheetPerson | None],
    version: int,
    hidden: set[str] | frozenset[str] = frozenset(),
) -> str:
    """The attendance sheet's HTML for one version number.

    Everything sits at a computed place in millimetres, so the stored layout is where the ink
    is; rows are paginated here, not by the renderer, and each text is fitted to its cell
    (smaller type, then a taller row) so that none is cut.
    """
    office = db.session.get(Office, session.office_id)
    columns = place_columns(hidden)
    fitted = fit_rows(people, columns)
    pages = plan_sheet_pages(people, [height for height, _fits in fitted])
    codes = [sheet_code(session.id, version, p.number) for p in pages]
    printed_pages = []
    for page, code in zip(pages, codes, strict=True):
        top = _table_top(page)
        rows = []
        for index, person in enumerate(page.rows):
            height, fits = fitted[page.first_row - 1 + index]
            cells: list[tuple[PlacedColumn, str, float | None]] = []
            for c in columns:
                if c.key == "number":
                    cells.append((c, str(page.first_row + index), None))
                elif person is not None and c.column.tick:
                    if c.key == "has_hi" and person.has_hi:
                        cells.append((c, "✓", None))
                elif person is not None and c.key in fits:
                    fit = fits[c.key]
                    size = fit.size_pt if fit.size_pt != CELL_SIZE_PT else None
                    cells.append((c, _cell_text(person, c.key), size))
            rows.append({"top": _row_top(page, index), "height": height, "cells": cells})
        table_bottom = top + HEAD_H + sum(page.heights) if page.has_table else MARGIN + BAND_H
        printed_pages.append(
            {
                "page": page,
                "code": code,
                "qr": _sheet_qr(code),
                "qr_box": _qr_box(code),
                "grid": _grid_svg(
                    tuple(columns) if page.has_table else (), top, tuple(page.heights)
                ),
                "table_top": top,
                "rows": rows,
                "footer_top": table_bottom + FOOTER_GAP,
            }
        )
    return render.template_html(
        "attendance_sheet",
        session=session,
        office=office,
        facts=session_facts(session),
        columns=columns,
        pages=printed_pages,
        page_count=len(pages),
        invited_count=sum(1 for p in people if p is not None),
        place_name=session.commune.name,
        g={
            "margin": MARGIN,
            "band": BAND_H,
            "head": HEAD_H,
            "row": ROW_H,
            "tick": TICK_MM,
            "content_w": PAGE_W - 2 * MARGIN,
            "title_left": (PAGE_W - TITLE_W) / 2,
            "title_w": TITLE_W,
        },
    )


def sheet_layout(sheet_pages: list[SheetPage], session_id: int, version: int, hidden) -> dict:
    """Where the markers, QR codes, columns, rows and tick boxes are on each page, in mm.

    A row taller than ROW_H (its text needed more lines) keeps its boxes where a usual row
    would have them, at its top; `rows` gives each row's top and height, `columns` each
    column's left edge and width (readback.cells reads the name and signature cells there).
    """
    columns = place_columns(hidden)
    ticks = [c for c in columns if c.column.tick]
    pages = []
    for page in sheet_pages:
        code = sheet_code(session_id, version, page.number)
        boxes, rows = [], []
        if page.has_table:
            for index in range(len(page.rows)):
                row = page.first_row + index
                top = _row_top(page, index)
                rows.append({"row": row, "y": round(top, 2), "h": page.heights[index]})
                boxes += [{"row": row, "column": c.key, **_tick_box(c, top)} for c in ticks]
        pages.append(
            {
                "page": page.number,
                "code": code,
                "markers": _markers(),
                "qr": _qr_box(code),
                "columns": [{"key": c.key, "x": c.left, "w": c.width} for c in columns]
                if page.has_table
                else [],
                "rows": rows,
                "boxes": boxes,
            }
        )
    return {
        "unit": "mm",
        "paper": {"width": PAGE_W, "height": PAGE_H},
        "session_id": session_id,
        "version": version,
        "pages": pages,
    }


def sheet_texts(
    session: OutreachSession, people: list[SheetPerson | None], office: Office | None = None
):
    """What a sheet prints that people typed, as (where it is, text), for glyphs.py; `office`
    is the session's, when the caller has it already (loaded otherwise)."""
    office = office or db.session.get_one(Office, session.office_id)
    yield _("The office's name"), office.name
    facts = session_facts(session)
    yield (
        _("The session's details"),
        " ".join((facts.title, facts.place, facts.officers, facts.partner)),
    )
    for number, person in enumerate(people, start=1):
        if person is not None:
            texts = (_cell_text(person, key) for key in sorted(TEXT_COLUMNS))
            yield _("Row %(row)s (%(name)s)", row=number, name=person.full_name), " ".join(texts)


def _sheet_content_hash(session: OutreachSession, people: list, hidden: set[str]) -> str:
    """What a sheet prints, without its version number: equal hashes mean the same sheet."""
    office = db.session.get_one(Office, session.office_id)
    content = {
        "session": session.id,
        "office": office.name,
        "facts": dataclasses.asdict(session_facts(session)),
        "hidden": sorted(hidden),
        "people": [dataclasses.asdict(p) if p is not None else None for p in people],
    }
    return render.cache_key(json.dumps(content, default=str, sort_keys=True), *SHEET_STYLES)


def attendance_sheet(
    session: OutreachSession,
    invited: list[SheetPerson] | None = None,
    user: User | None = None,
) -> tuple[SheetVersion, bytes]:
    """The sheet as PDF and its version; an unchanged sheet keeps its version and its file."""
    settings = print_settings(session.office_id)
    if invited is None:
        invited = invited_people(session, masked=settings.mask_phones)
    people = sheet_rows(invited, session.expected_attendance, settings.spare_rows)
    hidden = settings.hidden
    glyphs.require_printable(sheet_texts(session, people))
    content_hash = _sheet_content_hash(session, people, hidden)
    existing = _version_with_content(session.id, content_hash)
    if existing is not None and existing.pdf_key:
        pdf = render.cached(existing.pdf_key)
        if pdf is not None:
            return existing, pdf
    if existing is None:
        existing = _claim_sheet_version(session, content_hash, user)
        if existing.pdf_key and (pdf := render.cached(existing.pdf_key)) is not None:
            return existing, pdf
    html = sheet_html(session, people, existing.number, hidden)
    key = render.cache_key(html, *SHEET_STYLES)
    document = render.layout(html, SHEET_STYLES)
    heights = [height for height, _fits in fit_rows(people, place_columns(hidden))]
    layout = sheet_layout(plan_sheet_pages(people, heights), session.id, existing.number, hidden)
    pdf = render.write_pdf(document)
    render.store(key, pdf)
    existing.pdf_key = key
    existing.page_count = len(document.pages)
    existing.layout_json = json.dumps(layout, separators=(",", ":"))
    db.session.flush()
    return existing, pdf


def _version_with_content(
    session_id: int, content_hash: str, below: int | None = None
) -> SheetVersion | None:
    """The session's latest sheet version with this content (numbered below `below`), if any."""
    query = sa.select(SheetVersion).where(
        SheetVersion.session_id == session_id, SheetVersion.content_hash == content_hash
    )
    if below is not None:
        query = query.where(SheetVersion.number < below)
    return db.session.scalar(query.order_by(SheetVersion.number.desc()).limit(1))


def _claim_sheet_version(
    session: OutreachSession, content_hash: str, user: User | None, attempts: int = 5
) -> SheetVersion:
    """The next version number for this content, race-safe: two people printing the same new
    sheet at once both get one version (the loser of the unique number finds the winner's row
    for the same content, or takes the next number), never a duplicate-key error."""
    for _attempt in range(attempts):
        last = db.session.scalar(
            sa.select(sa.func.max(SheetVersion.number)).where(SheetVersion.session_id == session.id)
        )
        version = SheetVersion(
            office_id=session.office_id,
            session_id=session.id,
            number=(last or 0) + 1,
            content_hash=content_hash,
            created_by_id=user.id if user else None,
        )
        try:
            with db.session.begin_nested():
                db.session.add(version)
        except sa.exc.IntegrityError:
            # The other print committed first (PostgreSQL waited for it): take its row.
            same = _version_with_content(session.id, content_hash)
            if same is not None:
                return same
            continue
        # The other print may have committed the same content between our look and our claim
        # under another number (SQLite reads outside a write see it only now; holding the write
        # lock, we see every print committed before ours): keep theirs, not a second version.
        earlier = _version_with_content(session.id, content_hash, below=version.number)
        if earlier is not None:
            db.session.delete(version)
            db.session.flush()
            return earlier
        return version
    raise PlannerError(_("The sheet is being printed by someone else; try again in a moment."))
