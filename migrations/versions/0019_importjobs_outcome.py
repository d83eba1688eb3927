"""importjobs: what a spreadsheet import run as a job found, kept on its job row

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 06:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_json', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_column('outcome_json')
