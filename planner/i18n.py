"""Which language and time zone a request is served in, and its translations found once."""

from __future__ import annotations

from datetime import tzinfo
from functools import cached_property

from babel import Locale, support
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale, get_timezone
from flask_babel import get_translations as babel_translations


def select_locale() -> str:
    """The language chosen in the header switch, else Vietnamese."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    if request.args.get("lang") in languages:
        return request.args["lang"]
    return default


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


# Flask-Babel finds a request's translations anew for every string: six lookups of `g` through
# its proxy and the locale's name built again, about 20 µs, while translating is 0.3 µs. A page
# translates hundreds of strings, so the answer is kept on the request's Babel state beside the
# locale and domain it was found for. force_locale() and refresh() replace the locale object, so
# a kept answer is used only while its locale (and domain) are the very same objects.
_KEPT = "planner_translations"


def _babel_state() -> object | None:
    """Flask-Babel's per-context namespace, or None outside an app context or before its first
    use (Flask-Babel then creates it)."""
    try:
        return g._get_current_object().__dict__.get("_flask_babel")
    except RuntimeError:
        return None


def _kept(state: object | None, domain: Domain | None) -> support.NullTranslations | None:
    if state is None:
        return None
    kept = state.__dict__.get(_KEPT)
    if (
        kept is not None
        and kept[0] is state.__dict__.get("babel_locale")
        and kept[1] is (domain or state.__dict__.get("babel_domain"))
    ):
        return kept[2]
    return None


def _keep(domain: Domain | None, translations: support.NullTranslations) -> None:
    state = _babel_state()
    if state is not None:
        fields = state.__dict__
        kept_domain = domain or fields.get("babel_domain")
        if fields.get("babel_locale") is not None and kept_domain is not None:
            fields[_KEPT] = (fields["babel_locale"], kept_domain, translations)


def formatting_key() -> tuple[Locale, tzinfo]:
    """The request's locale and time zone: what a formatted date or number depends on besides
    its value (planner/formats.py keeps formatted values under them)."""
    state = _babel_state()
    fields = state.__dict__ if state is not None else {}
    return (
        fields.get("babel_locale") or get_locale(),
        fields.get("babel_tzinfo") or get_timezone(),
    )


class RequestDomain(Domain):
    """Flask-Babel's domain, its translations found once per request and locale."""

    def get_translations(self) -> support.NullTranslations:
        found = _kept(_babel_state(), self)
        if found is None:
            found = super().get_translations()
            _keep(self, found)
        return found


class PlannerBabel(Babel):
    """Babel whose domain keeps each request's translations (`RequestDomain`)."""

    @cached_property
    def domain_instance(self) -> Domain:
        return RequestDomain(domain=self.domain)


def current_translations() -> support.NullTranslations:
    """The request's translations (`flask_babel.get_translations`), for templates' `_()`."""
    found = _kept(_babel_state(), None)
    return found if found is not None else babel_translations()


def install_template_gettext(app: Flask) -> None:
    """Templates translate through `current_translations` (Flask-Babel installs its own)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )
