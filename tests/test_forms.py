"""One bridge from a service's error to a form, and one way to hand out a file."""

from wtforms import StringField

from planner.errors import PlannerError
from planner.forms import PlannerForm
from planner.web import file_response


class NameForm(PlannerForm):
    name = StringField()
    phone = StringField()


def test_a_service_error_shows_next_to_the_field_it_names(app):
    with app.test_request_context():
        form = NameForm(meta={"csrf": False})
        form.add_error(PlannerError("Số điện thoại không hợp lệ.", field="phone"), default="name")
        assert form.phone.errors == ["Số điện thoại không hợp lệ."]
        assert not form.name.errors


def test_an_error_naming_no_field_of_the_form_goes_to_the_default_or_above_it(app):
    with app.test_request_context():
        form = NameForm(meta={"csrf": False})
        form.add_error(PlannerError("Chưa chọn xã.", field="commune_id"), default="name")
        form.add_error(PlannerError("Không lưu được."))
        assert form.name.errors == ["Chưa chọn xã."]
        assert form.form_errors == ["Không lưu được."]


def test_a_download_is_an_attachment_no_cache_keeps(app):
    with app.test_request_context():
        response = file_response(b"a,b\n", "nguoi-1.csv", "text/csv")
        assert response.headers["Content-Disposition"] == 'attachment; filename="nguoi-1.csv"'
        assert response.headers["Cache-Control"] == "private, no-store"
        shown = file_response(b"%PDF", "to-roi.pdf", "application/pdf", inline=True)
        assert shown.headers["Content-Disposition"].startswith("inline;")


def test_a_field_without_hint_or_error_has_no_empty_aria_attributes(app):
    with app.test_request_context():
        form = NameForm(meta={"csrf": False})
        html = app.jinja_env.from_string(
            '{% from "macros/forms.html" import field %}{{ field(form.name) }}'
        ).render(form=form)
    assert "None" not in html
    assert "aria-describedby" not in html
    assert "aria-invalid" not in html


def test_a_field_with_hint_and_error_points_at_both(app):
    with app.test_request_context():
        form = NameForm(meta={"csrf": False})
        form.add_error(PlannerError("Chưa nhập tên.", field="name"))
        html = app.jinja_env.from_string(
            '{% from "macros/forms.html" import field %}'
            '{{ field(form.name, hint="Họ và tên", autocomplete="name") }}'
        ).render(form=form)
    assert 'aria-describedby="name-hint name-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'autocomplete="name"' in html
    assert "None" not in html
