"""followups: a team's open follow-ups through (officer, status, due day) on PostgreSQL

A team's board counts and pages its officers' open follow-ups. In a nation's database
PostgreSQL read them through the one-column assigned_to_id index and filtered out the closed
ones (~900 rows an officer to keep ~60, 1 ms a query): it rates the order on disk of an index
of several columns lower, so (assigned_to_id, status, due_on) lost although it finds the open
ones directly. That index begins with assigned_to_id and serves every lookup by officer alone,
so the one-column index goes. (A partial index of the open ones would have done too, but
SQLite prepares again every statement that might use a partial index each time it runs.)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 11:30:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_follow_up_assigned_to_id", table_name="follow_up")


def downgrade():
    op.create_index("ix_follow_up_assigned_to_id", "follow_up", ["assigned_to_id"], unique=False)
