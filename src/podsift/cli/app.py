"""The click group and what every command shares: settings and the store, opened lazily.

Importing the CLI stays cheap (``podsift --help`` starts at once, #20): the store,
SQLAlchemy, the HTTP client and the run context are imported by the command that uses
them, never at the top of a command module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from podsift import __version__

if TYPE_CHECKING:
    from podsift.config import Settings
    from podsift.context import RunContext
    from podsift.deliver import Sender
    from podsift.store import Store


@dataclass
class App:
    """The CLI's state: global options, loaded settings, and the store once opened."""

    db: str | None = None
    config: str | None = None
    verbose: int = 0
    _settings: Settings | None = None
    _store: Store | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """Settings from file and environment, with ``--db`` applied."""
        if self._settings is None:
            from podsift.config import load_settings

            overrides = {"store": {"db": self.db}} if self.db else None
            self._settings = load_settings(self.config, overrides=overrides)
        return self._settings

    def db_location(self) -> str:
        """The store's location: ``--db``, ``PODSIFT_DB``, the config, else the user data dir."""
        from podsift.config import default_db_path

        return self.settings.store.db or str(default_db_path())

    def store(self) -> Store:
        """Open the store (migrating it) on first use."""
        if self._store is None:
            from podsift.store import open_store

            self._store = open_store(self.db_location())
        return self._store

    def close(self) -> None:
        """Close the store, if a command opened it."""
        if self._store is not None:
            self._store.close()

    def now(self) -> datetime:
        """The current time, UTC: the one place the CLI reads the clock."""
        return datetime.now(UTC)

    def progress(self, message: str) -> None:
        """Show progress on stderr."""
        click.echo(f"  {message}", err=True)

    @contextmanager
    def context(
        self, now: datetime | None = None, sender: Sender | None = None
    ) -> Iterator[RunContext]:
        """A run's context: settings, the store, an HTTP client, now, the look-back window,
        and where digests are sent (``sender``; None: nowhere)."""
        from podsift.context import RunContext
        from podsift.net import make_client

        settings = self.settings
        with make_client(settings) as client:
            yield RunContext(settings, self.store(), client, now or self.now(),
                             lookback=timedelta(days=settings.run.lookback_days),
                             progress=self.progress, sender=sender)  # fmt: skip

    def smtp_sender(self) -> Sender:
        """The SMTP sender of ``[email] smtp_url``; a clear error when none is set."""
        from podsift.deliver import senders
        from podsift.deliver.smtp import SmtpSettings
        from podsift.exceptions import ConfigError

        url = self.settings.email.smtp_url
        if not url:
            raise ConfigError("no SMTP server: set PODSIFT_SMTP_URL (smtp://user:pass@host:port)")
        return senders.create("smtp", SmtpSettings.from_url(url))


pass_app = click.make_pass_decorator(App)


def print_json(value: Any) -> None:
    """Print data as JSON on stdout."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="podsift")
@click.option(
    "--db",
    metavar="PATH_OR_URL",
    help="The store: a SQLite path or database URL "
    "(default: $PODSIFT_DB, else the user data folder).",
)
@click.option(
    "--config",
    "config",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="The config file (default: $PODSIFT_CONFIG, else ./podsift.toml).",
)
@click.option("-v", "--verbose", count=True, help="Say more on stderr.")
@click.pass_context
def cli(ctx: click.Context, db: str | None, config: str | None, verbose: int) -> None:
    """podsift: the top 5 insights from each day's podcasts, merged across shows."""
    ctx.obj = App(db=db, config=config, verbose=verbose)
    if verbose:
        import logging

        logging.getLogger().setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    ctx.call_on_close(ctx.obj.close)
