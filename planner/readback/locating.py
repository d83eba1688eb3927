"""Finding the sheet in a photo: its four corner markers and its QR code, then the page
straightened ("rectified") to a fixed number of pixels per millimetre.

Coordinates: a photo in pixels (x right, y down); the page in millimetres from its top-left
corner, as in the stored layout (`SheetVersion.layout_json`). The QR code gives the page's code
and which way is up; the markers give the page's exact outline.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import zxingcpp
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.errors import PlannerError


def f32(values: Any) -> np.ndarray:
    """`values` (numbers, nested lists or an array) as a new float32 array, OpenCV's point type.

    `np.float32(list)` does the same at run time, but numpy's stubs type it as a scalar."""
    return np.array(values, dtype=np.float32)


def i32(values: Any) -> np.ndarray:
    """`values` as a new int32 array (the pixel points OpenCV draws)."""
    return np.array(values, dtype=np.int32)


# The straightened page: 6 px per mm puts 36 px across a 6 mm tick box.
PX_PER_MM = 6
# Markers are looked for in a copy of the photo this many pixels on its long side.
WORK_LONG_SIDE = 1400
# A marker is this dark relative to the paper around it (0 black, 1 paper).
MARKER_DARKNESS = 0.55
# How far (mm) a marker may sit from where the QR code alone says it should be.
MARKER_SEARCH_MM = 90.0
QR_BORDER_MODULES = 2
# The page the markers outline must put the QR code within this many mm of where it is printed.
QR_AGREEMENT_MM = 4.0

CORNER_NAMES = {
    "tl": _l("top-left"),
    "tr": _l("top-right"),
    "bl": _l("bottom-left"),
    "br": _l("bottom-right"),
}


@dataclass(frozen=True)
class PageGeometry:
    """What locating needs of a page's stored layout: paper size, markers and QR square (mm)."""

    width: float
    height: float
    markers: dict[str, tuple[float, float, float]]  # corner -> (centre x, centre y, size)
    qr: tuple[float, float, float]  # x, y, size of the square including its white border

    @classmethod
    def from_layout(cls, layout: dict, page: dict) -> PageGeometry:
        markers = {
            m["corner"]: (m["x"] + m["w"] / 2, m["y"] + m["h"] / 2, (m["w"] + m["h"]) / 2)
            for m in page["markers"]
        }
        qr = page["qr"]
        return cls(
            width=float(layout["paper"]["width"]),
            height=float(layout["paper"]["height"]),
            markers=markers,
            qr=(qr["x"], qr["y"], qr["w"]),
        )

    def qr_symbol_corners(self) -> np.ndarray:
        """The QR symbol's corners without its white border: tl, tr, br, bl (mm)."""
        x, y, size = self.qr
        # 21 modules plus a border of two on each side: the module is size / 25 for version 1.
        module = size / (21 + 2 * QR_BORDER_MODULES)
        inner = module * QR_BORDER_MODULES
        x0, y0, x1, y1 = x + inner, y + inner, x + size - inner, y + size - inner
        return f32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


@dataclass(frozen=True)
class LocatedPage:
    """A sheet found in a photo: its code, the straightened page and how the photo maps to it."""

    code: str
    rectified: np.ndarray  # greyscale, (height mm x PX_PER_MM) x (width mm x PX_PER_MM)
    to_page: np.ndarray  # 3x3 homography: photo pixels -> page millimetres
    outline: list[tuple[float, float]]  # the paper's corners in photo pixels: tl, tr, br, bl
    geometry: PageGeometry


@dataclass(frozen=True)
class _Blob:
    x: float
    y: float
    size: float


class SheetNotFound(PlannerError):
    """The photo shows no readable sheet; `code` says why (no_sheet, marker_missing, no_code)."""


def _work_copy(image: np.ndarray) -> tuple[np.ndarray, float]:
    scale = min(1.0, WORK_LONG_SIDE / max(image.shape[:2]))
    if scale == 1.0:
        return image, 1.0
    size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), scale


