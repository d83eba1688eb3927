"""Form pieces shared by several domains."""

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice

from planner.errors import PlannerError

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


class PlannerForm(FlaskForm):
    """The base of every form in the app: CSRF from Flask-WTF, messages in the user's language."""

    class Meta:
        def get_translations(self, form):
            return _WTFormsMessages()

    def add_error(self, error: PlannerError, default: str | None = None) -> None:
        """Show a service's error next to the field it names; an error naming no field of this
        form goes next to `default` (or above the form, in `form_errors`)."""
        name = error.field if error.field in self._fields else default
        if name is None:
            self.form_errors = [*self.form_errors, error.message]
            return
        field = self[name]
        field.errors = [*field.errors, error.message]
