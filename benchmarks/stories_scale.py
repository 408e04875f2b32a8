"""Assign 100,000 insights to stories day by day; time, memory and ANN recall.

Usage: ``python benchmarks/stories_scale.py [--insights N] [--days D] [--window W]
[--no-exact] [--cache DIR]``

Data: real sentences from the transcripts in ``/work/shared/data/transcripts`` (``.md`` and
``.txt`` files, split on sentence ends, speaker labels and timestamps stripped, 30-400
characters, distinct). They are embedded once with :func:`podsift.stories.create_embedder`
and the vectors cached under ``/tmp/podsift-scale/`` (``.npy``); the transcripts hold fewer
distinct sentences than the benchmark needs, so the rest are small random perturbations of
real vectors, renormalised (the output says how many of each).

The run mirrors the daily stories stage (:mod:`podsift.stories.stage`): the insights are
split into ``D`` days; each day's are assigned with :func:`podsift.stories.assign_to_stories`
against the stories last seen within the previous ``W`` days (joined by the mean cosine to
their first members, as the stories stage does), then each story's centroid
becomes the normalised mean of its members. One :class:`podsift.stories.StoryIndex` lives
across the days (stories that join or move are re-added, expired ones removed), so the
approximate index is built incrementally. Timing excludes embedding. The same run is then
repeated with exact search only, and ANN recall@1 against exact search is measured on a
sample of queries against the final window's stories.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import re
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from podsift.models import Statement
from podsift.stories import (
    ANN_THRESHOLD,
    StoryIndex,
    assign_to_stories,
    create_embedder,
    natural_key,
    threshold_for,
)
from podsift.stories.group import CHECKED_MEMBERS

TRANSCRIPTS = Path("/work/shared/data/transcripts")
_PREFIX = re.compile(
    r"^(?:\[?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]?\s*)?"
    r"(?:<v [^>]*>|\**[A-Z][\w .,'-]{0,40}:\**\s)?"
)
Vectors = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.floating[Any]]
IntArray = npt.NDArray[np.int64]


def real_sentences(root: Path = TRANSCRIPTS) -> list[str]:
    """Distinct sentences of the ``.md``/``.txt`` transcripts under ``root``, sorted."""
    found: set[str] = set()
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".md", ".txt") or path.name == "PROVENANCE.md":
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            for part in re.split(r"(?<=[.!?])\s+", _PREFIX.sub("", line.strip())):
                text = re.sub(r"\s+", " ", part).strip(" #*>-_")
                if 30 <= len(text) <= 400 and sum(c.isalpha() for c in text) >= 20:
                    found.add(text)
    return sorted(found)


def real_vectors(texts: list[str], cache: Path) -> Vectors:
    """Embed ``texts`` once with the default embedder; cached as ``.npy`` under ``cache``."""
    import hashlib

    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"minilm-l6-int8-{digest}.npy"
    if path.exists():
        cached: Vectors = np.load(path).astype(np.float32)
        return cached
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    vectors = create_embedder().embed(texts).astype(np.float32)
    np.save(path, vectors)
    print(
        f"embedded {len(texts)} sentences in {time.perf_counter() - started:.0f} s", file=sys.stderr
    )
    return vectors


def insight_vectors(real: Vectors, total: int, noise: float, seed: int) -> tuple[Vectors, IntArray]:
    """``total`` insight rows: every real vector once, then perturbed copies; shuffled.

    Returns ``(vectors, source)``, ``source[i]`` being the real row that row ``i`` came from.
    A copy is ``real + noise * g / sqrt(dim)`` (``g`` standard normal), renormalised, so its
    cosine to the original is about ``1 / sqrt(1 + noise**2)``.
    """
    rng = np.random.default_rng(seed)
    n_real = min(total, len(real))
    source = np.concatenate([np.arange(n_real), rng.integers(0, len(real), total - n_real)])
    copied = np.zeros(total, dtype=bool)
    copied[n_real:] = True
    order = rng.permutation(total)
    source, copied = source[order], copied[order]
    vectors = real[source].copy()
    shake = rng.standard_normal((int(copied.sum()), real.shape[1])).astype(np.float32)
    vectors[copied] += noise * shake / np.sqrt(real.shape[1])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32), source


class Stories:
    """The stories the run has formed: centroid, size and last day seen, as the store keeps."""

    def __init__(self) -> None:
        self.centroid: dict[str, Vectors] = {}
        self.size: dict[str, int] = {}
        self.last_day: dict[str, int] = {}
        self.texts: dict[str, list[str]] = {}
        self.members: dict[str, Vectors] = {}  # the first CHECKED_MEMBERS members' vectors
        self.shows: dict[str, list[str]] = {}  # and their shows

    def window(self, day: int, days: int) -> list[tuple[str, Vectors]]:
        """(id, centroid) of the stories seen within ``days`` before ``day``."""
        return [(s, c) for s, c in self.centroid.items() if self.last_day[s] >= day - days]

    def add(
        self, story: str, members: list[Vectors], day: int, texts: list[str], shows: list[str]
    ) -> None:
        """Add members and refresh the centroid (running mean, renormalised, as the store)."""
        total = np.sum(members, axis=0).astype(np.float32)
        if story in self.centroid:
            total = total + self.centroid[story] * self.size[story]
        norm = max(float(np.linalg.norm(total)), 1e-12)
        self.centroid[story] = (total / norm).astype(np.float32)
        self.size[story] = self.size.get(story, 0) + len(members)
        self.last_day[story] = day
        self.texts.setdefault(story, []).extend(texts)
        self.shows[story] = [*self.shows.get(story, []), *shows][:CHECKED_MEMBERS]
        known = self.members.get(story, np.zeros((0, total.shape[0]), dtype=np.float32))
        if len(known) < CHECKED_MEMBERS:
            self.members[story] = np.vstack([known, *members])[:CHECKED_MEMBERS]


@dataclass
class RunResult:
    """What one day-by-day run did and cost."""

    seconds: float
    index_seconds: float
    stories: Stories
    assignment: dict[str, str]
    joined: int
    max_window: int
    final_window: list[tuple[str, Vectors]]
    index: StoryIndex


def run_days(
    texts: list[str],
    vectors: Vectors,
    source: IntArray,
    *,
    days: int,
    window: int,
    ann_threshold: int,
) -> RunResult:
    """Assign the insights day by day against the window's stories; timed."""
    threshold = threshold_for("minilm-l6-int8")
    stories = Stories()
    index = TimedIndex(vectors.shape[1], ann_threshold=ann_threshold, key=natural_key)
    assignment: dict[str, str] = {}
    joined = max_window = 0
    per_day = len(vectors) // days
    started = time.perf_counter()
    for day in range(days):
        rows = range(day * per_day, (day + 1) * per_day if day < days - 1 else len(vectors))
        statements = [Statement(f"i{r}", texts[source[r]], _show(r)) for r in rows]
        existing = stories.window(day, window)
        max_window = max(max_window, len(existing))
        result = assign_to_stories(
            statements,
            vectors[rows.start : rows.stop],
            existing,
            threshold=threshold,
            story_texts={sid: stories.texts[sid] for sid, _ in existing},
            member_vectors={sid: stories.members[sid] for sid, _ in existing},
            member_shows={sid: stories.shows[sid] for sid, _ in existing},
            index=index,
        )
        known = {sid for sid, _ in existing}
        members: dict[str, list[int]] = {}
        for ident, story in result:
            sid = story if story is not None else "s" + ident
            joined += story in known
            assignment[ident] = sid
            members.setdefault(sid, []).append(int(ident[1:]))
        for sid in sorted(members):
            rows_of = members[sid]
            texts_of = [texts[source[r]] for r in rows_of]
            stories.add(sid, list(vectors[rows_of]), day, texts_of, [_show(r) for r in rows_of])
    seconds = time.perf_counter() - started
    final = stories.window(days, window)
    return RunResult(seconds, index.seconds, stories, assignment, joined, max_window, final, index)


