"""Are the local model's headlines faithful to their quotes? Judged blind, on real quotes (#18).

Usage: ``python benchmarks/eval_headlines.py [--crowds demo,dev] [--per-crowd 25] [--skip N]
[--model qwen-1.5b] [--reuse] [--add-labels FILE ...] [--json]`` (run from the repository
root; needs cyllama and ``podsift models fetch qwen-1.5b``).

1. The quotes. The daily job runs over each crowd as :mod:`benchmarks/eval_digest` runs it
   (loopback feeds, a real store in a temporary SQLite file, the default settings), and the
   operator's digest is drafted with ``[rank] top = --per-crowd``: the day's best stories,
   diverse, as the product ranks them, each a real quote from a real transcript. ``--skip N``
   leaves out each crowd's best N, for quotes that earlier runs did not see.
   ``--prompt FILE`` tries another system prompt for the headlines.
2. The headlines. They are asked for as the digest stage asks for the day's five
   (:class:`podsift.insights.polish.LLMPolisher` on the local model: one question a story),
   timed five stories at a time. Each one goes through the product's checks
   (:func:`podsift.insights.polish.acceptable`: at most 15 words, every content word one of
   the story's own, no possessive the quote does not make, and no conflict with the quote on
   figures, negation, opposites, names or roles). The seconds per five are recorded.
3. The judges. ``build/headlines/sheet.md`` shows every (quote, headline) pair, shuffled with a
   fixed seed, without saying which passed the checks. A judge answers one line a pair,
   ``ID: faithful | overstated | reversed | invented | unclear``. ``--add-labels`` reads one
   or more judges' answers and reports, for the headlines that passed the checks (what would
   reach a digest) and for those dropped: how many of each label. Goal: no ``reversed`` or
   ``invented`` among those that pass.

The pairs are kept in ``benchmarks/crowds/build/headlines/`` (git-ignored: the quotes come from
CC-BY-SA and GPL transcripts).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from crowds.make_crowds import BUILD, SHARED  # noqa: E402
from eval_crowd import crowd_roots  # noqa: E402
from eval_digest import draft_top  # noqa: E402

from podsift.config import InsightSettings, Settings  # noqa: E402
from podsift.demo import run_demo  # noqa: E402
from podsift.digest.compose import digest_from_json  # noqa: E402
from podsift.insights.polish import (  # noqa: E402
    POLISH_PROMPT,
    LLMPolisher,
    acceptable,
    clean_headline,
    injected,
)
from podsift.llm import connect  # noqa: E402
from podsift.models import DigestItem  # noqa: E402
from podsift.store import open_store  # noqa: E402

LABELS = ("faithful", "overstated", "reversed", "invented", "unclear")
WRONG = ("reversed", "invented")
SEED = 18
BATCH = 5  # the day's five, timed together
_ANSWER = re.compile(r"^\s*(H\d+)\s*[:=]\s*([a-z]+)", re.I)


def candidates(crowd: str, shared: Path, top: int) -> dict[str, Any]:
    """The operator digest's best ``top`` items over ``crowd``, as the product ranks them:
    the digest's stored JSON."""
    roots, bundled = crowd_roots(crowd, shared)
    with tempfile.TemporaryDirectory(prefix="podsift-headlines-") as tmp:
        store = open_store(str(Path(tmp) / "crowd.db"))
        try:
            result = run_demo(store, Settings(), roots, bundled=bundled)
            return draft_top(store, result.as_of, result.window, top)
        finally:
            store.close()


def checked(rows: list[dict[str, Any]], digests: dict[str, dict[str, Any]]) -> None:
    """Put each row's verdict of the product's checks (as they are now) in ``passes``."""
    items = {
        (crowd, i.story_id): i
        for crowd, payload in digests.items()
        for i in digest_from_json(payload).items
    }
    for row in rows:
        item = items[(row["crowd"], row["story_id"])]
        row["passes"] = bool(row["headline"]) and acceptable(row["headline"], item)


def write_headlines(
    items: list[tuple[str, DigestItem]], model: str, prompt: str = POLISH_PROMPT
) -> tuple[list[dict[str, Any]], float]:
    """Ask the local model for each ``(crowd, item)``'s headline (with system ``prompt``),
    timed five at a time.

    Returns one row per item (crowd, quote, headline) and the seconds per five after the
    first request (the model loaded and its prompt prefix cached).
    """
    local = dataclasses.replace(InsightSettings().llm("local"), model=model, budget_seconds=3600.0)
    polisher = LLMPolisher(connect("local", local), local.max_output_tokens, prompt)
    rows, seconds = [], []
    for lo in range(0, len(items), BATCH):
        batch = [(c, i) for c, i in items[lo : lo + BATCH] if not injected(i)]
        began = time.perf_counter()
        try:
            heads = polisher.headlines([i for _, i in batch])
        except Exception as e:  # a junk reply counts as no headline, as in the product
            print(f"  batch {lo // BATCH + 1}: {e}", file=sys.stderr)
            heads = []
        seconds.append(time.perf_counter() - began)
        for (crowd, item), head in zip(batch, [*heads, *[None] * len(batch)], strict=False):
            rows.append({"crowd": crowd, "story_id": item.story_id, "show": item.show,
                         "quote": " ".join(item.quote.split()),
                         "headline": clean_headline(head) if head else ""})  # fmt: skip
    later = seconds[1:] or seconds
    return rows, sum(later) / max(len(later), 1)


