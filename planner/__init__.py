"""The planner application: plan outreach sessions and turn them into enrolments."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from planner import config as defaults
from planner.extensions import babel, csrf, db, limiter, login_manager, migrate

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT_DIR = PACKAGE_DIR.parent


def shipped_folder(name: str) -> Path:
    """templates/, static/ or migrations/: inside the package when installed from a wheel
    (pyproject.toml maps them there), at the top of the checkout otherwise."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else ROOT_DIR / name


TEMPLATES_DIR = shipped_folder("templates")
STATIC_DIR = shipped_folder("static")
MIGRATIONS_DIR = shipped_folder("migrations")
# From a checkout, instance/ sits beside the code; an installed app keeps it where Flask puts an
# installed package's (<prefix>/var/planner-instance), never inside site-packages.
INSTALLED = TEMPLATES_DIR.parent == PACKAGE_DIR


def instance_folder() -> str | None:
    """PLANNER_INSTANCE_PATH, else instance/ in a checkout, else Flask's choice (None)."""
    if os.environ.get("PLANNER_INSTANCE_PATH"):
        return os.environ["PLANNER_INSTANCE_PATH"]
    return None if INSTALLED else str(ROOT_DIR / "instance")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the environment (or test_config)."""
    app = Flask(
        __name__,
        instance_path=instance_folder(),
        instance_relative_config=True,
        template_folder=str(TEMPLATES_DIR),
        static_folder=str(STATIC_DIR),
    )
    configure(app, test_config)
    register_bounds(app)
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_commands(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(defaults)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'planner.db'}"
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env("PLANNER")
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config.get("SESSION_COOKIE_SECURE"):
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
        # Fine for one laptop; `flask check` refuses it for production (each server its own key).
        app.config["SECRET_KEY_GENERATED"] = True
    # With Redis, every server counts login attempts in one place. (A setdefault here never
    # took effect: the defaults already name memory://, so each process counted alone.)
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    # Later catalogs override earlier ones; the core catalog goes last so shared words read the
    # same everywhere (a test also keeps one translation per message across catalogs).
    catalogs = sorted(p for p in (PACKAGE_DIR / "translations").iterdir() if p.is_dir())
    catalogs.sort(key=lambda p: p.name == "core")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(p) for p in catalogs)


def normalise_database_url(url: str) -> str:
    """Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret_key(instance: Path) -> str:
    """Read the secret key kept in instance/, creating it on first run; never committed."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def register_bounds(app: Flask) -> None:
    # Before any blueprint: URL rules pick their converters when they are added.
    from planner import bounds

    bounds.init_app(app)


def register_extensions(app: Flask) -> None:
    from planner import (
        i18n,
        models,  # noqa: F401  (every table registered before Alembic looks)
        text,
    )
    from planner.database import configure_engine

    db.init_app(app)
    text.install()
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.install_template_gettext(app)
    with app.app_context():
        configure_engine(db.engine, postgres_work_mem=app.config["POSTGRES_WORK_MEM"])


def register_blueprints(app: Flask) -> None:
    # A domain's package holds only its blueprint; its views are imported here, so services
    # import each other's domains without a cycle through the views.
    from planner.accounts.routes import bp as accounts_bp
    from planner.audit.routes import bp as audit_bp
    from planner.calendars.routes import bp as calendars_bp
    from planner.enrolments.routes import bp as enrolments_bp
    from planner.followups import (
        calendar,  # noqa: F401  follow-ups join the calendar feeds
        people_events,  # noqa: F401  follow-ups follow merges, erasure
    )
    from planner.followups.routes import bp as followups_bp
    from planner.offline.routes import bp as offline_bp
    from planner.operations import bp as operations_bp
    from planner.people import checkin  # noqa: F401  the public check-in form's views
    from planner.people.routes import bp as people_bp
    from planner.places.routes import bp as places_bp
    from planner.printing.routes import bp as printing_bp
    from planner.rates.routes import bp as rates_bp
    from planner.readback import cli as readback_cli  # noqa: F401  read-sheet, purge-sheet-photos
    from planner.readback.routes import bp as readback_bp
    from planner.results.routes import bp as results_bp
    from planner.sessions.routes import bp as sessions_bp

    for blueprint in (
        accounts_bp,
        places_bp,
        sessions_bp,
        calendars_bp,
        printing_bp,
        rates_bp,
        people_bp,
        readback_bp,
        followups_bp,
        enrolments_bp,
        audit_bp,
        operations_bp,
        results_bp,
        offline_bp,
    ):
        app.register_blueprint(blueprint)


def register_hooks(app: Flask) -> None:
    from planner import compression, operations, static_versions, web

    web.init_app(app)
    static_versions.init_app(app)
    operations.init_app(app)
    # Registered last, so it runs first: the request log and headers see the final answer.
    compression.init_app(app)


def register_commands(app: Flask) -> None:
    from planner import cli

    cli.init_app(app)
