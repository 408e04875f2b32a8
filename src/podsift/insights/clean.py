"""Turn a verbatim quote into readable insight text.

No business logic beyond text clean-up: disfluencies ("um", "you know,", "the the"),
false starts ("if you, you should, if you run" → "if you run"), leading discourse markers
("So,", "And", "Yeah,"), emoji and light Markdown are removed. A clean-up that would garble
the sentence ("if you, you should" → "if you should") is not made: that part keeps the
words of the quote minus fillers.
"""

from __future__ import annotations

import re

from podsift.lexicon import alternation

# Emoji and pictographs with their joiners and modifiers (``✊``, ``😏``, ``💚``).
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f\u200d]+")
_MARKDOWN = (
    (re.compile(r"\\?\[(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d+)?\\?\]"), " "),  # [12:34] marks
    (re.compile(r"\\([\[\]_*])"), r"\1"),  # escaped brackets
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"(?<!\w)[_*]{1,2}([^_*]+?)[_*]{1,2}(?!\w)"), r"\1"),  # _em_, **strong**
    (re.compile(r"(?<!\S)>(?!\S)"), " "),  # block quote marks
    (re.compile(r"`+([^`]*)`+"), r"\1"),  # `code`
    (re.compile(r"(?m)^\s*(?:#{1,6}|[-*+])\s+"), ""),  # heading and list markers
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # <https://autolinks>
    (EMOJI, " "),
)
# Fillers (data/fillers.txt): sounds as whole words, asides and tags set off by commas,
# captioners' notes in brackets.
_FILLERS = (
    re.compile(rf"(?i)(?:^|,\s*|\s)(?:{alternation('fillers', 'sounds')})(?=[\s,.!?]|$)[,]?"),
    re.compile(rf"(?i)(?:^|,\s*)(?:{alternation('fillers', 'asides')}),\s*"),
    re.compile(rf"(?i),\s*(?:{alternation('fillers', 'tags')})(?=[.!?]|$)"),
    re.compile(r"(?i),\s*if you haven'?t (?:heard|seen) (?:about |of )?(?:it|this|that)(?=,)"),
    re.compile(rf"(?i)\s*\[(?:{alternation('fillers', 'notes')})\]"),
)
# A word said twice or more ("the the", "I, I"); "that that" and "had had" can be grammatical.
STUTTER = re.compile(r"(?i)\b(?!that\b|had\b)(\w+(?:'\w+)?)(?:,?\s+\1\b)+")
# A false start: a phrase of two or three words, maybe an aside of a word or two, then the
# phrase again and more words ("if you, you should, if you run" → "if you run"); not after
# a question word ("what it means, it means that") nor a repeated statement ("when an app
# crashes, an app crashes.").
_W = r"\w+(?:'\w+)?"
RESTART = re.compile(
    rf"(?i)(?<!\bwhat )(?<!\bhow )(?<!\bwho )(?<!\bwhy )(?<!\bwhere )(?<!\bwhich )"
    rf"\b({_W}(?:\s+{_W}){{1,2}}),\s+(?:{_W}(?:\s+{_W})?,\s+)?\1\b(?=,?\s+\w)"
)
# "contribution from this account, this account was added": a noun phrase that closes one
# clause and opens the next is no false start.
_ENDS_PHRASE = re.compile(r"(?i)\b(?:from|of|to|in|on|with|by|for|at|about|into|than)\s+$")
_DETERMINER = re.compile(r"(?i)(?:this|that|the|a|an|these|those|my|our|your|their|his|her)\s")
# "if you, you should": the first "you" ends an abandoned clause and the second starts a
# new one; collapsing them would read "if you should", so such a stutter is left alone.
_OPENER = re.compile(r"(?i)\b(?:if|when|because|since|whether|unless|once)\s+$")
_PRONOUN = re.compile(r"(?i)(?:i|you|we|they|he|she|it|people)$")
_THEN_VERB = re.compile(
    r"(?i)\s*(?:should|shouldn't|could|would|must|need|needs|have to|has to|can|can't|"
    r"will|won't|might|may|want)\b"
)
_LEADING = re.compile(rf"(?i)^(?:(?:{alternation('fillers', 'discourse_markers')})\b[,.!]?\s+)+")


def strip_markdown(text: str) -> str:
    """Remove light Markdown (links, emphasis, quote marks), keeping the words.

    >>> strip_markdown("[The code](https://x.y) is _here_")
    'The code is here'
    """
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text


def _tidy(text: str) -> str:
    """Collapse spaces and repair the punctuation that removals leave behind."""
    text = re.sub(r"\s+([,.!?;:])", r"\1", " ".join(text.split()))
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"\s*\(\s*\)", "", text)  # brackets emptied by the removals: "( )"
    return re.sub(r",([.!?])", r"\1", text)


def light_clean(quote: str) -> str:
    """Return the quote minus Markdown, emoji and fillers, otherwise word for word.

    >>> light_clean("So, um, if you, you should, if you run it ✊")
    'So if you, you should, if you run it'
    """
    text = strip_markdown(quote)
    for pattern in _FILLERS:
        text = pattern.sub(" ", text)
    return _tidy(text)


def garbles(stutter: re.Match[str]) -> bool:
    """Whether collapsing this stutter would run two clauses into one ("if you should").

    >>> [garbles(m) for m in STUTTER.finditer("if you, you should; I, I think")]
    [True, False]
    """
    word = stutter.group(1)
    return (
        "," in stutter.group(0)
        and bool(_PRONOUN.match(word))
        and bool(_OPENER.search(stutter.string[: stutter.start()]))
        and bool(_THEN_VERB.match(stutter.string, stutter.end()))
    )


def _restart(match: re.Match[str]) -> str:
    """Return the repeated phrase once, or the words as said where it closes a clause."""
    phrase = match.group(1)
    closes = _DETERMINER.match(phrase) and _ENDS_PHRASE.search(match.string[: match.start()])
    return match.group(0) if closes else phrase


def _collapse(stutter: re.Match[str]) -> str:
    """Return the stuttered word once, or the stutter as said where collapsing garbles."""
    return stutter.group(0) if garbles(stutter) else stutter.group(1)


def clean_quote(quote: str) -> str:
    """Return readable text for a verbatim quote: fillers and stutters out, first letter up.

    >>> clean_quote("So, um, the the new release is, like, twice as fast, you know.")
    'The new release is twice as fast.'
    >>> clean_quote("Yeah, I, I think uv is great.")
    'I think uv is great.'
    >>> clean_quote("So if you, you should, if you run homebrew, run brew info XZ.")
    'If you run homebrew, run brew info XZ.'
    >>> clean_quote("And if you, you should run it.")  # not "If you should run it."
    'If you, you should run it.'
    """
    text = light_clean(quote)
    for _ in range(3):  # "we're going to, we're going to, we're going to have"
        text, count = RESTART.subn(_restart, text)
        if not count:
            break
    text = _tidy(STUTTER.sub(_collapse, text))
    text = _LEADING.sub("", text.lstrip(" ,.;:-–—"))
    text = text.lstrip(" ,.;:-–—")
    return text[:1].upper() + text[1:]