def _show(row: int) -> str:
    """The show that said insight ``row``: 50 shows in turn."""
    return f"show{row % 50}"


class TimedIndex(StoryIndex):
    """A :class:`StoryIndex` that adds up the time spent in ``sync`` and ``search``."""

    seconds = 0.0

    def sync(self, items: Sequence[tuple[str, FloatArray]]) -> None:
        tick = time.perf_counter()
        super().sync(items)
        self.seconds += time.perf_counter() - tick

    def search(self, vectors: FloatArray, k: int = 1) -> tuple[list[list[str]], Vectors]:
        tick = time.perf_counter()
        found = super().search(vectors, k)
        self.seconds += time.perf_counter() - tick
        return found


def recall_at_1(index: StoryIndex, stories: list[tuple[str, Vectors]], queries: Vectors) -> float:
    """Share of ``queries`` whose approximate nearest story is the exact one, or one exactly
    as near (a tie broken otherwise is no miss)."""
    exact = StoryIndex(index.dim, ann_threshold=sys.maxsize, key=natural_key)
    exact.sync(stories)
    index.sync(stories)
    got, got_sims = index.search(queries, 1)
    want, want_sims = exact.search(queries, 1)
    ties = np.isclose(got_sims[:, 0], want_sims[:, 0], rtol=0, atol=1e-6)
    same = np.array([g == w for g, w in zip(got, want, strict=True)])
    print(f"(ANN nearest story id equal to exact: {same.mean():.4f})")
    return float(np.mean(same | ties))


def peak_rss_mb() -> float:
    """Peak resident memory (VmHWM) of this process since the last reset, in MiB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> float:
    """Reset the peak to the current resident memory (Linux ``clear_refs`` 5); return it."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return peak_rss_mb()


