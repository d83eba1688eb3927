"""readback: batches of photographed attendance sheets, each page read, and how long photos are kept

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 23:55:00

"""
from alembic import op
import sqlalchemy as sa

import planner.timezones


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

BATCH_STATUS = ('queued', 'running', 'done', 'failed', 'confirmed')
OUTCOMES = (
    'read', 'no_sheet', 'marker_missing', 'no_code', 'not_ours', 'other_session',
    'old_version', 'duplicate', 'already_confirmed', 'bad_file',
)


def upgrade():
    op.create_table(
        'reading_batch',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('office_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum(*BATCH_STATUS, name='batchstatus', native_enum=False, length=24), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=500), nullable=False),
        sa.Column('created_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', planner.timezones.UTCDateTime(timezone=True), nullable=True),
        sa.Column('confirmed_at', planner.timezones.UTCDateTime(timezone=True), nullable=True),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('purge_after', planner.timezones.UTCDateTime(timezone=True), nullable=True),
        sa.Column('purged_at', planner.timezones.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['office_id'], ['office.id']),
        sa.ForeignKeyConstraint(['session_id'], ['outreach_session.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('reading_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reading_batch_office_id'), ['office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reading_batch_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reading_batch_purge_after'), ['purge_after'], unique=False)

    op.create_table(
        'page_reading',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.String(length=32), nullable=False),
        sa.Column('office_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('pdf_page', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.Enum(*OUTCOMES, name='pageoutcome', native_enum=False, length=24), nullable=False),
        sa.Column('message', sa.String(length=500), nullable=False),
        sa.Column('sheet_version_id', sa.Integer(), nullable=True),
        sa.Column('page', sa.Integer(), nullable=True),
        sa.Column('rows_json', sa.Text(), nullable=False),
        sa.Column('milliseconds', sa.Integer(), nullable=False),
        sa.Column('confirmed_key', sa.String(length=40), nullable=True),
        sa.Column('created_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['reading_batch.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['office_id'], ['office.id']),
        sa.ForeignKeyConstraint(['sheet_version_id'], ['sheet_version.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('confirmed_key'),
    )
    with op.batch_alter_table('page_reading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_reading_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_reading_office_id'), ['office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_reading_sheet_version_id'), ['sheet_version_id'], unique=False)

    op.create_table(
        'readback_settings',
        sa.Column('office_id', sa.Integer(), nullable=False),
        sa.Column('keep_days', sa.Integer(), server_default='30', nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['office_id'], ['office.id']),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('office_id'),
    )


def downgrade():
    op.drop_table('readback_settings')
    with op.batch_alter_table('page_reading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_reading_sheet_version_id'))
        batch_op.drop_index(batch_op.f('ix_page_reading_office_id'))
        batch_op.drop_index(batch_op.f('ix_page_reading_batch_id'))
    op.drop_table('page_reading')
    with op.batch_alter_table('reading_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reading_batch_purge_after'))
        batch_op.drop_index(batch_op.f('ix_reading_batch_session_id'))
        batch_op.drop_index(batch_op.f('ix_reading_batch_office_id'))
    op.drop_table('reading_batch')
