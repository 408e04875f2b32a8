"""Local extractor speed in transcript-hours per minute, embeddings of the insights included.

Run: ``.venv/bin/python benchmarks/extract_speed.py``. Uses the demo's bundled transcripts
(``src/podsift/demo/data/transcripts``); an episode's length is its last cue's end, or 150
spoken words a minute where it has no times. Figures move ±20 % on a shared machine, so the
extractor is also given as a ratio to a baseline measured in the same process: pysbd
sentence splitting of the same text. Goal (issue 3): an hour of transcript in under 5 s.
"""

from __future__ import annotations

import time
from pathlib import Path

import pysbd

from podsift.demo import DEMO_DATA
from podsift.insights import LocalExtractorSettings, extract_one, extractors
from podsift.models import Transcript
from podsift.stories import create_embedder
from podsift.transcripts import parse_transcript


def hours(t: Transcript) -> float:
    """Return the transcript's length in hours (cue times, else 150 words a minute)."""
    ends = [s.end or s.start for s in t.segments if (s.end or s.start) is not None]
    if ends:
        return max(e for e in ends if e is not None) / 3600
    return sum(len(s.text.split()) for s in t.segments) / 150 / 60


def main() -> None:
    files = sorted(p for p in Path(DEMO_DATA, "transcripts").rglob("*") if p.is_file())
    transcripts = [parse_transcript(p.read_bytes(), source=str(p)) for p in files]
    total = sum(hours(t) for t in transcripts)
    extractor = extractors.create("local", LocalExtractorSettings(top_n=8))
    embedder = create_embedder()
    embedder.embed(["warm up"])

    seg = pysbd.Segmenter(language="en", clean=False)
    began = time.perf_counter()
    for t in transcripts:
        for s in t.segments:
            seg.segment(s.text)
    t_base = time.perf_counter() - began

    began = time.perf_counter()
    found = [extract_one(extractor, t).insights for t in transcripts]
    t_extract = time.perf_counter() - began
    texts = [x.text for xs in found for x in xs]
    began = time.perf_counter()
    embedder.embed(texts)
    t_embed = time.perf_counter() - began

    t_all = t_extract + t_embed
    print(f"episodes {len(transcripts)}, transcript hours {total:.2f}, insights {len(texts)}")
    print(f"{'step':<28}{'seconds':>9}{'s / hour':>10}{'x pysbd':>9}")
    for name, sec in (
        ("pysbd split (baseline)", t_base),
        ("extract + ground", t_extract),
        ("embed insights", t_embed),
        ("total", t_all),
    ):
        print(f"{name:<28}{sec:>9.2f}{sec / total:>10.2f}{sec / t_base:>9.2f}")
    print(
        f"summary: {total / (t_all / 60):.1f} transcript-hours per minute; "
        f"an hour of transcript in {t_all / total:.2f} s (goal < 5 s)"
    )


if __name__ == "__main__":
    main()
