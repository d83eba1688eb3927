"""results: targets (office, commune, officer), campaigns with per-commune targets, and the
dated coverage figures of each commune

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 23:27:06.919472

"""
from alembic import op
import sqlalchemy as sa

import planner.timezones


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_campaign_created_by_id_user')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_campaign_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_office_id'), ['office_id'], unique=False)

    op.create_table('commune_coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('with_health_insurance', sa.Integer(), nullable=False),
    sa.Column('with_voluntary_si', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('population >= 0 AND households >= 0 AND with_health_insurance >= 0 AND with_voluntary_si >= 0', name=op.f('ck_commune_coverage_coverage_not_negative')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_commune_coverage_commune_id_commune')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_commune_coverage_office_id_office')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_commune_coverage_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commune_coverage')),
    sa.UniqueConstraint('commune_id', 'as_of', name='uq_commune_coverage_day')
    )
    with op.batch_alter_table('commune_coverage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commune_coverage_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commune_coverage_office_id'), ['office_id'], unique=False)

    op.create_table('target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('metric', sa.Enum('enrolled_voluntary_si', 'enrolled_household_hi', 'reached', 'sessions_held', name='targetmetric', native_enum=False, length=32), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_target_target_days_in_order')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_target_target_value_not_negative')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_target_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_target_commune_id_commune')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_target_created_by_id_user')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_target_office_id_office')),
    sa.ForeignKeyConstraint(['officer_id'], ['user.id'], name=op.f('fk_target_officer_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target'))
    )
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index('ix_target_office_days', ['office_id', 'first_day', 'last_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_office_id'), ['office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_officer_id'), ['officer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_officer_id'))
        batch_op.drop_index(batch_op.f('ix_target_office_id'))
        batch_op.drop_index('ix_target_office_days')
        batch_op.drop_index(batch_op.f('ix_target_commune_id'))
        batch_op.drop_index(batch_op.f('ix_target_campaign_id'))

    op.drop_table('target')
    with op.batch_alter_table('commune_coverage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commune_coverage_office_id'))
        batch_op.drop_index(batch_op.f('ix_commune_coverage_commune_id'))

    op.drop_table('commune_coverage')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_office_id'))

    op.drop_table('campaign')
