"""Signals that let follow-ups and enrolments react to people, unknown to the people domain.

Receivers run inside the sender's transaction: an exception in one rolls the whole action back.
"""

from blinker import Namespace

signals = Namespace()

# Every signal but person_exported has a kwarg `user`: the User who acted (None for the public
# check-in form), for the audit entries the receivers add.

# sender: the Attendance just recorded (or changed); receivers may schedule follow-ups.
attendance_recorded = signals.signal("attendance-recorded")
# sender: the Attendance about to be deleted (typed by mistake); receivers undo what it started.
attendance_removed = signals.signal("attendance-removed")
# sender: the Person kept; kwarg `merged` is the Person about to be removed. Receivers move
# their rows from `merged` to the sender before the merged person is deleted.
persons_merged = signals.signal("persons-merged")
# sender: the Person being erased; receivers clear personal text they hold about them.
person_erased = signals.signal("person-erased")
# sender: the Person being exported; receivers return (section title, list of dicts).
person_exported = signals.signal("person-exported")
