"""delivery: double opt-in, bounces, retry backoff, automatic pauses

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import podsift.store.schema

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = podsift.store.schema.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("subscribers") as b:
        b.add_column(sa.Column("confirmed_at", UTC, nullable=True))
        b.add_column(sa.Column("bounces", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("deliveries") as b:
        b.add_column(sa.Column("next_attempt_at", UTC, nullable=True))
        b.add_column(sa.Column("smtp_code", sa.Integer(), nullable=True))
    op.create_table(
        "send_pauses",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("paused_until", UTC, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_send_pauses")),
    )


def downgrade() -> None:
    op.drop_table("send_pauses")
    with op.batch_alter_table("deliveries") as b:
        b.drop_column("smtp_code")
        b.drop_column("next_attempt_at")
    with op.batch_alter_table("subscribers") as b:
        b.drop_column("bounces")
        b.drop_column("confirmed_at")
