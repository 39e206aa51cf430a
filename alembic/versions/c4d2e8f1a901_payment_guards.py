"""payment guards: open-order reuse, expiry, charge attempts, stock reservation

Revision ID: c4d2e8f1a901
Revises: d291914d52ab
Create Date: 2026-12-01 11:55:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision: str = 'c4d2e8f1a901'
down_revision: Union[str, Sequence[str], None] = 'd291914d52ab'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opener', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('charging_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('stock_reserved', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_order_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_expires_at'))
        batch_op.drop_column('stock_reserved')
        batch_op.drop_column('charging_until')
        batch_op.drop_column('failed_attempts')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('opener')
