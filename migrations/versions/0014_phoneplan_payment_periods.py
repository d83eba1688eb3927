"""payment periods: how often each product may be paid, dated beside the rates

Revision ID: 0014_phoneplan
Revises: 0013
Create Date: 2026-12-01 02:40:00

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_phoneplan'
down_revision = '0013'
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
    with op.batch_alter_table('payment_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_period_product'))
    op.drop_table('payment_period')
