"""Forms for logging in and managing users."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField, URLField
from wtforms.validators import URL, DataRequired, EqualTo, Length, Optional, Regexp

from planner.enums import Role
from planner.forms import PlannerForm, choices


class LoginForm(PlannerForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class UserForm(PlannerForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=3, max=80),
            Regexp(
                r"^[a-z0-9._-]+$", message=_l("Use lower-case letters, digits, dots and dashes.")
            ),
        ],
    )
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20)])
    role = SelectField(_l("Role"), choices=[])
    team_id = SelectField(_l("Team"), coerce=int, choices=[])
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(min=8, max=200, message=_l("At least 8 characters."))],
    )
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = Role.choices()
        self.team_id.choices = choices([(0, _l("No team")), *[(t.id, t.name) for t in teams]])


class TeamForm(PlannerForm):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=200)])


class OfficeForm(PlannerForm):
    name = StringField(_l("Office name"), validators=[DataRequired(), Length(max=200)])
    province = StringField(_l("Province"), validators=[DataRequired(), Length(max=100)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20)])
    contact_link = URLField(
        _l("Link for the QR code on flyers"),
        validators=[Optional(), Length(max=500), URL(message=_l("Enter a full web address."))],
    )


class PasswordChangeForm(PlannerForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=200)]
    )
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two new passwords are not the same.")),
        ],
    )
