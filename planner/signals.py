"""Signals between domains that must not know each other.

Sent after the sender's commit: receivers start work of their own and cannot undo the action.
"""

from blinker import Namespace

signals = Namespace()

# sender: the office id whose printed matter changed (sessions planned or edited, talking
# points, rates, print settings or the office's details); kwarg `user_id`: who changed it.
# Printing renders the flyers' shared parts ahead, so the next flyer prints at once.
printed_matter_changed = signals.signal("printed-matter-changed")
