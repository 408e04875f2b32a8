"""Subscribers in bulk: read a CSV or JSON Lines list, check every row, add the good ones at once.

Columns (CSV header or JSON keys): ``email`` (required), ``tz`` (default UTC), ``hour``
(0–23, default 7), ``shows`` (titles or feed URLs; ``;``-separated in CSV, a list in JSON) and
``topics``. A file that is binary, over :data:`MAX_BYTES`, or whose header names an unknown
column is refused whole, before any row is written. A bad row (an invalid address, an
unknown time zone or show, hour 25, a repeated address) is reported with its line number and
the good rows are added in ONE transaction: all of them, or none. An address already stored
is left as it is (a bulk import never resubscribes someone who left).

>>> text = "email,tz,hour\\nann@example.org,Europe/Berlin,6\\nbob@example,UTC,25\\n"
>>> plan = plan_import(parse_records(text, "csv", "list.csv"), {})
>>> [row.email for row in plan.rows], plan.bad
(['ann@example.org'], (BadRow(line=3, problem='bob@example: not an email address'),))
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TextIO

from podsift.deliver.subscribe import SubscribeError, check_email, check_hour, check_tz
from podsift.exceptions import DeliveryError
from podsift.store import NewSubscriber, Store

COLUMNS = ("email", "tz", "hour", "shows", "topics")
ALIASES = {"time_zone": "tz", "timezone": "tz", "send_hour": "hour", "show": "shows"}
FORMATS = ("csv", "jsonl")
MAX_BYTES = 256 * 2**20
"""The largest import file (about 2.5 million rows): a bigger one is refused unread."""

_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

Record = tuple[int, dict[str, Any]]
"""A row as read: its line number in the file and its values by column."""


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that was not imported: its line number and what is wrong with it."""

    line: int
    problem: str


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """The checked rows of a file: those to add and those refused."""

    rows: tuple[NewSubscriber, ...]
    bad: tuple[BadRow, ...]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did."""

    added: tuple[str, ...]
    existing: tuple[str, ...]
    bad: tuple[BadRow, ...]
    status: str


@dataclass(slots=True)
class OptInReport:
    """Confirmation emails sent to pending subscribers, and the addresses that failed."""

    sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


# -- reading ------------------------------------------------------------------------------


def read_text(path: str, max_bytes: int = MAX_BYTES) -> str:
    """The file's text (``-``: standard input); refuse a file too big, binary or not UTF-8.

    Raises:
        SubscribeError: naming the file and the problem.
    """
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        try:
            size = Path(path).stat().st_size
            if size > max_bytes:
                raise SubscribeError(
                    f"{path}: {size / 2**20:,.0f} MiB is over the import limit of "
                    f"{max_bytes / 2**20:,.0f} MiB: split it"
                )
            data = Path(path).read_bytes()
        except OSError as e:
            raise SubscribeError(f"{path}: cannot read it ({e.strerror})") from e
    if len(data) > max_bytes:
        raise SubscribeError(f"{path}: over the import limit of {max_bytes / 2**20:,.0f} MiB")
    if b"\0" in data:
        raise SubscribeError(f"{path}: a binary file, not CSV or JSON Lines")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise SubscribeError(f"{path}: not UTF-8 text (line {line}): a binary file?") from None


def file_format(path: str, text: str, fmt: str | None = None) -> str:
    """``fmt``, else the format the file's suffix names, else JSON Lines if it starts with ``{``.

    >>> file_format("people.txt", '{"email": "a@b.org"}')
    'jsonl'
    """
    if fmt:
        return fmt
    by_suffix = _SUFFIXES.get(Path(path).suffix.lower())
    if by_suffix:
        return by_suffix
    return "jsonl" if text.lstrip().startswith("{") else "csv"


def parse_records(text: str, fmt: str, path: str) -> list[Record]:
    """The file's rows with their line numbers; refuse a bad header or unreadable CSV.

    Raises:
        SubscribeError: the CSV header names an unknown column or no ``email``, or the CSV
            cannot be read at all.
    """
    return list(_jsonl(text) if fmt == "jsonl" else _csv(text, path))


def _column(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def _csv(text: str, path: str) -> Iterator[Record]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return
        names = [_column(h) for h in header]
        unknown = [h for h, n in zip(header, names, strict=True) if n not in COLUMNS]
        if unknown:
            known = ", ".join(COLUMNS)
            raise SubscribeError(
                f"{path}: unknown column {unknown[0]!r} in the header (known: {known})"
            )
        if "email" not in names or len(set(names)) != len(names):
            raise SubscribeError(f"{path}: the header needs one 'email' column and no repeats")
        line = reader.line_num + 1
        for values in reader:
            if values and (len(values) > 1 or values[0].strip()):  # skip blank lines
                if len(values) > len(names):
                    yield line, {"": f"{len(values)} fields, the header has {len(names)}"}
                else:
                    yield line, dict(zip(names, values, strict=False))
            line = reader.line_num + 1
    except csv.Error as e:
        raise SubscribeError(f"{path}: line {reader.line_num}: not readable CSV ({e})") from None


def _jsonl(text: str) -> Iterator[Record]:
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as e:
            yield n, {"": f"not JSON ({e.msg})"}
            continue
        if not isinstance(value, dict):
            yield n, {"": "not a JSON object"}
            continue
        unknown = [k for k in value if _column(str(k)) not in COLUMNS]
        if unknown:
            yield n, {"": f"unknown key {unknown[0]!r} (known: {', '.join(COLUMNS)})"}
            continue
        yield n, {_column(str(k)): v for k, v in value.items()}


# -- checking -----------------------------------------------------------------------------


def show_names(records: Iterable[Record]) -> set[str]:
    """Every show named in the rows (to resolve them in one look-up)."""
    return {name for _, values in records for name in _shows(values.get("shows"))}


def plan_import(records: Iterable[Record], show_ids: Mapping[str, int | None]) -> ImportPlan:
    """Check every row (pure): the good ones to add, the bad ones with their line numbers.

    ``show_ids`` maps each show name used in the file to its id, or None when unknown.
    """
    rows: list[NewSubscriber] = []
    bad: list[BadRow] = []
    first_line: dict[str, int] = {}
    zones: dict[str, str] = {}
    for line, values in records:
        try:
            row = _check(values, show_ids, zones)
        except SubscribeError as e:
            bad.append(BadRow(line, str(e)))
            continue
        key = row.email.lower()
        if key in first_line:
            bad.append(BadRow(line, f"{row.email}: a duplicate of line {first_line[key]}"))
            continue
        first_line[key] = line
        rows.append(row)
    return ImportPlan(tuple(rows), tuple(bad))


def _check(
    values: Mapping[str, Any], show_ids: Mapping[str, int | None], zones: dict[str, str]
) -> NewSubscriber:
    if "" in values:  # a row the reader could not make sense of
        raise SubscribeError(str(values[""]))
    email = check_email(_text(values.get("email"), "email") or "")
    tz = _text(values.get("tz"), "tz") or "UTC"
    if tz not in zones:
        zones[tz] = check_tz(tz)
    shows = []
    for name in _shows(values.get("shows")):
        show_id = show_ids.get(name)
        if show_id is None:
            raise SubscribeError(f"{name}: no such show (add it with `podsift add URL`)")
        shows.append(show_id)
    return NewSubscriber(
        email, tz, _hour(values.get("hour")), _text(values.get("topics"), "topics"), tuple(shows)
    )


def _text(value: Any, column: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SubscribeError(f"{column} {json.dumps(value)}: not text")
    return value.strip() or None


def _hour(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 7
    if isinstance(value, int) and not isinstance(value, bool):
        return check_hour(value)
    if isinstance(value, str) and value.strip().isdigit():
        return check_hour(int(value))
    raise SubscribeError(f"hour {json.dumps(value)}: not a whole number from 0 to 23")


def _shows(value: Any) -> list[str]:
    if isinstance(value, str):
        return [name.strip() for name in value.split(";") if name.strip()]
    if isinstance(value, list):
        return [name.strip() for name in value if isinstance(name, str) and name.strip()]
    return []


# -- importing and exporting --------------------------------------------------------------


def import_subscribers(
    store: Store, path: str, now: datetime, *, confirmed: bool, fmt: str | None = None
) -> ImportReport:
    """Read, check and add the subscribers of ``path``: ``active`` if ``confirmed``, else
    ``pending`` (each needs the opt-in email: :func:`send_opt_ins`).

    Raises:
        SubscribeError: the file as a whole is refused (nothing was written).
    """
    text = read_text(path)
    records = parse_records(text, file_format(path, text, fmt), path)
    names = sorted(show_names(records))
    plan = plan_import(records, store.show_ids_named(names) if names else {})
    status = "active" if confirmed else "pending"
    added = store.add_subscribers(plan.rows, now, status=status)
    return ImportReport(added.added, added.existing, plan.bad, status)


def send_opt_ins(
    addresses: Sequence[str],
    compose: Callable[[str], EmailMessage],
    send: Callable[[EmailMessage], None],
    wait: Callable[[], None],
    progress: Callable[[str], None] = lambda _m: None,
) -> OptInReport:
    """Send each address its opt-in email, pacing with ``wait``; one failure stops nothing."""
    report = OptInReport()
    for n, address in enumerate(addresses, 1):
        wait()
        try:
            send(compose(address))
        except DeliveryError as e:
            report.failed.append((address, str(e)))
            continue
        report.sent += 1
        if n % 100 == 0:
            progress(f"opt-in emails: {n} of {len(addresses)}")
    return report


def export_subscribers(store: Store, out: TextIO, fmt: str, status: str | None) -> int:
    """Write the subscribers (only ``status`` ones unless None) as CSV or JSON Lines; count them.

    Shows are written as feed URLs, so the file imports back into any store with those feeds.
    """
    urls = {show.id: show.feed_url for show in store.shows()}
    subs = [s for s in store.subscribers() if status is None or s.status == status]
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(COLUMNS)
    for s in subs:
        shows = [urls[i] for i in s.show_ids if i in urls]
        if writer is not None:
            writer.writerow([s.email, s.tz, s.send_hour, ";".join(shows), s.topics or ""])
        else:
            row = {"email": s.email, "tz": s.tz, "hour": s.send_hour, "shows": shows,
                   "topics": s.topics}  # fmt: skip
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(subs)
