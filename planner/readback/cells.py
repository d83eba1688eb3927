"""Reading a straightened page: each tick box, signature cell and name cell, with a decision
and a confidence. The thresholds are the project's own and live here, measured by bench/omr.py.

Input is a `LocatedPage` (6 px per mm, see locating.PX_PER_MM) and the page's stored layout.
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
from planner.readback.locating import PX_PER_MM, LocatedPage, relative_darkness

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
# How far (mm) a row of boxes may have moved from where the page's outline puts it (bent paper)
SEARCH_MM = 4.0
REFINE_MM = 1.5  # and each box this far from its row's shift (a fold, a crease)

# Columns on every sheet (see printing.services.SHEET_COLUMNS): the number column is 7 mm from
# the 22 mm margin, the name takes at least 31 mm, the signature is the last 30 mm.
NAME_LEFT_MM, NAME_MIN_WIDTH_MM = 29.0, 31.0
SIGNATURE_WIDTH_MM = 30.0
ROW_MM, TICK_MM = 9.0, 6.0
MARGIN_MM = 22.0


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


def _ring_template() -> np.ndarray:
    """A tick box's printed outline (+1 per ring pixel, 3 px wide) with white expected just
    outside it (-0.5), inside left out: correlating it with darkness scores the outline's ink
    less the ink around it, so blank paper scores 0 whatever the noise, and a filled box, a
    table rule or a stroke cannot look more like a box than the box does."""
    size, margin = _px(TICK_MM), _px(1.2)
    full = size + 2 * margin
    template = np.zeros((full, full), np.float32)
    cv2.rectangle(template, (2, 2), (full - 3, full - 3), -0.5, 3)
    cv2.rectangle(template, (margin, margin), (margin + size - 1, margin + size - 1), 1.0, 3)
    ring = float((template > 0).sum())
    return template / ring


_RING = _ring_template()
BOX_FOUND_AT = 0.25  # mean darkness of the outline less its surroundings: a printed box


def _box_scores(darkness: np.ndarray, x: float, y: float) -> np.ndarray | None:
    """How well the printed outline of a box matches at each shift within SEARCH_MM of (x, y)
    mm: a (2 * search + 1) square of scores, or None too near the page's edge."""
    margin, search = _px(1.2), _px(SEARCH_MM)
    left, top = _px(x) - margin - search, _px(y) - margin - search
    size_y, size_x = _RING.shape[0] + 2 * search, _RING.shape[1] + 2 * search
    if left < 0 or top < 0:
        return None
    window = darkness[top : top + size_y, left : left + size_x]
    if window.shape != (size_y, size_x):
        return None
    return cv2.matchTemplate(window, _RING, cv2.TM_CCORR)


def _find_row(darkness: np.ndarray, boxes: list[dict]) -> dict[str, tuple[float, float, float]]:
    """Where each box of a row is (top-left mm) and how well it matched.

    Bent paper moves a row by several millimetres but its boxes together: the row's shift is
    where the summed scores of its boxes peak (a scribbled box cannot pull it away), then
    each box is placed within REFINE_MM of that shift.
    """
    search, refine = _px(SEARCH_MM), _px(REFINE_MM)
    maps = {box["column"]: _box_scores(darkness, box["x"], box["y"]) for box in boxes}
    usable = [m for m in maps.values() if m is not None]
    if not usable:
        return {box["column"]: (box["x"], box["y"], 0.0) for box in boxes}
    _low, _high, _where, (row_dx, row_dy) = cv2.minMaxLoc(np.sum(usable, axis=0))
    placed = {}
    for box in boxes:
        scores = maps[box["column"]]
        dx, dy, best = row_dx, row_dy, 0.0
        if scores is not None:
            y0, x0 = max(0, row_dy - refine), max(0, row_dx - refine)
            near = scores[y0 : row_dy + refine + 1, x0 : row_dx + refine + 1]
            _low, best, _where, (ndx, ndy) = cv2.minMaxLoc(near)
            dx, dy = x0 + ndx, y0 + ndy
        placed[box["column"]] = (
            box["x"] + (dx - search) / PX_PER_MM,
            box["y"] + (dy - search) / PX_PER_MM,
            float(best),
        )
    return placed


