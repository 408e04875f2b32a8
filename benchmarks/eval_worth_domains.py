"""Points against filler on subjects the worth model never saw (#21).

Usage: ``python benchmarks/eval_worth_domains.py`` (from the repository root).

The worth model (:mod:`podsift.rank.worth`) was fitted on software podcasts. This reads the 64
passages of ``tests/data/worth/spoken-domains.jsonl`` (spoken points and filler in eight other
domains, written blind for podsift) and prints, overall and per domain, the chance that a point
outscores filler (ROC AUC) by worth alone, by substance × fluency (the rules), and by their
product as the ranking weighs them ((expected / 4) ** power × substance × fluency), with the
mean expected score of points and of filler, and how many of each the rules zero.
"""

from __future__ import annotations

import json
from pathlib import Path

from podsift.insights import fluency, substance
from podsift.insights.clean import clean_quote
from podsift.rank import WorthModel
from podsift.stories.embed import MiniLMEmbedder

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "worth" / "spoken-domains.jsonl"


def auc(scores: list[float], points: list[bool]) -> float:
    """The chance that a point outscores filler (ties count half)."""
    pos = [s for s, p in zip(scores, points, strict=True) if p]
    neg = [s for s, p in zip(scores, points, strict=True) if not p]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def main() -> None:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    model = WorthModel.bundled("minilm-l6-int8")
    assert model is not None
    texts = [clean_quote(r["text"]) for r in rows]
    expected = [model.expected(v) for v in MiniLMEmbedder().embed(texts)]
    rules = [substance(t) * fluency(r["text"]) for t, r in zip(texts, rows, strict=True)]
    both = [s * (e / 4) ** model.power for s, e in zip(rules, expected, strict=True)]
    point = [r["kind"] == "point" for r in rows]
    print(
        f"{'domain':28} {'n':>3} {'worth':>6} {'rules':>6} {'both':>6}  expected: points / filler"
    )
    for domain in [None, *sorted({r["domain"] for r in rows})]:
        k = [i for i, r in enumerate(rows) if domain in (None, r["domain"])]
        got = [auc([s[i] for i in k], [point[i] for i in k]) for s in (expected, rules, both)]
        mean_p = sum(expected[i] for i in k if point[i]) / sum(point[i] for i in k)
        mean_f = sum(expected[i] for i in k if not point[i]) / sum(not point[i] for i in k)
        print(f"{domain or 'all':28} {len(k):>3} " + " ".join(f"{a:6.2f}" for a in got)
              + f"  {mean_p:.2f} / {mean_f:.2f}")  # fmt: skip
    zero_p = sum(1 for s, p in zip(rules, point, strict=True) if p and s == 0)
    zero_f = sum(1 for s, p in zip(rules, point, strict=True) if not p and s == 0)
    print(f"zeroed by the rules (never reach a digest): {zero_p} of {sum(point)} points, "
          f"{zero_f} of {len(point) - sum(point)} filler")  # fmt: skip


if __name__ == "__main__":
    main()
