"""payment periods: how often each product may be paid, dated beside the rates; people carry
their name's Vietnamese collation key so the people list pages in Vietnamese alphabetical order

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 02:40:00

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

HI_SOURCE = 'Nghị định 146/2018/NĐ-CP, Điều 17'
VSI_SOURCE = 'Luật Bảo hiểm xã hội 2024, Điều 36'
VSI_AHEAD_SOURCE = 'Luật Bảo hiểm xã hội 2024, Điều 36 (nhiều năm về sau; giới hạn 5 năm chưa xác nhận)'

# Households pay every 3, 6 or 12 months, never monthly; voluntary social insurance monthly,
# every 3, 6 or 12 months, or several years ahead at once (planner/rates/payment_periods.csv).
PERIODS = [
    *(('household_hi', m, date(2018, 12, 1), HI_SOURCE) for m in (3, 6, 12)),
    *(('voluntary_si', m, date(2025, 7, 1), VSI_SOURCE) for m in (1, 3, 6, 12)),
    *(('voluntary_si', 12 * y, date(2025, 7, 1), VSI_AHEAD_SOURCE) for y in (2, 3, 4, 5)),
]


def upgrade():
    # Plain ADD COLUMN (see 0011): the app writes the key with the name from now on.
    op.add_column(
        'person', sa.Column('sort_name', sa.String(length=600), nullable=False, server_default='')
    )
    # The key of every name already there, from planner.collation (pyuca, tailored as CLDR's vi).
    from planner.collation import sort_name

    connection = op.get_bind()
    person = sa.table(
        'person', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
        sa.column('sort_name', sa.String),
    )
    rows = connection.execute(sa.select(person.c.id, person.c.full_name)).all()
    if rows:
        connection.execute(
            person.update().where(person.c.id == sa.bindparam('pid'))
            .values(sort_name=sa.bindparam('key')),
            [{'pid': pid, 'key': sort_name(name or '')} for pid, name in rows],
        )
    op.create_index('ix_person_office_sort_name', 'person', ['office_id', 'sort_name'])
    # Without statistics for the new index SQLite walks it to order a search's few matches.
    op.execute('ANALYZE')
    table = op.create_table(
        'payment_period',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product', sa.String(length=20), nullable=False),
        sa.Column('months', sa.Integer(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('allowed', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('product', 'months', 'valid_from', name='uq_payment_period'),
    )
    with op.batch_alter_table('payment_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_period_product'), ['product'], unique=False)
    op.bulk_insert(
        table,
        [
            {'product': p, 'months': m, 'valid_from': d, 'allowed': True, 'source': s}
            for p, m, d, s in PERIODS
        ],
    )


def downgrade():
    op.drop_index('ix_person_office_sort_name', table_name='person')
    op.drop_column('person', 'sort_name')
    with op.batch_alter_table('payment_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_period_product'))
    op.drop_table('payment_period')
