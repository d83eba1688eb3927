"""Reading a straightened page: each tick box, signature cell and name cell, with a decision
and a confidence. The thresholds are the project's own and live here, measured by bench/omr.py.

Input is a `LocatedPage` (6 px per mm, see locating.PX_PER_MM) and the page's stored layout:
where its boxes are, each row's top and height and each column's left and width
(printing.sheet.sheet_layout), so a taller row or a wider column is read where it printed.
Ink is measured as darkness against the paper around it (0 paper .. 1 black), so shadows and
uneven light do not count as marks.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

import cv2
import numpy as np
from flask_babel import lazy_gettext as _l

from planner.enums import LABELS, LabelledEnum
from planner.readback.locating import PX_PER_MM, LocatedPage, f32, relative_darkness

# A tick box: mean darkness of its inside (the printed border left out).
BOX_TICKED_AT = 0.025  # at or above: ticked
BOX_EMPTY_BELOW = 0.010  # below: empty; between the two: uncertain, for the officer to decide
BOX_INSET_MM = 1.0  # the border is 0.4 mm; the rest keeps blur of the border out
# A signature or thumbprint cell: share of its inside that is inked.
SIGNED_AT = 0.008
UNSIGNED_BELOW = 0.003
# A name cell on a blank row: share inked above which someone wrote a name.
HANDWRITTEN_AT = 0.012
NOISE = 0.10  # darkness below this is grain and noise
INK = 0.25  # a pixel this much darker than the paper is ink
# How far (mm) a box may have moved from where the page's outline puts it (bent paper).
SEARCH_MM = 4.0
# A box further than this from where the page's boxes together put it is looked for again.
AGREE_MM = 2.0

TICK_MM = 6.0
# Layouts stored before they carried their columns (sheet versions printed until December
# 2026) had these: the name 31 mm from 29 mm, the signature the last 30 mm inside the 22 mm
# margin, rows of 9 mm with their boxes 1.5 mm below the row's top.
OLD_NAME_MM = (29.0, 31.0)
OLD_SIGNATURE_WIDTH_MM, OLD_MARGIN_MM, OLD_ROW_MM = 30.0, 22.0, 9.0


@dataclass(frozen=True)
class Span:
    """Where something sits along one axis of the page: its start and its length, in mm."""

    start: float
    length: float


def column_span(page: dict, key: str, paper_width: float) -> Span:
    """The column `key` (full_name or signature) across the page, from the stored layout."""
    for column in page.get("columns", ()):
        if column["key"] == key:
            return Span(float(column["x"]), float(column["w"]))
    if key == "signature":
        width = OLD_SIGNATURE_WIDTH_MM
        return Span(paper_width - OLD_MARGIN_MM - width, width)
    return Span(*OLD_NAME_MM)


def row_spans(page: dict) -> dict[int, Span]:
    """Each row's top and height down the page, from the stored layout (rows grow when their
    text needs more lines; a layout without rows had 9 mm rows around their boxes)."""
    spans = {int(r["row"]): Span(float(r["y"]), float(r["h"])) for r in page.get("rows", ())}
    for box in page["boxes"]:
        if box["row"] not in spans:
            top = box["y"] - (OLD_ROW_MM - TICK_MM) / 2
            spans[box["row"]] = Span(top, OLD_ROW_MM)
    return spans


class Decision(LabelledEnum):
    """What a mark on the sheet was read as."""

    YES = "yes"
    NO = "no"
    UNCERTAIN = "uncertain"


LABELS.update(
    {
        Decision.YES: _l("Yes"),
        Decision.NO: _l("No"),
        Decision.UNCERTAIN: _l("Uncertain"),
    }
)


@dataclass(frozen=True)
class Mark:
    """One decision: what was read, how sure (0..1) and the measured ink."""

    decision: Decision
    confidence: float
    ink: float

    def as_dict(self) -> dict:
        return {
            "decision": self.decision.value,
            "confidence": round(self.confidence, 3),
            "ink": round(self.ink, 4),
        }


@dataclass(frozen=True)
class BoxReading:
    row: int
    column: str
    mark: Mark
    x: float  # where it was found on the page, in mm (after following a bend)
    y: float


@dataclass(frozen=True)
class RowReading:
    row: int
    top: float  # mm, after following the row's boxes
    height: float  # mm, as printed
    signature: Mark
    handwriting: Mark
    boxes: dict[str, BoxReading] = field(default_factory=dict)


def decide(ink: float, yes_at: float, no_below: float) -> Mark:
    """Yes at or above `yes_at`, no below `no_below`, uncertain between; confidence grows with
    the distance from the band, reaching 1 at twice its width."""
    band = yes_at - no_below
    if ink >= yes_at:
        return Mark(Decision.YES, min(1.0, 0.5 + (ink - yes_at) / (2 * band)), ink)
    if ink < no_below:
        return Mark(Decision.NO, min(1.0, 0.5 + (no_below - ink) / (2 * no_below)), ink)
    middle = (yes_at + no_below) / 2
    return Mark(Decision.UNCERTAIN, 0.5 - abs(ink - middle) / band, ink)


def _px(mm: float) -> int:
    return round(mm * PX_PER_MM)


def _ring_template() -> tuple[np.ndarray, np.ndarray]:
    """A tick box's printed outline as darkness, with a white margin; the inside is masked."""
    size, margin = _px(TICK_MM), _px(1.2)
    full = size + 2 * margin
    template = np.zeros((full, full), np.float32)
    cv2.rectangle(template, (margin, margin), (margin + size - 1, margin + size - 1), 1.0, 3)
    mask = np.ones_like(template)
    inner = _px(1.0)
    mask[margin + inner : margin + size - inner, margin + inner : margin + size - inner] = 0
    return template, mask


