"""Form pieces shared by several domains."""

from datetime import date
from decimal import Decimal
from typing import TypeVar

from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms lags WTForms 3.3 (no SelectChoice)
from wtforms.validators import StopValidation

from planner.bounds import DB_INT_MAX, DB_INT_MIN, date_in_range
from planner.errors import PlannerError
from planner.text import nfc

WEEKDAY_CHOICES = [
    SelectChoice(str(number), label)
    for number, label in enumerate(
        [
            _l("Monday"),
            _l("Tuesday"),
            _l("Wednesday"),
            _l("Thursday"),
            _l("Friday"),
            _l("Saturday"),
            _l("Sunday"),
        ]
    )
]
NONE_CHOICE = SelectChoice(0, "—")
T = TypeVar("T")


def required(value: T | None) -> T:
    """The data of a field validated with `InputRequired`/`DataRequired`, after `validate()`:
    WTForms types every field's data as optional. Raises TypeError when it is None (the form was
    not validated, or the field lost its validator): a bug, never a user's mistake."""
    if value is None:
        raise TypeError("a required form field has no value")
    return value


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def grouped_choices(items, group, value, label) -> list[SelectChoice]:
    """Choices shown in <optgroup>s, e.g. villages under their commune."""
    return [NONE_CHOICE, *[SelectChoice(value(i), label(i), optgroup=group(i)) for i in items]]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier than a multi-select on a phone, and works without JavaScript."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class _WTFormsMessages:
    """WTForms' own messages through our catalogs, since WTForms ships no Vietnamese."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


def _clean_text(value):
    # PostgreSQL refuses NUL in text, and no person types one: dropped before any validator runs,
    # and the text composed (NFC) so validators, lookups and the database see one spelling.
    return nfc(value.replace("\x00", "")) if isinstance(value, str) else value


def _within_bounds(form, field) -> None:
    """Numbers the database can hold and dates the planner can do arithmetic with (bounds.py)."""
    value = field.data
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | Decimal) and not (DB_INT_MIN <= value <= DB_INT_MAX):
        raise StopValidation(_("Enter a smaller number."))
    if isinstance(value, date) and not date_in_range(value):
        raise StopValidation(_("Enter a date between 1900 and 2199."))


class PlannerForm(FlaskForm):
    """The base of every form in the app: CSRF from Flask-WTF, messages in the user's language,
    text without NUL bytes and in NFC (planner/text.py), numbers and dates within what the
    database and calendar can hold."""

    form_errors: list[str]  # set by WTForms; errors that name no field

    class Meta:
        def get_translations(self, form):
            return _WTFormsMessages()

        def bind_field(self, form, unbound_field, options):
            field = unbound_field.bind(form=form, **options)
            field.filters = (_clean_text, *field.filters)
            if isinstance(field, IntegerField | DecimalField | DateField):
                field.validators = [*field.validators, _within_bounds]
            return field

    def add_error(self, error: PlannerError, default: str | None = None) -> None:
        """Show a service's error next to the field it names; an error naming no field of this
        form goes next to `default` (or above the form, in `form_errors`)."""
        name = error.field if error.field in self._fields else default
        if name is None:
            self.form_errors = [*self.form_errors, error.message]
            return
        field = self[name]
        field.errors = [*field.errors, error.message]
