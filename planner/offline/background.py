"""Pages the service worker fetches to keep must not write the session cookie.

They are fetched in the background while the officer keeps working, with the cookie of that
moment; Flask answers every request of a permanent session with a fresh cookie, so a background
answer arriving after the officer's own would put back what their request changed: a flashed
message shown twice, or a calendar link meant to be shown once shown again. The worker marks its
fetches with `KEEP_HEADER`; their session is read, never saved.
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

KEEP_HEADER = "X-Planner-Keep"


class KeepingSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie sessions, except that a worker's keep fetch never saves one."""

    def save_session(self, app: Flask, session, response) -> None:
        if request.headers.get(KEEP_HEADER) == "1":
            return
        super().save_session(app, session, response)
