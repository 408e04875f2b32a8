"""Time each stage of the daily job on the demo's bundled real episodes, and print the figures.

Run: ``.venv/bin/python benchmarks/stages.py`` (or ``make bench``). Figures move by ±20 % from run
to run on a shared 2-core machine, so each stage is also given as a ratio against a baseline
measured in the same process: pysbd sentence splitting of the same words (the floor the
extractor builds on) and a bare MiniLM embedding of the same texts (what the cache saves).
"""

from __future__ import annotations

import time
from pathlib import Path

import pysbd

from podsift.demo import DEMO_DATA
from podsift.insights import LocalExtractorSettings, extractors
from podsift.models import Statement
from podsift.stories import DEFAULT_THRESHOLD, create_embedder, group_statements
from podsift.transcripts import parse_transcript

EXTRA = Path(__file__).parents[1] / "tests" / "data" / "demo-talkpython"


def timed(fn, *args):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - began


def main() -> None:
    files = sorted(
        p
        for root in (DEMO_DATA, EXTRA)
        for p in (root / "transcripts").rglob("*")
        if p.suffix in {".md", ".vtt"}
    )
    raw = [(p, p.read_bytes()) for p in files]
    transcripts, t_parse = timed(lambda: [parse_transcript(b, source=str(p)) for p, b in raw])
    words = sum(len(s.text.split()) for t in transcripts for s in t.segments)

    seg = pysbd.Segmenter(language="en", clean=False)
    _, t_pysbd = timed(lambda: [seg.segment(s.text) for t in transcripts for s in t.segments])

    extractor = extractors.create("local", LocalExtractorSettings(top_n=8))
    found, t_extract = timed(lambda: [extractor.extract(t) for t in transcripts])
    texts = [x.text for xs in found for x in xs]

    embedder = create_embedder()
    embedder.embed(["warm up"])
    vectors, t_embed = timed(embedder.embed, texts)
    statements = [Statement(str(n), t) for n, t in enumerate(texts)]
    clusters, t_group = timed(
        lambda: group_statements(statements, vectors, threshold=DEFAULT_THRESHOLD)
    )

    print(
        f"episodes {len(transcripts)}, words {words:,}, insights {len(texts)}, "
        f"clusters {len(clusters)}"
    )
    print(f"{'stage':<22}{'seconds':>9}{'rate':>22}")
    print(f"{'parse transcripts':<22}{t_parse:>9.2f}{words / t_parse:>16,.0f} w/s")
    print(f"{'pysbd alone (base)':<22}{t_pysbd:>9.2f}{words / t_pysbd:>16,.0f} w/s")
    print(
        f"{'extract (local)':<22}{t_extract:>9.2f}{words / t_extract:>16,.0f} w/s"
        f"   {t_extract / t_pysbd:.2f}x pysbd"
    )
    print(f"{'embed insights':<22}{t_embed:>9.2f}{len(texts) / t_embed:>16,.0f} insights/s")
    print(
        f"{'group (pure)':<22}{t_group:>9.3f}{len(texts) / t_group:>16,.0f} insights/s"
        f"   {t_group / t_embed:.3f}x embed"
    )


if __name__ == "__main__":
    main()
