"""files: every stored text in Unicode NFC (decomposed Vietnamese from CSV imports, macOS and
some phone keyboards composed, as planner/text.py now keeps all new text)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 03:10:00

Every table's text columns are read in batches by primary key and only rows whose text changes
are written, on SQLite and PostgreSQL alike. Two rows that differed only in their composition
would be the same after it; where a unique constraint refuses that, the later row keeps that
column's text (its other columns are composed) and is named in the migration's output, for an administrator to merge by hand.
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BATCH = 1000


def _text_columns(table):
    return [
        column for column in table.columns
        if isinstance(column.type, sa.String) and not column.primary_key
    ]


def _changes(rows, keys, columns):
    for row in rows:
        values = {}
        for column in columns:
            value = row._mapping[column.name]
            if isinstance(value, str) and not unicodedata.is_normalized('NFC', value):
                values[column.name] = unicodedata.normalize('NFC', value)
        if values:
            yield {f'pk_{k.name}': row._mapping[k.name] for k in keys}, values


def _update(bind, table, keys, key_values, values):
    bind.execute(
        table.update()
        .where(*[k == sa.bindparam(f'pk_{k.name}') for k in keys])
        .values(**values),
        key_values,
    )


def _normalise_table(bind, table):
    keys = list(table.primary_key.columns)
    columns = _text_columns(table)
    if not keys or not columns:
        return
    last = None
    while True:
        query = sa.select(*keys, *columns).order_by(*keys).limit(BATCH)
        if last is not None:
            query = query.where(sa.tuple_(*keys) > sa.tuple_(*[sa.literal(v) for v in last]))
        rows = bind.execute(query).all()
        if not rows:
            return
        last = tuple(rows[-1]._mapping[k.name] for k in keys)
        for key_values, values in _changes(rows, keys, columns):
            if _try_update(bind, table, keys, key_values, values):
                continue
            # A unique constraint refused the row: compose each column it allows.
            for name, value in values.items():
                if not _try_update(bind, table, keys, key_values, {name: value}):
                    print(f'{table.name} {key_values} {name}: kept as it was, it would'
                          ' duplicate another row')


def _try_update(bind, table, keys, key_values, values):
    savepoint = bind.begin_nested()
    try:
        _update(bind, table, keys, key_values, values)
    except sa.exc.IntegrityError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def upgrade():
    bind = op.get_bind()
    metadata = sa.MetaData()
    metadata.reflect(bind=bind)
    for table in metadata.sorted_tables:
        if table.name != 'alembic_version':
            _normalise_table(bind, table)


def downgrade():
    # NFC is the same text; the decomposed spellings are not worth restoring.
    pass
