"""Fitting text into a printed cell with the bundled font's own metrics: nothing is hidden.

The attendance sheet places every cell in millimetres and clips what overflows it, so each
cell's text is measured here first (advance widths from the font files under static/fonts, read
with fontTools) and wrapped as the renderer wraps it: at spaces, and inside a word only when the
word alone is wider than the line (the sheet's cells say `overflow-wrap: anywhere`). A text that
does not fit prints smaller, down to a readable floor; below that, its row grows.

Measured widths are a little wider than the renderer's (no kerning, a safety margin), so a text
this module says fits never wraps onto one more line than it counted.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from fontTools.ttLib import TTFont

from planner.printing.glyphs import FONTS_DIR

PT_MM = 25.4 / 72
# Faces in the order base.css falls back through them.
REGULAR_FACES = ("NotoSans-Regular.ttf", "PlannerSymbols-Regular.ttf")
# A line's width is measured this much narrower than the cell's, for the renderer's rounding.
SAFETY_MM = 0.3


@dataclass(frozen=True)
class _Metrics:
    widths: dict[int, float]  # code point: advance in em
    fallback: float  # em, for a character no face has (glyphs.py refuses those anyway)


@functools.cache
def _metrics(faces: tuple[str, ...] = REGULAR_FACES) -> _Metrics:
    widths: dict[int, float] = {}
    for name in reversed(faces):  # the first face wins
        font = TTFont(FONTS_DIR / name, lazy=True)
        per_em = font["head"].unitsPerEm
        advances = font["hmtx"].metrics
        for point, glyph in font.getBestCmap().items():
            widths[point] = advances[glyph][0] / per_em
        font.close()
    return _Metrics(widths, fallback=widths.get(ord("M"), 1.0))


def text_width_mm(text: str, size_pt: float) -> float:
    """How wide `text` prints on one line at `size_pt`, in millimetres."""
    metrics = _metrics()
    em = sum(metrics.widths.get(ord(c), metrics.fallback) for c in text)
    return em * size_pt * PT_MM


def wrap(text: str, width_mm: float, size_pt: float) -> list[str]:
    """`text` broken into lines no wider than `width_mm`, as the renderer breaks them."""
    limit = width_mm - SAFETY_MM
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if text_width_mm(candidate, size_pt) <= limit:
                line = candidate
                continue
            if line:
                lines.append(line)
            # A word wider than the line breaks between its letters.
            line = ""
            for character in word:
                if line and text_width_mm(line + character, size_pt) > limit:
                    lines.append(line)
                    line = ""
                line += character
        lines.append(line)
    return lines


@dataclass(frozen=True)
class CellFit:
    """How a text prints in its cell: the type size (pt), its lines, and the height it needs
    (mm, padding included; never less than the row's usual height)."""

    size_pt: float
    lines: int
    height_mm: float


@dataclass(frozen=True)
class CellStyle:
    """A cell's type: sizes tried from the largest down to the floor (pt), line height as a
    multiple of the size, vertical and horizontal padding (mm)."""

    sizes: tuple[float, ...]
    line_height: float
    padding_top: float
    padding_bottom: float
    padding_x: float


def fit_cell(text: str, width_mm: float, height_mm: float, style: CellStyle) -> CellFit:
    """The largest size at which `text` fits a `width_mm` x `height_mm` cell; at the floor
    size, the taller height its lines need (rounded up to half a millimetre)."""
    inner_w = width_mm - 2 * style.padding_x
    inner_h = height_mm - style.padding_top - style.padding_bottom
    lines = 1
    for size in style.sizes:
        lines = len(wrap(text, inner_w, size))
        if lines * size * style.line_height * PT_MM <= inner_h + 1e-6:
            return CellFit(size, lines, height_mm)
    floor = style.sizes[-1]
    needed = style.padding_top + lines * floor * style.line_height * PT_MM + style.padding_bottom
    return CellFit(floor, lines, max(height_mm, math.ceil(needed * 2) / 2))
