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

from podsift.config import InsightSettings
from podsift.exceptions import ConfigError
from podsift.insights.grounding import unsafe_reason
from podsift.llm import LLMError, RatesChoices, connect

log = logging.getLogger(__name__)

DIGITS = ("1", "2", "3", "4", "5")

SYSTEM = """You pick quotes from podcasts for a daily email that gives busy readers the five \
points most worth knowing. The reader sees the quote alone, without the conversation around \
it. Ask: could a reader repeat this to a colleague as something they learnt? Score it:
5 = yes: a specific fact, figure, finding, news, explanation or advice, with the names, \
numbers or reasons that make it concrete.
4 = a clear point that stands alone, but less specific or less new.
3 = a point, but vague or general, or only half understandable alone.
2 = nothing to learn: general praise, a feeling or an opinion with no specifics, or a remark \
that needs the conversation around it.
1 = filler: small talk, thanks, greetings, plans for the show, jokes, fragments.

Examples:
Quote: Welcome back, everybody, it's so good to have you on again.
Score: 1
Quote: Right, and that's the part I was talking about earlier with the other team.
Score: 2
Quote: Honestly, I just love how much the ecosystem has grown, everyone is so helpful.
Score: 2
Quote: Caching is hard, and you have to think about it carefully.
Score: 3
Quote: Writing the design document before the code saved us more time than any tool we adopted.
Score: 4
Quote: Git 2.45 can store objects with SHA-256 and talk to SHA-1 repositories, so a large \
project can move one clone at a time.
Score: 5
Quote: Our checkout service went from 900 to 120 milliseconds at the 99th percentile once we \
stopped opening a database connection per request.
Score: 5

Answer with the digit only."""
"""The judge's question. The examples are written by hand for it, never taken from a crowd or
a transcript; on the 30 hand-written quotes of ``tests/data/judge`` (``benchmarks/
eval_judge.py``) they raised the chance that a point outscores filler from 0.85 (no examples)
to 0.91 with qwen-1.5b."""

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
    """Scores quotes with ``model`` under ``system``, once per quote text, and counts what it
    could not judge."""

    model: RatesChoices
    system: str = SYSTEM
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
                self.system, f"Quote: {_cut(quote)}", DIGITS
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


def make_judge(name: str, cfg: InsightSettings) -> Judge | None:
    """Return the judge on chat model ``name`` (``[rank] judge``), or None when it is ``""``.

    The model's settings are its ``[insights.<name>]`` sub-table, as for headlines.

    Raises:
        ConfigError: the chat model gives no answer probabilities (only ``local`` does), its
            key variable is unset, or the local model or its runtime is missing.
        UnknownProviderError: no chat model of that name.
    """
    if not name:
        return None
    model = connect(name, cfg.llm(name), section="rank judge")
    if not isinstance(model, RatesChoices):
        raise ConfigError(
            f"[rank] judge: chat model '{name}' cannot judge, it gives no answer "
            "probabilities (use 'local', or \"\" for no judge)"
        )
    return Judge(model)


def _cut(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARS:
        return text
    return text[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
