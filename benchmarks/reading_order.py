"""The order of the day's five as the reader gets it, scored by the judges who read them (#21).

Usage: ``python benchmarks/reading_order.py [CROWD ...]`` (run from the repository root;
default: every crowd but those kept for confirmation, ``--confirm`` for those alone).

The score (breadth × salience × substance × worth × recency) picks the five;
:func:`podsift.rank.reading_order` then hands them to the reader surest point first. For each
crowd the daily job runs as ``eval_digest.py`` runs it, and its five are put in two orders:
by score (the order before reading order: the first pick is always the best-scored story)
and as the digest sends them. Each item is scored by the judges' mean of its quote
(``benchmarks/judged_pool.py``: every blind sheet, matched by the text's hash; an item no
judge saw is counted, never guessed). Printed, per order: number 1's mean over the crowds,
how many number 1s are filler (judged 2 or less), and the rank correlation (Spearman, ties
averaged) within each five between the order and the judges, pooled over crowds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from crowds.make_crowds import SHARED  # noqa: E402
from eval_crowd import CROWDS, crowd_roots  # noqa: E402
from judged_pool import judged_pool, judged_score  # noqa: E402

from podsift.config import Settings  # noqa: E402
from podsift.context import RunContext  # noqa: E402
from podsift.demo import demo_settings, run_demo  # noqa: E402
from podsift.digest import OPERATOR, StoryPool, rank_for  # noqa: E402
from podsift.models import RankedStory  # noqa: E402
from podsift.store import open_store  # noqa: E402

#: Crowds kept for confirmation: run them only to confirm a change (benchmarks/crowds/README.md).
CONFIRM = ("confirm", "written5", "written6")


def five_of(crowd: str) -> list[RankedStory]:
    """The crowd's five as the daily job sends them (reading order)."""
    roots, bundled = crowd_roots(crowd, SHARED)
    with tempfile.TemporaryDirectory(prefix="podsift-order-") as tmp:
        store = open_store(str(Path(tmp) / "crowd.db"))
        try:
            result = run_demo(store, Settings(), roots, bundled=bundled)
            settings = demo_settings(Settings(), result.window)
            with httpx.Client() as client:
                ctx = RunContext(settings, store, client, result.as_of, lookback=result.window)
                return rank_for(ctx, OPERATOR, result.as_of.date(), pool=StoryPool.load(ctx))
        finally:
            store.close()


def ranks(values: list[float]) -> list[float]:
    """Ranks from 1, ties given their mean rank.

    >>> ranks([3.0, 1.0, 3.0])
    [2.5, 1.0, 2.5]
    """
    order = sorted(range(len(values)), key=lambda k: values[k])
    out = [0.0] * len(values)
    k = 0
    while k < len(order):
        end = k
        while end + 1 < len(order) and values[order[end + 1]] == values[order[k]]:
            end += 1
        for m in range(k, end + 1):
            out[order[m]] = (k + end) / 2 + 1
        k = end + 1
    return out


def pooled_rho(fives: list[list[float]]) -> float:
    """Spearman between position (first = best) and judged score, within each five, pooled:
    each five's ranks centred on its mean before they are pooled."""
    xs: list[float] = []
    ys: list[float] = []
    for scores in fives:
        if len(scores) < 3:
            continue
        pos = ranks([-float(k) for k in range(len(scores))])
        judged = ranks(scores)
        xs += [p - statistics.mean(pos) for p in pos]
        ys += [j - statistics.mean(judged) for j in judged]
    return statistics.correlation(xs, ys) if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("crowds", nargs="*", metavar="CROWD", help=", ".join(CROWDS))
    ap.add_argument("--confirm", action="store_true", help="the crowds kept for confirmation")
    args = ap.parse_args()
    if unknown := [c for c in args.crowds if c not in CROWDS]:
        ap.error(f"unknown crowd: {', '.join(unknown)}")
    crowds = args.crowds or (
        list(CONFIRM) if args.confirm else [c for c in CROWDS if c not in CONFIRM]
    )
    pool = judged_pool()
    orders: dict[str, list[list[float | None]]] = {"by score": [], "as sent": []}
    for crowd in crowds:
        sent = five_of(crowd)
        by_score = sorted(sent, key=lambda r: -r.score)
        for name, five in (("by score", by_score), ("as sent", sent)):
            scored = [judged_score(pool, r.story.mentions[0].quote) for r in five]
            orders[name].append(scored)
        firsts = {name: fives[-1][0] for name, fives in orders.items()}
        shown = "  ".join(f"{n}: {'-' if s is None else f'{s:.2f}'}" for n, s in firsts.items())
        print(f"{crowd:10} number 1 {shown}", flush=True)
    print(f"\n{len(crowds)} crowds")
    for name, fives in orders.items():
        firsts = [f[0] for f in fives if f and f[0] is not None]
        complete = [[s for s in f if s is not None] for f in fives if None not in f]
        print(
            f"{name:9} number 1 mean {statistics.mean(firsts):.2f} over {len(firsts)}, "
            f"filler {sum(s <= 2 for s in firsts)}; rank correlation within the five "
            f"{pooled_rho(complete):+.2f} over {len(complete)} fives judged whole"
        )


if __name__ == "__main__":
    main()
