"""Commands: read photos of sheets to JSON; delete photos past their keeping days."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask_babel import force_locale

from planner.errors import PlannerError
from planner.readback import bp, retention
from planner.readback.decoding import decode_upload
from planner.readback.jobs import DEFAULT_MAX_BYTES
from planner.readback.reading import read_page, sheet_page_finder


@bp.cli.command("read-sheet")
@click.argument("photos", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def read_sheet(photos: tuple[str, ...]) -> None:
    """Read photos (or PDFs) of signed attendance sheets and print what was read as JSON."""
    find = sheet_page_finder(None)
    results: list[dict[str, object]] = []
    with force_locale("vi"):
        for photo in photos:
            content = Path(photo).read_bytes()
            try:
                pages = decode_upload(content, Path(photo).name, DEFAULT_MAX_BYTES)
            except PlannerError as error:
                results.append({"file": photo, "error": error.code, "message": error.message})
                continue
            for decoded in pages:
                entry: dict[str, object] = {"file": photo, "pdf_page": decoded.pdf_page}
                try:
                    result = read_page(decoded.image, find, images=False)
                except PlannerError as error:
                    entry |= {"error": error.code, "message": error.message}
                else:
                    entry |= {
                        "page_id": result.located.code,
                        "session_id": result.sheet.version.session_id,
                        "version": result.sheet.version.number,
                        "page": result.sheet.page,
                        "milliseconds": result.milliseconds,
                        "rows": result.as_rows(),
                    }
                results.append(entry)
    click.echo(json.dumps(results, ensure_ascii=False, indent=1))


@bp.cli.command("purge-sheet-photos")
def purge_sheet_photos() -> None:
    """Delete photos and crops of signed sheets kept past their office's number of days."""
    click.echo(f"{retention.purge()} batches purged")
