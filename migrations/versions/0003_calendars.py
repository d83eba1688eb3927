"""Calendars: subscription feeds (stored by token hash) and blocked days

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:41:01.504994

"""
from alembic import op
import sqlalchemy as sa

import planner.timezones


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('blocked_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('created_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_blocked_day_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocked_day')),
    sa.UniqueConstraint('office_id', 'day', name='uq_blocked_day_office_day')
    )
    with op.batch_alter_table('blocked_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocked_day_office_id'), ['office_id'], unique=False)

    op.create_table('calendar_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('include_followups', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.Column('token_created_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_calendar_feed_commune_id_commune'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_calendar_feed_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_calendar_feed_office_id_office')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_calendar_feed_team_id_team'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_calendar_feed_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash'))
    )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_office_id'), ['office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_feed_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feed_user_id'))
        batch_op.drop_index(batch_op.f('ix_calendar_feed_office_id'))

    op.drop_table('calendar_feed')
    with op.batch_alter_table('blocked_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blocked_day_office_id'))

    op.drop_table('blocked_day')
