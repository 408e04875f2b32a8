"""Shared fixtures: a real SQLite store, a fixed clock, real loopback servers and Chromium."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


POSTGRES_DSN = os.environ.get(
    "PODSIFT_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_or_skip() -> None:
    """Skip when no PostgreSQL answers, except in CI, where a missing server is a failure."""
    import sqlalchemy as sa

    from podsift.store import resolve_db_url

    try:
        with sa.create_engine(resolve_db_url(POSTGRES_DSN)).connect():
            pass
    except Exception as e:  # any driver or connection error means "not here"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {POSTGRES_DSN} is required in CI: {e}")
        pytest.skip(f"no PostgreSQL at {POSTGRES_DSN}")


@contextmanager
def postgres_store() -> Iterator[Store]:
    """A real PostgreSQL store in a schema of its own, dropped afterwards."""
    import sqlalchemy as sa

    from podsift.store import resolve_db_url

    _postgres_or_skip()
    schema = f"podsift_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(resolve_db_url(POSTGRES_DSN))
    with admin.begin() as c:
        c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in POSTGRES_DSN else "?"
    s = open_store(f"{POSTGRES_DSN}{sep}options=-csearch_path%3D{schema}")
    try:
        yield s
    finally:
        s.close()
        with admin.begin() as c:
            c.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The store contract runs on both backends: real SQLite and real PostgreSQL."""
    if request.param == "sqlite":
        s = open_store(str(tmp_path / "podsift.db"))
        yield s
        s.close()
    else:
        with postgres_store() as s:
            yield s


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium for the `browser` tests.

    Skip when it is missing, except in CI, where a missing browser is a failure: `.ci/run`
    installs it, and `make browser` does on a developer's machine.
    """
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI: apt-get install -y chromium (.ci/run does)")
        pytest.skip("no chromium: `make browser` installs Debian's chromium")
    return path
