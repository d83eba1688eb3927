"""The web app manifest: installable on a phone's home screen, in the officer's language
(Vietnamese unless they chose English), named after their office."""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

THEME_COLOR = "#0b5cab"
BACKGROUND_COLOR = "#ffffff"
ICON_SIZES = (192, 512)


def web_app_manifest(user) -> dict:
    """The manifest as a dict (served as application/manifest+json); `user` may be anonymous."""
    name = _("Outreach planner")
    office = getattr(user, "office", None) if getattr(user, "is_authenticated", False) else None
    icons = [
        {
            "src": url_for("static", filename=f"offline/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any",
        }
        for size in ICON_SIZES
    ]
    icons.append(
        {
            "src": url_for("static", filename="offline/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    )
    return {
        "id": "/",
        "lang": str(get_locale()),
        "dir": "ltr",
        "name": f"{name} – {office.name}" if office else name,
        "short_name": office.name[:12] if office else _("Planner"),
        "description": _("Plan outreach sessions, record attendance and follow-ups, offline too."),
        "start_url": url_for("sessions.week"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    }
