"""Follow-ups and their outcomes, enrolments and their credits, and office settings.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:41:09.874287

"""
from alembic import op
import sqlalchemy as sa

import planner.timezones


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('office_settings',
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('follow_up_due_days', sa.Integer(), server_default='3', nullable=False),
    sa.Column('credit_window_days', sa.Integer(), server_default='90', nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_office_settings_office_id_office')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_office_settings_updated_by_id_user')),
    sa.PrimaryKeyConstraint('office_id', name=op.f('pk_office_settings'))
    )
    op.create_table('enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('product', sa.Enum('voluntary_si', 'household_hi', 'both', name='product', native_enum=False, length=24), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.Column('income', sa.BigInteger(), nullable=True),
    sa.Column('priority_group', sa.Enum('poor', 'near_poor', 'ethnic_minority', 'other', name='prioritygroup', native_enum=False, length=24), nullable=True),
    sa.Column('members', sa.Integer(), nullable=True),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('monthly_contribution', sa.BigInteger(), nullable=False),
    sa.Column('monthly_support', sa.BigInteger(), nullable=False),
    sa.Column('monthly_person_pays', sa.BigInteger(), nullable=False),
    sa.Column('period_person_pays', sa.BigInteger(), nullable=False),
    sa.Column('receipt_number', sa.String(length=60), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_enrolment_office_id_office')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_enrolment_person_id_person')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_enrolment_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment'))
    )
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_enrolled_on'), ['enrolled_on'], unique=False)
        batch_op.create_index('ix_enrolment_office_enrolled_on', ['office_id', 'enrolled_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_office_id'), ['office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_person_id'), ['person_id'], unique=False)

    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('attendance_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('product', sa.Enum('voluntary_si', 'household_hi', 'both', name='product', native_enum=False, length=24), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', 'cancelled', name='followupstatus', native_enum=False, length=24), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', planner.timezones.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['user.id'], name=op.f('fk_follow_up_assigned_to_id_user')),
    sa.ForeignKeyConstraint(['attendance_id'], ['attendance.id'], name=op.f('fk_follow_up_attendance_id_attendance'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_follow_up_created_by_id_user')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_follow_up_office_id_office')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_follow_up_person_id_person')),
    sa.ForeignKeyConstraint(['session_id'], ['outreach_session.id'], name=op.f('fk_follow_up_session_id_outreach_session'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up'))
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_assigned_status_due', ['assigned_to_id', 'status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_office_id'), ['office_id'], unique=False)
        batch_op.create_index('ix_follow_up_office_status_due', ['office_id', 'status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_session_id'), ['session_id'], unique=False)

    op.create_table('enrolment_credit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('follow_up_id', sa.Integer(), nullable=True),
    sa.Column('main', sa.Boolean(), nullable=False),
    sa.CheckConstraint('(session_id IS NULL) <> (follow_up_id IS NULL)', name=op.f('ck_enrolment_credit_session_or_follow_up')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_enrolment_credit_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_up.id'], name=op.f('fk_enrolment_credit_follow_up_id_follow_up')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_enrolment_credit_office_id_office')),
    sa.ForeignKeyConstraint(['session_id'], ['outreach_session.id'], name=op.f('fk_enrolment_credit_session_id_outreach_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_credit'))
    )
    with op.batch_alter_table('enrolment_credit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_credit_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_credit_follow_up_id'), ['follow_up_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_credit_office_id'), ['office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_credit_session_id'), ['session_id'], unique=False)

    op.create_table('follow_up_outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('reached', 'no_answer', 'call_back', 'declined', 'enrolled', name='outcomekind', native_enum=False, length=24), nullable=False),
    sa.Column('channel', sa.Enum('call', 'home_visit', name='channel', native_enum=False, length=24), nullable=False),
    sa.Column('call_back_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('product', sa.Enum('voluntary_si', 'household_hi', 'both', name='product', native_enum=False, length=24), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_follow_up_outcome_by_id_user')),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_up.id'], name=op.f('fk_follow_up_outcome_follow_up_id_follow_up'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_follow_up_outcome_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_outcome'))
    )
    with op.batch_alter_table('follow_up_outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_outcome_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_outcome_follow_up_id'), ['follow_up_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_outcome_office_id'), ['office_id'], unique=False)



def downgrade():
    with op.batch_alter_table('follow_up_outcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_outcome_office_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_outcome_follow_up_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_outcome_at'))

    op.drop_table('follow_up_outcome')
    with op.batch_alter_table('enrolment_credit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_credit_session_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_credit_office_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_credit_follow_up_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_credit_enrolment_id'))

    op.drop_table('enrolment_credit')
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_session_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_person_id'))
        batch_op.drop_index('ix_follow_up_office_status_due')
        batch_op.drop_index(batch_op.f('ix_follow_up_office_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_assigned_to_id'))
        batch_op.drop_index('ix_follow_up_assigned_status_due')

    op.drop_table('follow_up')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_person_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_office_id'))
        batch_op.drop_index('ix_enrolment_office_enrolled_on')
        batch_op.drop_index(batch_op.f('ix_enrolment_enrolled_on'))

    op.drop_table('enrolment')
    op.drop_table('office_settings')
