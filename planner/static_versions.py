"""Static files under versioned URLs, which browsers keep for a year.

`url_for("static", filename="css/app.css")` gives `/static/css/app.css?v=<hash>`, the hash
naming the file's bytes: when the file changes, its URL changes, so a browser never keeps a
stale copy and never has to ask again for a current one (on a slow link each such question
costs a round trip). An answer to a URL carrying the file's current hash says so
(`Cache-Control: public, max-age=31536000, immutable`); an unversioned or outdated URL still
works and keeps Flask's short lifetime (SEND_FILE_MAX_AGE_DEFAULT), since its bytes may change
under it.
"""

from __future__ import annotations

import hashlib
import os
from threading import Lock

from flask import Flask, Response, current_app, request

# A year, the longest lifetime browsers honour.
LONG_MAX_AGE = 365 * 24 * 60 * 60
VERSION_LENGTH = 10
# path -> ((mtime_ns, size), version): a file is read again only when it changed on disk.
_versions: dict[str, tuple[tuple[int, int], str]] = {}
_lock = Lock()


def init_app(app: Flask) -> None:
    app.url_defaults(add_version)
    app.after_request(cache_versioned)


def file_version(filename: str) -> str | None:
    """The first VERSION_LENGTH hex digits of the SHA-256 of static file `filename` (a path
    under the app's static folder, as url_for takes it); None when there is no such file."""
    folder = current_app.static_folder
    if not folder:
        return None
    path = os.path.realpath(os.path.join(folder, filename))
    if not path.startswith(os.path.realpath(folder) + os.sep):
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (stat.st_mtime_ns, stat.st_size)
    known = _versions.get(path)
    if known and known[0] == key:
        return known[1]
    with open(path, "rb") as file:
        version = hashlib.sha256(file.read()).hexdigest()[:VERSION_LENGTH]
    with _lock:
        _versions[path] = (key, version)
    return version


def add_version(endpoint: str, values: dict) -> None:
    """url_for hook: a static file's URL names its version (unless the caller gave one)."""
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    version = file_version(values["filename"])
    if version:
        values["v"] = version


def cache_versioned(response: Response) -> Response:
    """A static file asked for under its current version may be kept for a year, unchanged."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    asked = request.args.get("v")
    if asked and asked == file_version(filename):
        response.cache_control.public = True
        response.cache_control.max_age = LONG_MAX_AGE
        response.cache_control.immutable = True
    return response
