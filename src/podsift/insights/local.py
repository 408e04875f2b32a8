"""The ``local`` extractor: offline, no model, a few hundred milliseconds an episode.

Steps: sentences (verbatim spans with speaker and times) → filters (sponsor reads, intros,
housekeeping, questions, small talk) → candidates (a sentence, widened with its neighbours
when it is short or leans on the previous one) → scores (``scoring.score_texts`` or any
``Scorer``) → the top N with no near-duplicates and no overlapping spans.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from podsift.insights.base import LocalExtractorSettings
from podsift.insights.clean import EMOJI, clean_quote
from podsift.insights.filters import (
    edge_factor,
    reject_reason,
    speaker_finder,
    sponsor_block,
    sponsor_names,
    whole_turn_is_ad,
)
from podsift.insights.grounding import unsafe_reason
from podsift.insights.scoring import Scorer, score_texts
from podsift.insights.sentences import Sentence, Turn, split_sentences
from podsift.lexicon import content_words, words
from podsift.models import Insight, Transcript

__all__ = ["Candidate", "LocalExtractor", "LocalExtractorSettings", "build_candidates", "select"]

# A passage must end a sentence: a list or title run into the text ("Namely: More unit
# testing Easier to Test IO") does not; trailing emoji are ignored.
_ENDS = re.compile(r"(?:[.!?…][\"'”’)\]]*|\))$")
# A short sentence that starts like this needs the previous one to make sense; one that
# opens a new noun phrase ("But the gist, ...") does not.
_LEANS = re.compile(
    r"^(?:that|this|it|he|she|they|these|those|which)\b"
    r"|^(?:so|and|but)\b(?![,.]?\s+(?:the|a|an)\b)",
    re.I,
)
LEAN_MAX_WORDS = 20


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage of one turn: sentences ``first..last`` with its quote and clean text."""

    first: int
    last: int
    quote: str
    text: str
    speaker: str | None
    start: float | None
    stop: float | None
    position: float
    terms: frozenset[str]


def blocked_sentences(turns: Sequence[Turn], sentences: Sequence[Sentence]) -> dict[int, str]:
    """Return ``{sentence index: reason}`` for every sentence the filters reject."""
    texts = [s.text for s in sentences]
    names = sponsor_names(texts)
    blocked: dict[int, str] = {}
    for index in sponsor_block(texts, names):
        blocked[index] = "sponsor read"
    by_turn: dict[int, list[Sentence]] = defaultdict(list)
    for sentence in sentences:
        by_turn[sentence.turn].append(sentence)
    for members in by_turn.values():
        if whole_turn_is_ad([s.text for s in members], names):
            blocked.update({s.index: "sponsor turn" for s in members})
    names_speaker = speaker_finder({s.speaker for s in sentences if s.speaker})
    for sentence in sentences:
        if sentence.index in blocked:
            continue
        if sentence.heading:
            blocked[sentence.index] = "heading"
            continue
        if names_speaker is not None and names_speaker(sentence.text):
            blocked[sentence.index] = "names a speaker"
            continue
        reason = reject_reason(sentence.text) or unsafe_reason(sentence.text)
        if reason is None and names and any(n in sentence.text for n in names):
            reason = "sponsor"
        if reason:
            blocked[sentence.index] = reason
    return blocked


def _widen(
    anchor: int,
    sentences: Sequence[Sentence],
    sizes: Sequence[int],
    blocked: dict[int, str],
    settings: LocalExtractorSettings,
) -> tuple[int, int]:
    """Return the sentence range around ``anchor`` that makes a self-contained passage."""
    turn = sentences[anchor].turn

    def usable(j: int) -> bool:
        # a low-content line may complete a passage; any other rejected one may not
        return (
            0 <= j < len(sentences)
            and sentences[j].turn == turn
            and blocked.get(j, "small talk") == "small talk"
        )

    def size(lo: int, hi: int) -> int:
        return sum(sizes[lo : hi + 1])

    lo = hi = anchor
    if (
        _LEANS.match(sentences[anchor].text)
        and sizes[anchor] <= LEAN_MAX_WORDS
        and usable(anchor - 1)
    ):
        lo = anchor - 1
    while size(lo, hi) < settings.min_words and usable(hi + 1):
        if size(lo, hi + 1) > settings.max_words:
            break
        hi += 1
    while size(lo, hi) < settings.min_words and usable(lo - 1):
        if size(lo - 1, hi) > settings.max_words:
            break
        lo -= 1
    return lo, hi


