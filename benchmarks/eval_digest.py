"""Judge the day's five, blind, next to a baseline's five (issue 21).

Usage: ``python benchmarks/eval_digest.py --crowd {demo,dev,confirm} [--export]
[--add-scores FILE] [--json]`` (run from the repository root).

1. The five. The daily job runs over the crowd as :mod:`benchmarks/eval_crowd` runs it (the
   demo's loopback feeds, a real store in a temporary SQLite file, the default settings), and
   its operator digest gives podsift's five. The baseline's five are the stories of the same
   window with the highest plain embedding centrality (mean cosine of the story's centroid to
   every other story's), each shown by its representative quote. Both fives are kept in
   ``benchmarks/crowds/build/<crowd>/digest-fives.json`` (git-ignored: the quotes come from
   CC-BY-SA and GPL transcripts).
2. ``--export`` writes ``build/<crowd>/digest-judge.md`` for blind judges: the items of both
   fives (an item in both is shown once), shuffled with a fixed seed and unlabelled, each only
   its quote and its show. Which system gave which item is in ``digest-judge-keys.json``,
   beside it, never shown to a judge. Judges score each item 1-5: does it stand on its own, is
   it specific, is it worth knowing.
3. ``--add-scores FILE`` reads a judge's answers (one ``ID: SCORE`` a line, ``#`` comments
   allowed) and reports, per crowd and system: mean item score, filler share (score <= 2) and
   the number-1 item with its score.

``confirm`` is for confirmation only: run it to confirm a change, never read its items to
tune. Goal (issue 21): mean >= 4.0, filler <= 5 %, number 1 never filler.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from crowds.make_crowds import BUILD, SHARED  # noqa: E402
from eval_crowd import EPOCH, crowd_roots  # noqa: E402

from podsift.config import Settings  # noqa: E402
from podsift.demo import run_demo  # noqa: E402
from podsift.models import StoryView  # noqa: E402
from podsift.store import open_store  # noqa: E402

CROWDS = ("demo", "dev", "confirm")
SYSTEMS = ("podsift", "baseline")
SEED = 21
TOP = 5
FILLER = 2  # a score at most this is filler
_ANSWER = re.compile(r"^\s*([A-Z]\d+)\s*[:=]\s*([1-5])\b")


def _item(view: StoryView) -> dict[str, Any]:
    m = view.mentions[0]
    return {"story_id": view.id, "quote": m.quote, "show": m.show}


def baseline_five(views: list[StoryView], vectors: dict[str, Any]) -> list[dict[str, Any]]:
    """The top five stories by mean cosine of their centroid to every other story's."""
    ids = [v.id for v in views if v.mentions and v.id in vectors]
    if len(ids) < 2:
        return [_item(v) for v in views if v.mentions][:TOP]
    matrix = np.stack([np.asarray(vectors[i], dtype=np.float64) for i in ids])
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    sims = matrix @ matrix.T
    central = (sims.sum(axis=1) - 1.0) / (len(ids) - 1)
    by_id = {v.id: v for v in views}
    order = sorted(range(len(ids)), key=lambda k: (-central[k], ids[k]))
    return [_item(by_id[ids[k]]) for k in order[:TOP]]


def build_fives(crowd: str, shared: Path) -> dict[str, Any]:
    """Run the daily job over ``crowd``; return podsift's five and the baseline's five."""
    roots, bundled = crowd_roots(crowd, shared)
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="podsift-digest-") as tmp:
        store = open_store(str(Path(tmp) / "crowd.db"))
        try:
            result = run_demo(store, settings, roots, bundled=bundled)
            views = store.story_views(EPOCH)
            vectors = dict(store.story_centroids(settings.cluster.embedder, EPOCH))
        finally:
            store.close()
    ours = [{"story_id": i.story_id, "quote": i.quote, "show": i.show} for i in result.digest.items]
    return {
        "crowd": crowd,
        "day": result.as_of.date().isoformat(),
        "podsift": ours,
        "baseline": baseline_five(views, vectors),
    }


