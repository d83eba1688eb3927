"""The sentences the phone's offline script shows, in the officer's language ({n} and {name}
are filled in by the script)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext


def _counted(singular: str, plural: str) -> dict[str, str]:
    """A sentence with a count {n} the script knows only on the phone: its form for one and
    for any other count. Both languages the planner speaks have at most these two forms
    (Vietnamese one, English one for 1 and one for the rest), so the script picks "one" when
    n is 1 and "other" otherwise."""
    return {"one": ngettext(singular, plural, 1), "other": ngettext(singular, plural, 2)}


def phone_texts() -> dict[str, str | dict[str, str]]:
    """Texts by name, for the page's `offline-texts` JSON block."""
    return {
        "waiting": _counted("Waiting to be sent ({n})", "Waiting to be sent ({n})"),
        "refused": _counted("Not recorded ({n})", "Not recorded ({n})"),
        "saved": _("Saved on this phone; it will be sent when there is a connection."),
        "sent": _counted("Sent and recorded: {n}.", "Sent and recorded: {n}."),
        "signIn": _("Sign in again to send the entries waiting on this phone."),
        "stateWaiting": _("waiting to be sent"),
        "remove": _("Remove from the phone"),
        "confirmRemove": _("Remove this entry from the phone? It was not recorded."),
        "logoutUnsent": _counted(
            "{n} entry could not be sent. Signing out removes it from this phone. Sign out anyway?",
            "{n} entries could not be sent. Signing out removes them from this phone. "
            "Sign out anyway?",
        ),
        "otherUser": _counted(
            "{n} entry typed by {name} is waiting on this phone; only {name} can send it. "
            "Signing in as someone else removes it. Continue?",
            "{n} entries typed by {name} are waiting on this phone; only {name} can send them. "
            "Signing in as someone else removes them. Continue?",
        ),
        "onlyHeld": _("Without a connection, a session can only be marked held."),
        "attendance": _("Attendee"),
        "outcome": _("Follow-up outcome"),
        "held": _("Session held"),
    }
