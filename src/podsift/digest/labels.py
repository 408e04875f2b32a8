"""Labels: a story's key terms, the short line above its quote when no LLM writes a headline.

Without an LLM the quote is the item: printing it again as a headline says the same words
twice (#21). A label names what the story is about in a few words, deterministically. Things
come first: names, and words outside everyday English ("backdoor", "passkeys"); the terms that
the story's other mentions share first, then those rare in the window
(:attr:`~podsift.stories.anchors.WindowTerms.limit`: a term many stories use, such as "Python"
on a Python window, names a field, not this story), names before rare words, then the rarest.
Everyday words come only after them, and only with the stories' embedder, when their meaning
is close to the quote's ("tuition" in a quote on university fees): one that merely happens to
be rare in the window ("announced", "full", "roughly") names no story. A date or a number said
in words ("December 3rd", "eighty") never does; with nothing to name, the label is empty and
the quote stands alone. Terms keep their written form and their order in the quote.
Capitalised words written next to each other are one name, shown whole ("XZ Utils",
"Department for Transport"; a label holds at most five words), and an everyday word
capitalised only because it opens a sentence of the quote ("Contrary to what…", "…today.
Nobody knows.") is no name (:func:`~podsift.stories.words.written_as_name`).

>>> counts = TermCounts.from_texts(
...     ["Django tasks landed in 6.0", "Python is fun", "Python 3.14", "Python 3.13 is out"])
>>> counts.label(["Django tasks landed in Python 6.0, and the Celery backdoor is gone"])
'Django · Celery · backdoor'
>>> counts.label(["So Django 6 was released on December 3rd with a fix"])
'Django'
>>> counts.label(["The government announced today that the full pension age will rise."])
''
>>> counts.label(["On Wednesday Ana Ruiz resigned as Minister for Transport."])
'Ana Ruiz · Minister for Transport'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from podsift.digest.related import subject_terms
from podsift.lexicon import STOPWORDS, normalise, word_set, word_spans
from podsift.models import StoryView
from podsift.stories.anchors import WindowTerms
from podsift.stories.figures import NUMBER_WORDS
from podsift.stories.words import rare_word, written_as_name

LABEL_TERMS = 3
"""Most terms in a label (a name of several words is one term)."""

LABEL_WORDS = 5
"""Most words in a label."""

CLOSE_TO_QUOTE = 0.3
"""The least cosine between an everyday word and its quote for the word to be a key term."""

Embed = Callable[[list[str]], "npt.NDArray[np.float32]"]
"""An embedder's ``embed``: texts in, unit vectors out, one row each."""

SEPARATOR = " · "

# A date says when, not what: "December 3rd" names no story.
_CALENDAR = word_set("names", "months") | word_set("names", "days")
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")
# Words that join the capitalised words of one name: "Department for Transport".
_JOINERS = frozenset({"of", "for"})
_POSSESSIVE = re.compile(r"['’]s$")
_CONTRACTION = re.compile(r"['’](?:ll|re|ve|d|m|t)$")


@dataclass(frozen=True)
class TermCounts:
    """How many representative texts of the window use each subject term; with ``embed``
    (the stories' embedder), labels may also name everyday words close to the quote."""

    counts: Counter[str]
    size: int = 0
    embed: Embed | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_texts(cls, texts: Iterable[str], embed: Embed | None = None) -> TermCounts:
        """Count the subject terms of ``texts`` (each text counts a term once)."""
        texts = list(texts)
        counts = Counter(t for text in texts for t in subject_terms(text))
        return cls(counts, len(texts), embed)

    @classmethod
    def build(cls, views: Sequence[StoryView], embed: Embed | None = None) -> TermCounts:
        """Count over the representative texts of the window's stories."""
        return cls.from_texts((v.mentions[0].text for v in views if v.mentions), embed)

    def label(self, texts: Sequence[str], limit: int = LABEL_TERMS) -> str:
        """Return the key terms of a story told by ``texts`` (representative first), or "".

        Things come first: names, and words outside everyday English
        (:func:`~podsift.stories.words.rare_word`: "backdoor", "passkeys"), ordered by how
        many of ``texts`` use them, then by whether few of the window's stories do, names
        first, then the rarest. With :attr:`embed`, everyday words whose meaning is close to
        the quote's (cosine at least :data:`CLOSE_TO_QUOTE`: "tuition", "strike", "sacked")
        fill the room left, closest first; without it, or far from the quote ("announced",
        "full", "roughly"), an everyday word names no story, however rare in the window. The
        first ``limit`` are shown in the order of the quote.
        """
        if not texts:
            return ""
        text = texts[0]
        shared = Counter(term for told in texts for term in subject_terms(told))
        units = _units(text)
        found: dict[str, tuple[int, int, bool]] = {}  # term -> (run, position, named)
        everyday: list[int] = []
        for k, unit in enumerate(units):
            named = any(_capital(w) and written_as_name(text, at, w) for _, w, at in unit)
            thing = named or (len(unit) == 1 and _rare(unit[0][1]))
            if not thing and (self.embed is None or len(unit) > 1):
                continue
            if not thing:
                everyday.append(k)
            for position, word, _ in unit:
                term = _term(word)
                if term and term not in found:
                    found[term] = (k, position, named)
        close = self._closeness(text, [" ".join(w for _, w, _ in units[k]) for k in everyday])
        near = dict(zip(everyday, close, strict=True))
        rare = WindowTerms(self.counts, self.size).limit

        def rank(term: str) -> tuple[bool, int, bool, bool, float, int]:
            k, position, named = found[term]
            used = self.counts[term]
            order = float(used) if k not in near else -near[k]
            return k in near, -shared[term], used > rare, not named, order, position

        chosen: list[int] = []
        room = LABEL_WORDS
        for term in sorted(found, key=rank):
            k = found[term][0]
            if near.get(k, 1.0) < CLOSE_TO_QUOTE:
                continue
            if len(chosen) < limit and k not in chosen and len(units[k]) <= room:
                chosen.append(k)
                room -= len(units[k])
        return SEPARATOR.join(_shown(units[k]) for k in sorted(chosen))

    def _closeness(self, text: str, words: list[str]) -> list[float]:
        """The cosine of each of ``words`` to ``text`` (unit vectors from :attr:`embed`)."""
        if not words or self.embed is None:
            return []
        vectors = self.embed([text, *words])
        return [float(v) for v in vectors[1:] @ vectors[0]]


