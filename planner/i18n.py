"""Which language and time zone a request is served in."""

from flask import current_app, has_request_context, request, session


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
