"""Uploaded files to greyscale pages: JPEG, PNG, HEIC (EXIF orientation honoured) or PDF pages.

An image is a numpy array (height x width, uint8, 0 black to 255 white). Nothing here knows
about sheets; it only refuses what is not a picture, or is too large to be one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from flask_babel import gettext as _
from flask_babel import ngettext

from planner.errors import PlannerError

# A PDF page is drawn at this many pixels per inch: a 6 mm box is 47 px, plenty to read.
PDF_DPI = 200
# A photo larger than this many pixels is refused before decoding (a decompression bomb).
MAX_PIXELS = 80_000_000
MAX_PDF_PAGES = 60
DRAFT_LONG_SIDE = 2000

_HEIF_REGISTERED = False


@dataclass(frozen=True)
class DecodedPage:
    """One picture to read: its greyscale pixels and where it came from (file, PDF page)."""

    image: np.ndarray
    source: str
    pdf_page: int | None = None


def sniff(content: bytes) -> str:
    """What the bytes are: "pdf", "jpeg", "png", "heic", "webp" or "" (not something we read)."""
    head = content[:32]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[4:8] == b"ftyp" and head[8:12] in (
        b"heic",
        b"heix",
        b"hevc",
        b"heim",
        b"heis",
        b"mif1",
        b"msf1",
        b"avif",
    ):
        return "heic"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    return ""


def _register_heif() -> None:
    global _HEIF_REGISTERED
    if not _HEIF_REGISTERED:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _HEIF_REGISTERED = True


def _not_a_picture(name: str) -> PlannerError:
    return PlannerError(
        _(
            "%(name)s is not a photo or a PDF we can read. Send a JPEG, PNG or HEIC photo, "
            "or a PDF of scanned pages.",
            name=name,
        ),
        code="not_image",
    )


def decode_image(content: bytes, name: str = "") -> np.ndarray:
    """A photo's greyscale pixels, turned upright as the camera's EXIF orientation says."""
    from PIL import Image, ImageOps

    kind = sniff(content)
    if kind not in ("jpeg", "png", "heic", "webp"):
        raise _not_a_picture(name)
    if kind == "heic":
        _register_heif()
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(content)) as picture:
            if picture.width * picture.height > MAX_PIXELS:
                raise _not_a_picture(name)
            if kind == "jpeg" and max(picture.size) >= 2 * DRAFT_LONG_SIDE:
                # A 12 MP JPEG decoded at half size is 4x faster and still 6 px per mm.
                picture.draft("L", (picture.width // 2, picture.height // 2))
            upright = ImageOps.exif_transpose(picture)
            grey = upright.convert("L")
            return np.asarray(grey, dtype=np.uint8)
    except PlannerError:
        raise
    except Exception as error:  # Pillow raises many kinds for a broken file
        raise _not_a_picture(name) from error


def decode_pdf(content: bytes, name: str = "", dpi: int = PDF_DPI) -> list[np.ndarray]:
    """Each page of a PDF (a scanned stack, or the app's own sheet) as greyscale pixels."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(content)
    except Exception as error:
        raise _not_a_picture(name) from error
    try:
        if len(document) > MAX_PDF_PAGES:
            raise PlannerError(
                ngettext(
                    "%(name)s has more than %(num)d page; send it in parts.",
                    "%(name)s has more than %(num)d pages; send it in parts.",
                    MAX_PDF_PAGES,
                    name=name,
                ),
                code="too_many_pages",
            )
        pages = []
        for page in document:
            pixels = page.render(scale=dpi / 72, grayscale=True).to_numpy()
            pages.append(np.ascontiguousarray(pixels.reshape(pixels.shape[:2]), dtype=np.uint8))
            page.close()
        return pages
    finally:
        document.close()


def decode_upload(content: bytes, name: str, max_bytes: int) -> list[DecodedPage]:
    """Every page in one uploaded file; refuses files over `max_bytes` and non-pictures."""
    if len(content) > max_bytes:
        raise PlannerError(
            _(
                "%(name)s is %(size)s MB; a photo can be at most %(limit)s MB. Send a smaller "
                "photo (the phone's normal camera setting is enough).",
                name=name,
                size=round(len(content) / 1_000_000),
                limit=max_bytes // 1_000_000,
            ),
            code="too_large",
        )
    if not content:
        raise _not_a_picture(name)
    if sniff(content) == "pdf":
        return [
            DecodedPage(image=image, source=name, pdf_page=index + 1)
            for index, image in enumerate(decode_pdf(content, name))
        ]
    return [DecodedPage(image=decode_image(content, name), source=name)]
