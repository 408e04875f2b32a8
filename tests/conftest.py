"""Shared fixtures: a real SQLite store, a fixed clock, and real loopback servers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from podsift.store import Store, open_store

DATA = Path(__file__).parent / "data"


@pytest.fixture
def now() -> datetime:
    """A fixed UTC clock: 2024-04-03 09:00."""
    return datetime(2024, 4, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real, migrated SQLite store in a temporary folder."""
    s = open_store(str(tmp_path / "podsift.db"))
    yield s
    s.close()
