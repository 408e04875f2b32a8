"""How well the judge's prompt separates points from filler, on hand-written quotes (#18).

Usage: ``python benchmarks/eval_judge.py [--model qwen-1.5b] [--prompt FILE] [--json]``
(run from the repository root; needs cyllama and ``podsift models fetch qwen-1.5b``).

``tests/data/judge/quotes.jsonl`` holds 30 quotes written by hand for this (none taken from a
crowd or a transcript): 15 points (a fact, a figure, news, advice or an explanation that stands
on its own) and 15 filler (thanks, scene-setting, agreement, a remark that needs what came
before, a vague opinion, a sponsor read). Each is scored by :class:`podsift.insights.judge.Judge`
under the judge's ``SYSTEM`` prompt (or ``--prompt``'s text); the report gives each label's
mean and range, the AUC (the chance that a point outscores a filler quote, ties counting
half), and the seconds per quote after the first (the system prompt stays cached).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from podsift.config import InsightSettings, LLMSettings
from podsift.insights import judge as judging
from podsift.llm import RatesChoices, connect

ROOT = Path(__file__).resolve().parents[1]
QUOTES = ROOT / "tests" / "data" / "judge" / "quotes.jsonl"


def auc(points: list[float], filler: list[float]) -> float:
    """The chance that a point scores above a filler quote (ties count half).

    >>> auc([4.0, 5.0], [1.0, 4.0])
    0.875
    """
    pairs = [(p > f) + 0.5 * (p == f) for p in points for f in filler]
    return sum(pairs) / len(pairs)


def evaluate(model: str, system: str) -> dict[str, Any]:
    """Score every quote under ``system``; return the scores and the summary."""
    cfg = InsightSettings(local=LLMSettings(base_url="", model=model, api_key_env="",
                                            budget_seconds=3600.0))  # fmt: skip
    chat = connect("local", cfg.llm("local"))
    assert isinstance(chat, RatesChoices)
    judge = judging.Judge(chat, system)
    rows = [json.loads(line) for line in QUOTES.read_text(encoding="utf-8").splitlines()]
    times = []
    for row in rows:
        start = time.perf_counter()
        row["score"] = judge.score(row["quote"])
        times.append(time.perf_counter() - start)
    points = [r["score"] for r in rows if r["label"] == "point" and r["score"] is not None]
    filler = [r["score"] for r in rows if r["label"] == "filler" and r["score"] is not None]
    summary = {
        "model": model,
        "points": _spread(points),
        "filler": _spread(filler),
        "auc": round(auc(points, filler), 3),
        "not_judged": judge.skipped + judge.failed,
        "first_seconds": round(times[0], 2),
        "seconds_per_quote": round(sum(times[1:]) / len(times[1:]), 2),
    }
    return {"summary": summary, "rows": rows}


def _spread(scores: list[float]) -> list[float]:
    """Min, mean and max, rounded."""
    return [round(min(scores), 2), round(sum(scores) / len(scores), 2), round(max(scores), 2)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="qwen-1.5b")
    ap.add_argument("--prompt", type=Path, help="a system prompt to try instead of SYSTEM")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    system = args.prompt.read_text(encoding="utf-8").strip() if args.prompt else judging.SYSTEM
    got = evaluate(args.model, system)
    if args.json:
        print(json.dumps(got, indent=1))
        return
    for row in sorted(got["rows"], key=lambda r: -(r["score"] or 0)):
        score = "-" if row["score"] is None else f"{row['score']:.2f}"
        print(f"{score:>4}  {row['label']:<6}  {row['quote'][:90]}")
    s = got["summary"]
    print(
        f"{s['model']}: points min/mean/max {s['points']}, filler {s['filler']}, "
        f"AUC {s['auc']}, {s['not_judged']} not judged, "
        f"{s['seconds_per_quote']} s a quote ({s['first_seconds']} s first)"
    )


if __name__ == "__main__":
    main()
