"""Calibrate story merging (cosine threshold + shared-term boost) of an embedder.

Usage: ``python benchmarks/calibrate_threshold.py [DATA_DIR] [--embedder NAME]
[--demo-pairs FILE]`` (DATA_DIR defaults to ``/work/shared/data/dedup``, the demo pairs to
``tests/data/stories/demo-pairs.jsonl``).

Two statements are "the same story" when ``cosine + boost × rarity of the rarest salient
term they share`` reaches the threshold (see :mod:`podsift.cluster.group`). Views, each as
pairwise precision / recall / F1 per (boost, threshold):

- ``events``: the clusters :func:`group_statements` forms on the items of
  ``cross-show-events.json`` (same group = same; other groups of the same event = hard
  negatives, counted in ``hardFP`` when merged; different events = different);
- ``sts-dev`` / ``sts-test``: STS headline pairs (gold >= 4 same, <= 1 different), split
  by pair index (even = dev, odd = test);
- ``demo``: hand-labelled cross-show pairs from the demo corpus (``tests/data/stories``).

The setting is chosen on the dev views only (``events`` and ``sts-dev``): the best mean F1
among settings that merge no hard negative. ``sts-test`` and ``demo`` are reported, never
used to choose.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np
import numpy.typing as npt

from podsift.cluster import create_embedder, group_statements
from podsift.cluster.group import salient_terms, term_rarity
from podsift.models import Statement

THRESHOLDS = [round(float(t), 3) for t in np.arange(0.40, 0.851, 0.025)]
BOOSTS = [0.0, 0.1, 0.15, 0.2, 0.25, 0.3]
PRF = tuple[float, float, float]


def prf(tp: int, fp: int, fn: int) -> PRF:
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


def load_sts(folder: Path) -> list[tuple[str, str, bool]]:
    """Headline pairs with a clear label: score >= 4 → same, <= 1 → different."""
    pairs = []
    for tsv in sorted(folder.glob("*.tsv")):
        for line in tsv.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) < 3 or not cols[0].strip():
                continue
            score = float(cols[0])
            if score >= 4 or score <= 1:
                pairs.append((cols[1], cols[2], score >= 4))
    return pairs


def load_demo(path: Path) -> list[tuple[str, str, bool]]:
    """Hand-labelled demo pairs (JSON Lines with ``a``, ``b``, ``same``)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(r["a"], r["b"], bool(r["same"])) for r in rows]


class PairView:
    """Pairs scored as cosine + boost × shared-term rarity (rarity over all their texts)."""

    def __init__(self, pairs: list[tuple[str, str, bool]], embedder: object) -> None:
        left, right = [p[0] for p in pairs], [p[1] for p in pairs]
        lv, rv = embedder.embed(left), embedder.embed(right)  # type: ignore[attr-defined]
        self.cos = np.einsum("ij,ij->i", lv, rv)
        terms = salient_terms(left + right)
        rarity = term_rarity(terms)
        n = len(pairs)
        self.rare = np.array(
            [max((rarity[t] for t in terms[i] & terms[n + i]), default=0.0) for i in range(n)]
        )
        self.same = np.array([p[2] for p in pairs])

    def score(self, threshold: float, boost: float) -> PRF:
        """P/R/F1 of merging at ``threshold`` with ``boost``."""
        merged: npt.NDArray[np.bool_] = self.cos + boost * self.rare >= threshold
        return prf(
            int((merged & self.same).sum()),
            int((merged & ~self.same).sum()),
            int((~merged & self.same).sum()),
        )


def main() -> None:
    """Print the tables and the chosen setting."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("data", nargs="?", default="/work/shared/data/dedup", type=Path)
    parser.add_argument("--embedder", default="minilm-l6-int8")
    parser.add_argument(
        "--demo-pairs", default=Path("tests/data/stories/demo-pairs.jsonl"), type=Path
    )
    args = parser.parse_args()
    embedder = create_embedder(args.embedder)

    texts, groups, events = load_events(args.data / "cross-show-events.json")
    vecs = embedder.embed(texts)
    pairs = list(itertools.combinations(range(len(texts)), 2))
    ev_same = [groups[i] == groups[j] for i, j in pairs]
    hard = [events[i] == events[j] and groups[i] != groups[j] for i, j in pairs]
    statements = [Statement(id=str(i), text=t) for i, t in enumerate(texts)]

    sts = load_sts(args.data / "sts-headlines")
    sts_dev, sts_test = PairView(sts[0::2], embedder), PairView(sts[1::2], embedder)
    demo = PairView(load_demo(args.demo_pairs), embedder)

    print(
        f"embedder {embedder.name}: {len(texts)} event items, {len(pairs)} pairs "
        f"({sum(ev_same)} same, {sum(hard)} hard negatives); STS {len(sts_dev.same)} dev / "
        f"{len(sts_test.same)} test pairs; {len(demo.same)} demo pairs "
        f"({int(demo.same.sum())} same)"
    )
    head = ("events P/R/F1", "sts-dev P/R/F1", "sts-test P/R/F1", "demo P/R/F1")
    print(f"boost   thr | {' | '.join(f'{h:>15}' for h in head)} | hardFP | dev")
    best: tuple[float, float, float] = (-1.0, 0.0, 0.0)
    for boost, t in itertools.product(BOOSTS, THRESHOLDS):
        clusters = group_statements(statements, vecs, threshold=t, term_boost=boost)
        label = {m: c.id for c in clusters for m in c.members}
        grouped = [label[str(i)] == label[str(j)] for i, j in pairs]
        ev = prf(
            sum(g and s for g, s in zip(grouped, ev_same, strict=True)),
            sum(g and not s for g, s in zip(grouped, ev_same, strict=True)),
            sum(s and not g for g, s in zip(grouped, ev_same, strict=True)),
        )
        hard_fp = sum(g and h for g, h in zip(grouped, hard, strict=True))
        views = (ev, sts_dev.score(t, boost), sts_test.score(t, boost), demo.score(t, boost))
        dev = (views[0][2] + views[1][2]) / 2
        cells = " | ".join(f"{p:.2f}/{r:.2f}/{f:.2f}".rjust(15) for p, r, f in views)
        print(f"{boost:5.2f} {t:5.3f} | {cells} | {hard_fp:6d} | {dev:.3f}")
        if hard_fp == 0:
            best = max(best, (round(dev, 6), boost, -t))
    print(
        f"chosen: term_boost {best[1]:.2f}, threshold {-best[2]:.3f} "
        f"(mean dev F1 of events and sts-dev {best[0]:.3f}, no hard negative merged)"
    )


if __name__ == "__main__":
    main()