def _box_ink(darkness: np.ndarray, x: float, y: float) -> float:
    inset = BOX_INSET_MM
    inside = darkness[
        _px(y + inset) : _px(y + TICK_MM - inset), _px(x + inset) : _px(x + TICK_MM - inset)
    ]
    # Darkness under NOISE is paper grain, JPEG blocks and sensor noise, not a mark.
    return float(np.clip(inside - NOISE, 0, None).mean()) if inside.size else 0.0


def _cell_ink(darkness: np.ndarray, left: float, top: float, width: float) -> float:
    """Share of a cell's inside that is ink, with the table's rules kept out."""
    inset_x, inset_y = 1.2, 1.6
    cell = darkness[
        _px(top + inset_y) : _px(top + ROW_MM - inset_y),
        _px(left + inset_x) : _px(left + width - inset_x),
    ]
    if not cell.size:
        return 0.0
    inked = cell > INK
    # A rule that bends into the cell is a long straight run: not writing.
    lines = cv2.morphologyEx(inked.astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, _px(6)), np.uint8))
    lines |= cv2.morphologyEx(
        inked.astype(np.uint8), cv2.MORPH_OPEN, np.ones((_px(4), 1), np.uint8)
    )
    return float((inked & (lines == 0)).mean())


def page_darkness(located: LocatedPage) -> np.ndarray:
    """The straightened page as darkness against the paper around each point."""
    return relative_darkness(located.rectified, _px(12))


def read_rows(located: LocatedPage, page: dict, prefilled_rows: set[int]) -> list[RowReading]:
    """Every row of the page: its boxes, its signature cell and (for rows printed blank) whether
    a name was written in. `page` is the page's entry of the stored layout."""
    darkness = page_darkness(located)
    width = located.geometry.width
    by_row: dict[int, list[dict]] = {}
    for box in page["boxes"]:
        by_row.setdefault(box["row"], []).append(box)
    found = {}
    shifts = []
    for row, boxes in by_row.items():
        placed = _find_row(darkness, boxes)
        for box in boxes:
            x, y, score = found[(row, box["column"])] = placed[box["column"]]
            if score > BOX_FOUND_AT:
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
            if score <= BOX_FOUND_AT:
                x, y = box["x"] + usual[0], box["y"] + usual[1]
            else:
                row_shifts.append((x - box["x"], y - box["y"]))
            ink = _box_ink(darkness, x, y)
            readings[box["column"]] = BoxReading(
                row, box["column"], decide(ink, BOX_TICKED_AT, BOX_EMPTY_BELOW), x, y
            )
        shift_y = statistics.median(s[1] for s in row_shifts) if row_shifts else usual[1]
        shift_x_last = row_shifts[-1][0] if row_shifts else usual[0]
        shift_x_first = row_shifts[0][0] if row_shifts else usual[0]
        top = boxes[0]["y"] - (ROW_MM - TICK_MM) / 2 + shift_y
        signature_left = width - MARGIN_MM - SIGNATURE_WIDTH_MM + shift_x_last
        signature = decide(
            _cell_ink(darkness, signature_left, top, SIGNATURE_WIDTH_MM), SIGNED_AT, UNSIGNED_BELOW
        )
        if row in prefilled_rows:
            handwriting = Mark(Decision.NO, 1.0, 0.0)
        else:
            ink = _cell_ink(darkness, NAME_LEFT_MM + shift_x_first, top, NAME_MIN_WIDTH_MM)
            handwriting = decide(ink, HANDWRITTEN_AT, HANDWRITTEN_AT / 3)
        rows.append(RowReading(row, top, signature, handwriting, readings))
    return rows


def row_crop(located: LocatedPage, row: RowReading, right_mm: float) -> np.ndarray:
    """The row's written cells (number to phone) from the straightened page, for the review."""
    top = max(0, _px(row.top - 1))
    return located.rectified[top : _px(row.top + ROW_MM + 1), _px(MARGIN_MM - 1) : _px(right_mm)]
