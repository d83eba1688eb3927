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


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the environment (or test_config)."""
    app = Flask(
        __name__,
        instance_path=str(ROOT_DIR / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT_DIR / "templates"),
        static_folder=str(ROOT_DIR / "static"),
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
    if app.config.get("REDIS_URL") and not test_config:
        app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
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
    )
    from planner.database import configure_engine

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT_DIR / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    with app.app_context():
        configure_engine(db.engine)


def register_blueprints(app: Flask) -> None:
    from planner.accounts import bp as accounts_bp
    from planner.audit import bp as audit_bp
    from planner.calendars import bp as calendars_bp
    from planner.enrolments import bp as enrolments_bp
    from planner.followups import bp as followups_bp
    from planner.people import bp as people_bp
    from planner.places import bp as places_bp
    from planner.printing import bp as printing_bp
    from planner.rates import bp as rates_bp
    from planner.sessions import bp as sessions_bp

    for blueprint in (
        accounts_bp,
        places_bp,
        sessions_bp,
        calendars_bp,
        printing_bp,
        rates_bp,
        people_bp,
        followups_bp,
        enrolments_bp,
        audit_bp,
    ):
        app.register_blueprint(blueprint)


def register_hooks(app: Flask) -> None:
    from planner import web

    web.init_app(app)


def register_commands(app: Flask) -> None:
    from planner import cli

    cli.init_app(app)
