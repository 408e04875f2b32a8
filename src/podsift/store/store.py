"""Open the store: SQLite (WAL, busy timeout) or a database URL, migrated by Alembic on open."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from podsift.exceptions import StoreError
from podsift.store.delivery import DeliveryRows
from podsift.store.episodes import EpisodeRows
from podsift.store.feedback import FeedbackRows
from podsift.store.feeds import FeedRows
from podsift.store.pages import PageRows
from podsift.store.search import SearchRows
from podsift.store.stories import StoryRows
from podsift.store.work import WorkRows

MIGRATIONS = Path(__file__).parent / "migrations"


class Store(
    FeedRows, EpisodeRows, StoryRows, DeliveryRows, WorkRows, PageRows, FeedbackRows, SearchRows
):
    """podsift's persistent state. Methods are small transactions; rows come back typed."""


def resolve_db_url(db: str) -> str:
    """Turn a ``--db`` / ``PODSIFT_DB`` value (a path or a URL) into a SQLAlchemy URL."""
    if "://" in db:
        return (
            db.replace("postgresql://", "postgresql+psycopg://", 1)
            if db.startswith("postgresql://")
            else db
        )
    if db == ":memory:":
        return "sqlite://"
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def open_store(db: str) -> Store:
    """Open (creating and migrating as needed) the store at ``db``.

    Raises:
        StoreError: the database cannot be created, opened or migrated.
    """
    url = resolve_db_url(db)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"{db}: cannot create the store's folder ({e.strerror})") from e
    try:
        engine = _engine(url)
        with engine.begin() as conn:  # one transaction: a failed migration leaves nothing
            _migrate(conn)
    except SQLAlchemyError as e:
        raise StoreError(f"{db}: cannot open the store ({_first_line(e)})") from e
    except _UnknownRevisionError as e:  # the store knows a migration this podsift does not
        raise StoreError(
            f"{db}: the store was migrated by a newer podsift ({_first_line(e)}); "
            "upgrade podsift before using this store"
        ) from e
    return Store(engine)


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        try:
            return sa.create_engine(url, pool_pre_ping=True)
        except ImportError as e:
            raise StoreError(
                "the postgresql store needs the 'postgres' extra: pip install 'podsift[postgres]'"
            ) from e
    engine = sa.create_engine(url, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


class _UnknownRevisionError(Exception):
    """Alembic's CommandError, raised again without needing alembic to catch it."""


def _migrate(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # workers starting together on one store: one migrates, the others wait, then no-op
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242202611)")
    heads = _heads()
    if heads and _applied(conn) == heads:
        return  # up to date: no need to import alembic, a fifth of every command's start (#20)
    from alembic import command
    from alembic.config import Config
    from alembic.util.exc import CommandError

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    try:
        # "heads": branches of independent migrations (one per area) all apply
        command.upgrade(cfg, "heads")
    except CommandError as e:
        raise _UnknownRevisionError(str(e)) from e


_REVISION = re.compile(r"^revision\b[^=]*=\s*(.+)$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=]*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


@cache
def _heads() -> frozenset[str]:
    """The revisions no other migration builds on, read from the migration files' text.

    Empty when a file can't be read this way; then alembic decides, as it always may.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        names = _QUOTED.findall(revision.group(1)) if revision else []
        if len(names) != 1 or down is None:
            return frozenset()
        revisions.add(names[0])
        parents.update(_QUOTED.findall(down.group(1)))
    return frozenset(revisions - parents)


def _applied(conn: Connection) -> frozenset[str]:
    """The revisions recorded in the store (none for a new store)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return frozenset()
    rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version")
    return frozenset(str(r[0]) for r in rows)


def _first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
