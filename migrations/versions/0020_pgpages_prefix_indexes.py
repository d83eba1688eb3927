"""pgpages: drop two one-column indexes that a longer index begins with

In a nation's PostgreSQL database the planner read a team's open follow-ups through the
one-column follow_up.assigned_to_id index, filtering out the ~900 closed ones of each officer
(1 ms a query), and a period's enrolments through enrolment.office_id, filtering out the
office's other years (~16,000 rows, 1 ms): it rates the order on disk of an index of several
columns lower, so (assigned_to_id, status, due_on) and (office_id, enrolled_on) lost although
they find the rows directly (0.3 and 0.16 ms). Each begins with the dropped index's column, so
it serves every lookup by that column alone too. (A partial index of the open follow-ups would
have done for them, but SQLite prepares again, at each run, every statement that might use a
partial index.)

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

DROPPED = {
    "ix_follow_up_assigned_to_id": ("follow_up", ["assigned_to_id"]),
    "ix_enrolment_office_id": ("enrolment", ["office_id"]),
}


def upgrade():
    for name, (table, _columns) in DROPPED.items():
        op.drop_index(name, table_name=table)


def downgrade():
    for name, (table, columns) in DROPPED.items():
        op.create_index(name, table, columns, unique=False)
