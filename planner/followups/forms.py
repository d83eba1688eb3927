"""Forms to log an outcome, add, reassign, reschedule and cancel follow-ups, and the settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from planner.concurrency import VersionFields
from planner.followups.models import Channel, OutcomeKind, Product
from planner.forms import PlannerForm, choices


class OutcomeForm(PlannerForm):
    """One form for every outcome; the list page gives each follow-up its own prefix."""

    kind = RadioField(
        _l("What happened?"), validators=[InputRequired(message=_l("Choose what happened."))]
    )
    channel = RadioField(_l("How"), default=Channel.CALL.value)
    call_back_on = DateField(_l("Call back on"), validators=[Optional()])
    reason = StringField(_l("Reason for declining"), validators=[Optional(), Length(max=300)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = OutcomeKind.choices()
        self.channel.choices = Channel.choices()


def _officer_choices(officers) -> list:
    return choices((u.id, u.full_name) for u in officers)


class FollowUpForm(PlannerForm):
    product = RadioField(_l("About"), default=Product.VOLUNTARY_SI.value)
    due_on = DateField(_l("Due on"), validators=[Optional()])
    assigned_to_id = SelectField(_l("Assigned to"), coerce=int)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.product.choices = Product.choices()
        self.assigned_to_id.choices = _officer_choices(officers)


class ReassignForm(PlannerForm):
    assigned_to_id = SelectField(_l("Assign to"), coerce=int)

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assigned_to_id.choices = _officer_choices(officers)


class RescheduleForm(VersionFields, PlannerForm):
    due_on = DateField(_l("New due date"), validators=[Optional()])


class CancelForm(PlannerForm):
    reason = StringField(_l("Why stop following up?"), validators=[Optional(), Length(max=300)])


class SettingsForm(PlannerForm):
    follow_up_due_days = IntegerField(
        _l("A follow-up is due this many days after the session"),
        validators=[
            InputRequired(message=_l("Enter a number of days.")),
            NumberRange(min=0, max=60, message=_l("Between 0 and 60 days.")),
        ],
    )
    credit_window_days = IntegerField(
        _l("Credit sessions attended this many days before an enrolment"),
        validators=[
            InputRequired(message=_l("Enter a number of days.")),
            NumberRange(min=1, max=730, message=_l("Between 1 and 730 days.")),
        ],
    )
