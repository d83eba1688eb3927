"""What reading back keeps: a batch of uploaded photos, each page read, and office settings.

Photos, the drawn-over copy and the crops of handwritten cells live in the app's store (see
`readback.storage`, keys `readback/<batch id>/…`), deleted `keep_days` after confirmation (or
after an unconfirmed batch's creation) by `retention.purge`.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.enums import LABELS, LabelledEnum, enum_column
from planner.extensions import Model
from planner.timezones import UTCDateTime, now_utc

DEFAULT_KEEP_DAYS = 30


class BatchStatus(LabelledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # read; waiting for the officer's review
    FAILED = "failed"
    CONFIRMED = "confirmed"


class PageOutcome(LabelledEnum):
    """What became of one photo or PDF page."""

    READ = "read"
    NO_SHEET = "no_sheet"  # no markers, no code: not a sheet
    MARKER_MISSING = "marker_missing"  # cut off or hidden: take it again
    NO_CODE = "no_code"  # blurred: the QR code cannot be read
    NOT_OURS = "not_ours"  # another office's sheet, or not a planner sheet at all
    OTHER_SESSION = "other_session"
    OLD_VERSION = "old_version"
    DUPLICATE = "duplicate"  # the same page twice in this batch
    ALREADY_CONFIRMED = "already_confirmed"  # confirmed from an earlier batch
    BAD_FILE = "bad_file"  # not a picture, too large


LABELS.update(
    {
        BatchStatus.QUEUED: _l("Waiting"),
        BatchStatus.RUNNING: _l("Reading"),
        BatchStatus.DONE: _l("Read, to review"),
        BatchStatus.FAILED: _l("Failed"),
        BatchStatus.CONFIRMED: _l("Confirmed"),
        PageOutcome.READ: _l("Read"),
        PageOutcome.NO_SHEET: _l("No sheet"),
        PageOutcome.MARKER_MISSING: _l("Corner not visible"),
        PageOutcome.NO_CODE: _l("Code unreadable"),
        PageOutcome.NOT_OURS: _l("Not this office's sheet"),
        PageOutcome.OTHER_SESSION: _l("Another session"),
        PageOutcome.OLD_VERSION: _l("Old version"),
        PageOutcome.DUPLICATE: _l("Photographed twice"),
        PageOutcome.ALREADY_CONFIRMED: _l("Already confirmed"),
        PageOutcome.BAD_FILE: _l("Unreadable file"),
    }
)


class ReadingBatch(Model):
    """The photos an officer sent for one session at once, read as one job, confirmed once."""

    __tablename__ = "reading_batch"

    # Random, so a batch's address cannot be guessed; the office check still applies.
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outreach_session.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    status: Mapped[BatchStatus] = mapped_column(
        enum_column(BatchStatus), default=BatchStatus.QUEUED
    )
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=1)
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # Photos and crops are deleted after this moment; set on creation and again on confirmation.
    purge_after: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    pages: Mapped[list[PageReading]] = relationship(
        back_populates="batch", order_by="PageReading.id", cascade="all, delete-orphan"
    )

    @property
    def percent(self) -> int:
        if self.status in (BatchStatus.DONE, BatchStatus.CONFIRMED):
            return 100
        return min(99, int(100 * self.done / self.total)) if self.total else 0


class PageReading(Model):
    """One photo (or PDF page) of a batch: which sheet page it is and what was read on it."""

    __tablename__ = "page_reading"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(
        sa.ForeignKey("reading_batch.id", ondelete="CASCADE"), index=True
    )
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    pdf_page: Mapped[int | None]
    outcome: Mapped[PageOutcome] = mapped_column(enum_column(PageOutcome))
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    sheet_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sheet_version.id", ondelete="SET NULL"), index=True
    )
    page: Mapped[int | None]
    # Rows read: [{"row", "signature", "handwriting", "boxes": {column: mark}, "person_id"}]
    rows_json: Mapped[str] = mapped_column(sa.Text, default="[]")
    milliseconds: Mapped[int] = mapped_column(default=0)
    # "<sheet version id>-<page>" once confirmed: a page's reading is confirmed once.
    confirmed_key: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    batch: Mapped[ReadingBatch] = relationship(back_populates="pages")

    @property
    def rows(self) -> list[dict]:
        return json.loads(self.rows_json or "[]")


class ReadbackSettings(Model):
    """How long an office keeps photos of signed sheets after confirming them."""

    __tablename__ = "readback_settings"

    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), primary_key=True)
    keep_days: Mapped[int] = mapped_column(
        default=DEFAULT_KEEP_DAYS, server_default=str(DEFAULT_KEEP_DAYS)
    )
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
