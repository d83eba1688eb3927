"""Forms to manage calendar feeds and to import market days or holidays."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms lags WTForms 3.3 (no SelectChoice)
from wtforms.validators import InputRequired, Optional

from planner.calendars.models import FeedKind
from planner.forms import NONE_CHOICE, PlannerForm, choices

LANGUAGE_CHOICES = (("vi", "Tiếng Việt"), ("en", "English"))


class FeedSettingsForm(PlannerForm):
    """What an officer's own calendar carries."""

    include_followups = BooleanField(_l("Also show my follow-ups"))
    language = SelectField(_l("Language of the calendar"))
    # 0 is "no reminder", the default; the service knows which others are allowed.
    reminder_minutes = SelectField(_l("Reminder before each session"), coerce=int, default=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = choices(LANGUAGE_CHOICES)
        self.reminder_minutes.choices = choices(
            (
                (0, _l("No reminder")),
                (15, _l("15 minutes before")),
                (30, _l("30 minutes before")),
                (60, _l("1 hour before")),
                (120, _l("2 hours before")),
                (1440, _l("The day before, at the same time")),
            )
        )

    @property
    def reminder(self) -> int | None:
        """The reminder chosen, in minutes before a session; None when there is none."""
        return self.reminder_minutes.data or None


class SharedFeedForm(PlannerForm):
    """A supervisor shares the sessions of a team or of a commune."""

    kind = RadioField(_l("Calendar of"), validators=[InputRequired()])
    team_id = SelectField(_l("Team"), coerce=int, validators=[Optional()])
    commune_id = SelectField(_l("Commune"), coerce=int, validators=[Optional()])
    language = SelectField(_l("Language of the calendar"))

    def __init__(self, *args, teams=(), communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(
            ((FeedKind.TEAM.value, _l("A team")), (FeedKind.COMMUNE.value, _l("A commune")))
        )
        self.team_id.choices = [NONE_CHOICE, *choices((t.id, t.name) for t in teams)]
        self.commune_id.choices = [NONE_CHOICE, *choices((c.id, c.name) for c in communes)]
        self.language.choices = choices(LANGUAGE_CHOICES)


class ActionForm(PlannerForm):
    """A button that changes something (new link, delete): only its CSRF token."""


class ImportForm(PlannerForm):
    what = RadioField(_l("The file holds"), validators=[InputRequired()])
    file = FileField(_l("Calendar file (.ics)"))
    venue_id = SelectField(_l("Market"), coerce=int, validators=[Optional()])

    def __init__(self, *args, markets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.what.choices = choices(
            (
                ("market_days", _l("Market days: one repeating event per market")),
                ("holidays", _l("Holidays and other days without sessions")),
            )
        )
        self.venue_id.choices = [
            SelectChoice(0, _l("Find the market by the event's name")),
            *choices((v.id, v.name) for v in markets),
        ]
