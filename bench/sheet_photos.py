"""Synthetic phone photos of the app's own rendered attendance sheets, with known answers.

A rendered page (PDF -> pypdfium2 at 300 dpi) is marked with pen strokes in page millimetres
(ticks, crosses, filled boxes, light pencil, stray marks near boxes, signatures, thumbprints,
handwritten names), then "photographed": tilted in 3D up to a given angle, turned any of four
ways, bent, lit unevenly with a hard shadow, blurred, with noise and JPEG compression, on a
12 MP or 3 MP camera. Used by bench/omr.py and the readback tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

DPI = 300
PX = DPI / 25.4  # pixels per mm of the flat page
STYLES = ("tick", "cross", "fill", "pencil", "tick", "cross")


@dataclass(frozen=True)
class Condition:
    """How a photo is taken; the defaults are a careful photo on a good phone."""

    name: str
    tilt: float = 8.0  # degrees the camera leans, at most
    turns: tuple[int, ...] = (0,)  # quarter turns the page may be in the photo
    bend_mm: float = 0.0
    shadow: bool = False
    uneven: float = 0.0  # 0..1: how much darker one side is
    blur: float = 0.0  # Gaussian sigma in photo pixels
    noise: float = 2.0
    jpeg: int = 90
    megapixels: int = 12
    stray: float = 0.0  # chance of a stray mark next to an empty box
    fill: float = 0.85  # how much of the frame the page spans


@dataclass
class Truth:
    """What was written on the page, to score a reading against."""

    boxes: dict[tuple[int, str], bool] = field(default_factory=dict)
    signed: set[int] = field(default_factory=set)
    written: set[int] = field(default_factory=set)


def render_pages(pdf: bytes, dpi: int = DPI) -> list[np.ndarray]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    pages = []
    for page in document:
        pixels = page.render(scale=dpi / 72, grayscale=True).to_numpy()
        pages.append(np.ascontiguousarray(pixels.reshape(pixels.shape[:2])))
    document.close()
    return pages


def _pt(x_mm: float, y_mm: float) -> tuple[int, int]:
    return round(x_mm * PX * 16), round(y_mm * PX * 16)


def _stroke(image, points_mm, ink: int, width_mm: float) -> None:
    points = np.int32([_pt(x, y) for x, y in points_mm])
    cv2.polylines(image, [points], False, ink, max(1, round(width_mm * PX)), cv2.LINE_AA, 4)


def _mark_box(image, rng, x, y, style: str) -> None:
    w = 6.0
    jitter = lambda: rng.uniform(-0.4, 0.4)  # noqa: E731
    pen = int(rng.uniform(20, 70))
    if style == "tick":
        _stroke(
            image,
            [
                (x + 1.2 + jitter(), y + 3.2),
                (x + 2.6, y + 4.8 + jitter()),
                (x + 5.0 + jitter(), y + 1.0),
            ],
            pen,
            0.5,
        )
    elif style == "cross":
        _stroke(image, [(x + 1.0, y + 1.0 + jitter()), (x + 5.0, y + 5.0 + jitter())], pen, 0.5)
        _stroke(image, [(x + 5.0 + jitter(), y + 1.0), (x + 1.0, y + 5.0)], pen, 0.5)
    elif style == "fill":
        for i in range(9):
            yy = y + 0.9 + i * 0.5
            _stroke(image, [(x + 0.9, yy), (x + w - 0.9, yy + jitter() * 0.3)], pen, 0.6)
    elif style == "smudge":  # a short faint pencil stroke: neither clearly ticked nor empty
        _stroke(image, [(x + 2.2, y + 3.0), (x + 4.0, y + 3.2)], 150, 0.35)
    elif style == "pencil":
        grey = int(rng.uniform(140, 175))
        _stroke(image, [(x + 1.3, y + 3.3), (x + 2.6, y + 4.7), (x + 4.9, y + 1.2)], grey, 0.35)


def _stray(image, rng, x, y) -> None:
    """A mark beside an empty box: a pen resting, a line from the next column."""
    side = rng.choice(["left", "right", "below"])
    pen = int(rng.uniform(30, 80))
    if side == "left":
        _stroke(image, [(x - 2.5, y + 2), (x - 1.0, y + 4)], pen, 0.4)
    elif side == "right":
        _stroke(image, [(x + 7.0, y + 1.5), (x + 8.5, y + 3.0)], pen, 0.4)
    else:
        _stroke(image, [(x + 1, y + 7.0), (x + 5, y + 7.4)], pen, 0.4)


def _scribble(image, rng, left, top, width, height, strokes: int) -> None:
    pen = int(rng.uniform(20, 60))
    for _ in range(strokes):
        x = left + rng.uniform(0.1, 0.3) * width
        points = []
        while x < left + width * rng.uniform(0.6, 0.95):
            points.append((x, top + height * rng.uniform(0.2, 0.8)))
            x += rng.uniform(0.8, 2.5)
        if len(points) > 1:
            _stroke(image, points, pen, 0.4)


def _thumbprint(image, rng, left, top) -> None:
    cx, cy = left + rng.uniform(8, 20), top + 4.5
    for r in np.arange(0.5, 3.2, 0.45):
        cv2.ellipse(
            image,
            _pt(cx, cy),
            (round(r * PX * 16), round(r * 1.3 * PX * 16)),
            rng.uniform(-20, 20),
            0,
            360,
            int(rng.uniform(60, 110)),
            max(1, round(0.25 * PX)),
            cv2.LINE_AA,
            4,
        )


@dataclass(frozen=True)
class RowMarks:
    """What one person wrote on their row: box styles by column, a signature, a name."""

    boxes: dict[str, str] = field(default_factory=dict)  # column -> tick, cross, fill, pencil
    sign: str = ""  # "", "scribble" or "thumb"
    name: bool = False
    stray: tuple[str, ...] = ()  # columns with a stray mark beside the (empty) box


def apply_marks(
    page: np.ndarray, layout_page: dict, plan: dict[int, RowMarks], rng, width_mm: float = 297.0
) -> tuple[np.ndarray, Truth]:
    """Pen on paper as `plan` says; the truth is what a reader should find."""
    image = page.copy()
    truth = Truth()
    rows: dict[int, list[dict]] = {}
    for box in layout_page["boxes"]:
        rows.setdefault(box["row"], []).append(box)
    # Where the page printed its rows and its name and signature columns.
    tops = {r["row"]: r["y"] for r in layout_page.get("rows", ())}
    columns = {c["key"]: (c["x"], c["w"]) for c in layout_page.get("columns", ())}
    name_left, name_width = columns.get("full_name", (29.0, 31.0))
    signature_left, signature_width = columns.get("signature", (width_mm - 22 - 30, 30.0))
    for row, boxes in rows.items():
        marks = plan.get(row, RowMarks())
        top = tops.get(row, boxes[0]["y"] - 1.5)
        for box in boxes:
            style = marks.boxes.get(box["column"])
            truth.boxes[(row, box["column"])] = bool(style)
            if style:
                _mark_box(image, rng, box["x"], box["y"], style)
            elif box["column"] in marks.stray:
                _stray(image, rng, box["x"], box["y"])
        left = signature_left
        if marks.sign:
            truth.signed.add(row)
            if marks.sign == "thumb":
                _thumbprint(image, rng, left, top)
            else:
                width = signature_width - 4
                _scribble(image, rng, left + 1.5, top + 1, width, 7, int(rng.integers(1, 3)))
        if marks.name:
            truth.written.add(row)
            _scribble(image, rng, name_left + 1, top + 1.5, name_width - 3, 6, 1)
    return image, truth


def random_marks(layout_page: dict, rng, prefilled: set[int], stray: float) -> dict[int, RowMarks]:
    """About 60% of rows sign; their boxes ticked at random in varied styles."""
    plan = {}
    rows: dict[int, list[str]] = {}
    for box in layout_page["boxes"]:
        rows.setdefault(box["row"], []).append(box["column"])
    for row, columns in rows.items():
        if rng.random() >= 0.6:
            extra = tuple(c for c in columns if rng.random() < stray)
            plan[row] = RowMarks(stray=extra)
            continue
        boxes = {c: str(rng.choice(STYLES)) for c in columns if rng.random() < 0.45}
        extra = tuple(c for c in columns if c not in boxes and rng.random() < stray)
        sign = "thumb" if rng.random() < 0.2 else "scribble"
        plan[row] = RowMarks(boxes=boxes, sign=sign, name=row not in prefilled, stray=extra)
    return plan


def mark_page(
    page: np.ndarray, layout_page: dict, rng, prefilled: set[int], stray: float
) -> tuple[np.ndarray, Truth]:
    return apply_marks(page, layout_page, random_marks(layout_page, rng, prefilled, stray), rng)


def _bend(page: np.ndarray, rng, amplitude_mm: float) -> np.ndarray:
    """Paper not flat: a smooth wave (a fold once opened) moves points up to `amplitude_mm`."""
    if amplitude_mm <= 0:
        return page
    h, w = page.shape
    ys, xs = np.mgrid[0:h:8, 0:w:8].astype(np.float32)
    phase = rng.uniform(0, math.pi)
    dy = amplitude_mm * PX * np.sin(xs / w * math.pi * rng.uniform(0.8, 1.6) + phase)
    dx = amplitude_mm * PX * 0.5 * np.sin(ys / h * math.pi + phase)
    dx = cv2.resize(dx, (w, h)) + np.arange(w, dtype=np.float32)[None, :]
    dy = cv2.resize(dy, (w, h)) + np.arange(h, dtype=np.float32)[:, None]
    return cv2.remap(page, dx, dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def photograph(page: np.ndarray, condition: Condition, rng) -> bytes:
    """The marked page as a JPEG from a phone held as the condition says."""
    width, height = (4000, 3000) if condition.megapixels >= 12 else (2000, 1500)
    page = _bend(page, rng, condition.bend_mm)
    ph, pw = page.shape
    turn = int(rng.choice(condition.turns))
    # The paper in 3D (mm, centred), leaned by up to `tilt` degrees about a random axis.
    w_mm, h_mm = pw / PX, ph / PX
    corners = np.float64(
        [
            [-w_mm / 2, -h_mm / 2, 0],
            [w_mm / 2, -h_mm / 2, 0],
            [w_mm / 2, h_mm / 2, 0],
            [-w_mm / 2, h_mm / 2, 0],
        ]
    )
    tilt = math.radians(rng.uniform(0.4, 1.0) * condition.tilt)
    axis = rng.uniform(0, 2 * math.pi)
    spin = math.radians(turn * 90 + rng.uniform(-6, 6))
    rotation, _ = cv2.Rodrigues(np.float64([tilt * math.cos(axis), tilt * math.sin(axis), 0]))
    spin_m = np.float64(
        [[math.cos(spin), -math.sin(spin), 0], [math.sin(spin), math.cos(spin), 0], [0, 0, 1]]
    )
    points = corners @ (rotation @ spin_m).T
    focal = 0.8 * width
    span = condition.fill * (height if turn % 2 else width)
    distance = focal * w_mm / span
    z = points[:, 2] + distance
    projected = np.float32(np.c_[focal * points[:, 0] / z, focal * points[:, 1] / z])
    # Make it fit the frame: shrink if a corner falls out.
    extent = np.abs(projected).max(axis=0)
    shrink = min(1.0, 0.48 * width / extent[0], 0.48 * height / extent[1])
    projected = (
        projected * shrink
        + np.float32([width / 2, height / 2])
        + np.float32(rng.uniform(-0.02, 0.02, 2) * [width, height])
    )
    source = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    matrix = cv2.getPerspectiveTransform(source, projected)
    table = np.full((height, width), int(rng.uniform(60, 140)), np.uint8)
    table = cv2.add(table, rng.integers(0, 25, (height, width), dtype=np.uint8))
    photo = cv2.warpPerspective(
        page,
        matrix,
        (width, height),
        flags=cv2.INTER_AREA,
        borderMode=cv2.BORDER_TRANSPARENT,
        dst=table,
    )
    light = np.ones((height, width), np.float32)
    if condition.uneven:
        ramp = np.linspace(1.0 - condition.uneven, 1.0, width, dtype=np.float32)
        light *= ramp[None, :] if rng.random() < 0.5 else ramp[None, ::-1]
    if condition.shadow:
        mask = np.zeros((height, width), np.uint8)
        x0 = rng.uniform(0.2, 0.7) * width
        cv2.fillPoly(
            mask,
            [
                np.int32(
                    [
                        [x0, 0],
                        [x0 + rng.uniform(200, 900), 0],
                        [x0 + rng.uniform(-300, 600), height],
                        [x0 - rng.uniform(0, 500), height],
                    ]
                )
            ],
            1,
        )
        light[mask > 0] *= 0.55
    photo = np.clip(photo.astype(np.float32) * light * rng.uniform(0.85, 1.0), 0, 255)
    if condition.blur:
        photo = cv2.GaussianBlur(photo, (0, 0), condition.blur)
    if condition.noise:
        photo += rng.normal(0, condition.noise, photo.shape).astype(np.float32)
    photo = np.clip(photo, 0, 255).astype(np.uint8)
    colour = cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR)
    ok, jpeg = cv2.imencode(".jpg", colour, [cv2.IMWRITE_JPEG_QUALITY, condition.jpeg])
    assert ok
    return jpeg.tobytes()
