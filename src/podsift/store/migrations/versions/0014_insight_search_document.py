"""search: PostgreSQL keeps each insight's tsvector in a column, so ranking reads, not parses

Migration 0010 indexed the expression ``to_tsvector(text || quote || speaker)``: finding the
matches used the index, but ``ts_rank`` parsed every match's text again, which made a common
word over a million insights take seconds. The tsvector is now a stored generated column,
``insights.search_document``, with the GIN index on it; the expression index goes. SQLite is
unchanged (its FTS5 table holds the index and BM25 reads it).

Revision ID: 0014
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0010"
branch_labels = None
depends_on = None

DOCUMENT = "to_tsvector('english'::regconfig, text || ' ' || quote || ' ' || coalesce(speaker, ''))"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"ALTER TABLE insights ADD COLUMN search_document tsvector"
        f" GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    op.execute("CREATE INDEX ix_insights_search_document ON insights USING gin (search_document)")
    op.execute("DROP INDEX ix_insights_search")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX ix_insights_search ON insights USING gin ({DOCUMENT})")
    op.execute("DROP INDEX ix_insights_search_document")
    op.execute("ALTER TABLE insights DROP COLUMN search_document")
