"""people: folded names for matching, and officers' "not the same person" decisions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:40:43.492902

"""
import unicodedata

from alembic import op
import sqlalchemy as sa

import planner.timezones


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def fold_name(name):
    text = unicodedata.normalize("NFD", (name or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())[:120]


def upgrade():
    op.create_table('distinct_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', planner.timezones.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_distinct_people_decided_by_id_user')),
    sa.ForeignKeyConstraint(['first_id'], ['person.id'], name=op.f('fk_distinct_people_first_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_distinct_people_office_id_office')),
    sa.ForeignKeyConstraint(['second_id'], ['person.id'], name=op.f('fk_distinct_people_second_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distinct_people')),
    sa.UniqueConstraint('first_id', 'second_id', name='uq_distinct_people_pair')
    )
    with op.batch_alter_table('distinct_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distinct_people_office_id'), ['office_id'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=120), nullable=False, server_default=''))
        batch_op.create_index('ix_person_office_name_key', ['office_id', 'name_key'], unique=False)

    # Fill the key for people saved before this revision (the model's folding, copied here so
    # the migration keeps working if the model changes).
    bind = op.get_bind()
    person = sa.table('person', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                      sa.column('name_key', sa.String))
    for ident, name in bind.execute(sa.select(person.c.id, person.c.full_name)).all():
        bind.execute(person.update().where(person.c.id == ident).values(name_key=fold_name(name)))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_office_name_key')
        batch_op.drop_column('name_key')

    with op.batch_alter_table('distinct_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distinct_people_office_id'))

    op.drop_table('distinct_people')
