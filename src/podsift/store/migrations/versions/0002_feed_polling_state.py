"""feed polling state: next poll, failing since, error class; show aliases

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import podsift.store.schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shows") as b:
        b.add_column(sa.Column("next_poll_at", podsift.store.schema.UTCDateTime()))
        b.add_column(sa.Column("failing_since", podsift.store.schema.UTCDateTime()))
        b.add_column(sa.Column("error_class", sa.String(length=16)))
        b.create_index("ix_shows_next_poll_at", ["next_poll_at"])
    op.create_table(
        "show_aliases",
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("created_at", podsift.store.schema.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_show_aliases_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_show_aliases")),
    )


def downgrade() -> None:
    op.drop_table("show_aliases")
    with op.batch_alter_table("shows") as b:
        b.drop_index("ix_shows_next_poll_at")
        b.drop_column("error_class")
        b.drop_column("failing_since")
        b.drop_column("next_poll_at")
