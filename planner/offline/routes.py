"""Entries sent from a phone's queue, what the phone keeps, the manifest and the service worker."""

from __future__ import annotations

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from planner.offline import bp
from planner.offline.background import KeepingSessionInterface
from planner.offline.keeping import app_version, keep_list
from planner.offline.manifest import web_app_manifest
from planner.offline.replay import EntryRefused, parse_submission, replay
from planner.offline.texts import phone_texts
from planner.timezones import now_utc
from planner.web import content_type


@bp.record_once
def _keep_fetches_leave_the_session_alone(state) -> None:
    state.app.session_interface = KeepingSessionInterface()


@bp.app_context_processor
def _offline_helpers() -> dict:
    """What every page's offline bar needs: the texts the phone's script shows, and the moment
    the page was rendered (shown on a kept copy as when it was last updated)."""
    return {"offline_texts": phone_texts, "offline_rendered_at": now_utc}


def _signed_out():
    """The phone keeps the entry and asks the officer to sign in again."""
    message = _("Sign in again to send the entries waiting on this phone.")
    return jsonify(status="signed_out", reason=message), 401


@bp.post("/offline/entries")
def entries():
    """Record one entry from the phone's queue (once per key): 200, or a refusal with a reason."""
    if not current_user.is_authenticated:
        return _signed_out()
    try:
        replayed = replay(current_user, parse_submission(request.get_json(silent=True)))
    except EntryRefused as refused:
        return jsonify(status="refused", code=refused.code, reason=refused.message), refused.status
    status = "recorded" if replayed.recorded else "already_recorded"
    return jsonify(status=status, message=replayed.message)


@bp.get("/offline/token")
def token():
    """A fresh form token for sending the queue (the one on a kept page may have expired)."""
    if not current_user.is_authenticated:
        return _signed_out()
    return jsonify(csrf_token=generate_csrf(), user=current_user.id)


@bp.get("/offline/keep.json")
def keep():
    """What this officer's phone keeps now (the server decides, scoped to their sessions)."""
    if not current_user.is_authenticated:
        return _signed_out()
    return jsonify(keep_list(current_user).as_json())


@bp.get("/manifest.webmanifest")
def manifest():
    response = jsonify(web_app_manifest(current_user))
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker():
    """The worker from the site's root (its scope is every page), its version written in."""
    source = (current_app.static_folder or "") + "/offline/sw.js"
    with open(source, encoding="utf-8") as file:
        body = (
            f"const VERSION = {app_version()!r};\n"
            f"const QUEUE_SCRIPT = {url_for('static', filename='offline/queue.js')!r};\n"
            + file.read()
        )
    response = Response(body, content_type=content_type("text/javascript"))
    # The browser checks for a new worker on every page load; it must never get a stale one.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline/unavailable")
def unavailable():
    """Shown by the worker, without signal, for a page the phone does not keep."""
    return render_template("offline/unavailable.html")
