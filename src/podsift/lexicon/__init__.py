"""Words and word lists: how podsift splits text into words, and the fixed English lists.

:mod:`.words` holds the tokenisers (:func:`words`, :func:`normalised_tokens`,
:func:`lower_tokens`); :mod:`.lists` reads the word lists from the text files in ``data/``
(stopwords, fillers, hedges, claim and sponsor cues, negations, opposite poles, number words),
once. The modules that use a list hold the rules; the lists hold the words.
"""

from __future__ import annotations

from podsift.lexicon.lists import (
    OPPOSITES,
    STOPWORDS,
    Poles,
    alternation,
    phrases,
    word_set,
    word_values,
)
from podsift.lexicon.words import (
    content_words,
    lower_tokens,
    normalise,
    normalised_spans,
    normalised_tokens,
    word_spans,
    words,
)

__all__ = [
    "OPPOSITES",
    "STOPWORDS",
    "Poles",
    "alternation",
    "content_words",
    "lower_tokens",
    "normalise",
    "normalised_spans",
    "normalised_tokens",
    "phrases",
    "word_set",
    "word_spans",
    "word_values",
    "words",
]
