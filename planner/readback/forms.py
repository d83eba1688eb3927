"""Forms of reading back: the photos to send, and how long an office keeps them."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, MultipleFileField
from wtforms.validators import InputRequired, NumberRange

from planner.forms import PlannerForm
from planner.readback.retention import MAX_KEEP_DAYS


class PhotosForm(PlannerForm):
    photos = MultipleFileField(
        _l("Photos of the signed pages, or a PDF"),
        render_kw={"accept": "image/*,application/pdf", "multiple": True},
    )


class ReadbackSettingsForm(PlannerForm):
    keep_days = IntegerField(
        _l("Days photos are kept after confirmation"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_KEEP_DAYS)],
    )
