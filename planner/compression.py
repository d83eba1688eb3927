"""The app compresses its own text responses (gzip), so `make run` on a slow phone link sends
what nginx would send in production.

Only text types over `MIN_SIZE` bytes are compressed, never a type that is compressed already
(PDF, PNG, XLSX, ...), a partial (206) answer or one that names its own encoding. An ETag is
made weak on the compressed copy (`W/"…"`): the bytes differ from the uncompressed answer, and
If-None-Match compares weakly, so the feeds' and static files' 304s keep working. Static files
are compressed once per ETag and kept in a small memory cache.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict
from threading import Lock

from flask import Flask, Response, request

MIN_SIZE = 500
LEVEL = 6
COMPRESSIBLE = {
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "text/calendar",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "application/xml",
    "image/svg+xml",
}
# Static files are few and never change while the app runs: keep their compressed bytes.
STATIC_CACHE_SIZE = 64
_static_cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_static_lock = Lock()


def init_app(app: Flask) -> None:
    app.after_request(compress)


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def compress(response: Response) -> Response:
    """Gzip the response when the client accepts it and it is worth it."""
    response.vary.add("Accept-Encoding")
    if (
        request.method == "HEAD"
        or response.status_code != 200
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
        or not accepts_gzip()
        or (response.is_streamed and not response.direct_passthrough)
    ):
        return response
    etag, _weak = response.get_etag()
    static_key = (request.path, etag) if request.endpoint == "static" and etag else None
    body = _static_cache.get(static_key) if static_key else None
    # send_file hands over a file wrapper: read it (static files are small) or close it.
    response.direct_passthrough = False
    if body is None:
        data = response.get_data()
        if len(data) < MIN_SIZE:
            return response
        body = gzip.compress(data, LEVEL, mtime=0)
        if static_key:
            with _static_lock:
                _static_cache[static_key] = body
                while len(_static_cache) > STATIC_CACHE_SIZE:
                    _static_cache.popitem(last=False)
    else:
        response.close()
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    if etag:
        response.set_etag(etag, weak=True)
    return response
