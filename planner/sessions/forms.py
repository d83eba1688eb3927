"""The planning form for a session and the status form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from planner.enums import Language, SessionKind, SessionStatus, TargetGroup, Topic
from planner.forms import (
    NONE_CHOICE,
    WEEKDAY_CHOICES,
    MultiCheckboxField,
    PlannerForm,
    choices,
    grouped_choices,
)
from planner.sessions.models import RepeatRule


class SessionForm(PlannerForm):
    kind = SelectField(_l("Kind of session"), validators=[InputRequired()])
    topic = SelectField(_l("Topic"), validators=[InputRequired()])
    title = StringField(_l("Title (optional)"), validators=[Optional(), Length(max=200)])
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter a date."))])
    start = TimeField(_l("Starts at"), validators=[InputRequired(message=_l("Enter a time."))])
    end = TimeField(_l("Ends at"), validators=[InputRequired(message=_l("Enter a time."))])
    venue_id = SelectField(_l("Venue"), coerce=int, validators=[Optional()])
    commune_id = SelectField(_l("Commune"), coerce=int, validators=[Optional()])
    village_id = SelectField(_l("Village"), coerce=int, validators=[Optional()])
    lead_officer_id = SelectField(_l("Lead officer"), coerce=int, validators=[DataRequired()])
    facilitator_ids = MultiCheckboxField(_l("Co-facilitators"), coerce=int)
    partner_id = SelectField(_l("Partner organisation"), coerce=int, validators=[Optional()])
    target_group = SelectField(_l("Target group"))
    language = SelectField(_l("Language"))
    interpreter_needed = BooleanField(_l("An interpreter is needed"))
    expected_attendance = IntegerField(
        _l("Expected attendance"),
        default=20,
        validators=[
            InputRequired(message=_l("Enter a number of people.")),
            NumberRange(min=1, max=2000, message=_l("Between 1 and 2,000 people.")),
        ],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])

    repeat = RadioField(
        _l("Repeats"),
        choices=choices(
            [
                ("none", _l("Does not repeat")),
                (RepeatRule.WEEKLY.value, _l("Every week on the chosen days")),
                (RepeatRule.INTERVAL.value, _l("Every N days (market cycle)")),
            ]
        ),
        default="none",
    )
    weekdays = MultiCheckboxField(_l("On these days"), choices=WEEKDAY_CHOICES)
    interval_days = IntegerField(
        _l("Every how many days"),
        validators=[Optional(), NumberRange(min=1, max=60, message=_l("Between 1 and 60 days."))],
    )
    until = DateField(_l("Until (last date)"), validators=[Optional()])
    count = IntegerField(
        _l("Or a number of sessions"),
        validators=[Optional(), NumberRange(min=1, max=120, message=_l("Between 1 and 120."))],
    )

    apply_to = RadioField(
        _l("Apply the change to"),
        choices=choices(
            [
                ("this", _l("This session only")),
                ("following", _l("This and all later sessions of the series")),
            ]
        ),
        default="this",
    )
    # The "Save anyway" button under the clash warnings; a hidden field would shadow it.
    save_anyway = SubmitField()
    version = HiddenField()
    base = HiddenField()

    def __init__(
        self, *args, communes=(), villages=(), venues=(), officers=(), partners=(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.kind.choices = SessionKind.choices()
        self.topic.choices = Topic.choices()
        self.target_group.choices = TargetGroup.choices()
        self.language.choices = Language.choices()
        self.commune_id.choices = [NONE_CHOICE, *choices((c.id, c.name) for c in communes)]
        self.village_id.choices = grouped_choices(
            villages, lambda v: v.commune.name, lambda v: v.id, lambda v: v.display_name
        )
        self.venue_id.choices = [
            NONE_CHOICE,
            *choices((v.id, f"{v.name} ({v.commune.name})") for v in venues),
        ]
        self.lead_officer_id.choices = choices((u.id, u.full_name) for u in officers)
        self.facilitator_ids.choices = choices((u.id, u.full_name) for u in officers)
        self.partner_id.choices = [NONE_CHOICE, *choices((p.id, p.name) for p in partners)]

    def validate(self, extra_validators=None) -> bool:
        """Every N days needs its N; its weekday boxes mean nothing and are dropped."""
        valid = super().validate(extra_validators)
        if self.repeat.data == RepeatRule.INTERVAL.value:
            self.weekdays.data = []
            if self.interval_days.data is None and not self.interval_days.errors:
                self.interval_days.errors = [
                    *self.interval_days.errors,
                    _("Enter every how many days the session repeats."),
                ]
                valid = False
        return valid


class StatusForm(PlannerForm):
    status = SelectField(_l("Status"))
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    series = BooleanField(_l("Cancel every later session of the series too"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = SessionStatus.choices()