def _units(text: str) -> list[list[tuple[int, str, int]]]:
    """The words of ``text`` (position, word, offset), in runs: capitalised words written next
    to each other, with only a space or an "of" or "for" between them, make one run ("XZ
    Utils", "Department for Transport", also when it opens the text); every other word,
    a date or a number opening a sentence among them ("Wednesday", "Nine"), is a run of its
    own.

    >>> [[w for _, w, _ in u] for u in _units("On Wednesday Rob Mensching, at XZ Utils, wrote")]
    [['On'], ['Wednesday'], ['Rob', 'Mensching'], ['at'], ['XZ', 'Utils'], ['wrote']]
    >>> [[w for _, w, _ in u] for u in _units("the Minister of Land, of Kent")]
    [['the'], ['Minister', 'of', 'Land'], ['of'], ['Kent']]
    >>> [[w for _, w, _ in u] for u in _units("the OP_RETURN limit")]
    [['the'], ['OP_RETURN'], ['limit']]
    """
    runs: list[list[tuple[int, str, int]]] = []
    end, before = 0, False  # whether the word before can go on into a name
    for position, (word, begin, stop) in enumerate(word_spans(text)):
        if runs and begin == end + 1 and text[end] == "_":  # one identifier: "OP_RETURN"
            at, first, start = runs[-1][-1]
            runs[-1][-1] = (at, f"{first}_{word}", start)
            end = stop
            continue
        spaced = text[end:begin] == " " and bool(runs)
        # a number capitalised inside a sentence is part of a name ("at Nine Lamps")
        capital = _capital(word) or (
            _number(normalise(word)) and written_as_name(text, begin, word)
        )
        joiner = spaced and before and word in _JOINERS and runs[-1][-1][1] not in _JOINERS
        if joiner or (spaced and before and capital):
            runs[-1].append((position, word, begin))
        else:
            runs.append([(position, word, begin)])
        end, before = stop, capital or joiner
    split: list[list[tuple[int, str, int]]] = []
    for run in runs:  # a joiner ending a run is a word of its own
        tail = [run.pop()] if len(run) > 1 and run[-1][1] in _JOINERS else []
        split += [run, tail] if tail else [run]
    return split


def _shown(unit: list[tuple[int, str, int]]) -> str:
    """A run as the label shows it, without a possessive ("Hashicorp's" -> "Hashicorp")."""
    words = " ".join(w for _, w, _ in unit)
    return _POSSESSIVE.sub("", words)


def _capital(word: str) -> bool:
    """Whether ``word`` can be part of a name: capitalised, and no stopword, contraction
    ("It'll"), date or number ("Series B" is a name, "Nine" is not)."""
    low = normalise(word)
    if not word[:1].isupper() or low in STOPWORDS or _CONTRACTION.search(low):
        return False
    return not _dated(low) and not (len(low) > 1 and _number(low))


def _rare(word: str) -> bool:
    """Whether ``word`` is a thing's name outside everyday English: a rare word, or a
    compound with one ("phishing-resistant"), no figure ("twenty-nineteen").

    >>> [_rare(w) for w in ("passkeys", "phishing-resistant", "announced", "it'll", "a.m")]
    [True, True, False, False, False]
    """
    parts = normalise(word).split("-")
    return all(p.isalpha() for p in parts) and any(rare_word(p) for p in parts)


def _dated(low: str) -> bool:
    """Whether a lower-case word is a date's ("december", "3rd", "friday's")."""
    low = _POSSESSIVE.sub("", low)
    return low in _CALENDAR or bool(_ORDINAL.match(low))


def _number(low: str) -> bool:
    """Whether a lower-case word spells a number ("nine", "twenty-nineteen", "o'clock")."""
    return all(p in NUMBER_WORDS or p == "o'clock" for p in low.split("-"))


def _term(word: str) -> str | None:
    """The subject term a written word stands for, or None (stopword, figure, date, number,
    one letter)."""
    low = normalise(word)
    if "_" in low.strip("_"):  # an identifier ("OP_RETURN", "snake_case") is one term
        return low
    dated = _dated(low) or _number(low)
    if low in STOPWORDS or dated or len(low) < 2 or not any(c.isalpha() for c in low):
        return None
    found = subject_terms(word)
    return next(iter(found)) if len(found) == 1 else None
