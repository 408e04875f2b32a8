"""Assign 100,000 insights to stories day by day; time, memory and ANN recall.

Usage: ``python benchmarks/stories_scale.py [--insights N] [--days D] [--window W]
[--no-exact] [--cache DIR]``

Data: real sentences from the transcripts in ``/work/shared/data/transcripts`` (``.md`` and
``.txt`` files, split on sentence ends, speaker labels and timestamps stripped, 30-400
characters, distinct). They are embedded once with :func:`podsift.cluster.create_embedder`
and the vectors cached under ``/tmp/podsift-scale/`` (``.npy``); the transcripts hold fewer
distinct sentences than the benchmark needs, so the rest are small random perturbations of
real vectors, renormalised (the output says how many of each).

The run mirrors the daily stories stage (:mod:`podsift.cluster.stories`): the insights are
split into ``D`` days; each day's are assigned with :func:`podsift.cluster.assign_to_stories`
against the stories last seen within the previous ``W`` days, then each story's centroid
becomes the normalised mean of its members. One :class:`podsift.cluster.StoryIndex` lives
across the days (stories that join or move are re-added, expired ones removed), so the
approximate index is built incrementally. Timing excludes embedding. The same run is then
repeated with exact search only, and ANN recall@1 against exact search is measured on a
sample of queries against the final window's stories.
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import numpy.typing as npt

from podsift.cluster import (
    ANN_THRESHOLD,
    StoryIndex,
    assign_to_stories,
    create_embedder,
    natural_key,
    threshold_for,
)
from podsift.models import Statement

TRANSCRIPTS = Path("/work/shared/data/transcripts")
_PREFIX = re.compile(
    r"^(?:\[?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]?\s*)?"
    r"(?:<v [^>]*>|\**[A-Z][\w .,'-]{0,40}:\**\s)?"
)
Vectors = npt.NDArray[np.float32]


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
        return np.load(path)
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    vectors = create_embedder().embed(texts).astype(np.float32)
    np.save(path, vectors)
    print(f"embedded {len(texts)} sentences in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return vectors
