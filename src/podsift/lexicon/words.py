"""Split text into words: the one place where podsift tokenises text.

Three splits for three jobs:

- :func:`words`: the words as written, case kept, numbers and versions whole (``3.12``,
  ``C++``): to count a passage's words and to read names off it;
- :func:`normalised_tokens`: lower case, curly apostrophes folded, letters and digits only
  (``3.12`` is ``3`` and ``12``): to find a quote in a transcript whatever its punctuation;
- :func:`lower_tokens`: lower case with "n't" split off (``didn't`` is ``did`` and ``n't``),
  figures whole (``7.5``, ``12,000``): to compare two statements word by word.

No business logic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from podsift.lexicon.lists import STOPWORDS

__all__ = [
    "content_words",
    "lower_tokens",
    "normalise",
    "normalised_spans",
    "normalised_tokens",
    "word_spans",
    "words",
]

# A word: letters of any script and digits ("Kraków", "Łukasz"), inner apostrophes, dots,
# hyphens and pluses ("don't", "5.6.0", "co-op", "C++").
_WORD = re.compile(r"[^\W_](?:[^\W_]|['’.\-+])*(?:[^\W_]|\+)|[^\W_]")
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_LOWER_TOKEN = re.compile(r"[a-z0-9]+(?:[.,'][a-z0-9]+)*")


def normalise(word: str) -> str:
    """Return ``word`` in lower case with curly apostrophes made straight.

    >>> normalise("Isn’t")
    "isn't"
    """
    return word.lower().replace("’", "'")


def words(text: str) -> list[str]:
    """Return the words of ``text`` as written (numbers and versions such as ``3.12`` count).

    >>> words("Python 3.12 is out, isn't it?")
    ['Python', '3.12', 'is', 'out', "isn't", 'it']
    >>> words("Łukasz Langa, in Kraków: C++ and snake_case")
    ['Łukasz', 'Langa', 'in', 'Kraków', 'C++', 'and', 'snake', 'case']
    """
    return _WORD.findall(text)


def word_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield each word of ``text`` as :func:`words` reads it, with its span ``(begin, end)``.

    >>> list(word_spans("XZ Utils 5.6"))
    [('XZ', 0, 2), ('Utils', 3, 8), ('5.6', 9, 12)]
    """
    for m in _WORD.finditer(text):
        yield m.group(), m.start(), m.end()


def content_words(text: str) -> set[str]:
    """Return the normalised words of ``text`` that carry meaning (no stopwords).

    >>> sorted(content_words("Yeah, the GIL is gone in Python 3.13!"))
    ['3.13', 'gil', 'gone', 'python']
    """
    found = {normalise(w) for w in words(text)}
    return {w for w in found if w not in STOPWORDS and len(w) > 1}


def normalised_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield each normalised token of ``text`` with its character span ``(begin, end)``.

    >>> list(normalised_spans("It’s here"))
    [("it's", 0, 4), ('here', 5, 9)]
    """
    for m in _TOKEN.finditer(text):
        yield normalise(m.group()), m.start(), m.end()


def normalised_tokens(text: str) -> list[str]:
    """Return the normalised tokens of ``text``: lower case, apostrophes folded, letters and
    digits only.

    >>> normalised_tokens("It's   *the* GIL, isn’t it? 3.12")
    ["it's", 'the', 'gil', "isn't", 'it', '3', '12']
    """
    return [normalise(m.group()) for m in _TOKEN.finditer(text)]


def lower_tokens(text: str) -> list[str]:
    """Return the lower-case tokens of ``text`` with "n't" split off and figures kept whole.

    >>> lower_tokens("GitHub didn’t pay 7.5 billion, or 12,000 euros.")
    ['github', 'did', "n't", 'pay', '7.5', 'billion', 'or', '12,000', 'euros']
    """
    lower = text.lower().replace("n’t", " n't").replace("n't", " n't").replace("’", "'")
    return _LOWER_TOKEN.findall(lower)
