"""The one way printed matter becomes PDF: WeasyPrint, a fetcher that serves only static/, a cache.

Every document is an HTML template plus one stylesheet under templates/pdf/. Stylesheets are parsed
once with a shared FontConfiguration, so the bundled fonts are registered once per process.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
from collections import OrderedDict
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pikepdf
from flask import render_template
from flask_babel import force_locale
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from planner import PACKAGE_DIR, STATIC_DIR, TEMPLATES_DIR, storage
from planner.printing import glyphs

PDF_TEMPLATES_DIR = TEMPLATES_DIR / "pdf"
# Printed matter is in Vietnamese, whatever the language of the screen it is printed from.
DOCUMENT_LOCALE = "vi"
# Documents name static files as planner-static:/fonts/NotoSans-Regular.ttf.
STATIC_SCHEME = "planner-static"
BASE_URL = f"{STATIC_SCHEME}:/"
# Images the app draws itself (sheet grids), served by a short name: a long data: URI would be
# scanned by the HTML parser on every render.
GENERATED_SCHEME = "planner-generated"
_GENERATED: OrderedDict[str, bytes] = OrderedDict()
_GENERATED_MAX = 256
DATA_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp")

# Pango's font map is not safe to share across threads while laying out; renders take turns.
FONT_CONFIG = FontConfiguration()
_RENDER_LOCK = threading.RLock()
_STYLESHEETS: dict[str, CSS] = {}
# Parsed images (sheet grids, QR codes) kept between renders. A full cache is replaced, not
# cleared: documents laid out but not yet written keep the one they were laid out with.
_IMAGES: dict = {}
_IMAGES_MAX = 400


def generated_svg(svg: str) -> str:
    """A short URL for an SVG the app drew, that the fetcher serves and WeasyPrint caches."""
    data = svg.encode("utf-8")
    url = f"{GENERATED_SCHEME}:{hashlib.sha256(data).hexdigest()[:32]}.svg"
    with _RENDER_LOCK:
        _GENERATED[url] = data
        _GENERATED.move_to_end(url)
        while len(_GENERATED) > _GENERATED_MAX:
            _GENERATED.popitem(last=False)
    return url


class FetchRefused(FatalURLFetchingError):
    """A document asked for something outside static/; the render stops."""


class StaticOnlyFetcher(URLFetcher):
    """Serve files under static/ by path; refuse the network, file: and non-image data: URLs."""

    def __init__(self) -> None:
        super().__init__(fail_on_errors=True)

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            media_type = url[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()
            if media_type not in DATA_IMAGE_TYPES:
                raise FetchRefused(f"Refused data: URL of type {media_type or 'text/plain'}")
            return super().fetch(url, headers)
        if scheme == GENERATED_SCHEME:
            data = _GENERATED.get(url)
            if data is None:
                raise FetchRefused(f"No such generated image: {url[:80]}")
            return URLFetcherResponse(url, data, {"Content-Type": "image/svg+xml"})
        if scheme != STATIC_SCHEME:
            raise FetchRefused(f"Refused to fetch {url[:80]}: printed matter uses static/ only")
        path = static_path(urlsplit(url).path)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


# One fetcher for every render: building one sets up urllib's handlers each time. Renders take
# turns (_RENDER_LOCK), so it is never used by two at once.
_FETCHER = StaticOnlyFetcher()


def static_path(relative: str) -> Path:
    """The file under static/ that `relative` names; refuses anything that escapes the folder."""
    candidate = (STATIC_DIR / unquote(relative).lstrip("/")).resolve()
    if not candidate.is_relative_to(STATIC_DIR) or not candidate.is_file():
        raise FetchRefused(f"No such static file: {relative[:80]}")
    return candidate


def stylesheet(name: str) -> CSS:
    """templates/pdf/<name>.css parsed once, its fonts registered in the shared configuration."""
    css = _STYLESHEETS.get(name)
    if css is None:
        with _RENDER_LOCK:
            css = _STYLESHEETS.get(name)
            if css is None:
                css = CSS(
                    string=(PDF_TEMPLATES_DIR / f"{name}.css").read_text(encoding="utf-8"),
                    base_url=BASE_URL,
                    url_fetcher=_FETCHER,
                    font_config=FONT_CONFIG,
                )
                _STYLESHEETS[name] = css
    return css


def template_html(template: str, **context) -> str:
    """A document's HTML from templates/pdf/<template>.html, always in Vietnamese: printed
    matter is in Vietnamese whatever language the screen is in."""
    with force_locale(DOCUMENT_LOCALE):
        return render_template(f"pdf/{template}.html", **context)


def layout(html: str, styles: Sequence[str]) -> Document:
    """Lay out a document (pages, anchors) without writing it; raises FetchRefused, and
    glyphs.UnprintableText when its text has a character no bundled font has."""
    global _IMAGES
    glyphs.require_printable_html(html)
    sheets = [stylesheet(name) for name in styles]
    with _RENDER_LOCK:
        if len(_IMAGES) > _IMAGES_MAX:
            _IMAGES = {}
        return HTML(string=html, base_url=BASE_URL, url_fetcher=_FETCHER).render(
            stylesheets=sheets, font_config=FONT_CONFIG, cache=_IMAGES
        )


def write_pdf(document: Document) -> bytes:
    """The PDF bytes of a laid-out document (fonts subset, as WeasyPrint does by default)."""
    with _RENDER_LOCK:
        return document.write_pdf()


def render_pdf(html: str, styles: Sequence[str]) -> bytes:
    """HTML and its stylesheets to PDF bytes, uncached."""
    return write_pdf(layout(html, styles))


A4_LONG_PT, A4_SHORT_PT = 841.89, 595.28


def _two_up_slots(width: float, height: float) -> tuple[float, list[pikepdf.Rectangle]]:
    """The sheet's width and where the two copies of a `width` x `height` page go on it."""
    # Two A5 (148 mm) make 296 mm: centre them on a true A4 sheet (297 mm).
    sheet_width = A4_LONG_PT if abs(height - A4_SHORT_PT) < 1 else 2 * width
    x = max((sheet_width - 2 * width) / 2, 0)
    slots = [
        pikepdf.Rectangle(x, 0, x + width, height),
        pikepdf.Rectangle(x + width, 0, x + 2 * width, height),
    ]
    return max(sheet_width, 2 * width), slots


