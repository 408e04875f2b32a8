"""Evaluate an extractor against human-written show notes (15 Python Bytes episodes).

Run: ``.venv/bin/python benchmarks/eval_insights.py [--top 8] [--provider local]
[--captions]``. With ``--captions`` each transcript is first rewritten as automatic captions
often are: every segment lowercased and stripped of punctuation, cues and times kept.

Per episode, the top-N insights against the show notes' news items (headline + bullets; the
sponsor line, "Extras" and "Joke" are not items):

- recall (emb): share of human items that some insight matches, an insight matching an item
  when the cosine of their MiniLM embeddings (``podsift.stories.create_embedder()``) with
  the headline or any bullet is at least ``EMB_THRESHOLD``;
- recall (R1): the same with ROUGE-1 F (stop words left out) of at least ``ROUGE_THRESHOLD``;
- precision (emb / R1): share of insights that match some human item;
- grounded: share of insights whose quote ``podsift.insights.grounding.ground`` finds;
- ads: insights that are sponsor talk or housekeeping (``evaluate.is_housekeeping``, or
  overlapping a hand-labelled sponsor read in ``sponsor-labels.json``).

With labels, the sponsor filter is also measured per sentence: precision and recall of the
local extractor's sponsor rejections against the labelled sponsor-read time ranges.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import time
from pathlib import Path

import numpy as np

from podsift.insights import LocalExtractorSettings, extractors
from podsift.insights.evaluate import (
    is_housekeeping,
    match_counts,
    parse_show_notes,
    rouge1_f,
    sponsor_of,
)
from podsift.insights.grounding import ground
from podsift.insights.local import blocked_sentences
from podsift.insights.sentences import split_sentences
from podsift.models import Insight, Transcript
from podsift.stories import create_embedder
from podsift.transcripts import parse_transcript

DATA = Path(__file__).parents[1] / "tests" / "data" / "takeaways"
EMB_THRESHOLD = 0.5
ROUGE_THRESHOLD = 0.25
SPONSOR_REASONS = {"sponsor read", "sponsor turn", "sponsor", "promo"}
#: Episodes the local extractor's weights and selection were tuned on; the rest are held out.
DEV = frozenset({155, 263, 350, 396, 418, 455, 466, 480})
_PUNCTUATION = re.compile(r"[.,!?;:…]")


def in_ranges(start: float | None, end: float | None, ranges: list[list[float]]) -> bool:
    """Whether ``start..end`` overlaps one of the labelled ``[from, to]`` ranges by half."""
    if start is None:
        return False
    end = start if end is None else end
    for lo, hi in ranges:
        overlap = min(end, hi) - max(start, lo)
        if overlap > 0.5 * max(end - start, 0.1) or (lo <= start <= hi and end <= hi):
            return True
    return False


def sponsor_filter(transcript: Transcript, ranges: list[list[float]]) -> tuple[int, int, int]:
    """Return (true positives, false positives, false negatives) of the sponsor filter."""
    turns, sentences = split_sentences(transcript)
    blocked = blocked_sentences(turns, sentences)
    tp = fp = fn = 0
    for s in sentences:
        said = blocked.get(s.index) in SPONSOR_REASONS
        truth = in_ranges(s.start, s.stop, ranges)
        tp += said and truth
        fp += said and not truth
        fn += truth and not said
    return tp, fp, fn


def as_captions(transcript: Transcript) -> Transcript:
    """``transcript`` as automatic captions write it: each segment lowercase, unpunctuated."""
    segments = tuple(
        dataclasses.replace(s, text=_PUNCTUATION.sub("", s.text).lower())
        for s in transcript.segments
    )
    return dataclasses.replace(transcript, segments=segments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--provider", default="local")
    parser.add_argument("--json", type=Path, help="also write the per-episode rows here")
    parser.add_argument("--show", action="store_true", help="print each episode's insights")
    parser.add_argument(
        "--captions", action="store_true", help="lowercase and unpunctuate the transcripts first"
    )
    args = parser.parse_args()

    pairs = json.loads((DATA / "pairs.json").read_text())["pairs"]
    labels_path = DATA / "sponsor-labels.json"
    labels = json.loads(labels_path.read_text())["episodes"] if labels_path.exists() else {}
    extractor = extractors.create(args.provider, LocalExtractorSettings(top_n=args.top))
    embedder = create_embedder()
    embedder.embed(["warm up"])

    rows = []
    began = time.perf_counter()
    filt = [0, 0, 0]
    print(
        f"{'ep':>4} {'items':>5} {'ins':>4} {'rec-emb':>7} {'rec-R1':>6} "
        f"{'prec-emb':>8} {'prec-R1':>7} {'grounded':>8} {'ads':>4}"
    )
    for pair in pairs:
        notes = (DATA / pair["show_notes"]).read_text(encoding="utf-8")
        items = parse_show_notes(notes)
        sponsor = sponsor_of(notes)
        path = DATA / pair["transcript"]
        transcript = parse_transcript(path.read_bytes(), source=path.name)
        if args.captions:
            transcript = as_captions(transcript)
        found: list[Insight] = list(extractor.extract(transcript))[: args.top]
        grounded = ground(found, transcript)
        ranges = labels.get(str(pair["episode"]), {}).get("sponsor", [])
        if str(pair["episode"]) in labels:
            for k, v in enumerate(sponsor_filter(transcript, ranges)):
                filt[k] += v

        units = [(j, u) for j, item in enumerate(items) for u in item.units]
        emb = np.zeros((len(found), len(items)))
        r1 = np.zeros((len(found), len(items)))
        if found and units:
            iv = embedder.embed([x.text for x in found])
            uv = embedder.embed([u for _, u in units])
            cos = iv @ uv.T
            for k, (j, u) in enumerate(units):
                emb[:, j] = np.maximum(emb[:, j], cos[:, k])
                r1[:, j] = np.maximum(r1[:, j], [rouge1_f(x.text, u) for x in found])
        hit_e, prec_e = match_counts(emb.tolist(), EMB_THRESHOLD)
        hit_r, prec_r = match_counts(r1.tolist(), ROUGE_THRESHOLD)
        ads = sum(
            1
            for x in found
            if is_housekeeping(x.text, sponsor) or in_ranges(x.start, x.end, ranges)
        )
        n, m = len(found), len(items)
        row = {
            "episode": pair["episode"],
            "items": m,
            "insights": n,
            "recall_emb": hit_e / m if m else 0.0,
            "recall_r1": hit_r / m if m else 0.0,
            "precision_emb": prec_e / n if n else 0.0,
            "precision_r1": prec_r / n if n else 0.0,
            "grounded": len(grounded.kept) / n if n else 1.0,
            "ads": ads,
        }
        rows.append(row)
        print(
            f"{row['episode']:>4} {m:>5} {n:>4} {row['recall_emb']:>7.2f} {row['recall_r1']:>6.2f} "
            f"{row['precision_emb']:>8.2f} {row['precision_r1']:>7.2f} {row['grounded']:>8.2f} "
            f"{ads:>4}"
        )
        if args.show:
            for x, best in zip(found, emb.max(axis=1) if m else [0.0] * n, strict=True):
                print(f"      {best:.2f} {x.text[:110]}")
    elapsed = time.perf_counter() - began

    def mean(key: str, subset: list[dict[str, float]] | None = None) -> float:
        part = rows if subset is None else subset
        return sum(r[key] for r in part) / len(part)

    for name, part in (
        ("dev 8", [r for r in rows if r["episode"] in DEV]),
        ("held-out 7", [r for r in rows if r["episode"] not in DEV]),
    ):
        if part:
            print(
                f"{name}: recall {mean('recall_emb', part):.2f} / {mean('recall_r1', part):.2f}, "
                f"precision {mean('precision_emb', part):.2f} / {mean('precision_r1', part):.2f}, "
                f"sponsor/housekeeping {sum(r['ads'] for r in part)}"
            )

    print(
        f"mean {mean('items'):>5.1f} {mean('insights'):>4.1f} {mean('recall_emb'):>7.2f} "
        f"{mean('recall_r1'):>6.2f} {mean('precision_emb'):>8.2f} {mean('precision_r1'):>7.2f} "
        f"{mean('grounded'):>8.2f} {sum(r['ads'] for r in rows):>4}"
    )
    tp, fp, fn = filt
    if labels:
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        print(
            f"sponsor filter on {len(labels)} labelled episodes (per sentence): "
            f"precision {p:.2f}, recall {r:.2f} (tp {tp}, fp {fp}, fn {fn})"
        )
    print(
        f"summary: {extractor.name}@{extractor.version} top {args.top} on {len(rows)} episodes: "
        f"recall {mean('recall_emb'):.2f} (emb >= {EMB_THRESHOLD}) / {mean('recall_r1'):.2f} "
        f"(ROUGE-1 F >= {ROUGE_THRESHOLD}), precision {mean('precision_emb'):.2f} / "
        f"{mean('precision_r1'):.2f}, grounded {mean('grounded'):.0%}, "
        f"sponsor/housekeeping {sum(r['ads'] for r in rows)}, {elapsed:.1f} s"
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
