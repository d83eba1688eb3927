"""What printing keeps: talking points, print settings, sheet versions and print jobs."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from planner.enums import Language, Topic, enum_column
from planner.extensions import Model
from planner.timezones import UTCDateTime, now_utc


class TalkingPoint(Model):
    """What an officer says about one topic in one language (nội dung tuyên truyền).

    office_id is empty for the defaults shipped with the app; an office's own text replaces them.
    The body is plain text with a tiny markup (see printing.markup); it is never raw HTML.
    """

    __tablename__ = "talking_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("office.id"), index=True)
    topic: Mapped[Topic] = mapped_column(enum_column(Topic))
    language: Mapped[Language] = mapped_column(enum_column(Language))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    __table_args__ = (
        sa.UniqueConstraint("office_id", "topic", "language", name="uq_talking_point"),
    )


class PrintSettings(Model):
    """How one office prints: the flyer's paper, the sheet columns it hides, spare rows."""

    __tablename__ = "print_settings"

    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), primary_key=True)
    # "a4": one flyer per A4 page; "a5x2": two A5 flyers side by side on one A4 sheet.
    flyer_layout: Mapped[str] = mapped_column(sa.String(8), default="a5x2")
    # Comma-separated keys of attendance sheet columns the office does not use.
    hidden_columns: Mapped[str] = mapped_column(sa.String(300), default="")
    # Blank rows added after the expected attendance, for people nobody expected.
    spare_rows: Mapped[int] = mapped_column(default=5)
    # Pre-filled phone numbers print as 0••• ••• 678: sheets pass from hand to hand.
    mask_phones: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    @property
    def hidden(self) -> set[str]:
        return {key for key in self.hidden_columns.split(",") if key}


class SheetVersion(Model):
    """One printed version of a session's attendance sheet and where its boxes are on paper.

    The layout (JSON, millimetres from the top-left corner of each page) is what a later reader
    of a phone photo needs: corner markers, the QR code and every tick box of every row.
    """

    __tablename__ = "sheet_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outreach_session.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    # What was printed (rows, columns, session details), so an unchanged sheet keeps its version.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    pdf_key: Mapped[str] = mapped_column(sa.String(64), default="")
    page_count: Mapped[int] = mapped_column(default=0)
    layout_json: Mapped[str] = mapped_column(sa.Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    __table_args__ = (
        sa.UniqueConstraint("session_id", "number", name="uq_sheet_version_number"),
        sa.Index("ix_sheet_version_session_hash", "session_id", "content_hash"),
    )

    @property
    def layout(self) -> dict:
        return json.loads(self.layout_json or "{}")


class JobKind(StrEnum):
    """What a job does: the week's packet, flyer bodies ahead of need, results reports, imports."""

    PACKET = "packet"
    FLYER_BODIES = "flyer_bodies"
    # The results domain runs its long exports on the same job rows (planner/results/jobs.py).
    RESULTS_REPORT = "results_report"
    RESULTS_EXPORT = "results_export"
    # Spreadsheet imports over a size (planner/import_jobs.py) run on the same rows too.
    ATTENDANCE_IMPORT = "attendance_import"
    COVERAGE_IMPORT = "coverage_import"


class JobStatus(StrEnum):
    """Where a print job is; the job page's script reads the same values."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PrintJob(Model):
    """A long render (the week's packet) running in the background, with its progress."""

    __tablename__ = "print_job"

    # Random, so a job's address cannot be guessed; the office check still applies.
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    kind: Mapped[JobKind] = mapped_column(enum_column(JobKind, length=20))
    params_json: Mapped[str] = mapped_column(sa.Text, default="{}")
    status: Mapped[JobStatus] = mapped_column(
        enum_column(JobStatus, length=10), default=JobStatus.QUEUED
    )
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=1)
    pdf_key: Mapped[str] = mapped_column(sa.String(64), default="")
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the worker when it starts and after each document: a running job whose heartbeat
    # stopped (its worker was killed) is marked failed and can be retried (printing/jobs.py).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by each retry: a worker from an earlier attempt that wakes up writes nothing.
    attempt: Mapped[int] = mapped_column(default=1, server_default="1")
    # What an import job found (planner/import_jobs.py), written in the import's transaction.
    outcome_json: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    @property
    def params(self) -> dict:
        return json.loads(self.params_json or "{}")

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(99, int(100 * self.done / self.total)) if self.total else 0
