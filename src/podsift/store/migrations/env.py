"""Alembic environment: runs podsift's migrations on the connection the store hands over."""

from __future__ import annotations

from alembic import context

from podsift.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when run from the alembic CLI
    raise RuntimeError("podsift migrations run through podsift.store.open_store()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite needs batch mode to alter tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