def build_candidates(
    turns: Sequence[Turn],
    sentences: Sequence[Sentence],
    blocked: dict[int, str],
    settings: LocalExtractorSettings,
) -> list[Candidate]:
    """Return one candidate per unblocked sentence whose passage has an acceptable length."""
    sizes = [len(words(clean_quote(s.text))) for s in sentences]
    seen: set[tuple[int, int]] = set()
    candidates: list[Candidate] = []
    for sentence in sentences:
        if sentence.index in blocked:
            continue
        lo, hi = _widen(sentence.index, sentences, sizes, blocked, settings)
        if (lo, hi) in seen:
            continue
        seen.add((lo, hi))
        first, last = sentences[lo], sentences[hi]
        quote = turns[first.turn].text[first.begin : last.end]
        text = clean_quote(quote)
        if not settings.min_words <= len(words(text)) <= settings.max_words:
            continue
        if reject_reason(text) in {"question", "small talk", "reaction"}:
            continue
        if not last.open and not _ENDS.search(EMOJI.sub("", quote).rstrip()):
            continue
        candidates.append(
            Candidate(
                lo, hi, quote, text, first.speaker, first.start, last.stop,
                first.position, frozenset(content_words(text)),
            )
        )  # fmt: skip
    return candidates


def _conflict(a: Candidate, b: Candidate, max_overlap: float) -> bool:
    """Whether two candidates share sentences, time or most of their content words."""
    if a.first <= b.last and b.first <= a.last:
        return True
    if a.start is not None and b.start is not None:
        if a.start == b.start:
            return True
        if a.stop is not None and b.stop is not None and a.start < b.stop and b.start < a.stop:
            return True
    union = len(a.terms | b.terms)
    return bool(union) and len(a.terms & b.terms) / union > max_overlap


#: Topic segments per insight kept: an episode of N insights is cut into 0.75 N equal parts.
SEGMENTS_PER_INSIGHT = 0.75
#: A candidate competes for its segment's first seat only with a score of at least this
#: share of the episode's best.
SEGMENT_POOL = 0.6


def segment_of(candidate: Candidate, sentence_count: int, segments: int) -> int:
    """Return which of ``segments`` equal parts of the episode ``candidate`` starts in.

    >>> c = Candidate(50, 51, "q", "t", None, None, None, 0.5, frozenset())
    >>> segment_of(c, 100, 4), segment_of(c, 100, 1)
    (2, 0)
    """
    return min(candidate.first * segments // max(sentence_count, 1), segments - 1)


def select(
    candidates: Sequence[Candidate],
    scores: Sequence[float],
    top_n: int,
    max_overlap: float,
    sentence_count: int = 0,
    segments: int = 1,
    pool: float = SEGMENT_POOL,
) -> list[tuple[Candidate, float]]:
    """Pick the best ``top_n`` candidates greedily, skipping any that conflicts with a pick.

    With ``segments`` > 1, a first pass takes at most one candidate per segment of the
    episode (of ``sentence_count`` sentences), among those scoring at least ``pool`` times
    the best: show notes cover each topic of an episode once, so spreading the picks over
    the episode's parts finds more of them. A second pass fills up by score. Best first.
    """
    order = sorted(range(len(candidates)), key=lambda k: (-scores[k], candidates[k].first))
    best = scores[order[0]] if order else 0.0
    chosen: list[tuple[Candidate, float]] = []
    taken: set[int] = set()
    used: set[int] = set()
    for first_pass in (True, False):
        if first_pass and segments <= 1:
            continue
        for k in order:
            if len(chosen) == top_n:
                break
            if k in taken:
                continue
            part = segment_of(candidates[k], sentence_count, segments)
            if first_pass and (part in used or scores[k] < pool * best):
                continue
            if any(_conflict(candidates[k], c, max_overlap) for c, _ in chosen):
                continue
            chosen.append((candidates[k], scores[k]))
            taken.add(k)
            used.add(part)
    return sorted(chosen, key=lambda pick: (-pick[1], pick[0].first))


class LocalExtractor:
    """Offline extractor: sentence filters, cheap features and TF-IDF centrality.

    Args:
        settings: lengths, how many to keep, overlap and edge penalty.
        scorer: scores candidate texts given the episode's sentences (default
            ``scoring.score_texts``); an embedding-based scorer can replace it.
    """

    name: ClassVar[str] = "local"
    version: ClassVar[str] = "4"

    def __init__(
        self, settings: LocalExtractorSettings | None = None, scorer: Scorer = score_texts
    ) -> None:
        self.settings = settings or LocalExtractorSettings()
        self.scorer = scorer

    def extract(self, transcript: Transcript) -> list[Insight]:
        """Return the transcript's best insights, best first, ids prefixed by its source."""
        turns, sentences = split_sentences(transcript)
        blocked = blocked_sentences(turns, sentences)
        candidates = build_candidates(turns, sentences, blocked, self.settings)
        if not candidates:
            return []
        raw = self.scorer([c.text for c in candidates], [s.text for s in sentences])
        scores = [
            round(
                score * edge_factor(c.position, self.settings.edge, self.settings.edge_penalty), 4
            )
            for c, score in zip(candidates, raw, strict=True)
        ]
        top_n = self.settings.top_n
        segments = max(1, round(SEGMENTS_PER_INSIGHT * top_n))
        chosen = select(
            candidates, scores, top_n, self.settings.max_overlap, len(sentences), segments
        )
        return [
            Insight(c.text, c.quote, c.speaker, c.start, c.stop, score).with_id(transcript.source)
            for c, score in chosen
        ]
