"""offline: entries made on a phone without signal, recorded once per user and key

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 02:45:00

"""
from alembic import op
import sqlalchemy as sa

import planner.timezones


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

KINDS = ('attendance', 'outcome', 'held')


def upgrade():
    op.create_table(
        'offline_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.Enum(*KINDS, name='entrykind', native_enum=False, create_constraint=False, length=24), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('message', sa.String(length=500), nullable=False),
        sa.Column('created_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_offline_entry_office_id_office')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_offline_entry_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_entry')),
        sa.UniqueConstraint('user_id', 'key', name='uq_offline_entry_user_key'),
    )
    with op.batch_alter_table('offline_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_entry_office_id'), ['office_id'], unique=False)


def downgrade():
    with op.batch_alter_table('offline_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_entry_office_id'))
    op.drop_table('offline_entry')
