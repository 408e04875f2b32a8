"""The sponsor filter measured on hand-labelled reads, and the eval's show-notes reader."""

from __future__ import annotations

import json
from pathlib import Path

from podsift.insights.evaluate import parse_show_notes, sponsor_of
from podsift.insights.local import blocked_sentences
from podsift.insights.sentences import split_sentences
from podsift.transcripts import parse_transcript

DATA = Path(__file__).parents[1] / "data" / "takeaways"
SPONSOR = {"sponsor read", "sponsor turn", "sponsor", "promo"}


def _inside(start: float | None, stop: float | None, ranges: list[list[float]]) -> bool:
    if start is None:
        return False
    stop = start if stop is None else stop
    return any(lo <= (start + stop) / 2 <= hi for lo, hi in ranges)


def test_sponsor_filter_finds_most_labelled_reads_and_little_else() -> None:
    labels = json.loads((DATA / "sponsor-labels.json").read_text())["episodes"]
    tp = fp = fn = 0
    for episode in labels.values():
        path = DATA / episode["transcript"]
        turns, sentences = split_sentences(parse_transcript(path.read_bytes(), source=path.name))
        blocked = blocked_sentences(turns, sentences)
        for s in sentences:
            said = blocked.get(s.index) in SPONSOR
            truth = _inside(s.start, s.stop, episode["sponsor"])
            tp, fp, fn = tp + (said and truth), fp + (said and not truth), fn + (truth and not said)
    # measured: precision 0.88, recall 0.76 (benchmarks/eval_insights.py); guard the floor
    assert tp / (tp + fp) >= 0.8
    assert tp / (tp + fn) >= 0.7


def test_every_show_notes_file_has_its_news_items() -> None:
    pairs = json.loads((DATA / "pairs.json").read_text())["pairs"]
    assert len(pairs) == 15
    for pair in pairs:
        notes = (DATA / pair["show_notes"]).read_text(encoding="utf-8")
        items = parse_show_notes(notes)
        assert 4 <= len(items) <= 6, pair["episode"]
        assert all(i.headline for i in items)
    assert sponsor_of((DATA / "377.shownotes.md").read_text(encoding="utf-8")) == "ScoutAPM"
