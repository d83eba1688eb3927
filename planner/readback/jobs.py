"""Reading a batch of photos as a job, run by planner.jobs: in this process's threads by
default, on RQ workers (queue planner-readback) when a Redis URL is set.

The page follows `done`/`total` (files read / files sent) by polling the batch's JSON.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from planner.accounts.models import User
from planner.errors import PlannerError
from planner.extensions import db
from planner.jobs import READBACK, claim, job_function
from planner.jobs import enqueue as enqueue_job
from planner.readback import retention, storage
from planner.readback.decoding import decode_upload, sniff
from planner.readback.locating import SheetNotFound
from planner.readback.models import BatchStatus, PageOutcome, PageReading, ReadingBatch
from planner.readback.reading import read_page, sheet_page_finder
from planner.readback.review import confirmed_page_key, page_already_confirmed
from planner.sessions.models import OutreachSession
from planner.timezones import now_utc

MAX_FILES = 40
DEFAULT_MAX_BYTES = 25_000_000


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


def max_bytes() -> int:
    """PLANNER_READBACK_MAX_BYTES: the largest photo or PDF accepted, in bytes."""
    config = current_app.config
    return int(
        config.get("PLANNER_READBACK_MAX_BYTES")
        or config.get("READBACK_MAX_BYTES")
        or DEFAULT_MAX_BYTES
    )


def start_reading(user: User, session: OutreachSession, uploads: list[Upload]) -> ReadingBatch:
    """Keep the uploads and queue their reading for `session`; return the batch to follow."""
    if not uploads:
        raise PlannerError(_("Choose at least one photo or PDF of the signed sheet."))
    if len(uploads) > MAX_FILES:
        raise PlannerError(
            ngettext(
                "Send at most %(num)d file at once.",
                "Send at most %(num)d files at once.",
                MAX_FILES,
            )
        )
    limit = max_bytes()
    for upload in uploads:
        # Refused here, so nothing is kept of a batch that cannot be read.
        if len(upload.content) > limit or not sniff(upload.content):
            decode_upload(upload.content, upload.name, limit)
    batch = ReadingBatch(
        id=secrets.token_hex(16),
        office_id=session.office_id,
        session_id=session.id,
        user_id=user.id,
        total=len(uploads),
        purge_after=now_utc() + timedelta(days=retention.keep_days(session.office_id)),
    )
    names = [upload.name[:200] for upload in uploads]
    # Files first, then the row: a database store writes on its own connection, which SQLite
    # would make wait for this session's open write.
    for index, upload in enumerate(uploads):
        storage.save_upload(batch.id, index, upload.content)
    _remember_names(batch.id, names)
    db.session.add(batch)
    db.session.commit()
    enqueue(batch.id)
    return batch


def _remember_names(batch_id: str, names: list[str]) -> None:
    storage.save_names(batch_id, names)


def _names(batch_id: str) -> list[str]:
    return storage.read_names(batch_id)


def enqueue(batch_id: str) -> None:
    """Hand the batch to RQ when a Redis URL is set, else to this process's reading thread."""
    enqueue_job(READBACK, run_batch, batch_id)


@job_function(READBACK)
def run_batch(batch_id: str) -> None:
    """Read every file of a batch (RQ calls this in a worker; the pool in an app context).

    Claimed as a print job is: of two workers handed the batch, one reads it (both used to)."""
    claimed = claim(
        sa.update(ReadingBatch)
        .where(ReadingBatch.id == batch_id, ReadingBatch.status == BatchStatus.QUEUED)
        .values(status=BatchStatus.RUNNING)
    )
    batch = db.session.get(ReadingBatch, batch_id)
    if not claimed or batch is None:
        return None
    db.session.refresh(batch)
    uploads = batch.total
    try:
        with force_locale("vi"):
            _read_all(batch)
    except Exception as error:  # a failed job must say so rather than spin forever
        db.session.rollback()
        current_app.logger.exception("Reading batch %s failed", batch_id, exc_info=error)
        batch = db.session.get_one(ReadingBatch, batch_id)
        batch.status = BatchStatus.FAILED
        with force_locale("vi"):
            batch.error = _("The photos could not be read. Try again, or ask an administrator.")
        batch.finished_at = now_utc()
        db.session.commit()
    storage.drop_uploads(batch_id, uploads)
    # Each reading also deletes the photos other batches kept past their office's days.
    retention.purge()
    return None


def _read_all(batch: ReadingBatch) -> None:
    session = db.session.get_one(OutreachSession, batch.session_id)
    find = sheet_page_finder(batch.office_id, session)
    names = _names(batch.id)
    seen: dict[str, int] = {}
    for index in range(batch.total):
        name = names[index] if index < len(names) else f"#{index + 1}"
        content = storage.read_upload(batch.id, index)
        try:
            pages = decode_upload(content, name, max_bytes())
        except PlannerError as error:
            _add(batch, name, None, PageOutcome.BAD_FILE, error.message)
        else:
            for decoded in pages:
                _read_one(batch, decoded.image, name, decoded.pdf_page, find, seen)
        batch.done = index + 1
        db.session.commit()
    batch.status = BatchStatus.DONE
    batch.finished_at = now_utc()
    db.session.commit()


def _add(batch, name, pdf_page, outcome, message="", **values) -> PageReading:
    reading = PageReading(
        batch_id=batch.id,
        office_id=batch.office_id,
        source=name[:200],
        pdf_page=pdf_page,
        outcome=outcome,
        message=message[:500],
        **values,
    )
    db.session.add(reading)
    db.session.flush()
    return reading


def _read_one(batch, image, name, pdf_page, find, seen: dict[str, int]) -> None:
    try:
        result = read_page(image, find)
    except SheetNotFound as error:
        _add(batch, name, pdf_page, PageOutcome(error.code), error.message)
        return
    except PlannerError as error:
        outcome = (
            PageOutcome(error.code)
            if error.code in PageOutcome._value2member_map_
            else PageOutcome.NOT_OURS
        )
        _add(batch, name, pdf_page, outcome, error.message)
        return
    key = confirmed_page_key(result.sheet.version.id, result.sheet.page)
    common = {"sheet_version_id": result.sheet.version.id, "page": result.sheet.page}
    if key in seen:
        message = _(
            "Page %(page)s was photographed twice; the first photo is used.",
            page=result.sheet.page,
        )
        _add(batch, name, pdf_page, PageOutcome.DUPLICATE, message, **common)
        return
    if page_already_confirmed(key):
        message = _(
            "Page %(page)s of this sheet was already read and confirmed; it is not counted twice.",
            page=result.sheet.page,
        )
        _add(batch, name, pdf_page, PageOutcome.ALREADY_CONFIRMED, message, **common)
        return
    reading = _add(
        batch,
        name,
        pdf_page,
        PageOutcome.READ,
        rows_json=json.dumps(result.as_rows(), separators=(",", ":")),
        milliseconds=result.milliseconds,
        **common,
    )
    seen[key] = reading.id
    # Committed before the pictures are stored, for the same reason as in start_reading.
    db.session.commit()
    if result.overlay is not None:
        storage.save_jpeg(batch.id, f"page-{reading.id}.jpg", result.overlay)
    for row, crop in result.crops.items():
        storage.save_jpeg(batch.id, f"row-{reading.id}-{row}.jpg", crop, quality=85)