_RING, _RING_MASK = _ring_template()


def _find_box(
    darkness: np.ndarray, x: float, y: float, search_mm: float = SEARCH_MM
) -> tuple[float, float, float]:
    """The box's printed outline near (x, y) mm: its top-left in mm and how well it matched."""
    margin = _px(1.2)
    search = _px(search_mm)
    left, top = _px(x) - margin - search, _px(y) - margin - search
    _height, _width = darkness.shape
    if left < 0 or top < 0:
        return x, y, 0.0
    window = darkness[
        top : top + _RING.shape[0] + 2 * search, left : left + _RING.shape[1] + 2 * search
    ]
    if (
        window.shape[0] < _RING.shape[0] + 2 * search
        or window.shape[1] < _RING.shape[1] + 2 * search
    ):
        return x, y, 0.0
    scores = cv2.matchTemplate(window, _RING, cv2.TM_CCORR_NORMED, mask=_RING_MASK)
    scores = np.nan_to_num(scores)
    _low, best, _where, (dx, dy) = cv2.minMaxLoc(scores)
    return (left + dx + margin) / PX_PER_MM, (top + dy + margin) / PX_PER_MM, float(best)


def _agree(darkness: np.ndarray, by_row: dict[int, list[dict]], found: dict) -> dict:
    """Boxes looked for again where the page's boxes together say they are.

    A marker a little off (blur, noise, a stroke touching it) moves every box the same way;
    a box that matched something else (a neighbouring rule, a stroke) does not agree with the
    others. An affine fit of the well-matched boxes, robust to those, predicts each box, which
    is then looked for closely around the prediction.
    """
    expected, seen = [], []
    for row, boxes in by_row.items():
        for box in boxes:
            x, y, score = found[(row, box["column"])]
            if score > 0.6:
                expected.append((box["x"], box["y"]))
                seen.append((x, y))
    if len(expected) < 6:
        return found
    fit, _inliers = cv2.estimateAffine2D(
        f32(expected), f32(seen), method=cv2.RANSAC, ransacReprojThreshold=1.0
    )
    if fit is None:
        return found
    again = {}
    for row, boxes in by_row.items():
        for box in boxes:
            px, py = fit @ f32([box["x"], box["y"], 1.0])
            first = found[(row, box["column"])]
            if np.hypot(first[0] - px, first[1] - py) <= AGREE_MM and first[2] > 0.6:
                again[(row, box["column"])] = first
            else:
                again[(row, box["column"])] = _find_box(darkness, float(px), float(py), AGREE_MM)
    return again


