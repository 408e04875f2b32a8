"""A second opinion on narrow misses: a chat model asked whether two statements are one story.

The anchor rule (:mod:`.anchors`) keeps shows that only share a subject apart, and with them
some tellings of one story that name fewer than two rare things in common: a paraphrase that
says "the chipmaker" for "Broadcom", or passages of one event whose own terms are common in
their window (#17). A :class:`MergeVerifier` asks a chat model that rates its answers
(:class:`~podsift.llm.RatesChoices`, the ``local`` model) about such pairs only, the ones
:func:`in_band` names, and lets a pair merge when the probability of "Yes" reaches its
threshold. Nothing else is ever asked: a pair the rule accepts, or that a conflict check
vetoes, is decided without a model.

A statement that reads like an instruction to a language model is never sent (its pairs stay
apart), nor is anything once the model fails or its time budget is spent: every such pair
stays apart and is counted, so a run without a model, or past its budget, merges exactly as
the rule alone does. (A link is sent: it cannot instruct a model whose answer is read from
two logits, and show-note passages carry Markdown links.) Answers are kept by the pair's
texts, in either order.

Measured with benchmarks/eval_verifier.py and eval_crowd.py (figures in the former): written
paraphrases gain recall at no loss of precision; spoken passages gain nothing, since the
model gives two remarks on one subject about the P("Yes") it gives two tellings of one event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from podsift.config import InsightSettings
from podsift.exceptions import ConfigError
from podsift.llm import LLMError, RatesChoices, connect

log = logging.getLogger(__name__)

#: A pair that names no rare thing in common is asked only from this similarity (cosine less
#: the conflict penalty) up; with one such thing, from the merge threshold up.
NO_ANCHOR_COSINE = 0.6

#: The probability of "Yes" at which a pair merges: the lowest with no wrong merge on the dev
#: halves' band pairs nor among the dev crowd's (benchmarks/eval_verifier.py; at 0.5, three
#: pairs of spoken remarks on one subject merged there).
DEFAULT_MIN_YES = 0.6

#: The longest statement sent, cut at a word; a longer one is judged on its beginning.
STATEMENT_CHARS = 600

CHOICES = ("Yes", "No")

SYSTEM = """You compare two statements taken from two different podcasts. Decide whether they \
tell the same story: the same claim, the same piece of news, the same finding or the same \
event, even in other words, with other details, or naming things differently.
Answer No when they only share a subject, a company, a product, a person or a field but say \
different things about it, or when they are about two different events.

Examples:
1: "Postgres 17 shipped with incremental backups."
2: "The new Postgres release finally lets you take incremental backups."
Same story: Yes
1: "Postgres 17 shipped with incremental backups."
2: "We moved our analytics from Postgres to ClickHouse last year and never looked back."
Same story: No
1: "The Linux kernel now accepts drivers written in Rust."
2: "Linus merged the first Rust code into the kernel, so drivers can be written in it."
Same story: Yes
1: "Rust's compile times are still painful on big projects."
2: "The Linux kernel now accepts drivers written in Rust."
Same story: No
1: "Stack Overflow's traffic fell by half after ChatGPT came out."
2: "Since the chatbot launched, the Q&A site for programmers has lost about 50 percent of \
its visitors."
Same story: Yes

Answer with Yes or No only."""


def in_band(similarity: float, shared: int, threshold: float, least: int = 2) -> bool:
    """Whether a pair that names fewer than ``least`` rare things in common (the anchor rule's
    minimum) is close enough to ask about: one short of it from the merge ``threshold`` up,
    fewer from :data:`NO_ANCHOR_COSINE` up.

    ``similarity`` is the pair's cosine less its conflict penalty and ``shared`` the rare
    things both name (:meth:`~podsift.stories.anchors.WindowTerms.shared_things`).

    >>> in_band(0.5, 1, 0.45), in_band(0.4, 1, 0.45), in_band(0.5, 0, 0.45), in_band(0.65, 0, 0.45)
    (True, False, False, True)
    """
    if similarity < threshold or shared >= least:
        return False
    return shared == least - 1 or similarity >= NO_ANCHOR_COSINE


@dataclass
class MergeVerifier:
    """Asks ``model`` whether two statements tell one story, once per pair of texts.

    Args:
        model: a chat model that rates one-token answers.
        min_yes: the probability of "Yes" at which a pair merges.
        refuse: whether a statement may never be sent (default: it reads like an instruction,
            :func:`podsift.insights.looks_like_instruction`).
        system: the instructions (benchmarks/eval_verifier.py tries others).
    """

    model: RatesChoices
    min_yes: float = DEFAULT_MIN_YES
    refuse: Callable[[str], bool] | None = None
    system: str = SYSTEM
    answers: dict[tuple[str, str], float] = field(default_factory=dict)
    asked: int = 0  # questions the model answered
    refused: int = 0  # pairs not sent: a statement reads like an instruction
    failed: int = 0  # pairs the model did not answer: an error, or its budget is spent

    def __post_init__(self) -> None:
        if self.refuse is None:
            # podsift.insights imports this package, so its name is taken when first used
            from podsift.insights import looks_like_instruction

            self.refuse = looks_like_instruction

    def probability(self, a: str, b: str) -> float | None:
        """The probability that ``a`` and ``b`` tell one story, or None when not asked."""
        key = (a, b) if a <= b else (b, a)
        if key in self.answers:
            return self.answers[key]
        assert self.refuse is not None  # set in __post_init__
        if self.refuse(a) or self.refuse(b):
            self.refused += 1
            return None
        try:
            got = self.model.choice_probabilities(self.system, question(*key), CHOICES)
        except LLMError as e:
            # once the budget is spent every later pair fails at once: say so only once
            log.log(logging.DEBUG if self.failed else logging.INFO, "merge verifier: %s", e)
            self.failed += 1
            return None
        self.asked += 1
        yes = self.answers[key] = got["Yes"]
        return yes

    def same_story(self, a: str, b: str) -> bool:
        """Whether the model says ``a`` and ``b`` tell one story (False when not asked)."""
        yes = self.probability(a, b)
        return yes is not None and yes >= self.min_yes


def question(a: str, b: str) -> str:
    """The user message about one pair.

    >>> print(question("A new release.", "It shipped."))
    1: "A new release."
    2: "It shipped."
    Same story:
    """
    return f'1: "{_cut(a)}"\n2: "{_cut(b)}"\nSame story:'


def _cut(text: str) -> str:
    """``text`` on one line, cut at a word after :data:`STATEMENT_CHARS` characters."""
    text = " ".join(text.split())
    if len(text) <= STATEMENT_CHARS:
        return text
    return text[:STATEMENT_CHARS].rsplit(" ", 1)[0] + " …"


def make_verifier(name: str, cfg: InsightSettings) -> MergeVerifier | None:
    """Return the verifier on chat model ``name`` (``[cluster] verifier``), or None for ``""``.

    The model's settings are its ``[insights.<name>]`` sub-table, as for the judge.

    Raises:
        ConfigError: the chat model gives no answer probabilities (only ``local`` does), its
            key variable is unset, or the local model or its runtime is missing.
        UnknownProviderError: no chat model of that name.
    """
    if not name:
        return None
    model = connect(name, cfg.llm(name), section="cluster verifier")
    if not isinstance(model, RatesChoices):
        raise ConfigError(
            f"[cluster] verifier: chat model '{name}' cannot verify, it gives no answer "
            "probabilities (use 'local', or \"\" for none)"
        )
    return MergeVerifier(model)
