"""Measure the "related" rule of the digest on blind-labelled statements from a crowd.

Usage: ``python benchmarks/eval_related.py [--crowd dev] [--crowd demo]`` (from the repository
root, after ``benchmarks/eval_crowd.py --crowd NAME`` has written the crowd's
``benchmarks/crowds/build/<crowd>/insights.jsonl``). The ``confirm`` crowd is refused: nobody
tunes on it.

The window is the crowd's insights, each as a story of its own (what a strict merge leaves),
plus the members of every labelled multi-show story of ``archive.jsonl``. Each pair of members
from two different shows is one case, labelled by its story's blind verdict. The rule of
:mod:`podsift.digest.related` calls a pair related when one is among the other's
:meth:`~podsift.digest.related.RelatedIndex.near`. A reader should see "also discussed on" for
``same_claim`` and ``same_subject`` pairs, and never for ``broad_subject`` or ``unrelated``
ones: precision is the share of related pairs in the first two verdicts. Printed for a few
thresholds, with and without the rare-term rule (cosine alone).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from crowds import labels  # noqa: E402  (benchmarks/ is not a package)

from podsift.config import load_settings  # noqa: E402
from podsift.digest import RELATED_THRESHOLD, RelatedIndex  # noqa: E402
from podsift.models import Mention, StoryView  # noqa: E402
from podsift.stories import embedders  # noqa: E402

WANTED = ("same_claim", "same_subject")
THRESHOLDS = (0.4, 0.45, RELATED_THRESHOLD, 0.55, 0.6)


def _view(sid: str, show: str, text: str) -> StoryView:
    return StoryView(sid, (Mention(sid, show, "", None, text, text, None, None, 0.0),))


def crowd_cases(crowd: str) -> tuple[list[StoryView], list[tuple[str, str, str]]]:
    """The window's stories (one per distinct text) and the labelled cross-show pairs."""
    folder = ROOT / "benchmarks" / "crowds" / crowd
    found = labels.load_labels(folder)
    archive = [s for s in labels.read_stories(folder, "archive.jsonl") if s.key in found]
    insights = ROOT / "benchmarks" / "crowds" / "build" / crowd / "insights.jsonl"
    rows = [json.loads(line) for line in insights.read_text(encoding="utf-8").splitlines()]
    # the first line holds the run's counts, the others one insight each
    texts: dict[str, str] = {}
    for show, text in [(r["show"], r["text"]) for r in rows if "text" in r] + [
        (m.show, m.text) for s in archive for m in s.members
    ]:
        texts.setdefault(text, show)
    ids = {text: f"t{n:05d}" for n, text in enumerate(texts)}
    views = [_view(ids[t], show, t) for t, show in texts.items()]
    pairs = [
        (ids[a.text], ids[b.text], found[s.key])
        for s in archive
        for a, b in itertools.combinations(s.members, 2)
        if a.show != b.show and a.text != b.text
    ]
    return views, pairs


def report(crowd: str) -> None:
    """Print, per threshold, related pairs by verdict and the precision and recall."""
    views, pairs = crowd_cases(crowd)
    settings = load_settings(env={})
    embedded = embedders.create(settings.cluster.embedder, settings).embed(
        [v.mentions[0].text for v in views]
    )
    vectors = {v.id: embedded[n] / np.linalg.norm(embedded[n]) for n, v in enumerate(views)}
    totals = {v: sum(1 for *_, got in pairs if got == v) for v in labels.VERDICTS}
    print(f"\n{crowd}: {len(views)} stories in the window, {len(pairs)} labelled cross-show pairs")
    print("  pairs by verdict: " + ", ".join(f"{v} {n}" for v, n in totals.items()))
    print(f"  {'rule':<28} {'related by verdict (claim/subject/broad/unrelated)':<52} P     R")
    for threshold in THRESHOLDS:
        index = RelatedIndex.build(views, vectors, threshold=threshold)
        for rare in (True, False):
            fired = {v: 0 for v in labels.VERDICTS}
            for a, b, verdict in pairs:
                if rare:
                    hit = b in {o for _, o in index.near(a)}
                else:
                    hit = float(vectors[a] @ vectors[b]) >= threshold
                fired[verdict] += hit
            good = sum(fired[v] for v in WANTED)
            total = sum(fired.values())
            wanted = sum(totals[v] for v in WANTED)
            p = f"{good / total:.2f}" if total else "  - "
            r = f"{good / wanted:.2f}" if wanted else "  - "
            rule = f"cos ≥ {threshold:.2f}" + (" + rare term" if rare else " alone")
            counts = "/".join(str(fired[v]) for v in labels.VERDICTS)
            print(f"  {rule:<28} {counts:<52} {p}  {r}")


def main() -> None:
    """Parse the arguments and print each crowd's table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crowd", action="append", choices=("dev", "demo"))
    args = parser.parse_args()
    for crowd in args.crowd or ["dev", "demo"]:
        report(crowd)


if __name__ == "__main__":
    main()