def _box_ink(darkness: np.ndarray, x: float, y: float) -> float:
    inset = BOX_INSET_MM
    inside = darkness[
        _px(y + inset) : _px(y + TICK_MM - inset), _px(x + inset) : _px(x + TICK_MM - inset)
    ]
    # Darkness under NOISE is paper grain, JPEG blocks and sensor noise, not a mark.
    return float(np.clip(inside - NOISE, 0, None).mean()) if inside.size else 0.0


def _cell_ink(darkness: np.ndarray, left: float, top: float, width: float, height: float) -> float:
    """Share of a cell's inside that is ink, with the table's rules kept out."""
    inset_x, inset_y = 1.2, 1.6
    cell = darkness[
        _px(top + inset_y) : _px(top + height - inset_y),
        _px(left + inset_x) : _px(left + width - inset_x),
    ]
    if not cell.size:
        return 0.0
    inked = cell > INK
    # A rule that bends into the cell is a long straight run: not writing.
    lines = cv2.morphologyEx(inked.astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, _px(6)), np.uint8))
    lines = cv2.bitwise_or(
        lines,
        cv2.morphologyEx(
            inked.astype(np.uint8),
            cv2.MORPH_OPEN,
            np.ones((_px(4), 1), np.uint8),
        ),
    )
    return float((inked & (lines == 0)).mean())


def page_darkness(located: LocatedPage) -> np.ndarray:
    """The straightened page as darkness against the paper around each point."""
    return relative_darkness(located.rectified, _px(12))


# A shadow runs on across the page; a mark in a tick box is shorter than this along any line.
SHADOW_LINE_MM = 15.0


def box_darkness(located: LocatedPage, boxes: list[dict]) -> np.ndarray:
    """Darkness for the insides of tick boxes, where a sliver of shadow is paper, not ink.

    The paper is what a closing leaves: marks narrower than its element are filled in. A
    square of 12 mm fills every mark in a box, but also a sliver of shadow narrower than that
    (a hand or a phone's edge between lamp and page), which reads as ink in every box it
    crosses. A closing along a line of 15 mm (down the page, or across) keeps that shadow as
    paper, while a tick, cross or fill is shorter than the line both ways and 15 mm of white
    separate boxes; the paper is the darkest of the three. Only boxes are measured so: in a
    signature or name cell, a closing along the line would also keep the straight parts of
    a bent table rule as paper and leave its bends as short strokes, which the cell's filter
    of straight runs would then count as writing.
    """
    image = located.rectified
    darkness = np.zeros(image.shape, np.float32)
    if not boxes:
        return darkness
    # Only the band of columns the boxes are in (and may have moved in), with room for the
    # closings around it (a closing reaches its element's size either way): the same values
    # in the boxes for a third of the work.
    reach = max(12.0, SHADOW_LINE_MM) + SEARCH_MM + 1
    left = max(0, _px(min(b["x"] for b in boxes) - reach))
    right = min(image.shape[1], _px(max(b["x"] + b["w"] for b in boxes) + reach))
    band = image[:, left:right]
    square = cv2.morphologyEx(
        band, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (_px(12) | 1,) * 2)
    )
    length = _px(SHADOW_LINE_MM) | 1
    down = cv2.morphologyEx(band, cv2.MORPH_CLOSE, np.ones((length, 1), np.uint8))
    across = cv2.morphologyEx(band, cv2.MORPH_CLOSE, np.ones((1, length), np.uint8))
    paper = np.maximum(np.minimum(np.minimum(square, down), across), 1).astype(np.float32)
    darkness[:, left:right] = np.clip(1.0 - band.astype(np.float32) / paper, 0.0, 1.0)
    return darkness


