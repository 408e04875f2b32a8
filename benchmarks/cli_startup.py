"""Time how long the ``podsift`` command takes to start, and print the figures.

Run: ``.venv/bin/python benchmarks/cli_startup.py [--runs 10]``. Each command is run ``--runs``
times as a fresh process; the table gives the median wall time beside ``python -c pass``, the
floor no command can go under. ``subscribers`` opens a temporary SQLite store (created and
migrated once, before timing), so it stands for every command that reads the store.

Commands run as after an install: with compiled bytecode. ``PYTHONDONTWRITEBYTECODE`` is
dropped and the bytecode goes to a temporary ``PYTHONPYCACHEPREFIX`` (nothing is written into
the working tree), filled by one untimed run of each command first.

Goals (issue 20): ``--version`` and ``--help`` ≤ 0.15 s, a store command ≤ 0.4 s. Figures
move by ±20 % from run to run on a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_SCRIPT = Path(sys.executable).with_name("podsift")  # the console script, as users run it
PODSIFT = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "podsift"]
GOALS = {"--version": 0.15, "--help": 0.15, "subscribers": 0.4}


def timed_runs(argv: list[str], runs: int, env: dict[str, str]) -> list[float]:
    """Wall times of ``runs`` fresh processes of ``argv``; stop at the first that fails."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - began)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.decode()}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (default 10)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="podsift-bench-") as tmp:
        db = str(Path(tmp) / "bench.db")
        # No config file or PODSIFT_* variable of the caller's may change what is measured.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PODSIFT_") and k != "PYTHONDONTWRITEBYTECODE"
        }
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        config = Path(tmp) / "podsift.toml"
        config.write_text("", encoding="utf-8")
        env |= {"PODSIFT_CONFIG": str(config), "PODSIFT_DB": db}
        rows = [
            ("python -c pass (floor)", [sys.executable, "-c", "pass"]),
            ("podsift --version", [*PODSIFT, "--version"]),
            ("podsift --help", [*PODSIFT, "--help"]),
            ("podsift subscribers", [*PODSIFT, "subscribers"]),
        ]
        for _, argv in rows:  # compile the bytecode; create and migrate the store
            timed_runs(argv, 1, env)
        print(f"{'command':<26} {'median s':>9} {'min s':>7} {'goal s':>7}")
        for label, argv in rows:
            times = timed_runs(argv, args.runs, env)
            goal = GOALS.get(argv[-1])
            mark = f"{goal:7.2f}" if goal else f"{'':7}"
            ok = "" if goal is None else ("  ok" if statistics.median(times) <= goal else "  OVER")
            print(f"{label:<26} {statistics.median(times):9.3f} {min(times):7.3f} {mark}{ok}")
    print(f"({args.runs} runs each, {sys.executable})")


if __name__ == "__main__":
    main()
