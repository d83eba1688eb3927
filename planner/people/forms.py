"""Forms for the attendance sheet, a person's details, the import and the public check-in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms lags WTForms 3.3 (no SelectChoice)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from planner.concurrency import VersionFields
from planner.enums import PriorityGroup
from planner.forms import PlannerForm, grouped_choices
from planner.people.identity import AttendeeInput
from planner.people.models import Gender, Interest, Person
from planner.phones import display_phone

YEAR = NumberRange(min=1900, max=2100, message=_l("Enter a year such as 1985."))


def _gender_choices() -> list[SelectChoice]:
    return [SelectChoice("", "—"), *Gender.choices()]


def _yes_no_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", _l("Not known")),
        SelectChoice("yes", _l("Yes")),
        SelectChoice("no", _l("No")),
    ]


def _village_choices(villages) -> list[SelectChoice]:
    return grouped_choices(
        villages, lambda v: v.commune.name, lambda v: v.id, lambda v: v.display_name
    )


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class PersonFields:
    """Who a person is, asked alike on the attendance sheet and on the person's own page."""

    full_name = StringField(
        _l("Full name"),
        validators=[InputRequired(message=_l("Enter the person's full name.")), Length(max=120)],
    )
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional(), YEAR])
    gender = SelectField(_l("Gender"), validators=[Optional()])
    ethnicity = StringField(_l("Ethnicity"), validators=[Optional(), Length(max=60)])
    village_id = SelectField(_l("Village"), coerce=int, validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    # Each form declares these itself (the sheet defaults to "other"; the page shows the saved).
    priority_group: SelectField
    has_health_insurance: SelectField

    def _choose_from(self, villages) -> None:
        self.gender.choices = _gender_choices()
        self.village_id.choices = _village_choices(villages)
        self.priority_group.choices = PriorityGroup.choices()
        self.has_health_insurance.choices = _yes_no_choices()


class AttendeeForm(PersonFields, PlannerForm):
    """One row of the paper attendance sheet."""

    occupation = StringField(_l("Occupation"), validators=[Optional(), Length(max=120)])
    priority_group = SelectField(_l("Priority group"), default=PriorityGroup.OTHER.value)
    has_health_insurance = SelectField(
        _l("Has a health insurance card now"), validators=[Optional()]
    )
    interest = RadioField(_l("Interested in"), default=Interest.NONE.value)
    registered_on_spot = BooleanField(_l("Registered on the spot"))
    consent_contact = BooleanField(_l("Agrees to be contacted"))
    notes = StringField(_l("Notes"), validators=[Optional(), Length(max=500)])
    cccd = StringField(_l("CCCD (optional)"), validators=[Optional(), Length(max=20)])

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._choose_from(villages)
        self.interest.choices = Interest.choices()

    def to_input(self) -> AttendeeInput:
        return AttendeeInput(
            full_name=self.full_name.data or "",
            birth_year=self.birth_year.data,
            gender=Gender(self.gender.data) if self.gender.data else None,
            ethnicity=self.ethnicity.data or "",
            village_id=self.village_id.data or None,
            phone=self.phone.data or "",
            occupation=self.occupation.data or "",
            priority_group=PriorityGroup(self.priority_group.data),
            has_health_insurance=yes_no(self.has_health_insurance.data),
            interest=Interest(self.interest.data),
            registered_on_spot=self.registered_on_spot.data,
            consent_contact=self.consent_contact.data,
            notes=self.notes.data or "",
            cccd=self.cccd.data or "",
        )


class PersonForm(VersionFields, PersonFields, PlannerForm):
    """A person's details on their own page."""

    cccd = StringField(_l("CCCD (optional)"), validators=[Optional(), Length(max=20)])
    occupation = StringField(_l("Occupation"), validators=[Optional(), Length(max=120)])
    priority_group = SelectField(_l("Priority group"))
    has_health_insurance = SelectField(
        _l("Has a health insurance card now"), validators=[Optional()]
    )
    consent_contact = BooleanField(_l("Agrees to be contacted"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._choose_from(villages)

    def show(self, person: Person) -> None:
        """Fill the lists and the phone the way the page shows them (the form's `obj` does the
        plain fields)."""
        self.gender.data = person.gender.value if person.gender else ""
        self.village_id.data = person.village_id or 0
        self.priority_group.data = person.priority_group.value
        answers: dict[bool | None, str] = {True: "yes", False: "no", None: ""}
        self.has_health_insurance.data = answers[person.has_health_insurance]
        self.phone.data = display_phone(person.phone) if person.phone else ""

    def values(self) -> dict:
        return {
            "full_name": self.full_name.data or "",
            "birth_year": self.birth_year.data,
            "gender": Gender(self.gender.data) if self.gender.data else None,
            "ethnicity": self.ethnicity.data,
            "village_id": self.village_id.data or None,
            "phone": self.phone.data,
            "cccd": self.cccd.data,
            "occupation": self.occupation.data,
            "priority_group": PriorityGroup(self.priority_group.data),
            "has_health_insurance": yes_no(self.has_health_insurance.data),
            "consent_contact": self.consent_contact.data,
            "notes": self.notes.data,
        }


class AttendanceForm(VersionFields, PlannerForm):
    """What was noted about one person at one session."""

    interest = RadioField(_l("Interested in"))
    registered_on_spot = BooleanField(_l("Registered on the spot"))
    notes = StringField(_l("Notes"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.interest.choices = Interest.choices()


class ImportForm(PlannerForm):
    sheet = FileField(
        _l("Spreadsheet file (XLSX or CSV)"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
    )


class CheckInForm(PlannerForm):
    """The public self check-in form: only what an officer needs to call back."""

    full_name = StringField(
        _l("Your full name"),
        validators=[InputRequired(message=_l("Enter your full name.")), Length(max=120)],
    )
    phone = StringField(_l("Your phone number"), validators=[Optional(), Length(max=30)])
    village_id = SelectField(_l("Your village"), coerce=int, validators=[Optional()])
    interest = RadioField(_l("I would like to know more about"), default=Interest.NONE.value)
    consent_contact = BooleanField(_l("I agree that an officer may contact me about this"))

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.village_id.choices = [
            SelectChoice(0, "—"),
            *[SelectChoice(v.id, v.display_name) for v in villages],
        ]
        self.interest.choices = Interest.choices()


class ConsentCheckForm(PlannerForm):
    """A confirmation box for irreversible actions (erasure)."""

    confirm = BooleanField(
        _l("I understand that this cannot be undone"),
        validators=[InputRequired(message=_l("Tick the box to confirm."))],
    )