def read_rows(located: LocatedPage, page: dict, prefilled_rows: set[int]) -> list[RowReading]:
    """Every row of the page: its boxes, its signature cell and (for rows printed blank) whether
    a name was written in. `page` is the page's entry of the stored layout."""
    darkness = page_darkness(located)
    inside_boxes = box_darkness(located, page["boxes"])
    spans = row_spans(page)
    signature_column = column_span(page, "signature", located.geometry.width)
    name_column = column_span(page, "full_name", located.geometry.width)
    by_row: dict[int, list[dict]] = {}
    for box in page["boxes"]:
        by_row.setdefault(box["row"], []).append(box)
    found = {}
    for row, boxes in by_row.items():
        for box in boxes:
            found[(row, box["column"])] = _find_box(darkness, box["x"], box["y"])
    found = _agree(darkness, by_row, found)
    shifts = []
    for row, boxes in by_row.items():
        for box in boxes:
            x, y, score = found[(row, box["column"])]
            if score > 0.6:
                shifts.append((x - box["x"], y - box["y"]))
    # A box scribbled over beyond recognition follows the page's usual shift instead.
    usual = (
        (statistics.median(s[0] for s in shifts), statistics.median(s[1] for s in shifts))
        if shifts
        else (0.0, 0.0)
    )
    rows = []
    for row, boxes in sorted(by_row.items()):
        readings = {}
        row_shifts = []
        for box in boxes:
            x, y, score = found[(row, box["column"])]
            if score <= 0.6:
                x, y = box["x"] + usual[0], box["y"] + usual[1]
            else:
                row_shifts.append((x - box["x"], y - box["y"]))
            ink = _box_ink(inside_boxes, x, y)
            readings[box["column"]] = BoxReading(
                row, box["column"], decide(ink, BOX_TICKED_AT, BOX_EMPTY_BELOW), x, y
            )
        shift_y = statistics.median(s[1] for s in row_shifts) if row_shifts else usual[1]
        shift_x_last = row_shifts[-1][0] if row_shifts else usual[0]
        shift_x_first = row_shifts[0][0] if row_shifts else usual[0]
        # The row as printed, moved as its boxes moved; the signature cell as the row's last box
        # moved (the nearest), the name cell as its first.
        span = spans[row]
        top = span.start + shift_y
        signature_ink = _cell_ink(
            darkness,
            signature_column.start + shift_x_last,
            top,
            signature_column.length,
            span.length,
        )
        signature = decide(signature_ink, SIGNED_AT, UNSIGNED_BELOW)
        if row in prefilled_rows:
            handwriting = Mark(Decision.NO, 1.0, 0.0)
        else:
            left = name_column.start + shift_x_first
            ink = _cell_ink(darkness, left, top, name_column.length, span.length)
            handwriting = decide(ink, HANDWRITTEN_AT, HANDWRITTEN_AT / 3)
        rows.append(RowReading(row, top, span.length, signature, handwriting, readings))
    return rows


def row_crop(located: LocatedPage, row: RowReading, left_mm: float, right_mm: float) -> np.ndarray:
    """The row's written cells (number to the last before the boxes) from the straightened
    page, for the review: the whole row, however tall it printed."""
    top = max(0, _px(row.top - 1))
    return located.rectified[
        top : _px(row.top + row.height + 1), max(0, _px(left_mm - 1)) : _px(right_mm)
    ]


def written_span(page: dict, paper_width: float) -> Span:
    """Across the page, the cells people write or read in a row's crop: from the table's left
    edge to the first tick box's column (the stored layout's columns; older layouts: from the
    22 mm margin to 7 mm before the first box)."""
    columns = page.get("columns", ())
    if columns:
        left = float(columns[0]["x"])
        boxes = {b["column"] for b in page["boxes"]}
        ticks = [float(c["x"]) for c in columns if c["key"] in boxes]
        right = min(ticks) if ticks else float(columns[-1]["x"])
        return Span(left, right - left)
    right = min((b["x"] for b in page["boxes"]), default=150) - 7
    return Span(OLD_MARGIN_MM, right - OLD_MARGIN_MM)
