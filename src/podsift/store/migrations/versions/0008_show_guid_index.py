"""feeds: index shows by podcast:guid (one show per GUID across feed URLs)

Revision ID: 0008
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_shows_guid", "shows", ["guid"])


def downgrade() -> None:
    op.drop_index("ix_shows_guid", table_name="shows")
