"""Measure story merging in the product's setting: a whole window of many shows at once.

Usage: ``python benchmarks/eval_crowd.py --crowd NAME [--reuse] [--no-pairs]
[--export-unlabelled] [--add-verdicts FILE [--judge NAME]] [--verifier NAME] [--json]``, NAME
one of dev, confirm, demo, written, written2, ..., written20 (run from the
repository root; see benchmarks/crowds/README.md).

1. Stories of the crowd. The daily job runs over the crowd as the demo runs it
   (:func:`podsift.demo.run_demo`: feeds and transcripts served from loopback, a real store
   in a temporary SQLite file, the default :class:`~podsift.config.Settings`, recency
   softened by ``demo_settings``); ``dev`` and ``confirm`` are built by
   ``benchmarks/crowds/make_crowds.py`` (their fortnight of re-dated episodes), ``demo`` is the
   bundled demo with ``tests/data/demo-talkpython``, on its own dates. Every story with
   members from two shows or more is written to ``benchmarks/crowds/<crowd>/stories.jsonl``
   (format in ``benchmarks/crowds/labels.py``), and the crowd's insights to
   ``benchmarks/crowds/build/<crowd>/insights.jsonl`` (git-ignored), which ``--reuse`` reads
   instead of running the job again.
2. Labels. Story-level precision is same_claim / labelled multi-show stories, under the blind
   judges' ``labels.jsonl`` (a subset of a same_claim story counts as same_claim); the share
   counting same_subject too, and how many stories are unlabelled, come with it.
   ``--export-unlabelled`` writes the unlabelled ones for the judges; ``--add-verdicts``
   reads their answers back.
3. Pairs in the crowd. Every statement of the labelled pair sets (``tests/data/stories/
   *-pairs.jsonl`` but the reserved ``fresh5``, the STS headlines and MSRpar pairs with a
   clear label, and every pair of the cross-show event passages) goes, each with a pseudo-show
   of its own, into one input with the crowd's insights; it is read with
   :func:`podsift.stories.read_statements` and clustered once with
   :func:`podsift.stories.group_statements` at the default embedder's calibrated threshold,
   as ``podsift cluster`` does. A pair is predicted same iff both statements land in one
   cluster. Each set's pairwise precision and recall are shown three ways: each pair
   clustered alone (what eval_stories.py scores), all pair statements clustered together
   without the crowd, and with the crowd; ``absorbed`` counts the set's statements that share
   a cluster with a crowd insight.

``--verifier local`` runs all of it with ``[cluster] verifier`` set
(:mod:`podsift.stories.verify`): the daily job asks it, and so does each of the three ways
of clustering the pairs, each with a verifier (and a time budget) of its own.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from crowds import labels  # noqa: E402  (benchmarks/ is not a package)
from crowds.labels import CrowdStory, Member  # noqa: E402
from crowds.make_crowds import BUILD, SHARED, build  # noqa: E402
from eval_stories import VectorFile, load_pairs, load_sts, prf  # noqa: E402

from podsift.config import Settings  # noqa: E402
from podsift.demo import DemoResult, run_demo  # noqa: E402
from podsift.models import Statement, StoryView  # noqa: E402
from podsift.store import open_store  # noqa: E402
from podsift.stories import group_statements, read_statements, threshold_for  # noqa: E402
from podsift.stories.verify import MergeVerifier, make_verifier  # noqa: E402

CROWD_DIR = ROOT / "benchmarks" / "crowds"
#: Crowds committed with their data (see their PROVENANCE.md): shows written for podsift, and
#: `btc` and `conduit`, real transcripts.
WRITTEN = (
    "written",
    "written2",
    "written3",
    "written4",
    "written5",
    "written6",
    "written7",
    "written8",
    "written9",
    "written10",
    "written11",
    "written12",
    "written13",
    "written14",
    "written15",
    "written16",
    "written17",
    "written18",
    "written19",
    "written20",
    "written21",
    "written22",
    "written23",
    "written24",
    "written25",
    "written26",
    "btc",  # real transcripts of six Bitcoin shows (MIT), committed with their data
    "conduit",  # real transcripts of one productivity show (MIT), committed with their data
)
CROWDS = ("dev", "confirm", "demo", *WRITTEN)
#: The hand-written pair sets scored in the crowd; ``fresh5`` stays in reserve (eval_stories).
PAIR_SETS = ("hard", "blind", "unseen", "fresh", "fresh2", "fresh3", "fresh4", "demo")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Pair = tuple[str, str, bool]
Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class CrowdRun:
    """What the daily job made of a crowd."""

    feeds: int
    episodes: int
    shows: int  # with at least one insight
    insights: list[tuple[str, str]]  # (show, text) of every insight
    stories: int
    multi: list[CrowdStory]
    seconds: float


def crowd_roots(crowd: str, shared: Path) -> tuple[list[Path], bool]:
    """The data folders of ``crowd`` and whether the bundled demo data comes with them."""
    if crowd == "demo":
        return [ROOT / "tests" / "data" / "demo-talkpython"], True
    if crowd in WRITTEN:
        return [CROWD_DIR / crowd / "data"], False
    root = BUILD / crowd
    if not (root / "crowd.json").exists():
        build(shared, crowd)
    return [root], False


def run_day(
    crowd: str, shared: Path, settings: Settings
) -> tuple[DemoResult, list[StoryView], dict[str, Vector]]:
    """Run the daily job over ``crowd`` as the demo does, in a temporary SQLite store; return
    the run's result, its stories and their centroids (the ``[cluster] embedder``'s)."""
    roots, bundled = crowd_roots(crowd, shared)
    with tempfile.TemporaryDirectory(prefix="podsift-crowd-") as tmp:
        store = open_store(str(Path(tmp) / "crowd.db"))
        try:
            result = run_demo(store, settings, roots, bundled=bundled)
            views = store.story_views(EPOCH)
            vectors = dict(store.story_centroids(settings.cluster.embedder, EPOCH))
        finally:
            store.close()
    return result, views, vectors


def run_crowd(crowd: str, shared: Path, settings: Settings | None = None) -> CrowdRun:
    """Run the daily job over ``crowd`` as the demo does; read its stories from the store."""
    began = time.perf_counter()
    result, views, _ = run_day(crowd, shared, settings or Settings())
    seconds = time.perf_counter() - began
    mentions = [m for v in views for m in v.mentions]
    counts = result.report.as_dict()
    multi = [
        labels.make_story(v.id, (Member(m.show, m.episode, m.speaker, m.text) for m in v.mentions))
        for v in views
        if len(v.shows) >= 2
    ]
    stories = counts["stories"]
    if stories.get("verified") or stories.get("unverified"):
        print(
            f"daily job: {stories['verified']} pairs verified, {stories['unverified']} left "
            "unverified",
            file=sys.stderr,
        )
    return CrowdRun(
        feeds=counts["feeds"]["polled"],
        episodes=counts["transcripts"]["fetched"],
        shows=len({m.show for m in mentions}),
        insights=sorted((m.show, m.text) for m in mentions),
        stories=len(views),
        multi=multi,
        seconds=seconds,
    )


def save_run(crowd: str, run: CrowdRun) -> None:
    """Write the multi-show stories (committed) and the insights and counts (build/)."""
    labels.write_stories(CROWD_DIR / crowd, run.multi)
    folder = BUILD / crowd
    folder.mkdir(parents=True, exist_ok=True)
    counts = {
        "feeds": run.feeds,
        "episodes": run.episodes,
        "shows": run.shows,
        "stories": run.stories,
    }
    rows = [counts, *({"show": s, "text": t} for s, t in run.insights)]
    (folder / "insights.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )


def load_run(crowd: str) -> CrowdRun:
    """The last run's stories and insights (``--reuse``)."""
    path = BUILD / crowd / "insights.jsonl"
    if not path.exists():
        raise SystemExit(f"no earlier run of crowd {crowd!r} ({path}): run without --reuse")
    counts, *rows = (json.loads(line) for line in path.read_text("utf-8").splitlines())
    return CrowdRun(
        counts["feeds"],
        counts["episodes"],
        counts["shows"],
        [(r["show"], r["text"]) for r in rows],
        counts["stories"],
        labels.read_stories(CROWD_DIR / crowd),
        0.0,
    )


