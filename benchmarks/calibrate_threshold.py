"""Calibrate the story-merging cosine threshold of an embedder on the labelled dedup data.

Usage: ``python benchmarks/calibrate_threshold.py [DATA_DIR] [--embedder NAME]``
(DATA_DIR defaults to ``/work/shared/data/dedup``).

Three views, each as pairwise precision / recall / F1 per threshold:

- ``events-pairs``: every pair of items of ``cross-show-events.json``; same group = same,
  other groups of the same event = hard negatives, different events = different.
- ``events-groups``: the same pairs, but judged on the clusters :func:`group_statements`
  actually forms (average linkage), i.e. what the ``cluster`` command does.
- ``sts``: STS headline pairs; gold score >= 4 = same, <= 1 = different (the rest skipped).

The chosen threshold maximises the mean F1 of ``events-groups`` and ``sts``.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np

from podsift.cluster import create_embedder, group_statements
from podsift.models import Statement

THRESHOLDS = [round(float(t), 3) for t in np.arange(0.30, 0.801, 0.025)]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_events(path: Path) -> tuple[list[str], list[str], list[str]]:
    """Texts of the event items, their group labels and their event labels."""
    data = json.loads(path.read_text(encoding="utf-8"))
    texts, groups, events = [], [], []
    for event in data["events"]:
        for g, group in enumerate(event["groups"]):
            for item in group["items"]:
                texts.append(item["text"])
                groups.append(f"{event['id']}#{g}")
                events.append(event["id"])
    return texts, groups, events


def load_sts(folder: Path) -> tuple[list[str], list[str], list[bool]]:
    """Headline pairs with a clear label: score >= 4 → same, <= 1 → different."""
    left, right, same = [], [], []
    for tsv in sorted(folder.glob("*.tsv")):
        for line in tsv.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) < 3 or not cols[0].strip():
                continue
            score = float(cols[0])
            if score >= 4 or score <= 1:
                left.append(cols[1])
                right.append(cols[2])
                same.append(score >= 4)
    return left, right, same


def pair_counts(sims: list[float], same: list[bool], t: float) -> tuple[int, int, int]:
    """TP, FP, FN of "similarity >= t" against the gold labels."""
    tp = sum(s >= t and g for s, g in zip(sims, same, strict=True))
    fp = sum(s >= t and not g for s, g in zip(sims, same, strict=True))
    fn = sum(s < t and g for s, g in zip(sims, same, strict=True))
    return tp, fp, fn


def main() -> None:
    """Print the tables and the chosen threshold."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default="/work/shared/data/dedup", type=Path)
    parser.add_argument("--embedder", default="minilm-l6-int8")
    args = parser.parse_args()
    embedder = create_embedder(args.embedder)

    texts, groups, events = load_events(args.data / "cross-show-events.json")
    vecs = embedder.embed(texts)
    pairs = list(itertools.combinations(range(len(texts)), 2))
    ev_sims = [float(vecs[i] @ vecs[j]) for i, j in pairs]
    ev_same = [groups[i] == groups[j] for i, j in pairs]
    hard = [events[i] == events[j] and groups[i] != groups[j] for i, j in pairs]
    statements = [Statement(id=str(i), text=t) for i, t in enumerate(texts)]

    left, right, sts_same = load_sts(args.data / "sts-headlines")
    lv, rv = embedder.embed(left), embedder.embed(right)
    sts_sims = [float(x) for x in np.einsum("ij,ij->i", lv, rv)]

    print(
        f"embedder {embedder.name}: {len(texts)} event items, {len(pairs)} pairs "
        f"({sum(ev_same)} same, {sum(hard)} hard negatives); "
        f"{len(sts_same)} STS pairs ({sum(sts_same)} same)"
    )
    print(
        f"{'thr':>5} | {'events-pairs P/R/F1':>20} | {'events-groups P/R/F1':>20} | "
        f"{'sts P/R/F1':>20} | hardFP"
    )
    best: tuple[float, float] = (-1.0, 0.0)
    for t in THRESHOLDS:
        ep = prf(*pair_counts(ev_sims, ev_same, t))
        label = {
            m: c.id for c in group_statements(statements, vecs, threshold=t) for m in c.members
        }
        grouped = [label[str(i)] == label[str(j)] for i, j in pairs]
        eg = prf(*pair_counts([float(g) for g in grouped], ev_same, 0.5))
        st = prf(*pair_counts(sts_sims, sts_same, t))
        hard_fp = sum(g and h for g, h in zip(grouped, hard, strict=True))
        cells = [f"{p:.2f}/{r:.2f}/{f:.2f}" for p, r, f in (ep, eg, st)]
        print(f"{t:5.3f} | {cells[0]:>20} | {cells[1]:>20} | {cells[2]:>20} | {hard_fp}")
        best = max(best, ((eg[2] + st[2]) / 2, t))
    print(f"chosen threshold {best[1]:.3f} (mean F1 of events-groups and sts {best[0]:.3f})")


if __name__ == "__main__":
    main()
