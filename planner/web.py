"""Request-wide behaviour: security headers, error pages and template helpers."""

from __future__ import annotations

import math
import re
import time
import unicodedata
from collections.abc import Sized
from datetime import UTC, datetime, timedelta
from typing import TypeGuard
from urllib.parse import quote, unquote, urlsplit

from flask import Flask, Response, abort, current_app, render_template, request
from flask_babel import format_time, get_locale, ngettext
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from planner.extensions import db
from planner.formats import formatted, shown_date, shown_moment, shown_money, shown_number
from planner.phones import display_phone

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'"
)


def init_app(app: Flask) -> None:
    app.after_request(security_headers)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(StaleDataError, lost_race)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, server_error)
    app.jinja_env.filters.update(
        local_datetime=shown_moment,
        local_date=shown_date,
        local_time=lambda v: formatted("time", v, "HH:mm") if v else "",
        number=shown_number,
        vnd=shown_money,
        phone=display_phone,
    )
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale()), is_safe_next=is_safe_next
    )


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    # Pages (error pages too, which match no endpoint) are per user: never kept by a cache.
    if response.status_code >= 400 or (
        request.endpoint != "static" and "Cache-Control" not in headers
    ):
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        max_age = current_app.config.get("HSTS_MAX_AGE", 0)
        if max_age:
            headers.setdefault("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")
    return response


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Only a path on this site may be redirected to (after login, a language switch, a form).

    Browsers read `//host`, `/\\host`, `\\\\host`, a path with a tab or newline inside, and
    their percent-encoded forms as another site, so each of them is refused, decoded or not.
    """
    if not target or len(target) > 2000:
        return False
    decoded = target
    for _round in range(3):  # double and triple encoding
        decoded = unquote(decoded)
    for text in (target, decoded):
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text) or "\\" in text:
            return False
        if not text.startswith("/") or text.startswith("//"):
            return False
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return False
    return True


# Types whose bytes are text: their Content-Type names the charset (once; werkzeug adds it to a
# `mimetype` by itself, so a mimetype that already had one got it twice).
TEXT_TYPES = ("text/",)
UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f"\\/;]')


def page_arg(name: str = "page") -> int:
    """The page of a list the address asks for (`?page=3`): 1 when absent or not a number."""
    return max(1, request.args.get(name, 1, type=int) or 1)


def require_rows(page: int, rows: Sized) -> None:
    """A page past a list's last one is a page that does not exist (404), not an empty list
    that says "nothing recorded yet" with a link to the page before (`?page=999999`)."""
    if page > 1 and not rows:
        abort(404)


def content_type(mimetype: str) -> str:
    """The Content-Type header for a bare media type ("text/calendar", "application/pdf"):
    UTF-8 named once for text types. Raises ValueError for a type that already has parameters."""
    if ";" in mimetype:
        raise ValueError(f"give the bare media type, not {mimetype!r}")
    return f"{mimetype}; charset=utf-8" if mimetype.startswith(TEXT_TYPES) else mimetype


def content_disposition(filename: str, inline: bool = False) -> str:
    """`attachment` (or `inline`) with the file's name: an ASCII `filename` every browser reads
    (Vietnamese letters without their marks) and, when the name is not plain ASCII, the exact
    name as RFC 6266 `filename*` in UTF-8. Quotes, slashes, semicolons and control characters
    never reach the header."""
    name = unicodedata.normalize("NFC", UNSAFE_IN_FILENAME.sub("-", filename)).strip(" .")
    name = name or "download"
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "", folded.encode("ascii", "ignore").decode())
    ascii_name = ascii_name.strip(" .") or "download"
    disposition = "inline" if inline else "attachment"
    header = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def file_response(content: bytes, filename: str, mimetype: str, inline: bool = False) -> Response:
    """A file to download (or, `inline`, to open in the browser), never kept by a cache: PDFs,
    calendar files and exports hold people's names. `mimetype` is the bare media type; text
    types are sent as UTF-8 (content_type), the name as content_disposition writes it."""
    response = Response(content, content_type=content_type(mimetype))
    response.headers["Content-Disposition"] = content_disposition(filename, inline)
    response.headers["Cache-Control"] = "private, no-store"
    return response


MESSAGES = {
    400: lambda: _("The request could not be understood. Check what you entered and try again."),
    403: lambda: _("You do not have permission to do that."),
    404: lambda: _("This page does not exist, or it belongs to another office."),
    405: lambda: _("That action is not allowed here."),
    413: lambda: _("The file is too large."),
    429: lambda: _("Too many attempts. Wait a minute and try again."),
}


def http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    message = MESSAGES.get(error.code, lambda: error.description)()
    if error.code == 429:
        message = too_many_attempts_message()
    return render_template("errors.html", code=error.code, message=message), error.code


def too_many_attempts_message() -> str:
    """When the user may try again, in their language (from the limit that was reached)."""
    from planner.extensions import limiter

    limit = limiter.current_limit
    if limit is None:
        return MESSAGES[429]()
    # reset_at is rounded up to a whole second; never say longer than the limit's own window.
    wait = max(1, min(math.ceil(limit.reset_at - time.time()), limit.limit.get_expiry()))
    minutes = max(1, math.ceil(wait / 60))
    return ngettext(
        "Too many attempts. You can try again in %(num)d minute, at %(time)s.",
        "Too many attempts. You can try again in %(num)d minutes, at %(time)s.",
        minutes,
        time=format_time(datetime.now(UTC) + timedelta(seconds=wait), "HH:mm"),
    )


def csrf_error(_error: CSRFError):
    message = _("Your form expired or was sent from another page. Reload the page and try again.")
    return render_template("errors.html", code=400, message=message), 400


def lost_race(_error: StaleDataError):
    """Two saves of one record at the same moment: the conditional UPDATE let the first win
    (planner/concurrency.py); this one is told, and nothing of the winner's is lost."""
    from planner.extensions import db

    db.session.rollback()
    message = _(
        "Someone else saved a change to this at the same moment, so yours was not saved. "
        "Reload the page to see theirs, then try again."
    )
    return render_template("errors.html", code=409, message=message), 409


def server_error(error: Exception):
    db.session.rollback()
    if isinstance(error, HTTPException):
        return http_error(error)
    current_app.logger.exception("Unhandled error", exc_info=error)
    message = _("Something went wrong on our side. Nothing you saved before was lost.")
    return render_template("errors.html", code=500, message=message), 500
