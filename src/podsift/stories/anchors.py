"""Anchors: the terms two statements share that are rare in their window.

Two shows that tell one story name the same specific things: the release, the project, the
incident, the figure. Two shows that only share a subject share its common words ("Python",
"open source", "AI"), which many statements of the same window use too. A term is *rare* for a
pair when few of the window's statements use it outside the pair's neighbourhood (the
statements within :data:`NEAR_COSINE` of either of the two): a story told again in near words
by many shows keeps its own terms rare, while a field's name, used all over the window, is
not. The same test holds for a crowd of Python podcasts and for a day of general news, with no
list of words per field. Pure: texts in, counts out.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from podsift.lexicon import lower_tokens
from podsift.stories.words import FUNCTION_WORDS, stem, text_signals

#: A term is rare for a pair when at most this share of the window's statements use it outside
#: the pair's neighbourhood (and always when at most :data:`RARE_FLOOR` do).
RARE_SHARE = 0.02
RARE_FLOOR = 2
#: Things (by rare shared terms) two statements must both name to be told as one story.
MIN_ANCHORS = 2
#: The cosine at which another statement is in a pair's neighbourhood: close enough to be
#: the same story told again, well above the merge threshold of a topic.
NEAR_COSINE = 0.6
#: The least share of a story's claim (:func:`claim_terms`) a member of a story of three or
#: more must state (:func:`claim_coverage`).
MIN_COVERAGE = 0.3


#: A function word's contraction: "i'm", "we're", "you've", "they'll", "i'd", "n't".
_CLITIC = re.compile(r"'(?:m|re|ve|ll|d)$|^n't$")


@lru_cache(maxsize=1 << 18)  # a window's texts, read again every day of a catch-up run
def terms(text: str) -> frozenset[str]:
    """The content terms of ``text``: its word stems less function words and short words.

    Contractions of function words ("I'm", "we've", "can't") are function words too.

    >>> sorted(terms("The backdoor was added to XZ Utils 5.6.0"))
    ['5.6.0', 'added', 'backdoor', 'util', 'xz']
    >>> sorted(terms("I'm sure we've seen it, can't you?"))
    ['seen', 'sure']
    """
    # the stems of Signals.stems, without the rest of text_signals: every window text is read
    stems = (stem(token.removesuffix("'s")) for token in lower_tokens(text))
    return frozenset(
        s for s in stems if s not in FUNCTION_WORDS and len(s) > 1 and not _CLITIC.search(s)
    )


@lru_cache(maxsize=1 << 16)
def specific_terms(text: str) -> frozenset[str]:
    """The terms of ``text`` that name something: capitalised or out-of-vocabulary words
    (:class:`~podsift.stories.words.Signals` ``names`` and ``rare``) and figures.

    >>> sorted(specific_terms("I was really excited: Jia Tan added it in 2021."))
    ['2021', 'jia', 'tan']
    """
    signals = text_signals(text)
    named = {stem(w) for w in (*signals.names, *signals.rare)}
    return frozenset(t for t in terms(text) if t in named or any(c.isdigit() for c in t))


def term_counts(texts: Iterable[str]) -> Counter[str]:
    """How many of ``texts`` use each term (a text counts a term once).

    >>> term_counts(["Acme recalled bags", "bags, bags!"])["bag"]
    2
    """
    return Counter(itertools.chain.from_iterable(terms(t) for t in texts))


def claim_terms(texts: Iterable[str]) -> frozenset[str]:
    """The terms most of ``texts`` use (more than half of them): what two or more tellings
    of one story all state, their claim.

    >>> sorted(claim_terms(["Acme recalled 40,000 bags", "40,000 bags recalled", "bags!"]))
    ['40,000', 'bag', 'recalled']
    """
    texts = list(texts)
    return frozenset(t for t, n in term_counts(texts).items() if 2 * n > len(texts))


def claim_coverage(text: str, others: Iterable[str]) -> float:
    """The share of the claim of ``others`` (:func:`claim_terms`) that ``text`` states too;
    1.0 when they share no claim, or when ``text`` states a telling figure that most of them
    state (:func:`shared_figures`: "cut 11,000 jobs" tells "laid off eleven thousand staff").

    A remark that names a story without telling it ("First the spinach thing, and then the
    fun part: beans"), or says something else about it (advice, a consequence), states little
    of what the tellings agree on, however close its subject (#17).

    >>> tellings = ["Greenleaf recalled 40,000 bags of spinach", "Greenleaf recalled 40,000 bags"]
    >>> claim_coverage("Greenleaf's spinach thing, then beans", tellings)
    0.25
    >>> claim_coverage("They pulled forty thousand bags", tellings)
    1.0
    """
    others = list(others)
    if 2 * sum(shared_figures(text, t) > 0 for t in others) > len(others):
        return 1.0
    return claim_share(text, others)


def claim_share(text: str, others: Iterable[str]) -> float:
    """The share of the claim of ``others`` (:func:`claim_terms`) whose terms ``text`` uses
    (1.0 when they share no claim): of two tellings, the one that states more of it.

    >>> claim_share("Greenleaf recalled bags", ["Greenleaf recalled 40,000 bags of spinach"])
    0.6
    """
    claim = claim_terms(others)
    return len(terms(text) & claim) / len(claim) if claim else 1.0


def _name_count(names: set[str], a: str, b: str) -> int:
    """How many names ``names`` make, names next to each other in ``a`` or ``b`` being one."""
    parent = {t: t for t in names}

    def root(t: str) -> str:
        while parent[t] != t:
            t = parent[t]
        return t

    for text in (a, b):
        for left, right in itertools.pairwise(text_signals(text).stems):
            if left in names and right in names:
                parent[root(left)] = root(right)
    return len({root(t) for t in names})


_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")


@lru_cache(maxsize=1 << 16)
def _units(text: str) -> frozenset[str]:
    """The terms of ``text`` that follow a number other than a year and are no number
    themselves: a figure's unit ("20 minutes", "64 bytes").

    >>> sorted(_units("It took 20 minutes and sixty-four bytes, in 2021 alone"))
    ['byte', 'minute']
    """
    signals = text_signals(text)
    return frozenset(
        word
        for number, word in itertools.pairwise(signals.stems)
        if number in signals.numbers and word not in signals.numbers and not _YEAR.match(number)
    )


def shared_figures(a: str, b: str) -> int:
    """How many telling figures ``a`` and ``b`` both state: values of a kind that agree
    (:meth:`~podsift.stories.figures.Figure.agrees`: "nearly two billion" is 1.8 billion),
    but not years, ordinals ("the first") nor plain counts below ten ("two of them"), which
    any two statements may share.

    >>> shared_figures("about twelve thousand jobs in 2023", "some 12,000 people in 2023")
    1
    >>> shared_figures("the first two labs", "our first two tries")
    0
    >>> shared_figures("fined 1.8 billion euros", "a penalty of nearly two billion euros")
    1
    """
    theirs = text_signals(b).figures
    return sum(
        1
        for f in text_signals(a).figures
        if f.kind not in _UNTELLING
        and (f.kind != "plain" or f.value >= 10)
        and any(f.kind == g.kind and f.agrees(g) for g in theirs)
    )


#: Figure kinds (of :mod:`podsift.stories.figures`) that say nothing when two texts share them.
_UNTELLING = frozenset({"year", "ordinal"})


@dataclass(frozen=True, slots=True)
class WindowTerms:
    """How many of a window's statements use each term."""

    counts: Counter[str]
    size: int

    @classmethod
    def of(cls, texts: Iterable[str], only: frozenset[str] | None = None) -> WindowTerms:
        """Count the terms of ``texts`` (each text counts a term once); with ``only``, just
        those terms (the ones the statements being placed can share)."""
        texts = list(texts)
        used = (terms(t) for t in texts) if only is None else (terms(t) & only for t in texts)
        return cls(Counter(itertools.chain.from_iterable(used)), len(texts))

    @property
    def limit(self) -> int:
        """The most statements a rare term is used by."""
        return max(RARE_FLOOR, math.floor(RARE_SHARE * self.size))

    def anchors(self, a: str, b: str, near: Iterable[str] = ()) -> frozenset[str]:
        """The terms ``a`` and ``b`` share that are rare in the window outside ``near``.

        ``near`` are the texts of the pair's neighbourhood, ``a`` and ``b`` included: their
        use of a term is the story itself, not a sign that the term is common.
        """
        shared = terms(a) & terms(b)
        if not shared:
            return frozenset()
        around = [terms(text) for text in near]
        limit = self.limit
        return frozenset(
            t for t in shared if self.counts.get(t, 0) - sum(t in u for u in around) <= limit
        )

    def shared_things(self, a: str, b: str, near: Iterable[str] = ()) -> int:
        """How many things ``a`` and ``b`` both name, by rare shared terms.

        Each rare shared term is a thing, except that names next to each other in either
        text are one ("Linux Foundation", "XZ Utils", "Jia Tan"), and figures count by value
        ("12,000" is "twelve thousand"). Ordinary words that happen to be rare in the window
        ("excited", "building") count only beside a shared name or figure
        (:func:`specific_terms`): with none, the answer is 0. A figure's unit is part of it
        ("20 minutes", "64 bytes": one thing, not two).

        >>> WindowTerms.of([]).shared_things("XZ Utils has a backdoor", "a backdoor in XZ Utils")
        2
        >>> WindowTerms.of([]).shared_things("I'm excited about building it", "building? excited!")
        0
        >>> WindowTerms.of([]).shared_things("My talk ran 20 minutes over", "A fun 20 minutes")
        1
        """
        shared = self.anchors(a, b, near)
        specific = shared & (specific_terms(a) | specific_terms(b)) if shared else frozenset()
        figures = shared_figures(a, b)
        if not specific and not figures:
            return 0
        names = {t for t in specific if not any(c.isdigit() for c in t)}
        digits = len(specific - names)
        ordinary = shared - specific - _units(a) - _units(b)
        return _name_count(names, a, b) + max(digits, figures) + len(ordinary)
