"""The ``podsift`` command line: thin shells that parse options, call one function, print.

Data goes to stdout, progress and messages to stderr. Exit codes: 0 success, 1 a handled
error (one line, no traceback), 2 bad usage.
"""

from __future__ import annotations

import logging
import sys

import click

from podsift.cli import (
    asr,
    digest,
    feeds,
    models,
    queue,
    run,
    search,
    stages,
    status,
    stories,
    subscribers,
)
from podsift.cli.app import App, cli
from podsift.exceptions import PodsiftError

# Each module lists its commands; a new area adds its module here.
for module in (
    run,
    status,
    feeds,
    search,
    stages,
    stories,
    digest,
    subscribers,
    queue,
    asr,
    models,
):
    for command in module.COMMANDS:
        cli.add_command(command)

__all__ = ["App", "cli", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: user errors become one line and exit code 1."""
    logging.basicConfig(level=logging.WARNING, format="podsift: %(levelname)s: %(message)s")
    try:
        cli.main(args=argv, prog_name="podsift", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("podsift: aborted", err=True)
        sys.exit(1)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except PodsiftError as e:
        click.echo(f"podsift: error: {e}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("podsift: interrupted", err=True)
        sys.exit(130)
    sys.exit(0)
