"""Turn a verbatim quote into readable insight text, and split text into words.

No business logic beyond text clean-up: disfluencies ("um", "you know,", "the the"),
leading discourse markers ("So,", "And", "Yeah,") and light Markdown are removed.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.\-+]*[A-Za-z0-9+]|[A-Za-z0-9]")

_STOPWORD_TEXT = """
    a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do
    does doesn't doing don't down during each few for from further get got had hadn't
    has hasn't have haven't having he he'd he'll he's her here here's hers herself him
    himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself
    just let's like me more most mustn't my myself no nor not now of off on once only or
    other ought our ours ourselves out over own really right same she she'd she'll she's
    should shouldn't so some such than that that's the their theirs them themselves then
    there there's these they they'd they'll they're they've thing things this those
    through to too under until up very was wasn't we we'd we'll we're we've were weren't
    what what's when when's where where's which while who who's whom why why's will with
    won't would wouldn't yeah yes you you'd you'll you're you've your yours yourself
    yourselves um uh okay oh well also actually know think mean going gonna kind sort
    lot pretty say said go see want one yeah yep gotta even still much many way
    something anything everything people guess maybe probably stuff back little bit cool
    awesome nice great good
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_MARKDOWN = (
    (re.compile(r"\\?\[(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d+)?\\?\]"), " "),  # [12:34] marks
    (re.compile(r"\\([\[\]_*])"), r"\1"),  # escaped brackets
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"(?<!\w)[_*]{1,2}([^_*]+?)[_*]{1,2}(?!\w)"), r"\1"),  # _em_, **strong**
    (re.compile(r"(?<!\S)>(?!\S)"), " "),  # block quote marks
)
_FILLERS = (
    re.compile(r"(?i)(?:^|,\s*|\s)(?:um+|uh+|erm|uhm|hmm+|ah)(?=[\s,.!?]|$)[,]?"),
    re.compile(r"(?i)(?:^|,\s*)(?:you know|i mean|like|you see),\s*"),
    re.compile(r"(?i),\s*(?:you know|i mean)(?=[.!?]|$)"),
    re.compile(r"(?i)\s*\[(?:laughs?|laughter|inaudible|crosstalk|unintelligible[^\]]*)\]"),
)
# A word said twice or more ("the the", "I, I"); "that that" and "had had" can be grammatical.
_STUTTER = re.compile(r"(?i)\b(?!that\b|had\b)(\w+(?:'\w+)?)(?:,?\s+\1\b)+")
_LEADING = re.compile(
    r"(?i)^(?:(?:so|and|but|yeah|yes|well|okay|ok|oh|right|now|anyway|alright|"
    r"all right)\b[,.!]?\s+)+"
)


def words(text: str) -> list[str]:
    """Return the words of ``text`` (numbers and versions such as ``3.12`` count).

    >>> words("Python 3.12 is out, isn't it?")
    ['Python', '3.12', 'is', 'out', "isn't", 'it']
    """
    return WORD.findall(text)


def content_words(text: str) -> set[str]:
    """Return the lower-cased words of ``text`` that carry meaning (no stopwords)."""
    found = {w.lower().replace("’", "'") for w in words(text)}
    return {w for w in found if w not in STOPWORDS and len(w) > 1}


def strip_markdown(text: str) -> str:
    """Remove light Markdown (links, emphasis, quote marks), keeping the words.

    >>> strip_markdown("[The code](https://x.y) is _here_")
    'The code is here'
    """
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text


def clean_quote(quote: str) -> str:
    """Return readable text for a verbatim quote: fillers and stutters out, first letter up.

    >>> clean_quote("So, um, the the new release is, like, twice as fast, you know.")
    'The new release is twice as fast.'
    >>> clean_quote("Yeah, I, I think uv is great.")
    'I think uv is great.'
    """
    text = strip_markdown(quote)
    for pattern in _FILLERS:
        text = pattern.sub(" ", text)
    text = _STUTTER.sub(r"\1", text)
    text = re.sub(r"\s+([,.!?;:])", r"\1", " ".join(text.split()))
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r",([.!?])", r"\1", text)
    text = _LEADING.sub("", text.lstrip(" ,.;:-–—"))
    text = text.lstrip(" ,.;:-–—")
    return text[:1].upper() + text[1:]
