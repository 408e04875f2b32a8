"""feedback: one vote per subscriber and story (a newer vote replaces the older)

Revision ID: 0011
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nothing wrote feedback before this revision; keep the newest row of any pair all the same
    op.execute(
        "DELETE FROM feedback WHERE id NOT IN "
        "(SELECT MAX(id) FROM feedback GROUP BY subscriber_id, story_id)"
    )
    op.create_index(
        "uq_feedback_subscriber_story", "feedback", ["subscriber_id", "story_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_feedback_subscriber_story", table_name="feedback")
