"""search: a full-text index over insights (SQLite FTS5, PostgreSQL GIN)

SQLite: a contentless FTS5 table ``insight_fts`` over each insight's text, quote and speaker,
kept in step by triggers on ``insights``. Its rowids come from ``insight_rowids``, a small table
with an INTEGER PRIMARY KEY per insight id, because ``insights`` has a text key and the rowid
SQLite gives such a table may change on VACUUM (an FTS5 index keyed by it would then point at the
wrong rows). A migration that rebuilds ``insights`` in batch mode drops its triggers: it must
create them again.

PostgreSQL: a GIN index on the same text as an English tsvector; the store's query repeats the
expression exactly, so the planner uses the index.

Revision ID: 0010
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE = (
    "CREATE TABLE insight_rowids (id INTEGER PRIMARY KEY, insight_id VARCHAR(64) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE insight_fts USING fts5("
    " text, quote, speaker, content='', tokenize='porter unicode61 remove_diacritics 2')",
    # existing insights, oldest first
    "INSERT INTO insight_rowids (insight_id) SELECT id FROM insights ORDER BY created_at, id",
    "INSERT INTO insight_fts (rowid, text, quote, speaker)"
    " SELECT r.id, i.text, i.quote, i.speaker"
    " FROM insight_rowids AS r JOIN insights AS i ON i.id = r.insight_id",
    "CREATE TRIGGER insight_fts_insert AFTER INSERT ON insights BEGIN"
    " INSERT INTO insight_rowids (insight_id) VALUES (new.id);"
    " INSERT INTO insight_fts (rowid, text, quote, speaker)"
    " SELECT id, new.text, new.quote, new.speaker FROM insight_rowids WHERE insight_id = new.id;"
    " END",
    # a contentless table forgets a row only when told the values it indexed
    "CREATE TRIGGER insight_fts_delete AFTER DELETE ON insights BEGIN"
    " INSERT INTO insight_fts (insight_fts, rowid, text, quote, speaker)"
    " SELECT 'delete', id, old.text, old.quote, old.speaker"
    " FROM insight_rowids WHERE insight_id = old.id;"
    " DELETE FROM insight_rowids WHERE insight_id = old.id;"
    " END",
    "CREATE TRIGGER insight_fts_update AFTER UPDATE OF id, text, quote, speaker ON insights BEGIN"
    " INSERT INTO insight_fts (insight_fts, rowid, text, quote, speaker)"
    " SELECT 'delete', id, old.text, old.quote, old.speaker"
    " FROM insight_rowids WHERE insight_id = old.id;"
    " UPDATE insight_rowids SET insight_id = new.id WHERE insight_id = old.id;"
    " INSERT INTO insight_fts (rowid, text, quote, speaker)"
    " SELECT id, new.text, new.quote, new.speaker FROM insight_rowids WHERE insight_id = new.id;"
    " END",
)

POSTGRES = (
    "CREATE INDEX ix_insights_search ON insights USING gin ("
    "to_tsvector('english'::regconfig,"
    " text || ' ' || quote || ' ' || coalesce(speaker, '')))"
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(POSTGRES)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("insight_fts_insert", "insight_fts_delete", "insight_fts_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE insight_fts")
        op.execute("DROP TABLE insight_rowids")
    elif dialect == "postgresql":
        op.execute("DROP INDEX ix_insights_search")
