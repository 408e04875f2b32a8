"""feeds: the podcast:person entries of each episode (who a transcript's labels name)

Revision ID: 0012
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("episodes") as b:
        b.add_column(sa.Column("persons", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("episodes") as b:
        b.drop_column("persons")
