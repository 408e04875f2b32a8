"""Opening a store: the migrations' heads are known without importing alembic (#20)."""

from __future__ import annotations

from alembic.config import Config
from alembic.script import ScriptDirectory

from podsift.store.store import MIGRATIONS, _heads


def test_heads_read_from_the_migration_files_are_alembics_heads() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert _heads() == frozenset(ScriptDirectory.from_config(cfg).get_heads())
    assert _heads()  # never empty here: empty would send every open through alembic
