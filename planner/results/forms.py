"""Forms to set targets, start campaigns, and type or import a commune's coverage figures."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from planner.forms import NONE_CHOICE, PlannerForm, choices
from planner.results.coverage import CoverageInput
from planner.results.models import TargetMetric
from planner.results.targets import TargetInput

WHOLE_NUMBER = _l("Enter a whole number, zero or more.")


class TargetForm(PlannerForm):
    metric = SelectField(_l("What it counts"), default=TargetMetric.ENROLLED_VOLUNTARY_SI.value)
    value = IntegerField(_l("Target"), validators=[InputRequired(message=WHOLE_NUMBER)])
    # Ids are checked by the service: another office's id is refused there, with its message.
    commune_id = SelectField(_l("Commune"), coerce=int, default=0, validate_choice=False)
    officer_id = SelectField(_l("Officer"), coerce=int, default=0, validate_choice=False)
    campaign_id = SelectField(_l("Campaign"), coerce=int, default=0, validate_choice=False)
    first_day = DateField(_l("From"), validators=[Optional()])
    last_day = DateField(_l("To"), validators=[Optional()])

    def __init__(self, *args, communes=(), officers=(), campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.metric.choices = TargetMetric.choices()
        self.commune_id.choices = [NONE_CHOICE, *choices((c.id, c.name) for c in communes)]
        self.officer_id.choices = [NONE_CHOICE, *choices((u.id, u.full_name) for u in officers)]
        self.campaign_id.choices = [NONE_CHOICE, *choices((c.id, c.name) for c in campaigns)]

    def to_input(self) -> TargetInput:
        """The target as entered; 0 in a list (none chosen) is no narrowing."""
        return TargetInput(
            metric=self.metric.data,
            value=self.value.data,
            first_day=self.first_day.data,
            last_day=self.last_day.data,
            commune_id=self.commune_id.data or None,
            officer_id=self.officer_id.data or None,
            campaign_id=self.campaign_id.data or None,
        )


class CampaignForm(PlannerForm):
    name = StringField(
        _l("Campaign name"),
        validators=[InputRequired(message=_l("Give the campaign a name.")), Length(max=200)],
    )
    first_day = DateField(_l("From"), validators=[Optional()])
    last_day = DateField(_l("To"), validators=[Optional()])


class CoverageForm(PlannerForm):
    commune_id = SelectField(_l("Commune"), coerce=int, validate_choice=False)
    as_of = DateField(_l("Figures of"), validators=[Optional()])
    population = IntegerField(_l("Population"), validators=[InputRequired(message=WHOLE_NUMBER)])
    households = IntegerField(_l("Households"), validators=[InputRequired(message=WHOLE_NUMBER)])
    with_health_insurance = IntegerField(
        _l("With health insurance"), validators=[InputRequired(message=WHOLE_NUMBER)]
    )
    with_voluntary_si = IntegerField(
        _l("With voluntary SI"), validators=[InputRequired(message=WHOLE_NUMBER)]
    )

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.commune_id.choices = [NONE_CHOICE, *choices((c.id, c.name) for c in communes)]

    def to_input(self) -> CoverageInput:
        """The figures as entered; commune 0 (none chosen) is the whole office."""
        return CoverageInput(
            commune_id=self.commune_id.data or None,
            as_of=self.as_of.data,
            population=self.population.data,
            households=self.households.data,
            with_health_insurance=self.with_health_insurance.data,
            with_voluntary_si=self.with_voluntary_si.data,
        )


class CoverageImportForm(PlannerForm):
    sheet = FileField(
        _l("Spreadsheet (XLSX or CSV)"),
        validators=[FileRequired(message=_l("Choose the file to import."))],
    )
