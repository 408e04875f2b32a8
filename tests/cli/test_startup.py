"""The CLI starts at once: a command imports only what it uses (#20).

Each check runs in a fresh interpreter, since this test process has imported everything.
Time is measured by ``benchmarks/cli_startup.py``, never here; these tests say what is loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from podsift.cli import cli
from podsift.store import open_store

HEAVY = ("alembic", "sqlalchemy", "numpy", "httpx", "aiohttp", "podsift.store", "podsift.context")
"""What `--help` and `--version` must not import."""

PROBE = """
import contextlib, io, json, sys
from podsift.cli import main
for args in {argv!r}:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main(args)
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def loaded_after(argv: list[list[str]], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """Run ``podsift ARGS`` for each of ``argv`` in one fresh interpreter; return what of
    ``heavy`` it imported."""
    code = PROBE.format(argv=argv, heavy=heavy)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_loads_no_store_http_or_numpy() -> None:
    assert loaded_after([]) == []


def test_help_and_version_load_no_store_http_or_numpy() -> None:
    assert loaded_after([["--version"], ["--help"]]) == []


def test_every_commands_help_loads_no_store_http_or_numpy() -> None:
    assert loaded_after([[name, "--help"] for name in sorted(cli.commands)]) == []


def test_a_store_command_on_an_up_to_date_store_needs_no_alembic_or_numpy(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "podsift.db")
    open_store(db).close()  # created and migrated here
    status = ["--db", db, "status", "--no-broker"]
    assert loaded_after([status], ("alembic", "numpy", "podsift.store")) == ["podsift.store"]
