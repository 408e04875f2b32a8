"""Every passage blind judges have scored, and the crowd's five scored by them, today.

Usage: ``python benchmarks/judged_pool.py [--crowd NAME] [--top N]`` (run from the
repository root).

Each sheet in ``benchmarks/crowds/judged/`` (``<sheet>-keys.json`` beside its
``<sheet>-scores-judge*.txt``) names its items by the first 16 hex digits of the sha256 of
their text, their cleaned quote or their quote, in whichever form it was written. This reads
every such hex key under every item of every sheet and keeps, for each, the mean of its
judges' scores (the mean over sheets when several judged it). A sheet whose scores rate two
renderings of one item (``shown19-*``) is left out: its items are not scored as shown.

With ``--crowd``, the daily job runs over the crowd as ``eval_digest.py`` runs it, and each of
its ``--top`` best (default 5) is printed with the judges' mean of its quote, or ``-`` when no
sheet holds it: a change to the ranking is scored by the judges who scored the passages
before it, and what no judge saw is counted, never guessed. Without ``--crowd``, it prints how
many passages the sheets hold.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from crowds.make_crowds import SHARED  # noqa: E402
from eval_crowd import CROWDS  # noqa: E402
from eval_digest import build_fives, read_scores  # noqa: E402

from podsift.insights.clean import clean_quote  # noqa: E402

JUDGED = ROOT / "benchmarks" / "crowds" / "judged"
#: Sheets whose answers score something other than the item as a digest shows it.
LEFT_OUT = ("shown19-",)
_HEX = re.compile(r"^[0-9a-f]{16}$")


def digest(text: str) -> str:
    """How the sheets name a passage: the first 16 hex digits of its text's sha256.

    >>> digest("uv is fast.")
    'aeafc1f7d1953a29'
    """
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _hex_keys(value: Any) -> Iterator[str]:
    """Every 16-hex-digit string in ``value`` (a keys file's entry for one item).

    >>> sorted(_hex_keys({"sha": "0123456789abcdef", "from": [["podsift", 1]], "n": "x"}))
    ['0123456789abcdef']
    """
    if isinstance(value, str):
        if _HEX.match(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _hex_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _hex_keys(item)


def _items(keys: Any) -> dict[str, set[str]]:
    """Sheet ID → the hex keys that name it, from a keys file of any of the sheets' forms."""
    found: dict[str, set[str]] = {}
    if not isinstance(keys, dict):
        return found
    texts = keys.get("texts")
    for ident, value in (texts if isinstance(texts, dict) else {}).items():
        found.setdefault(ident, set()).update(_hex_keys(value))
    entries = keys.get("key", keys)
    if isinstance(entries, dict):
        for ident, value in entries.items():
            found.setdefault(ident, set()).update(_hex_keys(value))
    return {ident: hexes for ident, hexes in found.items() if hexes}


def judged_pool(folder: Path = JUDGED) -> dict[str, float]:
    """Hex key of a passage → the judges' mean score of it, over every sheet in ``folder``."""
    scores: dict[str, list[float]] = {}
    for keys_file in sorted(folder.glob("*-keys.json")):
        sheet = keys_file.name.removesuffix("keys.json")
        answers = sorted(folder.glob(f"{sheet}scores-judge*.txt"))
        if not answers or sheet.startswith(LEFT_OUT):
            continue
        judges = [read_scores(path) for path in answers]
        for ident, hexes in _items(json.loads(keys_file.read_text(encoding="utf-8"))).items():
            got = [a[ident] for a in judges if ident in a]
            if got:
                for hexed in hexes:
                    scores.setdefault(hexed, []).append(statistics.mean(got))
    return {hexed: statistics.mean(values) for hexed, values in scores.items()}


def judged_score(pool: dict[str, float], quote: str) -> float | None:
    """The judges' mean of ``quote`` (as said, or cleaned), or None when no sheet holds it."""
    for text in (quote, clean_quote(quote)):
        if (got := pool.get(digest(text))) is not None:
            return got
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crowd", choices=CROWDS)
    ap.add_argument("--top", type=int, default=5, help="how many of the crowd's best")
    args = ap.parse_args()
    pool = judged_pool()
    print(f"{len(pool)} judged passages in {JUDGED.relative_to(ROOT)}")
    if not args.crowd:
        return
    items = build_fives(args.crowd, SHARED, ("podsift",), top=args.top)["podsift"]
    scored = [judged_score(pool, item["quote"]) for item in items]
    for rank, (item, score) in enumerate(zip(items, scored, strict=True), start=1):
        shown = "-" if score is None else f"{score:.2f}"
        print(f"{rank:3}  {shown:>4}  {item['show']}: {' '.join(item['quote'].split())[:100]}")
    known = [s for s in scored if s is not None]
    mean = f"{statistics.mean(known):.2f}" if known else "-"
    print(f"{args.crowd}: mean {mean} over {len(known)} judged, {len(scored) - len(known)} not")


if __name__ == "__main__":
    main()
