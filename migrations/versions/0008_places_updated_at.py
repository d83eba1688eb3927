"""places: communes, villages, venues and partners remember when they were last changed

Calendar feeds take the latest of these into their ETag, so a renamed venue reaches the
officers' calendars. Rows from before stay NULL until their next edit.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 14:45:00

"""
from alembic import op
import sqlalchemy as sa

import planner.timezones


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TABLES = ('commune', 'village', 'venue', 'partner')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('updated_at', planner.timezones.UTCDateTime(timezone=True), nullable=True)
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('updated_at')
