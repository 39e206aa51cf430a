"""catalog version: one row the database bumps on every product change (cache invalidation)

Revision ID: c4t4l0gv3r51
Revises: ba097e0261dd
Create Date: 2026-12-01 11:10:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from rxshop.models.catalog_version_table import install_triggers

revision: str = 'c4t4l0gv3r51'
down_revision: Union[str, Sequence[str], None] = 'ba097e0261dd'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('catalogversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    install_triggers(op.execute, op.get_bind().dialect.name)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS catalogversion_{name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS catalogversion_bump ON product")
        op.execute("DROP FUNCTION IF EXISTS bump_catalogversion()")
    op.drop_table('catalogversion')
