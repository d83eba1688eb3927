"""printing: offices choose whether pre-filled phone numbers are masked on attendance sheets

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 14:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('print_settings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('mask_phones', sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('print_settings', schema=None) as batch_op:
        batch_op.drop_column('mask_phones')
