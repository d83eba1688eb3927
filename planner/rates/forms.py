"""The rates admin form and the household quote form."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from planner.enums import PriorityGroup
from planner.forms import PlannerForm, choices, required
from planner.rates.payment_periods import allowed_months, period_label
from planner.rates.quotes import HouseholdQuoteRequest
from planner.timezones import today_local


class RateValueForm(PlannerForm):
    key = SelectField(_l("Figure"), choices=[])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    value = DecimalField(
        _l("Value"),
        places=4,
        validators=[InputRequired(), NumberRange(min=Decimal(0), max=Decimal("1000000000"))],
    )
    source = StringField(
        _l("Legal source (decree, law)"), validators=[DataRequired(), Length(max=300)]
    )

    def __init__(self, *args, keys: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.key.choices = choices((key, label) for key, label in (keys or {}).items())


class QuoteForm(PlannerForm):
    """What an officer asks a household; read from the query string (a GET form)."""

    group = SelectField(_l("Priority group"), choices=PriorityGroup.choices(), default="other")
    income = IntegerField(
        _l("Chosen income (VND a month)"),
        validators=[InputRequired(), NumberRange(min=0, max=1_000_000_000)],
    )
    months = SelectField(_l("Payment"), default="1")
    members = IntegerField(
        _l("Household members joining health insurance"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=30)],
    )
    on = DateField(_l("On"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Voluntary SI's periods in force today (dated data); household HI follows the nearest.
        self.months.choices = choices(
            (str(m), period_label(m)) for m in allowed_months("voluntary_si", today_local())
        )

    def quote_request(self):
        return HouseholdQuoteRequest(
            on=self.on.data or today_local(),
            group=PriorityGroup(self.group.data),
            income=required(self.income.data),
            months=int(self.months.data),
            members=required(self.members.data),
        )
