"""Every string a person sees has a Vietnamese translation, and dates read the Vietnamese way."""

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from babel.messages.pofile import read_po

from planner import create_app

ROOT = Path(__file__).resolve().parent.parent


def catalogs() -> dict[str, str]:
    merged: dict[str, str] = {}
    for po in sorted((ROOT / "planner" / "translations").glob("*/vi/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            for message in read_po(f):
                if message.id and not message.fuzzy:
                    key = message.id[0] if isinstance(message.id, tuple) else message.id
                    text = (
                        message.string[0] if isinstance(message.string, tuple) else message.string
                    )
                    if text:
                        merged[key] = text
    return merged


def test_every_visible_string_has_a_vietnamese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "planner",
            "templates",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(f) if m.id}
    missing = sorted(wanted - catalogs().keys())
    assert missing == []


def test_catalogs_compile_without_errors():
    for po in (ROOT / "planner" / "translations").glob("*/vi/LC_MESSAGES/messages.po"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "compile",
                "-i",
                str(po),
                "-o",
                "/dev/null",
                "-l",
                "vi",
            ],
            capture_output=True,
            text=True,
        )
        assert "error" not in result.stderr.lower(), result.stderr


def test_dates_are_formatted_for_the_chosen_language(app):
    from flask_babel import force_locale, format_date

    with app.test_request_context():
        with force_locale("vi"):
            assert format_date(date(2026, 11, 29), "EEEE dd/MM/yyyy") == "Chủ Nhật 29/11/2026"
        with force_locale("en"):
            assert format_date(date(2026, 11, 29), "EEEE dd/MM/yyyy") == "Sunday 29/11/2026"


def test_times_are_shown_in_vietnam_time(app):
    from datetime import UTC, datetime

    from flask_babel import format_time

    with app.test_request_context():
        assert format_time(datetime(2026, 11, 29, 0, 30, tzinfo=UTC), "HH:mm") == "07:30"


def test_the_app_starts_without_instance_config(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "x"}
    )
    assert app.config["BABEL_DEFAULT_LOCALE"] == "vi"


def test_a_message_reads_the_same_in_every_catalog(tmp_path):
    """Catalogs are merged, so two translations of one message would depend on load order."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "planner",
            "templates",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        used = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(f) if m.id}
    seen: dict[str, dict[str, str]] = {}
    for po in sorted((ROOT / "planner" / "translations").glob("*/vi/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            for message in read_po(f):
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                text = message.string[0] if isinstance(message.string, tuple) else message.string
                if key in used and text:
                    seen.setdefault(key, {})[po.parts[-4]] = text
    differing = {k: v for k, v in seen.items() if len(set(v.values())) > 1}
    assert differing == {}


# A count in a message: a placeholder the code names n, num or count, or any number formatted
# as an integer (%(x)d). Numbers that are not counts are named for what they are (a page, a row,
# a member's position, a record's id), so they are not taken for one.
COUNT_PLACEHOLDER = re.compile(r"%\((?:n|num|count)\)[sd]|%\(\w+\)d|\{(?:n|num|count)\}")
# Messages with a count that are not ours to make plural, each with the reason.
NOT_OURS = {
    # WTForms' Length validator asks for it with gettext (its own msgid); the one-bound forms
    # ("at least", "longer than") it asks with ngettext, and those are plural entries.
    "Field must be between %(min)d and %(max)d characters long.",
}


def test_every_count_in_a_message_goes_through_plural_forms(tmp_path):
    """A count needs ngettext, whose English has a form for one (never "1 people" or "1
    members"), and a plural entry, in the code as extracted and in every catalog."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            *(sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"),
            *("-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "planner", "templates"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    sources = [pot, *sorted((ROOT / "planner" / "translations").glob("*/vi/LC_MESSAGES/*.po"))]
    singular = []
    for source in sources:
        with source.open("rb") as f:
            for message in read_po(f):
                if (
                    message.id
                    and not message.pluralizable
                    and COUNT_PLACEHOLDER.search(message.id)
                    and message.id not in NOT_OURS
                ):
                    singular.append((source.parts[-4] if source != pot else "code", message.id))
    assert singular == []


def test_every_form_speaks_the_users_language():
    """Forms derive from PlannerForm, whose WTForms messages are translated (WTForms has no vi)."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "planner").rglob("*.py")
        if path.name != "forms.py" or path.parent.name != "planner"
        if "(FlaskForm)" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_a_page_finds_its_translations_once_not_per_string(app, monkeypatch):
    # Finding a request's translations costs about 20 µs through Flask-Babel, translating 0.3 µs;
    # a list page translates hundreds of strings.
    from flask import render_template_string
    from flask_babel import Domain, gettext

    found = []
    babel_lookup = Domain.get_translations

    def counted(self):
        found.append(1)
        return babel_lookup(self)

    monkeypatch.setattr(Domain, "get_translations", counted)
    with app.test_request_context():
        words = [gettext("Village") for _ in range(3)]
        page = render_template_string("{% for i in range(3) %}{{ _('Village') }} {% endfor %}")
    assert words == ["Thôn, bản"] * 3
    assert page == "Thôn, bản " * 3
    assert len(found) == 1


def test_a_forced_language_is_used_inside_and_left_after_with_kept_translations(app):
    from flask import render_template_string
    from flask_babel import force_locale, gettext

    with app.test_request_context():
        assert gettext("Village") == "Thôn, bản"
        with force_locale("en"):
            assert gettext("Village") == "Village"
            assert render_template_string("{{ _('Village') }}") == "Village"
        assert gettext("Village") == "Thôn, bản"
        assert render_template_string("{{ _('Village') }}") == "Thôn, bản"


def test_a_date_formatted_once_is_kept_per_language(app):
    # planner.formats keeps formatted values: the same day asked in another language is new.
    from flask_babel import force_locale

    from planner.formats import shown_date, shown_money

    with app.test_request_context():
        for _ in range(2):
            with force_locale("vi"):
                assert shown_date(date(2026, 11, 29), "full") == "Chủ Nhật, 29/11/2026"
                assert shown_money(1234000) == "1.234.000 ₫"
            with force_locale("en"):
                assert shown_date(date(2026, 11, 29), "full") == "Sunday, 29/11/2026"
                assert shown_money(1234000) == "1,234,000 ₫"
