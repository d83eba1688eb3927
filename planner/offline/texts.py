"""The sentences the phone's offline script shows, in the officer's language ({n} and {name}
are filled in by the script)."""

from __future__ import annotations

from flask_babel import gettext as _


def phone_texts() -> dict[str, str]:
    """Texts by name, for the page's `offline-texts` JSON block."""
    return {
        "waiting": _("Waiting to be sent ({n})"),
        "refused": _("Not recorded ({n})"),
        "saved": _("Saved on this phone; it will be sent when there is a connection."),
        "sent": _("Sent and recorded: {n}."),
        "signIn": _("Sign in again to send the entries waiting on this phone."),
        "stateWaiting": _("waiting to be sent"),
        "remove": _("Remove from the phone"),
        "confirmRemove": _("Remove this entry from the phone? It was not recorded."),
        "logoutUnsent": _(
            "{n} entries could not be sent. Signing out removes them from this phone. "
            "Sign out anyway?"
        ),
        "otherUser": _(
            "{n} entries typed by {name} are waiting on this phone; only {name} can send them. "
            "Signing in as someone else removes them. Continue?"
        ),
        "onlyHeld": _("Without a connection, a session can only be marked held."),
        "attendance": _("Attendee"),
        "outcome": _("Follow-up outcome"),
        "held": _("Session held"),
    }
