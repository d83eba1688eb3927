"""The enrolment form: product, date, amounts basis and receipt number."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from planner.concurrency import VersionFields
from planner.enums import PriorityGroup
from planner.followups.models import Product
from planner.forms import PlannerForm, choices
from planner.rates.payment_periods import allowed_months, period_label
from planner.timezones import today_local


class EnrolmentForm(PlannerForm):
    product = RadioField(
        _l("Enrolled in"), validators=[InputRequired(message=_l("Choose the product."))]
    )
    enrolled_on = DateField(
        _l("Enrolment date"), validators=[InputRequired(message=_l("Enter a date."))]
    )
    # One radio group rendered in each product's part, with that product's periods (dated data):
    # nothing is chosen for the officer.
    months = RadioField(
        _l("Pays"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose how often the person pays."))],
    )
    income = IntegerField(
        _l("Chosen income (contribution basis), VND a month"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    priority_group = SelectField(_l("Priority group (decides the state support)"))
    members = IntegerField(
        _l("Household members joining"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric", "min": 1, "max": 30},
    )
    # Needed to record, not to work out the amount: the record service asks for it.
    receipt_number = StringField(
        _l("Receipt or file number"), validators=[Optional(), Length(max=60)]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
    follow_up_id = HiddenField()
    # What the officer entered on the follow-up's outcome form, kept for the "enrolled" outcome.
    channel = HiddenField()
    outcome_notes = HiddenField(validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.product.choices = choices((p.value, p.label) for p in Product.single())
        today = today_local()
        self.periods = {
            product.value: allowed_months(product.value, today) for product in Product.single()
        }
        offered = sorted({m for months in self.periods.values() for m in months})
        self.months.choices = choices((m, period_label(m)) for m in offered)
        self.priority_group.choices = PriorityGroup.choices()


class ReceiptForm(VersionFields, PlannerForm):
    receipt_number = StringField(
        _l("Receipt or file number"),
        validators=[InputRequired(message=_l("Enter the receipt or file number.")), Length(max=60)],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
