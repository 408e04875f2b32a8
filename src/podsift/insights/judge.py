"""Judgement: a chat model scores the day's top candidates as a reader would, 1 to 5.

Centrality and the standalone check find what an episode keeps coming back to; they cannot
tell a remark that needs the conversation around it from a point worth forwarding. A language
model can, but asked for a score as text it answers 5 for nearly everything. Its probabilities
of the digits 1-5 do separate them (#18): the score is their expected value.

Only the few candidates that could reach a digest are judged (tens a day, not thousands), by a
model that reports digit probabilities (:class:`~podsift.llm.RatesChoices`, the ``local``
model). A quote that reads like an instruction is never sent; it keeps no score and is not
judged. A model that fails or runs out of time leaves the candidate unjudged, so the ranking
falls back to what it was without a model.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from podsift.insights.grounding import unsafe_reason
from podsift.llm import LLMError, RatesChoices

log = logging.getLogger(__name__)

DIGITS = ("1", "2", "3", "4", "5")

SYSTEM = """You rate quotes from podcasts for a daily email that gives busy readers the five \
points most worth knowing. Read the quote alone, as the reader will, and score it:
5 = a specific point that stands on its own and is worth knowing: a fact, a figure, news, a \
finding, an explanation or advice.
4 = a clear, standalone point, less specific or less new.
3 = a point, but vague, general, or only half understandable alone.
2 = needs the conversation around it, or is an opinion with nothing behind it.
1 = filler: small talk, thanks, introductions, talk about the show or the conversation \
itself, jokes, fragments.
Answer with the digit only."""

QUOTE_CHARS = 600
"""The longest quote sent, cut at a word; longer ones are judged on their beginning."""


def expected_score(probabilities: Mapping[str, float]) -> float:
    """The expected score over the digits' probabilities (1.0 to 5.0).

    >>> expected_score({"1": 0.5, "5": 0.5})
    3.0
    >>> round(expected_score({"2": 0.1, "4": 0.9}), 2)
    3.8
    """
    total = sum(probabilities.get(d, 0.0) for d in DIGITS)
    if total <= 0:
        raise ValueError("no probability on any digit")
    return sum(int(d) * probabilities.get(d, 0.0) for d in DIGITS) / total


@dataclass
class Judge:
    """Scores quotes with ``model``, once per quote text, and counts what it could not judge."""

    model: RatesChoices
    scores: dict[str, float] = field(default_factory=dict)
    skipped: int = 0
    failed: int = 0

    def score(self, quote: str) -> float | None:
        """The quote's expected score, or None when it was not judged (instruction, failure)."""
        if quote in self.scores:
            return self.scores[quote]
        if unsafe_reason(quote):
            self.skipped += 1
            return None
        try:
            probabilities = self.model.choice_probabilities(
                SYSTEM, f"Quote: {_cut(quote)}", DIGITS
            )
        except LLMError as e:
            self.failed += 1
            log.info("judgement fell back: %s", e)
            return None
        got = self.scores[quote] = expected_score(probabilities)
        return got

    def score_all(self, quotes: Iterable[str]) -> dict[str, float]:
        """The scores of the ``quotes`` that could be judged."""
        out = {}
        for quote in quotes:
            got = self.score(quote)
            if got is not None:
                out[quote] = got
        return out


def _cut(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARS:
        return text
    return text[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
