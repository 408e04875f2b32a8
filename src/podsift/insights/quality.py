"""Say why a transcript cannot yield insights: empty, tiny, not English, garbled, all filler.

The local extractor's filters and cues are English; a transcript in another language or
one that is mostly noise gives zero insights and this reason instead of junk.
"""

from __future__ import annotations

from collections import Counter

from podsift.insights.local import blocked_sentences
from podsift.insights.sentences import split_sentences
from podsift.lexicon import normalised_tokens, word_set
from podsift.models import Transcript

__all__ = ["MIN_WORDS", "filler_reason", "unusable_reason"]

#: Fewest words a transcript needs to be worth extracting.
MIN_WORDS = 40
# Share of words that must be common English function words (about 40-50 % in speech).
MIN_ENGLISH = 0.15
# Share of words that must look like words (letters, with a vowel, not absurdly long).
MIN_WORDLIKE = 0.6
_ENGLISH = word_set("common_english")
_VOWELS = frozenset("aeiouy")


def unusable_reason(transcript: Transcript) -> str | None:
    """Return why ``transcript`` cannot give insights, or ``None`` when it can.

    >>> from podsift.models import Segment
    >>> def t(text): return Transcript("x", "text", (Segment(None, None, None, text),))
    >>> unusable_reason(t(""))
    'empty transcript'
    >>> unusable_reason(t("Hello there."))
    'too short: 2 words (need 40)'
    >>> unusable_reason(t("Der Hund ist müde und schläft heute im Garten, weil es warm ist. " * 5))
    'not English (0% common English words)'
    >>> unusable_reason(t("xq zzkt prrf 9f8d7 ghhhj " * 10))
    'garbled: 20% of tokens look like words'
    """
    tokens = [w for s in transcript.segments for w in normalised_tokens(s.text)]
    if not tokens:
        return "empty transcript"
    if len(tokens) < MIN_WORDS:
        return f"too short: {len(tokens)} words (need {MIN_WORDS})"
    wordlike = sum(
        1 for w in tokens if w.isalpha() and len(w) <= 20 and (set(w) & _VOWELS or len(w) <= 2)
    ) / len(tokens)
    if wordlike < MIN_WORDLIKE:
        return f"garbled: {wordlike:.0%} of tokens look like words"
    english = sum(1 for w in tokens if w in _ENGLISH) / len(tokens)
    if english < MIN_ENGLISH:
        return f"not English ({english:.0%} common English words)"
    return None


def filler_reason(transcript: Transcript) -> str | None:
    """Say so when the filters reject every sentence: the transcript is all filler.

    Returns e.g. ``every sentence is filler (31 sponsor read, 12 small talk)``, or ``None``
    when some sentence passes them.
    """
    turns, sentences = split_sentences(transcript)
    blocked = blocked_sentences(turns, sentences)
    if not sentences or len(blocked) < len(sentences):
        return None
    counts = Counter(blocked.values()).most_common()
    return "every sentence is filler (" + ", ".join(f"{n} {why}" for why, n in counts) + ")"
