"""Forms to manage places and partners."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from planner.enums import CommuneKind, PartnerKind, VenueKind, VillageKind
from planner.forms import WEEKDAY_CHOICES, MultiCheckboxField, PlannerForm, choices, grouped_choices


class CommuneForm(PlannerForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"))
    former_district = StringField(
        _l("Former district (for finding it)"), validators=[Optional(), Length(max=120)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = CommuneKind.choices()


class VillageForm(PlannerForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"))
    commune_id = SelectField(_l("Commune"), coerce=int)

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = VillageKind.choices()
        self.commune_id.choices = [(c.id, c.name) for c in communes]


class VenueForm(PlannerForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    kind = SelectField(_l("Kind"))
    commune_id = SelectField(_l("Commune"), coerce=int)
    village_id = SelectField(_l("Village"), coerce=int, validators=[Optional()])
    address = StringField(_l("Address or directions"), validators=[Optional(), Length(max=300)])
    market_weekdays = MultiCheckboxField(_l("Market days (weekdays)"), choices=WEEKDAY_CHOICES)
    market_cycle_days = IntegerField(
        _l("Or a market every N days"),
        validators=[Optional(), NumberRange(min=2, max=60, message=_l("Between 2 and 60 days."))],
    )
    market_anchor_date = DateField(_l("A known market date for the cycle"), validators=[Optional()])
    active = BooleanField(_l("In use"), default=True)

    def __init__(self, *args, communes=(), villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = VenueKind.choices()
        self.commune_id.choices = choices((c.id, c.name) for c in communes)
        self.village_id.choices = grouped_choices(
            villages, lambda v: v.commune.name, lambda v: v.id, lambda v: v.display_name
        )


class PartnerForm(PlannerForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"))
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20)])
    active = BooleanField(_l("In use"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = PartnerKind.choices()
