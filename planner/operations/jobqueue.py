"""How many background jobs wait and run, for metrics and readiness."""

from __future__ import annotations

import sqlalchemy as sa

from planner.extensions import db
from planner.printing.models import PrintJob


def jobs_by_status() -> dict[tuple[str, str], int]:
    """{(kind, status): count} over unfinished jobs, one grouped query."""
    rows = db.session.execute(
        sa.select(PrintJob.kind, PrintJob.status, sa.func.count())
        .where(PrintJob.status.in_(("queued", "running")))
        .group_by(PrintJob.kind, PrintJob.status)
    )
    return {(kind, status): count for kind, status, count in rows}
