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
from planner.rates.services import PAYMENT_MONTHS

MONTH_LABELS = {
    1: _l("Monthly"),
    3: _l("Every 3 months"),
    6: _l("Every 6 months"),
    12: _l("Every 12 months"),
}


class EnrolmentForm(PlannerForm):
    product = RadioField(
        _l("Enrolled in"), validators=[InputRequired(message=_l("Choose the product."))]
    )
    enrolled_on = DateField(
        _l("Enrolment date"), validators=[InputRequired(message=_l("Enter a date."))]
    )
    months = RadioField(_l("Pays"), coerce=int, default=1)
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
    receipt_number = StringField(
        _l("Receipt or file number"),
        validators=[InputRequired(message=_l("Enter the receipt or file number.")), Length(max=60)],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
    follow_up_id = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.product.choices = choices((p.value, p.label) for p in Product.single())
        self.months.choices = choices((m, MONTH_LABELS[m]) for m in PAYMENT_MONTHS)
        self.priority_group.choices = PriorityGroup.choices()


class ReceiptForm(VersionFields, PlannerForm):
    receipt_number = StringField(
        _l("Receipt or file number"),
        validators=[InputRequired(message=_l("Enter the receipt or file number.")), Length(max=60)],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
