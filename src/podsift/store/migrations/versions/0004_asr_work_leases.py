"""asr: work leases and attempts on episodes, the model of asr transcripts

Revision ID: 0004
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import podsift.store.schema

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = podsift.store.schema.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("episodes") as b:
        b.add_column(sa.Column("lease_owner", sa.String(length=128), nullable=True))
        b.add_column(sa.Column("lease_expires_at", UTC, nullable=True))
        b.add_column(sa.Column("asr_attempts", sa.Integer(), nullable=False, server_default="0"))
        b.add_column(sa.Column("asr_error", sa.Text(), nullable=True))
    with op.batch_alter_table("transcripts") as b:
        b.add_column(sa.Column("model", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transcripts") as b:
        b.drop_column("model")
    with op.batch_alter_table("episodes") as b:
        b.drop_column("asr_error")
        b.drop_column("asr_attempts")
        b.drop_column("lease_expires_at")
        b.drop_column("lease_owner")