def _size(page: pikepdf.Page) -> tuple[float, float]:
    left, bottom, right, top = (float(v) for v in page.mediabox)
    return right - left, top - bottom


def two_up(pdf: bytes) -> bytes:
    """Each page printed twice, side by side, on a sheet (A5 pages on A4)."""
    source = pikepdf.open(BytesIO(pdf))
    out = pikepdf.new()
    for page in source.pages:
        width, height = _size(page)
        sheet_width, slots = _two_up_slots(width, height)
        out.add_blank_page(page_size=(sheet_width, height))
        for slot in slots:
            out.pages[-1].add_overlay(page, slot)
    return _save(out)


def _save(document: pikepdf.Pdf) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def overlay(base: bytes, layer: bytes, two_up: bool = False) -> bytes:
    """`base` with the first page of `layer` printed over its first page.

    With `two_up`, `base` is a sheet made by two_up() and `layer` is one copy's size: it is
    printed over both copies.
    """
    document = pikepdf.open(BytesIO(base))
    layer_pdf = pikepdf.open(BytesIO(layer))  # kept open: its page is copied on save
    on_top = layer_pdf.pages[0]
    sheet = document.pages[0]
    # Copied in once, drawn once per copy of the flyer.
    form = document.copy_foreign(on_top.as_form_xobject())
    slots = _two_up_slots(*_size(on_top))[1] if two_up else [None]
    for slot in slots:
        sheet.add_overlay(form, slot)
    return _save(document)


def merge(parts: Sequence[bytes]) -> bytes:
    """One PDF with the pages of several, in order."""
    out = pikepdf.new()
    sources = [pikepdf.open(BytesIO(part)) for part in parts]
    for source in sources:
        out.pages.extend(source.pages)
    return _save(out)


_RENDER_VERSION: str | None = None


def render_version() -> str:
    """A hash of everything besides a document's content that changes its PDF: the pdf
    templates, CSS and fonts, the translations, and the app's code (filters, formatting)."""
    global _RENDER_VERSION
    if _RENDER_VERSION is None:
        package = PACKAGE_DIR
        paths = [
            *PDF_TEMPLATES_DIR.iterdir(),
            *(STATIC_DIR / "fonts").iterdir(),
            *package.glob("translations/*/*/LC_MESSAGES/*.po"),
            *package.rglob("*.py"),
        ]
        digest = hashlib.sha256()
        for path in sorted(paths):
            digest.update(str(path.relative_to(PACKAGE_DIR.parent)).encode())
            digest.update(path.read_bytes())
        _RENDER_VERSION = digest.hexdigest()[:16]
    return _RENDER_VERSION


def cache_key(*parts: str) -> str:
    """The content key of a document: what it prints (its HTML, or the facts it is rendered
    from) and the render version."""
    digest = hashlib.sha256(render_version().encode())
    for part in parts:
        digest.update(b"\x00")
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def _pdf_key(key: str, suffix: str = "pdf") -> str:
    if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
        raise ValueError("not a cache key")
    return f"pdf/{key}.{suffix}"


def cached(key: str) -> bytes | None:
    """The PDF stored under `key`, or None (from the store every server shares)."""
    return storage.store().get(_pdf_key(key))


def page_count(key: str) -> int | None:
    """How many pages the PDF stored under `key` has, or None when none is stored."""
    pdf = cached(key)
    if pdf is None:
        return None
    with pikepdf.open(BytesIO(pdf)) as document:
        return len(document.pages)


def is_cached(key: str) -> bool:
    """Whether a PDF is stored under `key`, without reading it."""
    return storage.store().exists(_pdf_key(key))


def store(key: str, pdf: bytes) -> None:
    """Keep a rendered PDF under its key."""
    storage.store().put(_pdf_key(key), pdf)


def cached_meta(key: str) -> dict | None:
    """Facts stored beside a cached PDF (where a box landed, say), or None."""
    raw = storage.store().get(_pdf_key(key, "json"))
    try:
        return json.loads(raw) if raw is not None else None
    except ValueError:
        return None


def store_meta(key: str, meta: dict) -> None:
    storage.store().put(_pdf_key(key, "json"), json.dumps(meta).encode("utf-8"))


def cached_pdf(html: str, styles: Sequence[str]) -> tuple[str, bytes]:
    """Render once per distinct content; a document that has not changed comes from the cache."""
    key = cache_key(html, *styles)
    pdf = cached(key)
    if pdf is None:
        pdf = render_pdf(html, styles)
        store(key, pdf)
    return key, pdf
