"""Signals beyond one vector: cheap textual checks that veto near-identical wording.

MiniLM's cosine is high for two statements built from the same words even when they make
different claims ("GitHub acquired Microsoft", "Python 3.12" for "3.13", "not found"). These
pure functions look at the words themselves and return, for a pair of texts, a penalty in
[0, 1] that is subtracted (times a weight) from the cosine before the threshold is applied:

- :func:`number_conflict`: both texts state figures and they share none;
- :func:`negation_conflict`: one text negates and the other does not, with most words shared;
- :func:`order_conflict`: the same names appear in a different order (roles swapped);
- :func:`name_conflict`: near-identical wording around a name swapped for another ("npm" /
  "PyPI", "Europe" / "Australia").

``benchmarks/eval_stories.py`` measures each on held-out data; a signal whose weight does
not improve the calibration part stays at weight 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_WORD = re.compile(r"[a-z0-9]+(?:[.,'][a-z0-9]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]+|\b[a-z]+[A-Z]\w*")
_NOT_NAMES_TEXT = """a an and as at but by for from he her his i if in it its my no not of on
    or our she so that the their then there these they this those to we what when which who
    why you your yeah well okay oh um uh like"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
_NEGATIONS = frozenset({"not", "no", "never", "n't", "without", "nobody", "none", "longer"})
_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
}


@dataclass(frozen=True, slots=True)
class Signals:
    """Per-text features the conflict checks compare (see :func:`text_signals`)."""

    words: frozenset[str]
    numbers: frozenset[str]
    negated: bool
    names: tuple[str, ...]


def text_signals(text: str) -> Signals:
    """Extract the features of one text.

    >>> s = text_signals("GitHub didn't pay 7.5 billion for Microsoft in 2018.")
    >>> sorted(s.numbers), s.negated, s.names
    (['2018', '7.5'], True, ('github', 'microsoft'))
    """
    lower = text.lower().replace("n’t", " n't").replace("n't", " n't")
    words = _WORD.findall(lower) + (["n't"] if "n't" in lower else [])
    numbers = {n.replace(",", "") for n in _NUMBER.findall(text)}
    numbers |= {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS}
    names = [m.group().lower() for m in _NAME.finditer(text)]
    names = [n for n in names if n not in _NOT_NAMES]
    return Signals(
        words=frozenset(words),
        numbers=frozenset(numbers),
        negated=bool(_NEGATIONS & set(words)),
        names=tuple(dict.fromkeys(names)),
    )


def number_conflict(a: Signals, b: Signals) -> float:
    """1.0 when both texts state numbers and none is shared, else 0.0.

    >>> number_conflict(text_signals("Python 3.13 is out"), text_signals("Python 3.12 is out"))
    1.0
    """
    return 1.0 if a.numbers and b.numbers and not a.numbers & b.numbers else 0.0


def _overlap(a: Signals, b: Signals) -> float:
    """Share of the smaller text's words that the other text has too."""
    small = min(len(a.words), len(b.words))
    return len(a.words & b.words) / small if small else 0.0


def negation_conflict(a: Signals, b: Signals) -> float:
    """The word overlap of the texts when exactly one of them negates, else 0.0.

    >>> negation_conflict(text_signals("It was found"), text_signals("It was not found"))
    1.0
    """
    return _overlap(a, b) if a.negated != b.negated else 0.0


def order_conflict(a: Signals, b: Signals) -> float:
    """1.0 when the texts share most words but two names swap places (roles swapped).

    A paraphrase may reorder names freely; only near-identical wording with swapped names is
    the PAWS pattern ("A acquired B" / "B acquired A").

    >>> order_conflict(text_signals("So OpenAI buys Astral"), text_signals("So Astral buys OpenAI"))
    1.0
    """
    shared = [n for n in a.names if n in b.names]
    if len(shared) < 2 or _overlap(a, b) < 0.75:
        return 0.0
    position = {n: i for i, n in enumerate(b.names)}
    ranks = [position[n] for n in shared]
    return 0.0 if ranks == sorted(ranks) else 1.0


def name_conflict(a: Signals, b: Signals) -> float:
    """1.0 when the texts share most words but each names something the other does not.

    A paraphrase usually renames nothing, or rewrites so much that the overlap is low.

    >>> a = text_signals("It hit airlines in Europe")
    >>> b = text_signals("It hit airlines in Australia")
    >>> name_conflict(a, b), name_conflict(a, text_signals("Flights across Europe were grounded"))
    (1.0, 0.0)
    """
    if _overlap(a, b) < 0.6:
        return 0.0
    return 1.0 if set(a.names) - set(b.names) and set(b.names) - set(a.names) else 0.0


@dataclass(frozen=True, slots=True)
class SignalWeights:
    """How much each conflict lowers a pair's cosine (0 turns a signal off)."""

    numbers: float = 0.0
    negation: float = 0.0
    order: float = 0.0
    names: float = 0.0

    @property
    def active(self) -> bool:
        """Whether any signal has a weight."""
        return bool(self.numbers or self.negation or self.order or self.names)


def pair_penalty(a: Signals, b: Signals, weights: SignalWeights) -> float:
    """The total penalty of one pair under ``weights``."""
    return (
        weights.numbers * number_conflict(a, b)
        + weights.negation * negation_conflict(a, b)
        + weights.order * order_conflict(a, b)
        + weights.names * name_conflict(a, b)
    )


def penalty_matrix(
    rows: Sequence[Signals], cols: Sequence[Signals], weights: SignalWeights
) -> npt.NDArray[np.float32]:
    """Penalties of every (row, column) pair; all zeros when no weight is set."""
    out = np.zeros((len(rows), len(cols)), dtype=np.float32)
    if not weights.active:
        return out
    for i, a in enumerate(rows):
        for j, b in enumerate(cols):
            out[i, j] = pair_penalty(a, b, weights)
    return out
