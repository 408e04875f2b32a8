"""Score candidate passages 0..1: specificity, claim cues, news, centrality, length, hedges.

A ``Scorer`` takes the candidates' texts and all the episode's sentences and returns one
score per candidate, so another scorer (an embedding model, say) can be plugged in whole.
Everything here is pure and deterministic.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

from podsift.lexicon import STOPWORDS, alternation, normalise, word_set, words

Scorer = Callable[[Sequence[str], Sequence[str]], list[float]]

# Claim and advice cues, news events, hedges: podsift/lexicon/data/claims.txt, hedges.txt.
_CLAIM = re.compile(rf"\b(?:{alternation('claims', 'cues')})\b", re.IGNORECASE)
# A direct statement of news: something was found, released, announced, acquired...
_EVENT = f"(?:{alternation('claims', 'events')})"
_NEWS = re.compile(
    rf"(?<!\bthat )(?<!\bwhich )(?<!\bwho )"  # not a relative clause: "that was removed"
    rf"\b(?:was|were|has been|have been|had been|got|gets|is being|are being)\s+"
    rf"(?:\w+ly\s+)?{_EVENT}\b"
    rf"|\b(?:has|have|had|just|recently|finally|officially)\s+(?:just\s+|now\s+)?{_EVENT}\b"
    r"|\bthere (?:was|is|has been|were|are) (?:an?|some|two|several|many)\s+(?:\w+\s+){0,2}"
    rf"(?:{alternation('claims', 'incidents')})\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(rf"\b(?:{alternation('hedges', 'speech')})\b", re.IGNORECASE)
_VERSION = re.compile(r"\b\d+(?:\.\d+)+\b|\bv\d+\b")
_NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(?:hundred|thousand|million|billion|twice|half)\b")
_TOOLISH = re.compile(r"\b\w+\.(?:py|js|rs|io|com|org|dev|ai)\b|\b[a-z]+[A-Z]\w*\b|`[^`]+`")
_NOT_NAMES = word_set("names", "capitalised")


def _saturate(count: float, half: float) -> float:
    """Map a count >= 0 into 0..1, reaching 0.5 at ``half``."""
    return 1.0 - math.exp(-math.log(2) * count / half)


def specificity(text: str) -> float:
    """Return 0..1: numbers, versions, names and tool-like tokens in ``text``.

    >>> specificity("XZ Utils 5.6.0 shipped a backdoor to Debian sid.") > 0.7
    True
    >>> specificity("that was a really fun one") == 0.0
    True
    """
    tokens = words(text)
    names = sum(1 for w in tokens[1:] if w[:1].isupper() and w not in _NOT_NAMES)
    count = (
        2 * len(_VERSION.findall(text))
        + len(_NUMBER.findall(text))
        + names
        + len(_TOOLISH.findall(text))
    )
    return _saturate(count, 2.0)


def claim_strength(text: str) -> float:
    """Return 0..1 from claim and advice cues ("turns out", "you should", "released")."""
    return _saturate(len(_CLAIM.findall(text)), 1.0)


def news(text: str) -> float:
    """Return 0..1 from direct statements of news ("there was a backdoor added to XZ").

    >>> news("There was a backdoor added to XZ Utils.") > news("XZ is a compression tool.")
    True
    """
    return _saturate(len(_NEWS.findall(text)), 0.5)


def hedging(text: str) -> float:
    """Return 0..1 from hedges and chit-chat ("I think", "kind of", "funny").

    Recalling a name ("added to, I think it's XZ Utils") hedges the name, not the claim.

    >>> hedging("I think it's XZ Utils.") == 0.0 < hedging("I think it's great.")
    True
    """
    return _saturate(len(_HEDGE.findall(text)), 1.5)


def length_fit(count: int, low: int = 18, high: int = 45) -> float:
    """Return 1 inside the sweet spot ``low..high`` words, tapering outside it.

    >>> length_fit(30), length_fit(9), length_fit(90)
    (1.0, 0.5, 0.5)
    """
    if count < low:
        return count / low
    if count > high:
        return high / count
    return 1.0


def terms(text: str) -> list[str]:
    """Return lower-cased content terms of ``text`` for TF-IDF (crude plural folding)."""
    out = []
    for word in words(text):
        term = normalise(word)
        if term in STOPWORDS or len(term) < 3 or term.isdigit():
            continue
        if term.endswith("s") and not term.endswith("ss") and len(term) > 4:
            term = term[:-1]
        out.append(term)
    return out


def centrality(texts: Sequence[str], episode: Sequence[str]) -> list[float]:
    """Return each text's TF-IDF cosine to the whole episode, scaled so the best is 1.

    IDF comes from the episode's sentences; the episode vector sums all of them, so a
    passage about what the episode talks about most scores high.
    """
    docs = [Counter(terms(s)) for s in episode]
    df: Counter[str] = Counter(t for d in docs for t in d)
    n = len(docs) + 1
    idf = {t: math.log(n / (1 + c)) + 1.0 for t, c in df.items()}
    whole: Counter[str] = Counter()
    for doc in docs:
        whole.update(doc)
    centre = {t: c * idf[t] for t, c in whole.items()}
    centre_norm = math.sqrt(sum(v * v for v in centre.values())) or 1.0
    raw = []
    for text in texts:
        vec = {t: c * idf.get(t, math.log(n) + 1.0) for t, c in Counter(terms(text)).items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        dot = sum(v * centre.get(t, 0.0) for t, v in vec.items())
        raw.append(dot / (norm * centre_norm))
    top = max(raw, default=0.0) or 1.0
    return [r / top for r in raw]


# Weights chosen on 8 of the 15 Python Bytes episodes by benchmarks/eval_insights.py
# (recall + precision by embedding match), checked on the other 7 (local extractor v4).
SPECIFICITY_WEIGHT = 0.45
CLAIM_WEIGHT = 0.25
NEWS_WEIGHT = 0.40
CENTRALITY_WEIGHT = 0.50
LENGTH_WEIGHT = 0.15
HEDGE_WEIGHT = 0.20


def score_text(text: str, central: float) -> float:
    """Combine the features of one passage with its centrality into a 0..1 score."""
    value = (
        SPECIFICITY_WEIGHT * specificity(text)
        + CLAIM_WEIGHT * claim_strength(text)
        + NEWS_WEIGHT * news(text)
        + CENTRALITY_WEIGHT * central
        + LENGTH_WEIGHT * length_fit(len(words(text)))
        - HEDGE_WEIGHT * hedging(text)
    ) / (1.0 + NEWS_WEIGHT)
    return min(max(value, 0.0), 1.0)


def score_texts(texts: Sequence[str], episode: Sequence[str]) -> list[float]:
    """Score candidate ``texts`` of an episode whose sentences are ``episode`` (default scorer)."""
    central = centrality(texts, episode)
    return [score_text(t, c) for t, c in zip(texts, central, strict=True)]
