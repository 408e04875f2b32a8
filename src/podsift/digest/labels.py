"""Labels: a story's key terms, the short line above its quote when no LLM writes a headline.

Without an LLM the quote is the item: printing it again as a headline says the same words
twice (#21). A label names what the story is about in a few words, deterministically: the
terms of its representative text that the story's other mentions share first, then those
rare in the window (:attr:`~podsift.stories.anchors.WindowTerms.limit`: a term many stories
use, such as "Python" on a Python window, names a field, not this story), names and figures
first among them, then the rarest. A date names no story ("December 3rd"). Terms keep their
written form and their order in the quote. Names written next to each other are one thing,
shown whole ("XZ Utils", "Rob Mensching"; a label holds at most five words), and an everyday
word capitalised only because it opens the quote ("Contrary to what…") is no name; nor is one
that opens a later sentence of it and that English writes in small letters ("…today. Nobody
knows.": :func:`~podsift.stories.words.written_as_name`).

>>> counts = TermCounts.from_texts(
...     ["Django tasks landed in 6.0", "Python is fun", "Python 3.14", "Python 3.13 is out"])
>>> counts.label(["Django tasks landed in Python 6.0"])
'Django · tasks · landed'
>>> counts.label(["So Django 6 was released on December 3rd with a fix"])
'Django · released · fix'
>>> counts.label(["Registries pay for staff. Whose job is it? Nobody's."])
'Registries · pay · staff'
>>> counts.label(["Tidebound, from Mirelight Studio in Kraków, is out"])
'Tidebound · Mirelight Studio · Kraków'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from podsift.digest.related import subject_terms
from podsift.lexicon import STOPWORDS, normalise, word_set, word_spans
from podsift.models import StoryView
from podsift.stories.anchors import WindowTerms
from podsift.stories.words import common_words, written_as_name

LABEL_TERMS = 3
"""Most terms in a label (a name of several words is one term)."""

LABEL_WORDS = 5
"""Most words in a label."""

SEPARATOR = " · "

# A date says when, not what: "December 3rd" names no story.
_CALENDAR = word_set("names", "months") | word_set("names", "days")
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")


@dataclass(frozen=True)
class TermCounts:
    """How many representative texts of the window use each subject term."""

    counts: Counter[str]
    size: int = 0

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> TermCounts:
        """Count the subject terms of ``texts`` (each text counts a term once)."""
        texts = list(texts)
        return cls(Counter(t for text in texts for t in subject_terms(text)), len(texts))

    @classmethod
    def build(cls, views: Sequence[StoryView]) -> TermCounts:
        """Count over the representative texts of the window's stories."""
        return cls.from_texts(v.mentions[0].text for v in views if v.mentions)

    def label(self, texts: Sequence[str], limit: int = LABEL_TERMS) -> str:
        """Return the key terms of a story told by ``texts`` (representative first), or "".

        The terms of the representative text are ordered by how many of ``texts`` use them,
        then by how few of the window's stories do, then names and figures first; the first
        ``limit`` are shown in the order of the quote.
        """
        if not texts:
            return ""
        shared = Counter(t for text in texts for t in subject_terms(text))
        seen: dict[str, tuple[int, str]] = {}
        unit_of: dict[str, int] = {}
        units = _units(texts[0])
        names = {
            position
            for position, (word, begin, _) in enumerate(word_spans(texts[0]))
            if written_as_name(texts[0], begin, word)
        }
        for k, unit in enumerate(units):
            for position, word in unit:
                term = _term(word)
                opening = position == 0 and len(unit) == 1 and _everyday(word)
                if term and term not in seen and not opening:
                    seen[term], unit_of[term] = (position, word), k

        rare = WindowTerms(self.counts, self.size).limit

        def rank(term: str) -> tuple[int, bool, bool, int, int]:
            position, word = seen[term]
            named = position in names or any(c.isdigit() for c in word)
            used = self.counts[term]
            return -shared[term], used > rare, not named, used, position

        chosen: list[int] = []
        room = LABEL_WORDS
        for term in sorted(seen, key=rank):
            k = unit_of[term]
            if len(chosen) < limit and k not in chosen and len(units[k]) <= room:
                chosen.append(k)
                room -= len(units[k])
        return SEPARATOR.join(" ".join(w for _, w in units[k]) for k in sorted(chosen))


def _units(text: str) -> list[list[tuple[int, str]]]:
    """The words of ``text`` with their positions, in runs: names written next to each other,
    with only a space between them, make one run ("XZ Utils", "Rob Mensching", also when it
    opens the text); every other word is a run of its own.

    >>> [[w for _, w in u] for u in _units("Rob Mensching, at XZ Utils, wrote it")]
    [['Rob', 'Mensching'], ['at'], ['XZ', 'Utils'], ['wrote'], ['it']]
    """
    runs: list[list[tuple[int, str]]] = []
    end = 0
    for position, (word, begin, stop) in enumerate(word_spans(text)):
        joined = text[end:begin] == " " and position > 0 and _capital(word)
        if runs and joined and _capital(runs[-1][-1][1]):
            runs[-1].append((position, word))
        else:
            runs.append([(position, word)])
        end = stop
    return runs


def _capital(word: str) -> bool:
    """Whether ``word`` can be part of a name: capitalised, and no stopword."""
    return word[:1].isupper() and normalise(word) not in STOPWORDS


def _everyday(word: str) -> bool:
    """Whether ``word`` is in the tokenizer's vocabulary (:func:`common_words`)."""
    return normalise(word) in common_words()


def _term(word: str) -> str | None:
    """The subject term a written word stands for, or None (stopword, figure, date, one letter)."""
    low = normalise(word)
    dated = low in _CALENDAR or _ORDINAL.match(low)
    if low in STOPWORDS or dated or len(low) < 2 or not any(c.isalpha() for c in low):
        return None
    found = subject_terms(word)
    return next(iter(found)) if len(found) == 1 else None
