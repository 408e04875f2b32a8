"""digests: index digest items by story (a story page finds its newest digest item)

Revision ID: 0013
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_digest_items_story", "digest_items", ["story_id"])


def downgrade() -> None:
    op.drop_index("ix_digest_items_story", table_name="digest_items")
