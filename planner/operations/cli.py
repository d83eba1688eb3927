"""flask commands for operators: check, backup, restore."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from planner.errors import PlannerError
from planner.operations import backup as backups
from planner.operations.checks import production_findings


def init_app(app: Flask) -> None:
    app.cli.add_command(check_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("check")
@click.option("--workers", default=1, type=int, help="How many server processes will run.")
def check_command(workers: int) -> None:
    """Refuse a production start with unsafe settings (exit code 1 and what to change)."""
    findings = production_findings(current_app, workers=workers)
    for finding in findings:
        click.echo(f"✗ [{finding.code}] {finding.message}", err=True)
    if findings:
        raise SystemExit(1)
    click.echo("✓ Settings are safe for production.")


@click.command("backup")
@click.argument("destination", type=click.Path(path_type=Path))
def backup_command(destination: Path) -> None:
    """Write a consistent copy of the live database to DESTINATION (a new file)."""
    try:
        backups.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], destination)
    except PlannerError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Backup written to {destination}.")


@click.command("restore")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a database that holds data.")
def restore_command(source: Path, replace: bool) -> None:
    """Put the backup SOURCE into the configured database (empty unless --replace)."""
    try:
        backups.restore(source, current_app.config["SQLALCHEMY_DATABASE_URI"], replace=replace)
    except PlannerError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Restored {source}.")