def export(fives: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Write the blind sheet and its key; return their paths."""
    pool: dict[tuple[str, str], dict[str, Any]] = {}
    for system in SYSTEMS:
        for rank, item in enumerate(fives[system], start=1):
            entry = pool.setdefault((item["quote"], item["show"]), {**item, "from": []})
            entry["from"].append([system, rank])
    items = sorted(pool.values(), key=lambda x: (x["show"], x["quote"]))
    random.Random(f"{SEED}-{fives['crowd']}").shuffle(items)
    letter = fives["crowd"][0].upper()
    lines = [
        f"# Blind digest items: {fives['crowd']}",
        "",
        "Score each item 1-5 as a reader of a daily email would: does it stand on its own",
        "(no need for what came before), is it specific, is it worth knowing?",
        "5 = a point you would forward; 1 = filler (meta-talk, scene-setting, a fragment).",
        f"Answer one line per item, `ID: SCORE` (e.g. `{letter}1: 4`).",
        "",
    ]
    key = {}
    for n, item in enumerate(items, start=1):
        ident = f"{letter}{n}"
        key[ident] = item["from"]
        quote = " ".join(item["quote"].split())
        lines += [f"## {ident}", "", f"> {quote}", "", f"— {item['show']}", ""]
    sheet, keys = folder / "digest-judge.md", folder / "digest-judge-keys.json"
    sheet.write_text("\n".join(lines), encoding="utf-8")
    keys.write_text(json.dumps({"crowd": fives["crowd"], "key": key}, indent=1) + "\n")
    return sheet, keys


def read_scores(path: Path) -> dict[str, int]:
    """``ID: SCORE`` lines of a judge's answers (the rest is ignored)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _ANSWER.match(line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def report(fives: dict[str, Any], key: dict[str, Any], scores: dict[str, int]) -> dict[str, Any]:
    """Mean, filler share and number 1 of each system under ``scores``."""
    by_slot = {(s, r): ident for ident, froms in key.items() for s, r in froms}
    out: dict[str, Any] = {}
    for system in SYSTEMS:
        got = [scores.get(by_slot[(system, r)]) for r in range(1, len(fives[system]) + 1)]
        known = [g for g in got if g is not None]
        first = fives[system][0] if fives[system] else None
        out[system] = {
            "items": len(fives[system]),
            "scored": len(known),
            "mean": round(sum(known) / len(known), 2) if known else None,
            "filler": round(sum(g <= FILLER for g in known) / len(known), 3) if known else None,
            "number_1": None if first is None else {**first, "score": got[0]},
        }
    return out


def print_report(crowd: str, rep: dict[str, Any]) -> None:
    print(f"{crowd}: system     items scored  mean  filler  number 1")
    for system, r in rep.items():
        mean = "-" if r["mean"] is None else f"{r['mean']:.2f}"
        filler = "-" if r["filler"] is None else f"{100 * r['filler']:.0f}%"
        one = r["number_1"] or {}
        quote = " ".join(str(one.get("quote", "")).split())[:70]
        print(f"  {system:<10} {r['items']:>5} {r['scored']:>6} {mean:>5} {filler:>7}  "
              f"[{one.get('score', '-')}] {quote} ({one.get('show', '')})")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crowd", choices=CROWDS, required=True)
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--reuse", action="store_true", help="read the fives built last time")
    ap.add_argument("--export", action="store_true", help="write the blind sheet and its key")
    ap.add_argument("--add-scores", type=Path, help="a judge's answers: ID: SCORE lines")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    folder = BUILD / args.crowd
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / "digest-fives.json"
    if args.reuse or (args.add_scores and saved.exists()):
        fives = json.loads(saved.read_text(encoding="utf-8"))
    else:
        fives = build_fives(args.crowd, args.shared)
        saved.write_text(json.dumps(fives, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.export:
        sheet, keys = export(fives, folder)
        print(f"blind sheet: {sheet}\nkey (not for judges): {keys}")
    if args.add_scores:
        key = json.loads((folder / "digest-judge-keys.json").read_text())["key"]
        rep = report(fives, key, read_scores(args.add_scores))
        print(json.dumps(rep, indent=1, ensure_ascii=False) if args.json else "", end="")
        if not args.json:
            print_report(args.crowd, rep)
    elif not args.export:
        counts = {s: len(fives[s]) for s in SYSTEMS}
        print(f"{args.crowd} ({fives['day']}): {counts}; --export to write the blind sheet")


if __name__ == "__main__":
    main()
