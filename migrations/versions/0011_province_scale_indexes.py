"""people, audit, sessions: indexes and search keys so every page stays fast at a province's size

Name search looks up four folded-name columns by prefix (the whole name, from its second word,
from its third, its last word), each through an index; phones and the name-year-village key of
likely duplicates are walked through office indexes a page at a time; the audit trail is read
newest first through (office_id, at, id); an officer's co-facilitated sessions through
session_facilitator.user_id. Existing people get their keys here. ANALYZE at the end gives the
planner statistics (SQLite has none until asked, and then ignores the office indexes).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

KEYS = ('name_key_2', 'name_key_3', 'name_key_last')
PERSON_INDEXES = {
    'ix_person_office_name_key_2': ['office_id', 'name_key_2'],
    'ix_person_office_name_key_3': ['office_id', 'name_key_3'],
    'ix_person_office_name_key_last': ['office_id', 'name_key_last'],
    'ix_person_office_phone': ['office_id', 'phone', 'confirmed', 'erased_at'],
    'ix_person_office_details': [
        'office_id', 'name_key', 'birth_year', 'village_id', 'confirmed', 'erased_at'
    ],
}


def _search_keys(name_key):
    # A copy of planner.people.models.name_search_keys as it was when this migration was written.
    words = (name_key or '').split()
    return (' '.join(words[1:]), ' '.join(words[2:]), words[-1] if len(words) > 1 else '')


def upgrade():
    # Plain ADD COLUMN on both engines: a batch copy of `person` on SQLite would trip the
    # foreign keys pointing at it once people exist. The '' default fills existing rows (and
    # stays: the app always writes the keys with the name).
    for key in KEYS:
        op.add_column(
            'person', sa.Column(key, sa.String(length=120), nullable=False, server_default='')
        )
    connection = op.get_bind()
    person = sa.table(
        'person', sa.column('id', sa.Integer), sa.column('name_key', sa.String),
        *(sa.column(k, sa.String) for k in KEYS),
    )
    rows = connection.execute(sa.select(person.c.id, person.c.name_key)).all()
    updates = [
        {'pid': pid, **dict(zip(KEYS, _search_keys(name_key)))} for pid, name_key in rows
    ]
    if updates:
        connection.execute(
            person.update()
            .where(person.c.id == sa.bindparam('pid'))
            .values({k: sa.bindparam(k) for k in KEYS}),
            updates,
        )
    for name, columns in PERSON_INDEXES.items():
        op.create_index(name, 'person', columns, unique=False)
    op.create_index('ix_audit_entry_office_at', 'audit_entry', ['office_id', 'at', 'id'])
    op.create_index('ix_session_facilitator_user_id', 'session_facilitator', ['user_id'])
    op.create_index(
        'ix_attendance_office_confirmed_person', 'attendance', ['office_id', 'confirmed', 'person_id']
    )
    op.execute('ANALYZE')


def downgrade():
    op.drop_index('ix_attendance_office_confirmed_person', table_name='attendance')
    op.drop_index('ix_session_facilitator_user_id', table_name='session_facilitator')
    op.drop_index('ix_audit_entry_office_at', table_name='audit_entry')
    for name in reversed(list(PERSON_INDEXES)):
        op.drop_index(name, table_name='person')
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of `person` would trip the foreign keys
    # of attendance and follow-ups that point at it once people exist.
    for key in reversed(KEYS):
        op.drop_column('person', key)
