"""The ``cluster`` command's statements: read them (JSON Lines or plain text) and write clusters.

:func:`read_statements` reads the command's input and :func:`cluster_to_json` writes its output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from podsift.exceptions import PodsiftError
from podsift.models import Cluster, Statement


class StatementFormatError(PodsiftError, ValueError):
    """The ``cluster`` input is not JSON Lines nor plain text podsift can read."""


def cluster_to_json(clusters: Sequence[Cluster]) -> dict[str, Any]:
    """Return the ``cluster`` command's JSON object for ``clusters``.

    >>> cluster_to_json([Cluster("c1", ("1", "2"), "2")])
    {'clusters': [{'id': 'c1', 'members': ['1', '2'], 'representative': '2'}]}
    """
    return {
        "clusters": [
            {"id": c.id, "members": list(c.members), "representative": c.representative}
            for c in clusters
        ]
    }


#: Longest statement the ``cluster`` command accepts, in characters (the model reads only the
#: first 256 tokens; a longer "statement" is a whole document, not a claim).
MAX_STATEMENT_CHARS = 5_000


def decode_statements(data: bytes, source: str) -> list[Statement]:
    """Decode ``data`` (UTF-8, BOM allowed) and parse it with :func:`read_statements`.

    Errors name ``source``; input with no statement at all is an error too.

    >>> decode_statements(b"\\xff", "x.txt")
    Traceback (most recent call last):
    ...
    podsift.stories.statements.StatementFormatError: x.txt: not UTF-8 text (bad byte at offset 0)
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StatementFormatError(
            f"{source}: not UTF-8 text (bad byte at offset {exc.start})"
        ) from None
    try:
        statements = read_statements(text)
    except StatementFormatError as exc:
        raise StatementFormatError(f"{source}: {exc}") from None
    if not statements:
        raise StatementFormatError(f"{source}: no statements (the input is empty)")
    return statements


def read_statements(text: str) -> list[Statement]:
    """Parse the ``cluster`` command's input into statements.

    JSON Lines (``{"id": ..., "text": ..., "show": ..., "score": ...}``, ``show`` and
    ``score`` optional) when the first non-blank line parses as a JSON object; otherwise plain
    text, one statement a line. In plain text, blank lines are skipped and do not count: the
    ids ``"1"``, ``"2"``, … number the non-blank lines, so reformatting paragraphs does not
    renumber statements. Errors name the 1-based physical line.

    >>> [s.id for s in read_statements("a\\n\\nb\\n")]
    ['1', '2']
    """
    lines = text.removeprefix("\ufeff").splitlines()
    numbered = [(n, line.strip()) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        return []
    if _is_json_object(numbered[0][1]):
        return _read_json_lines(numbered)
    for number, line in numbered:
        if len(line) > MAX_STATEMENT_CHARS:
            raise StatementFormatError(
                f"line {number}: text of {len(line)} characters is longer than the"
                f" {MAX_STATEMENT_CHARS} allowed"
            )
    return [Statement(id=str(i), text=line) for i, (_, line) in enumerate(numbered, start=1)]


def _is_json_object(line: str) -> bool:
    """Whether ``line`` parses as a JSON object."""
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _read_json_lines(numbered: Sequence[tuple[int, str]]) -> list[Statement]:
    """Parse numbered non-blank JSON lines into statements, refusing duplicate ids."""
    statements: list[Statement] = []
    seen: set[str] = set()
    for number, line in numbered:
        statement = _statement_from_json(number, line)
        if statement.id in seen:
            raise StatementFormatError(f"line {number}: duplicate id {statement.id!r}")
        seen.add(statement.id)
        statements.append(statement)
    return statements


def _statement_from_json(number: int, line: str) -> Statement:
    """Parse one JSON Lines record; ``number`` is its line for error messages."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise StatementFormatError(f"line {number}: not valid JSON ({exc})") from None
    if not isinstance(record, dict):
        raise StatementFormatError(f"line {number}: expected a JSON object")
    ident, body = record.get("id"), record.get("text")
    if isinstance(ident, bool) or not isinstance(ident, str | int) or str(ident) == "":
        raise StatementFormatError(f"line {number}: 'id' must be a non-empty string")
    if not isinstance(body, str) or not body.strip():
        raise StatementFormatError(f"line {number}: 'text' must be a non-empty string")
    if len(body) > MAX_STATEMENT_CHARS:
        raise StatementFormatError(
            f"line {number}: text of {len(body)} characters is longer than the"
            f" {MAX_STATEMENT_CHARS} allowed"
        )
    show, score = record.get("show"), record.get("score", 0.0)
    if show is not None and not isinstance(show, str):
        raise StatementFormatError(f"line {number}: 'show' must be a string or null")
    if isinstance(score, bool) or not isinstance(score, int | float):
        raise StatementFormatError(f"line {number}: 'score' must be a number")
    return Statement(id=str(ident), text=body, show=show, score=float(score))