def export(rows: list[dict[str, Any]], folder: Path) -> Path:
    """The blind sheet: every pair with a headline, shuffled, with no word of the checks."""
    shown = [r for r in rows if r["headline"]]
    random.Random(SEED).shuffle(shown)
    lines = [
        "# Blind headline check",
        "",
        "Each item is a quote from a podcast and a headline written for it. Judge only whether",
        "the headline is faithful to the quote. Answer one line per item, `ID: LABEL`, with",
        "LABEL one of:",
        "",
        "- faithful: says what the quote says (shorter is fine);",
        "- overstated: the same point, made stronger or surer than the quote makes it;",
        "- reversed: says the opposite, or flips who did what, or changes a number or date;",
        "- invented: states a fact the quote does not contain;",
        "- unclear: the headline is too vague or garbled to say.",
        "",
    ]
    for n, row in enumerate(shown, start=1):
        row["id"] = f"H{n}"
        lines += [f"## H{n}", "", f"> {row['quote']}", "", f"Headline: {row['headline']}", ""]
    sheet = folder / "sheet.md"
    sheet.write_text("\n".join(lines), encoding="utf-8")
    return sheet


def read_labels(path: Path) -> dict[str, str]:
    """``ID: LABEL`` lines of a judge's answers (the rest is ignored)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _ANSWER.match(line)
        if m and m.group(2).lower() in LABELS:
            out[m.group(1).upper()] = m.group(2).lower()
    return out


def report(rows: list[dict[str, Any]], labels: dict[str, str]) -> dict[str, Any]:
    """Counts of each label among the headlines that pass the checks and those dropped."""
    out: dict[str, Any] = {}
    for name, passes in (("passed", True), ("dropped", False)):
        got = [labels[r["id"]] for r in rows if r.get("id") in labels and r["passes"] is passes]
        counts = Counter(got)
        out[name] = {"judged": len(got), **{k: counts.get(k, 0) for k in LABELS}}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crowds", default="demo,dev")
    ap.add_argument("--per-crowd", type=int, default=25)
    ap.add_argument("--skip", type=int, default=0, help="leave out each crowd's best N")
    ap.add_argument("--model", default="qwen-1.5b")
    ap.add_argument("--prompt", type=Path, help="a system prompt to try instead of the product's")
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--reuse", action="store_true", help="read the pairs written last time")
    ap.add_argument("--add-labels", type=Path, nargs="*", help="judges' answers: ID: LABEL")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    folder = BUILD / "headlines"
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / "pairs.json"
    if args.reuse or (args.add_labels and saved.exists()):
        data = json.loads(saved.read_text(encoding="utf-8"))
    else:
        digests = {}
        for crowd in (c.strip() for c in args.crowds.split(",") if c.strip()):
            digests[crowd] = candidates(crowd, args.shared, args.per_crowd)
            print(f"{crowd}: {len(digests[crowd]['items'])} stories", file=sys.stderr)
        items = [
            (c, i)
            for c, d in digests.items()
            for i in digest_from_json(d).items
            if i.rank > args.skip
        ]
        prompt = args.prompt.read_text(encoding="utf-8") if args.prompt else POLISH_PROMPT
        rows, per_five = write_headlines(items, args.model, prompt)
        export(rows, folder)
        data = {"model": args.model, "seconds_per_five": round(per_five, 1), "rows": rows,
                "digests": digests}  # fmt: skip
        saved.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
    rows = data["rows"]
    checked(rows, data["digests"])
    written = sum(bool(r["headline"]) for r in rows)
    passed = sum(r["passes"] for r in rows)
    summary: dict[str, Any] = {
        "model": data["model"],
        "quotes": len(rows),
        "headlines": written,
        "pass_checks": passed,
        "seconds_per_five": data["seconds_per_five"],
    }
    for path in args.add_labels or []:
        summary[str(path)] = report(rows, read_labels(path))
    if args.json:
        print(json.dumps(summary, indent=1))
        return
    print(f"{data['model']}: {len(rows)} quotes, {written} headlines written, {passed} pass the "
          f"checks; {data['seconds_per_five']} s per five")  # fmt: skip
    print(f"blind sheet: {folder / 'sheet.md'}")
    for path in args.add_labels or []:
        for name, r in summary[str(path)].items():
            counts = ", ".join(f"{k} {r[k]}" for k in LABELS)
            print(f"  {path}: {name} ({r['judged']} judged): {counts}")


if __name__ == "__main__":
    main()
