"""Forms for printing: talking points, an office's print settings and the week's packet."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from planner.forms import MultiCheckboxField, PlannerForm, choices


class TalkingPointForm(PlannerForm):
    body = TextAreaField(
        _l("Talking points"),
        validators=[Length(max=4000)],
        render_kw={"rows": 16},
    )


class PrintSettingsForm(PlannerForm):
    flyer_layout = RadioField(
        _l("Flyer paper"),
        choices=choices(
            [("a5x2", _l("Two A5 flyers on one A4 sheet")), ("a4", _l("One flyer per A4 page"))]
        ),
    )
    hidden_columns = MultiCheckboxField(_l("Columns this office does not use"), choices=[])
    spare_rows = IntegerField(
        _l("Spare rows after the expected attendance"),
        validators=[InputRequired(), NumberRange(min=0, max=50)],
    )
    mask_phones = BooleanField(_l("Mask pre-filled phone numbers on attendance sheets"))

    def __init__(self, *args, columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.hidden_columns.choices = choices((c.key, c.label) for c in columns if c.hideable)


class PacketForm(PlannerForm):
    """Print the week's packet for the week and the scope shown on the week view."""

    week = HiddenField()
    scope = HiddenField()
    commune = HiddenField()