def relative_darkness(image: np.ndarray, kernel: int) -> np.ndarray:
    """Each pixel's darkness against the paper around it (0 paper .. 1 black), so shadows and
    uneven light do not look like ink. `kernel` (px) must be wider than any mark to measure."""
    kernel |= 1
    # A closing fills dark marks narrower than the kernel but keeps a hard shadow's edge where
    # it is (a plain dilation would make paper in the shade look like ink near the edge).
    element = cv2.getStructuringElement(cv2.MORPH_RECT, (kernel, kernel))
    paper = cv2.morphologyEx(image, cv2.MORPH_CLOSE, element)
    paper = np.maximum(paper, 1).astype(np.float32)
    return np.clip(1.0 - image.astype(np.float32) / paper, 0.0, 1.0)


def _marker_blobs(work: np.ndarray) -> list[_Blob]:
    """Solid dark squares: candidates for the corner markers (filled tick boxes among them)."""
    long_side = max(work.shape[:2])
    darkness = relative_darkness(work, long_side // 20)
    dark = (darkness > 1 - MARKER_DARKNESS).astype(np.uint8)
    contours, _hierarchy = cv2.findContours(dark, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    smallest, largest = (long_side * 0.006) ** 2, (long_side * 0.06) ** 2
    blobs = []
    for contour in contours:
        area = cv2.contourArea(contour)
        if not smallest <= area <= largest:
            continue
        (_cx, _cy), (w, h), _angle = cv2.minAreaRect(contour)
        if min(w, h) <= 0 or max(w, h) / min(w, h) > 1.8 or area / (w * h) < 0.75:
            continue
        hull = cv2.convexHull(contour)
        if area / max(cv2.contourArea(hull), 1) < 0.9:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        inside = np.zeros((h, w), np.uint8)
        cv2.drawContours(inside, [contour - [x, y]], -1, 1, thickness=-1)
        # A solid square, not a ring (a QR finder pattern, an empty tick box).
        if dark[y : y + h, x : x + w][inside > 0].mean() < 0.85:
            continue
        moments = cv2.moments(contour)
        blobs.append(
            _Blob(moments["m10"] / moments["m00"], moments["m01"] / moments["m00"], area**0.5)
        )
    return blobs


def _read_qr(image: np.ndarray) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )


def _qr_codes(image: np.ndarray, work: np.ndarray, scale: float) -> list[tuple[str, np.ndarray]]:
    """Each QR code's text and its symbol corners (tl, tr, br, bl as printed) in photo pixels."""
    found = _read_qr(work)
    factor = 1 / scale
    if not found and scale < 1.0:
        # Small or blurred modules: try the photo at a larger size before giving up.
        middle, middle_scale = image, 1.0
        if max(image.shape[:2]) > 2 * WORK_LONG_SIDE:
            middle_scale = 2 * WORK_LONG_SIDE / max(image.shape[:2])
            size = (round(image.shape[1] * middle_scale), round(image.shape[0] * middle_scale))
            middle = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        found = _read_qr(middle)
        factor = 1 / middle_scale
    codes = []
    for barcode in found:
        p = barcode.position
        corners = [p.top_left, p.top_right, p.bottom_right, p.bottom_left]
        codes.append((barcode.text, f32([[c.x, c.y] for c in corners]) * factor))
    return codes


def _markers_from_qr(
    blobs: list[_Blob], qr_corners: np.ndarray, geometry: PageGeometry, scale: float
) -> dict[str, _Blob | None]:
    """Each corner's marker: the solid square of about a marker's size nearest to where the
    QR code and the markers found so far place it, nearest corner first.

    The QR code alone extrapolates poorly across a page leaning away (it is 21 mm wide, the
    page 297 mm), so each marker found joins the fit before the next, further one is looked
    for: an affine fit while few points span the page, then a perspective one.
    """
    qr_work = qr_corners * scale
    qr_mm = geometry.qr_symbol_corners()
    found: dict[str, _Blob | None] = dict.fromkeys(geometry.markers)
    if not blobs:
        return found
    centres = f32([[b.x, b.y] for b in blobs]).reshape(-1, 1, 2)
    qr_centre = qr_mm.mean(axis=0)
    order = sorted(
        geometry.markers,
        key=lambda c: float(np.hypot(*(f32(geometry.markers[c][:2]) - qr_centre))),
    )
    photo_points, paper_points = list(qr_work), list(qr_mm)
    for corner in order:
        cx, cy, size = geometry.markers[corner]
        source, target = f32(photo_points), f32(paper_points)
        if len(source) >= 7:  # three markers as well as the QR code: they span the page
            to_mm, _mask = cv2.findHomography(source, target)
            in_mm = cv2.perspectiveTransform(centres, to_mm).reshape(-1, 2)
            mm_per_px = float(np.sqrt(abs(np.linalg.det(to_mm[:2, :2] / to_mm[2, 2]))))
        else:
            to_mm, _inliers = cv2.estimateAffine2D(source, target)
            if to_mm is None:
                return found
            in_mm = cv2.transform(centres, to_mm).reshape(-1, 2)
            mm_per_px = float(np.sqrt(abs(np.linalg.det(to_mm[:, :2]))))
        best, best_distance = None, MARKER_SEARCH_MM
        for blob, (x, y) in zip(blobs, in_mm, strict=True):
            distance = float(np.hypot(x - cx, y - cy))
            if distance < best_distance and 0.5 * size <= blob.size * mm_per_px <= 1.8 * size:
                best, best_distance = blob, distance
        found[corner] = best
        if best is not None:
            photo_points.append(f32([best.x, best.y]))
            paper_points.append(f32([cx, cy]))
    complete = {corner: blob for corner, blob in found.items() if blob is not None}
    if len(complete) == len(found):
        corners = list(geometry.markers)
        photo = f32([[complete[c].x, complete[c].y] for c in corners])
        paper = f32([geometry.markers[c][:2] for c in corners])
        to_page = cv2.getPerspectiveTransform(photo, paper)
        qr_seen = cv2.perspectiveTransform(qr_work.reshape(-1, 1, 2), to_page).reshape(-1, 2)
        if float(np.abs(qr_seen - qr_mm).max()) > QR_AGREEMENT_MM:
            # The four squares do not put the QR code where it is printed: the furthest one
            # found is something else, and the real marker is hidden.
            found[order[-1]] = None
    return found


def _outermost_four(blobs: list[_Blob]) -> list[_Blob] | None:
    """The four squares spanning the largest quadrilateral (the markers, when no QR is read)."""
    if len(blobs) < 4:
        return None
    points = f32([[b.x, b.y] for b in blobs])
    hull = cv2.convexHull(points, returnPoints=False).ravel()
    if len(hull) < 4:
        return None
    best, best_area = None, 0.0
    for four in itertools.combinations(hull[:12], 4):
        quad = points[list(four)]
        area = cv2.contourArea(cv2.convexHull(quad))
        if area > best_area:
            best, best_area = four, area
    return [blobs[i] for i in best] if best is not None else None


def _fit(
    image: np.ndarray,
    code: str,
    markers: dict[str, _Blob],
    scale: float,
    geometry: PageGeometry,
) -> LocatedPage:
    corners = list(geometry.markers)
    photo = f32([[markers[c].x / scale, markers[c].y / scale] for c in corners])
    paper = f32([geometry.markers[c][:2] for c in corners])
    to_page = cv2.getPerspectiveTransform(photo, paper)
    to_pixels = np.diag([PX_PER_MM, PX_PER_MM, 1.0]) @ to_page
    size = (round(geometry.width * PX_PER_MM), round(geometry.height * PX_PER_MM))
    rectified = cv2.warpPerspective(
        image, to_pixels, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    paper_corners = f32(
        [[0, 0], [geometry.width, 0], [geometry.width, geometry.height], [0, geometry.height]]
    ).reshape(-1, 1, 2)
    outline = cv2.perspectiveTransform(paper_corners, np.linalg.inv(to_page)).reshape(-1, 2)
    return LocatedPage(
        code=code,
        rectified=rectified,
        to_page=to_page,
        outline=[(float(x), float(y)) for x, y in outline],
        geometry=geometry,
    )


def _missing(corners: list[str]) -> SheetNotFound:
    names = ", ".join(str(CORNER_NAMES[c]) for c in corners)
    if len(corners) == 1:
        message = _(
            "Take the photo again: the %(corner)s marker is not visible. Keep all four black "
            "squares in the picture.",
            corner=names,
        )
    else:
        message = _(
            "Take the photo again: the %(corners)s markers are not visible. Keep all four black "
            "squares in the picture.",
            corners=names,
        )
    return SheetNotFound(message, code="marker_missing")


def no_sheet() -> SheetNotFound:
    return SheetNotFound(
        _(
            "No attendance sheet was found in this photo. Photograph one whole page of the "
            "planner's sheet, with its four black corner squares and its QR code."
        ),
        code="no_sheet",
    )


def no_code() -> SheetNotFound:
    return SheetNotFound(
        _(
            "The page's QR code cannot be read: the photo is blurred, too dark or too far. "
            "Take it again closer, holding the phone still."
        ),
        code="no_code",
    )


def locate_page(image: np.ndarray, geometry_of: Callable[[str], PageGeometry]) -> LocatedPage:
    """Find the sheet in a greyscale photo and straighten it.

    `geometry_of(code)` gives the stored geometry of the page a QR code names, or raises a
    PlannerError (not our sheet, another office's page). Raises SheetNotFound when the photo
    shows no sheet, a marker is cut off or hidden, or the code cannot be read.
    """
    work, scale = _work_copy(image)
    blobs = _marker_blobs(work)
    codes = [(text, corners) for text, corners in _qr_codes(image, work, scale)]
    ours = [(text, corners) for text, corners in codes if text.upper().startswith("PL-")]
    if ours:
        text, qr_corners = ours[0]
        geometry = geometry_of(text)
        found = _markers_from_qr(blobs, qr_corners, geometry, scale)
        missing = [corner for corner, blob in found.items() if blob is None]
        if missing:
            raise _missing(missing)
        markers = {corner: blob for corner, blob in found.items() if blob is not None}
        return _fit(image, text, markers, scale, geometry)
    if codes:
        raise PlannerError(
            _("This QR code is not from one of the planner's attendance sheets."),
            code="not_our_sheet",
        )
    four = _outermost_four(blobs)
    if four is None:
        raise no_sheet()
    # The markers without a readable code: straighten both ways round and read the code there.
    return _locate_by_markers(image, four, scale, geometry_of)


def _locate_by_markers(
    image: np.ndarray,
    four: list[_Blob],
    scale: float,
    geometry_of: Callable[[str], PageGeometry],
) -> LocatedPage:
    points = f32([[b.x, b.y] for b in four])
    centre = points.mean(axis=0)
    order = np.argsort(np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0]))
    ring = [four[i] for i in order]  # clockwise on screen (y down), starting anywhere
    quad = f32([[b.x, b.y] for b in ring])
    sides = [float(np.hypot(*(quad[(i + 1) % 4] - quad[i]))) for i in range(4)]
    if max(sides) < 4 * min(sides) and min(sides) > 0:
        # Landscape paper: try each start whose first side is a long one (two ways round).
        starts = [i for i in range(4) if sides[i] + sides[(i + 2) % 4] >= sides[(i + 1) % 4]]
        for start in starts:
            assigned = dict(zip(("tl", "tr", "br", "bl"), ring[start:] + ring[:start], strict=True))
            # A provisional straightening with a generic A4 geometry to find the QR square.
            provisional = _fit(image, "", assigned, scale, _GENERIC_A4)
            x, y, size = _GENERIC_A4.qr
            margin = 8
            crop = provisional.rectified[
                max(0, round((y - margin) * PX_PER_MM)) : round((y + size + margin) * PX_PER_MM),
                max(0, round((x - margin) * PX_PER_MM)) : round((x + size + margin) * PX_PER_MM),
            ]
            texts = [b.text for b in _read_qr(crop) if b.text.upper().startswith("PL-")]
            if texts:
                geometry = geometry_of(texts[0])
                return _fit(image, texts[0], assigned, scale, geometry)
    raise no_code()


# Where the planner prints its markers and QR code on every A4 landscape sheet; used only to
# find the QR square when the code could not be read in the photo as it was.
_GENERIC_A4 = PageGeometry(
    width=297,
    height=210,
    markers={"tl": (14, 14, 8), "tr": (283, 14, 8), "bl": (14, 196, 8), "br": (283, 196, 8)},
    qr=(250, 22, 25),
)