# -- pairs in the crowd ------------------------------------------------------------------


def load_events(path: Path) -> list[Pair]:
    """Every pair of the cross-show event passages: same when in one group of one event."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = [
        (item["text"], f"{event['id']}#{g}")
        for event in data["events"]
        for g, group in enumerate(event["groups"])
        for item in group["items"]
    ]
    return [(a, b, ga == gb) for (a, ga), (b, gb) in itertools.combinations(items, 2)]


def load_pair_sets(stories: Path, dedup: Path) -> dict[str, list[Pair]]:
    """The labelled pair sets, by name."""
    sets = {name: load_pairs(stories / f"{name}-pairs.jsonl") for name in PAIR_SETS}
    sets["headlines"] = load_sts(sorted((dedup / "sts-headlines").glob("*.tsv")))
    sets["msrpar"] = load_sts(sorted((dedup / "sts-msrpar").glob("*.tsv")))
    sets["events"] = load_events(dedup / "cross-show-events.json")
    return sets


def cluster_of(
    texts: dict[str, str],
    shows: dict[str, str],
    vf: VectorFile,
    t: float,
    verifier: MergeVerifier | None = None,
) -> dict[str, str]:
    """Cluster statements (id → text, id → show) as ``podsift cluster`` does; id → cluster."""
    lines = "".join(
        json.dumps({"id": i, "text": text, "show": shows[i]}, ensure_ascii=False) + "\n"
        for i, text in texts.items()
    )
    statements = read_statements(lines)
    vectors = vf.embed([s.text for s in statements])
    clusters = group_statements(statements, vectors, threshold=t, verifier=verifier)
    return {m: c.id for c in clusters for m in c.members}


def alone(
    pairs: list[Pair], vf: VectorFile, t: float, verifier: MergeVerifier | None = None
) -> list[bool]:
    """Whether each pair merges when its two statements are clustered by themselves."""
    left, right = vf.embed([p[0] for p in pairs]), vf.embed([p[1] for p in pairs])
    out = []
    for (a, b, _), va, vb in zip(pairs, left, right, strict=True):
        statements = [Statement("1", a, "pair-a"), Statement("2", b, "pair-b")]
        pair = np.array([va, vb])
        clusters = group_statements(statements, pair, threshold=t, verifier=verifier)
        out.append(len(clusters) == 1)
    return out


def pairs_in_crowd(
    sets: dict[str, list[Pair]],
    crowd: list[tuple[str, str]],
    vf: VectorFile,
    t: float,
    verifiers: tuple[MergeVerifier | None, ...] = (None, None, None),
) -> tuple[list[dict[str, Any]], int]:
    """Per set: pairs, and (P, R, counts) alone, pooled without the crowd and with it, and
    how many of its statements share a cluster with crowd insights; plus how many crowd
    insights were left out for repeating a pair statement word for word."""
    ids: dict[str, str] = {}  # text → statement id, one per distinct text
    for pairs in sets.values():
        for a, b, _ in pairs:
            ids.setdefault(a, f"p{len(ids) + 1}")
            ids.setdefault(b, f"p{len(ids) + 1}")
    texts = {i: text for text, i in ids.items()}
    shows = {i: f"pair-show-{i[1:]}" for i in texts}  # a show of its own: no show signal
    kept = [(show, text) for show, text in crowd if text not in ids]
    crowd_texts = {f"c{n}": text for n, (_, text) in enumerate(kept, start=1)}
    crowd_shows = {f"c{n}": show for n, (show, _) in enumerate(kept, start=1)}
    alone_v, pooled_v, crowd_v = verifiers
    pooled = cluster_of(texts, shows, vf, t, pooled_v)
    crowded = cluster_of(texts | crowd_texts, shows | crowd_shows, vf, t, crowd_v)
    with_crowd = {crowded[c] for c in crowd_texts}
    rows = []
    for name, pairs in sets.items():
        same = [p[2] for p in pairs]
        row: dict[str, Any] = {"set": name, "pairs": len(pairs), "same": sum(same)}
        for column, merged in (
            ("alone", alone(pairs, vf, t, alone_v)),
            ("pooled", [pooled[ids[a]] == pooled[ids[b]] for a, b, _ in pairs]),
            ("crowd", [crowded[ids[a]] == crowded[ids[b]] for a, b, _ in pairs]),
        ):
            tp = sum(m and s for m, s in zip(merged, same, strict=True))
            fp, fn = sum(merged) - tp, sum(same) - tp
            p, r, _ = prf(tp, fp, fn)
            row[column] = {"precision": p, "recall": r, "tp": tp, "fp": fp, "fn": fn}
        statements = {ids[x] for a, b, _ in pairs for x in (a, b)}
        row["statements"] = len(statements)
        row["absorbed"] = sum(crowded[i] in with_crowd for i in statements)
        rows.append(row)
    return rows, len(crowd) - len(kept)


# -- report ------------------------------------------------------------------------------


def summary(crowd: str, run: CrowdRun, score: labels.LabelScore) -> dict[str, Any]:
    """The crowd's counts and its story-level precision."""
    return {
        "crowd": crowd,
        "feeds": run.feeds,
        "episodes": run.episodes,
        "shows": run.shows,
        "insights": len(run.insights),
        "stories": run.stories,
        "multi_show_stories": len(run.multi),
        "run_seconds": round(run.seconds, 1),
        "labels": {
            "labelled": score.labelled,
            "inherited": score.inherited,
            "unlabelled": score.unlabelled,
            "by_verdict": score.by_verdict,
            "precision_same_claim": score.precision,
            "share_same_claim_or_subject": score.subject_share,
        },
    }


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def print_table(out: dict[str, Any]) -> None:
    """The summary as text and Markdown tables."""
    lab = out["labels"]
    print(
        f"crowd {out['crowd']}: {out['feeds']} feeds, {out['episodes']} episodes, "
        f"{out['shows']} shows with insights, "
        f"{out['insights']} insights, {out['stories']} stories, "
        f"{out['multi_show_stories']} multi-show stories"
        + (f" (daily job {out['run_seconds']} s)" if out["run_seconds"] else " (reused)")
    )
    print(
        f"labels: {lab['labelled']} labelled ({lab['inherited']} by the subset rule), "
        f"{lab['unlabelled']} unlabelled; precision (same_claim) "
        f"{_pct(lab['precision_same_claim'])}, with same_subject "
        f"{_pct(lab['share_same_claim_or_subject'])}; "
        + ", ".join(f"{k} {v}" for k, v in lab["by_verdict"].items())
    )
    if "pairs" not in out:
        return
    if "verifier" in out:
        print("\nverifier, per way of clustering the pairs: " + json.dumps(out["verifier"]))
    print(
        f"\nPairs in the crowd ({out['embedder']}, threshold {out['threshold']}; "
        f"{out['crowd_left_out']} crowd insights left out for repeating a pair statement)\n"
    )
    print(
        "| set | pairs | same | alone P | alone R | pooled P | pooled R | crowd P | crowd R "
        "| absorbed |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    for row in out["pairs"]:
        cells = [
            f"{row[c][k]:.3f}"
            for c in ("alone", "pooled", "crowd")
            for k in ("precision", "recall")
        ]
        absorbed = f"{row['absorbed']}/{row['statements']}"
        print(
            f"| {row['set']} | {row['pairs']} | {row['same']} | "
            + " | ".join(cells)
            + f" | {absorbed} |"
        )


def main() -> None:
    """Run (or reuse) a crowd, score its labels, cluster the pair sets in it, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--crowd", choices=CROWDS, required=True)
    parser.add_argument("--reuse", action="store_true", help="read the last run's stories")
    parser.add_argument("--no-pairs", action="store_true", help="skip the pairs in the crowd")
    parser.add_argument("--export-unlabelled", action="store_true")
    parser.add_argument("--add-verdicts", type=Path, metavar="FILE")
    parser.add_argument("--judge", default="", help="name kept with --add-verdicts' labels")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--verifier", default="", help="[cluster] verifier, e.g. local")
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--stories", type=Path, default=ROOT / "tests" / "data" / "stories")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/podsift-eval"))
    args = parser.parse_args()
    folder = CROWD_DIR / args.crowd
    if args.add_verdicts:
        added = labels.add_verdicts(folder, args.add_verdicts, args.judge)
        print(f"{added} verdicts added to {folder / 'labels.jsonl'}", file=sys.stderr)
    settings = Settings()
    if args.verifier:
        cluster = dataclasses.replace(settings.cluster, verifier=args.verifier)
        settings = dataclasses.replace(settings, cluster=cluster)
    if args.reuse or args.add_verdicts:
        run = load_run(args.crowd)
    else:
        run = run_crowd(args.crowd, args.shared, settings)
        save_run(args.crowd, run)
    out = summary(args.crowd, run, labels.score(folder, run.multi))
    if args.export_unlabelled:
        n = labels.export_unlabelled(folder, run.multi, seed=args.crowd)
        print(f"{n} unlabelled stories written to {folder / 'unlabelled.md'}", file=sys.stderr)
    if not args.no_pairs:
        name = settings.cluster.embedder
        t = threshold_for(name, settings.cluster.threshold)
        sets = load_pair_sets(args.stories, args.shared / "dedup")
        began = time.perf_counter()
        verifiers = tuple(make_verifier(args.verifier, settings.insights) for _ in range(3))
        vf = VectorFile(name, args.cache)
        rows, left_out = pairs_in_crowd(sets, run.insights, vf, t, verifiers)
        out |= {"embedder": name, "threshold": t, "crowd_left_out": left_out, "pairs": rows}
        if args.verifier:
            out["verifier"] = {
                way: {"asked": v.asked, "failed": v.failed, "refused": v.refused}
                for way, v in zip(("alone", "pooled", "crowd"), verifiers, strict=True)
                if v is not None
            }
        out["pairs_seconds"] = round(time.perf_counter() - began, 1)
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        print_table(out)


if __name__ == "__main__":
    main()