def crossover(real: Vectors, sizes: list[int], queries: int, changed: int) -> None:
    """Time one day (``changed`` stories re-indexed, ``queries`` searched) per window size."""
    print(f"one day: {changed:,} new or moved stories re-indexed + {queries:,} searches")
    print("| stories | exact s | ann s | ann/exact | ANN build s (once) | recall@1 |")
    print("|---|---|---|---|---|---|")
    for size in sizes:
        vectors, _ = insight_vectors(real, size + changed + queries, 2.0, seed=size)
        base = [(f"s{i}", vectors[i]) for i in range(size)]
        moved = [(f"s{i}", vectors[size + i]) for i in range(changed)]
        day = moved + base[changed:]
        q = vectors[size + changed :]
        timings, found = [], []
        build = 0.0
        for limit in (sys.maxsize, 1):
            index = StoryIndex(real.shape[1], ann_threshold=limit, key=natural_key)
            index.sync(base)
            tick = time.perf_counter()
            index.search(q[:1], 1)  # builds the graph when approximate
            build = time.perf_counter() - tick
            tick = time.perf_counter()
            index.sync(day)
            found.append(index.search(q, 1)[0])
            timings.append(time.perf_counter() - tick)
        recall = np.mean([a == b for a, b in zip(found[0], found[1], strict=True)])
        print(
            f"| {size:,} | {timings[0]:.3f} | {timings[1]:.3f} | {timings[1] / timings[0]:.2f}"
            f" | {build:.1f} | {recall:.4f} |",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--insights", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--window", type=int, default=30)
    parser.add_argument("--noise", type=float, default=0.35)
    parser.add_argument(
        "--ann-threshold",
        type=int,
        default=1_000,
        help=f"threshold of the 'ann' run (the default path uses {ANN_THRESHOLD:,})",
    )
    parser.add_argument("--no-exact", action="store_true", help="skip the exact-only run")
    parser.add_argument("--recall-sample", type=int, default=2_000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/podsift-scale"))
    parser.add_argument(
        "--crossover",
        type=lambda text: [int(n) for n in text.split(",")],
        help="only time one day of exact vs ANN search at these window sizes (e.g. 5000,20000)",
    )
    args = parser.parse_args(argv)

    texts = real_sentences()
    real = real_vectors(texts, args.cache)
    if args.crossover:
        crossover(real, args.crossover, queries=1_000, changed=1_000)
        return 0
    vectors, source = insight_vectors(real, args.insights, args.noise, seed=7)
    n_real = min(len(real), args.insights)
    print(
        f"data: {args.insights:,} insights = {n_real:,} distinct real transcript sentences"
        f" (minilm-l6-int8 vectors) + {args.insights - n_real:,} perturbed copies of real"
        f" vectors (noise {args.noise}, renormalised, cosine to source ~"
        f"{1 / np.sqrt(1 + args.noise**2):.2f}); {args.days} days x"
        f" {args.insights // args.days:,}, window {args.window} days; embedding not timed"
    )
    print(
        f"cpu: {os.cpu_count()} cores; runs: 'exact' = exact search only (what the default"
        f" ANN_THRESHOLD of {ANN_THRESHOLD:,} stories gives here), 'ann' = HNSW from"
        f" {args.ann_threshold:,} stories on"
    )
    gc.collect()
    print(f"RSS before the runs (data loaded): {reset_peak_rss():.0f} MiB")

    runs = ([] if args.no_exact else [("exact", sys.maxsize)]) + [("ann", args.ann_threshold)]
    results: dict[str, RunResult] = {}
    print(
        "| run | wall s | index s | stories | multi-member | joined | max window"
        " | RSS before MiB | peak RSS MiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, limit in runs:
        gc.collect()
        before = reset_peak_rss()
        run = run_days(
            texts, vectors, source, days=args.days, window=args.window, ann_threshold=limit
        )
        results[name] = run
        multi = sum(1 for n in run.stories.size.values() if n > 1)
        print(
            f"| {name} | {run.seconds:.1f} | {run.index_seconds:.1f} | {len(run.stories.size):,}"
            f" | {multi:,} | {run.joined:,} | {run.max_window:,} | {before:.0f}"
            f" | {peak_rss_mb():.0f} |",
            flush=True,
        )
    ann = results["ann"]
    if "exact" in results:
        exact = results["exact"]
        same = sum(ann.assignment[i] == exact.assignment[i] for i in ann.assignment)
        print(
            f"exact / ann wall time: {exact.seconds / ann.seconds:.2f}x;"
            f" insights given the same story id by both runs: {same / len(ann.assignment):.4f}"
        )
    rng = np.random.default_rng(11)
    sample = rng.choice(len(vectors), size=min(args.recall_sample, len(vectors)), replace=False)
    queries = insight_vectors(real, len(sample) + len(real), args.noise, seed=13)[0][: len(sample)]
    print(
        f"ANN recall@1 vs exact: {recall_at_1(ann.index, ann.final_window, queries):.4f}"
        f" ({len(queries):,} fresh queries against the final window's"
        f" {len(ann.final_window):,} stories, HNSW in use: {ann.index.approximate})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
