"""flask commands: prepare (used by `make run`), create-user and demo-data."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask_migrate import upgrade

from planner.accounts.models import Office, User
from planner.accounts.services import create_user
from planner.database import refresh_statistics
from planner.demo import DEMO_PASSWORD, DEMO_USERS, load_demo_data
from planner.enums import Role
from planner.errors import PlannerError
from planner.extensions import db
from planner.printing.flyer import flyer_bodies_to_prepare, prepare_flyer_body
from planner.printing.talking_points import seed_talking_points
from planner.rates.services import seed_national_rates


def init_app(app: Flask) -> None:
    from planner.operations import cli as operations_cli

    operations_cli.init_app(app)
    app.cli.add_command(prepare)
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(rates_group)


@click.command("prepare")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def prepare(host: str, port: int) -> None:
    """Upgrade the database, load demo data on first run, and say how to log in."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    refresh_statistics(db.engine)
    added = seed_national_rates()
    seed_talking_points()
    db.session.commit()
    if added:
        click.echo(f"Loaded {added} national rates.")
    if db.session.scalar(sa.select(sa.func.count(User.id))) == 0:
        load_demo_data()
        db.session.commit()
        click.echo("Loaded demo data.")
    prepared = prepare_flyer_bodies()
    if prepared:
        click.echo(f"Prepared {prepared} flyer bodies for the coming weeks' sessions.")
    click.echo(f"\nPlanner is at http://{host}:{port}/")
    demo = db.session.scalars(
        sa.select(User).where(User.username.in_([u[0] for u in DEMO_USERS]))
    ).all()
    if demo:
        click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
        for user in sorted(demo, key=lambda u: (u.role != Role.ADMIN, u.role != Role.SUPERVISOR)):
            click.echo(f"  {user.username:<12} {user.role.value:<11} {user.full_name}")
    click.echo("")


def prepare_flyer_bodies() -> int:
    """Render the flyer bodies every office's coming sessions need (the server does it after
    each change; this covers data loaded from elsewhere)."""
    prepared = 0
    for office_id in db.session.scalars(sa.select(Office.id)).all():
        for session in flyer_bodies_to_prepare(office_id):
            prepare_flyer_body(session)
            prepared += 1
    return prepared


@click.command("create-user")
@click.option("--username", prompt=True)
@click.option("--full-name", prompt=True)
@click.option("--office", "office_name", prompt=True, help="Office name; created if new.")
@click.option("--province", default="", help="Province of a new office.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.ADMIN.value,
    show_default=True,
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(
    username: str, full_name: str, office_name: str, province: str, role: str, password: str
) -> None:
    """Create a user (by default the first administrator) of an office."""
    office = db.session.scalar(sa.select(Office).where(Office.name == office_name))
    if office is None:
        office = Office(name=office_name, province=province or office_name)
        db.session.add(office)
    try:
        user = create_user(office, username, full_name, password, role=role)
        db.session.commit()
    except PlannerError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Created {user.role.value} {user.username} in {office.name}.")


@click.command("demo-data")
def demo_data_command() -> None:
    """Load the demo offices, places, officers and two weeks of sessions into an empty database."""
    if db.session.scalar(sa.select(sa.func.count(Office.id))):
        raise click.ClickException(
            "The database already has data; demo data goes into an empty one."
        )
    seed_national_rates()
    load_demo_data()
    db.session.commit()
    click.echo("Loaded demo data.")


@click.group("rates")
def rates_group() -> None:
    """National figures: set by decree for the whole country, loaded here, not on a screen."""


@rates_group.command("load")
@click.argument("table", required=False, type=click.Path(exists=True, dir_okay=False))
def load_rates_command(table: str | None) -> None:
    """Load the new rows of a decree table (CSV: key,valid_from,value,source; default: the one
    shipped with the app). Existing rows stay; every office's flyers are prepared again."""
    from pathlib import Path

    from planner.errors import PlannerError
    from planner.rates.services import NATIONAL_RATES_FILE
    from planner.signals import printed_matter_changed

    try:
        added = seed_national_rates(Path(table) if table else NATIONAL_RATES_FILE)
        db.session.commit()
    except (PlannerError, ValueError, KeyError) as error:
        db.session.rollback()
        raise click.ClickException(f"The table was not loaded: {error}") from error
    if added:
        # A print job names who asked: each office's first administrator, for whom it is ready.
        admins = db.session.execute(
            sa.select(User.office_id, sa.func.min(User.id))
            .where(User.role == Role.ADMIN, User.active.is_(True))
            .group_by(User.office_id)
        ).all()
        for office_id, admin_id in admins:
            printed_matter_changed.send(office_id, user_id=admin_id)
    click.echo(f"Loaded {added} national rates.")
