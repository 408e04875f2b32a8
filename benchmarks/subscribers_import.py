"""Subscribers import benchmark: generated rows per second on SQLite and PostgreSQL (#20).

Times `import_subscribers` end to end (read, check every row, one transaction of executemany
inserts), as `podsift subscribers import FILE --confirmed` does, then `export`. The file is
generated: addresses, a time zone from a list, an hour, a show for one row in four, topics;
one row in a hundred is bad (an invalid address, an unknown zone, hour 25, a duplicate).
PostgreSQL runs in a schema of its own (dropped afterwards), so no other data is touched.
Goal: ≥ 10,000 rows/s.

    python benchmarks/subscribers_import.py [--rows 100000] [--format csv|jsonl]
        [--postgres postgresql://postgres@127.0.0.1:5432/test | --no-postgres]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from podsift.deliver.subscriber_file import export_subscribers, import_subscribers
from podsift.store import Store, open_store, resolve_db_url

NOW = datetime(2024, 4, 3, 6, 0, tzinfo=UTC)
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]
SHOWS = [f"https://show{i}.example/feed.xml" for i in range(20)]
TOPICS = ["rust", "python, packaging", "ai", "databases", "security", ""]


def generate(rows: int, fmt: str, path: Path, seed: int = 20) -> int:
    """Write ``rows`` rows (1% bad); return how many are good."""
    rng = random.Random(seed)
    good = 0
    records: list[dict[str, Any]] = []
    for i in range(rows):
        rec = {"email": f"reader{i:07d}@example.org", "tz": rng.choice(ZONES),
               "hour": rng.randrange(24), "shows": [rng.choice(SHOWS)] if i % 4 == 0 else [],
               "topics": rng.choice(TOPICS)}  # fmt: skip
        if i % 100 == 99:
            kind = (i // 100) % 4
            if kind == 0:
                rec["email"] = f"reader{i}@nowhere"
            elif kind == 1:
                rec["tz"] = "Mars/Olympus"
            elif kind == 2:
                rec["hour"] = 25
            else:
                rec["email"] = f"reader{i - 1:07d}@example.org"  # a duplicate
        else:
            good += 1
        records.append(rec)
    with path.open("w", encoding="utf-8", newline="") as f:
        if fmt == "jsonl":
            f.writelines(json.dumps(r) + "\n" for r in records)
        else:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(["email", "tz", "hour", "shows", "topics"])
            out.writerows(
                [r["email"], r["tz"], r["hour"], ";".join(r["shows"]), r["topics"]] for r in records
            )
    return good


@contextmanager
def postgres(dsn: str) -> Iterator[Store]:
    """A store in a fresh schema of its own, dropped afterwards."""
    schema = f"podsift_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(resolve_db_url(dsn))
    with admin.begin() as c:
        c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in dsn else "?"
    store = open_store(f"{dsn}{sep}options=-csearch_path%3D{schema}")
    try:
        yield store
    finally:
        store.close()
        with admin.begin() as c:
            c.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def bench(name: str, store: Store, path: Path, rows: int, good: int) -> None:
    for url in SHOWS:
        store.add_show(url, NOW)
    start, cpu = time.perf_counter(), time.process_time()
    report = import_subscribers(store, str(path), NOW, confirmed=True)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert len(report.added) == good, (len(report.added), good)
    assert len(report.bad) == rows - good
    start = time.perf_counter()
    out = io.StringIO()
    exported = export_subscribers(store, out, "csv", None)
    export_took = time.perf_counter() - start
    print(
        f"{name:<10} import {rows:>8,} rows ({len(report.bad):,} bad) in {took:6.2f} s: "
        f"{rows / took:>9,.0f} rows/s ({cpu:5.2f} CPU s here)   "
        f"export {exported:,} in {export_took:5.2f} s: "
        f"{exported / export_took:>9,.0f} rows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"subscribers.{args.format}"
        good = generate(args.rows, args.format, path)
        print(f"file: {path.stat().st_size / 2**20:.1f} MiB of {args.format}, {args.rows:,} rows")
        sqlite = open_store(str(Path(tmp) / "podsift.db"))
        try:
            bench("sqlite", sqlite, path, args.rows, good)
        finally:
            sqlite.close()
        if not args.no_postgres:
            with postgres(args.postgres) as store:
                bench("postgresql", store, path, args.rows, good)
    print(f"load average after: {os.getloadavg()[0]:.2f}; goal: >= 10,000 rows/s")


if __name__ == "__main__":
    main()
