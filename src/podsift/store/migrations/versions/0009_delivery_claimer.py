"""delivery: who claimed a send (host and process id), so a live claim is never resent

Revision ID: 0009
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as b:
        b.add_column(sa.Column("claimed_host", sa.String(length=255), nullable=True))
        b.add_column(sa.Column("claimed_pid", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as b:
        b.drop_column("claimed_pid")
        b.drop_column("claimed_host")
