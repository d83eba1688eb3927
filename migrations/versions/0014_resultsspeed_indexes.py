"""results: indexes so the dashboard counts a year of a province from indexes alone

A period's reach is read through its sessions from one covering attendance index (session,
confirmed, person, interest); follow-ups due in a period through (office, due day, status); a
follow-up's first contact through (follow-up, at); the contacts of a period through (office,
at, kind, follow-up), which a nation's database needs (the plain `at` index mixes offices).
ANALYZE at the end gives the planner statistics for them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 03:00:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_attendance_session_reach": (
        "attendance",
        [
            "session_id",
            "confirmed",
            "person_id",
            "interested_voluntary_si",
            "interested_household_hi",
        ],
    ),
    "ix_follow_up_office_due": ("follow_up", ["office_id", "due_on", "status"]),
    "ix_follow_up_outcome_follow_up_at": ("follow_up_outcome", ["follow_up_id", "at"]),
    "ix_follow_up_outcome_office_at": (
        "follow_up_outcome",
        ["office_id", "at", "kind", "follow_up_id"],
    ),
}


def upgrade():
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=False)
    op.execute("ANALYZE")


def downgrade():
    for name, (table, _columns) in reversed(list(INDEXES.items())):
        op.drop_index(name, table_name=table)
