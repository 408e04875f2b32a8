"""Does a passage stand on its own, and how much does it say? (pure, general signals).

A digest item is read cold, without the minute of talk before it. A passage does not stand
on its own (:func:`standalone_reason`) when

- it opens by pointing back: a pronoun or a demonstrative standing for something said before
  ("Those are the options…", "It was huge.", "Oh, the biggest one of all…"), a part of it
  ("Most of them…", "About 18,000 tonnes of it…") or an alternative to it ("Or you use…"),
  after any discourse markers ("Oh", "So", "And", "Yeah");
- it asks rather than tells (a question);
- it talks about the conversation or the show ("That was a long tangent…", "as I said",
  "Let's talk about…");
- it states nothing: no name, figure, claim or news, and few content words.

:func:`fluency` says how much a quote reads like a statement rather than unedited talk
(fillers, spoken hedges, stutters, broken-off sentences): a reader skims past rambling.

:func:`substance` turns that into the factor the ranking weighs: 0 for a passage that does not
stand alone, otherwise 0.5 to 1 with its specificity (names, figures, versions) and its claim
and news cues, so a story that says more outranks one that is merely central.
"""

from __future__ import annotations

import itertools
import math
import re

from podsift.insights.clean import RESTART, STUTTER
from podsift.insights.filters import housekeeping_reason, meta_reason, reject_reason
from podsift.insights.scoring import claim_strength, news, specificity
from podsift.lexicon import alternation, content_words, normalise, words
from podsift.stories.words import text_signals

# Words that open a turn without content: "Oh, so, yeah, those are…"
_MARKERS = frozenset(
    [
        "oh",
        "so",
        "and",
        "but",
        "well",
        "yeah",
        "yes",
        "no",
        "okay",
        "ok",
        "right",
        "um",
        "uh",
        "like",
        "now",
        "also",
        "then",
        "anyway",
        "plus",
        "actually",
        "honestly",
        "basically",
    ]
)
# Pronouns and demonstratives that stand for something said before.
_POINTERS = frozenset(
    [
        "it",
        "it's",
        "its",
        "they",
        "they're",
        "them",
        "their",
        "he",
        "he's",
        "she",
        "she's",
        "that",
        "that's",
        "those",
        "these",
        "this",
        "such",
        "both",
        "which",
    ]
)
# A pointer's contraction: "they've", "he'd", "it'll" ("it's", "that's" are in the list).
_CONTRACTED = re.compile(r"^(?:they|he|she|it|that)(?:'ve|'d|'ll)$")
# A part of something said before: "Most of them…", "About 18,000 tonnes of it…".
_PARTITIVE = frozenset(["it", "them"])
#: How many words open a passage: a partitive among them points back.
OPENING_WORDS = 6
# "Or you use another service…": an alternative to what was just said.
_ALTERNATIVE = frozenset(["or", "nor"])
# A demonstrative naming its noun ("This release adds…") still points back, unless it is a
# time or a thing the reader shares ("this year", "this week").
_SHARED = frozenset(
    ["year", "week", "month", "morning", "summer", "spring", "fall", "autumn", "winter", "time"]
)
# A verb right after a demonstrative makes it a pronoun: "Those are", "That was", "This means".
_VERBISH = re.compile(
    r"^(?:is|are|was|were|'s|has|have|had|will|would|can|could|should|might|may|must|does|"
    r"did|do|means|meant|makes|made|sounds|seems|looks|gets|got|goes|went|says|said|one|ones)$"
)
# "the biggest one", "the other one", "that one": a noun left out because it was said before.
# "One" before a noun is a number ("the one percent rule", "the number one thing"): only
# "one" ending a phrase, or before a function word, leaves its noun out.
_ONE = re.compile(
    r"\b(?:the|that|this|which)\s+(?:\w+\s+)?ones?\b(?!\s+(?:who|that)\s)"
    r"(?=\s*(?:[,.;:!?)]|$)|\s+(?:of|is|are|was|were|i|you|we|they|he|she|it|for|in|on|at|"
    r"to|and|but|or|so|with|has|had|have|here|there|again|too|from|by|as)\b)",
    re.I,
)
# A sentence that answers what was just said with "so" or "not" for a whole clause: "For that
# money, I'd hope so.", "I don't think so.", "I guess not."
_PROFORM = re.compile(
    r"\b(?:think|hope|guess|suppose|believe|expect|imagine|reckon|say|afraid)\s+(?:so|not)\W*$",
    re.I,
)
# Words by which a speaker talks of themself.
_SELF = frozenset(["i", "i'm", "i've", "i'd", "i'll", "me", "my", "mine", "myself"])
# Talk about the talk itself.
_CONVERSATION = re.compile(
    r"\b(?:tangent|digress\w*|rabbit hole|as (?:I|we|you) (?:said|mentioned)|"
    r"(?:I|we|you) (?:just )?(?:talked|spoke|mentioned|covered) (?:about )?(?:it|this|that)|"
    r"(?:I|we) (?:talked|spoke) about|back to (?:the|our) (?:topic|point)|where was I)\b",
    re.I,
)
# The talk's agenda (data/show_talk.txt [agenda]): "Let's talk about…", "Coming up, …".
_AGENDA = re.compile(alternation("show_talk", "agenda"), re.I)
# The end of a passage's first sentence: a full stop after a word's small letter or figure, or
# after a contraction ("I won't."); a letter alone is an abbreviation ("Gideon v. Wainwright",
# "e.g. this").
_OPENING_END = re.compile(r"(?<=\w[a-z0-9])\.\s+|(?<=\w['’][a-z])\.\s+")
# Words that make a sentence about someone or something said before, not a thing it names.
_PERSONAL = _POINTERS | frozenset(
    ["i", "i'm", "i've", "i'd", "i'll", "me", "my", "we", "we're", "we've", "us", "our", "you",
     "you're", "you've", "your", "him", "his", "her", "there's"]
)  # fmt: skip
_QUESTION = re.compile(r"\?[\"'”’)\]]*\s*$")
# What unedited speech leaves in (data/fillers.txt, data/hedges.txt): hesitations and asides
# wherever they stand, spoken hedges, dashes where a sentence breaks off, and a phrase broken
# off after its article ("one of the, and his article", "now that the, now Pydantic").
_DISFLUENT = re.compile(
    rf"(?i)\b(?:{alternation('fillers', 'sounds')}|{alternation('fillers', 'asides')}|"
    rf"{alternation('hedges', 'speech')})\b|--|—|(?<=\s)-(?=\s)|"
    r"\b(?:the|an|my|your|our|their),(?=\s)"
)
FLUENCY_DECAY = 10.0
"""How fast :func:`fluency` falls with the share of disfluent words: one in ten halves it
less than three times over (e^-1 ≈ 0.37)."""
SELF_DECAY = 30.0
"""How fast :func:`outward` falls with the share of words that name the speaker: one in
thirty ("I nearly dropped my tea") weighs a telling e^-1 ≈ 0.37 times."""
MIN_CONTENT = 5
"""Fewest content words of a passage with no name, figure, claim or news to still say
something."""
FULL_POINT = 20
"""Distinct content words of a passage that says a whole point; one with fewer says less, in
proportion (:func:`amount`)."""


def opening_pointer(text: str) -> bool:
    """Whether ``text`` opens by pointing at something said before it.

    >>> opening_pointer("Oh, those are the options we have.")
    True
    >>> opening_pointer("This year Django added background tasks.")
    False
    >>> opening_pointer("Django added background tasks.")
    False
    >>> opening_pointer("Or you wouldn't even want a PC, because that tower breaks down.")
    True
    >>> opening_pointer("They've bought eighty percent of the club for 210 million pounds.")
    True
    >>> opening_pointer("About eighteen thousand tonnes of it went out to customers.")
    True
    >>> opening_pointer("All of these counters get added before your code is compiled.")
    False
    """
    tokens = [normalise(w) for w in words(text)[:8]]
    k = 0
    while k < len(tokens) and tokens[k] in _MARKERS:
        k += 1
    if k >= len(tokens):
        return False
    first, after = tokens[k], tokens[k + 1] if k + 1 < len(tokens) else ""
    opening = tokens[k : k + OPENING_WORDS]
    if any(a == "of" and b in _PARTITIVE for a, b in itertools.pairwise(opening)):
        return True
    if first in _ALTERNATIVE:
        return True
    if first in ("this", "that", "these", "those", "such", "both", "which"):
        return bool(_VERBISH.match(after)) or after not in _SHARED
    return first in _POINTERS or bool(_CONTRACTED.match(first))


def standalone_reason(text: str) -> str | None:
    """Return why ``text`` cannot be read on its own, or ``None`` when it can.

    >>> standalone_reason("Those are the options, and they all work.")
    'points back'
    >>> standalone_reason("Oh, the biggest one of all is the packaging story.")
    'points back'
    >>> standalone_reason("That was a long tangent, but it mattered to me.")
    'points back'
    >>> standalone_reason("We went on a long tangent about the weather and coffee machines.")
    'conversation'
    >>> standalone_reason("Let's talk about Python, specifically Python 3.13.")
    'conversation'
    >>> standalone_reason("Is uv faster than pip?")
    'question'
    >>> standalone_reason("Everybody can understand that, really.")
    'no claim'
    >>> standalone_reason("I don't even remember. It wasn't long ago that Django added tasks.")
    'no claim'
    >>> standalone_reason("uv 0.5 resolves dependencies ten times faster than pip.") is None
    True
    """
    if opening_pointer(text) or _ONE.search(" ".join(words(text)[:10])) or _answers(text):
        return "points back"
    if _QUESTION.search(text):
        return "question"
    if _CONVERSATION.search(text) or meta_reason(text) or announces(text):
        return "conversation"
    said = specificity(text) + claim_strength(text) + news(text)
    if said == 0 and len(content_words(text)) < MIN_CONTENT:
        return "no claim"
    if _empty_opening(text):
        return "no claim"
    return None


def split_opening(text: str) -> tuple[str, str]:
    """``text`` cut after its first sentence: (the first sentence, the rest); the rest is
    empty when ``text`` is one sentence.

    >>> split_opening("Just overnight, so it carries on. Then the airline said 46 pilots.")
    ('Just overnight, so it carries on.', 'Then the airline said 46 pilots.')
    """
    end = _OPENING_END.search(text)
    if end is None:
        return text, ""
    return text[: end.start() + 1], text[end.end() :]


def _answers(text: str) -> bool:
    """Whether ``text`` opens by answering what was said before it: its first sentence ends
    with "so" or "not" standing for a clause ("I'd hope so", "I don't think so").

    >>> _answers("For three hundred and ten million, I'd hope so. That's fourteen a train.")
    True
    >>> _answers("I think so too: Django 6.0 ships background tasks.")
    False
    >>> _answers("Nobody would say so. The vote was 9 to 2.")
    True
    """
    return bool(_PROFORM.search(split_opening(text)[0]))


def announces(text: str) -> bool:
    """Whether ``text`` announces the talk's running order: what comes up, what is next.

    Such a remark names the day's stories without telling any (podsift.stories.stage).

    >>> announces("First up, the octopus, then we're gonna do a bit on the drought.")
    True
    >>> announces("Moving on, Redis changed its licence.")
    True
    >>> announces("The octopus was found 2,400 metres down.")
    False
    """
    return bool(_AGENDA.search(text) or housekeeping_reason(text))


def _empty_opening(text: str) -> bool:
    """Whether ``text`` opens with a sentence that states nothing ("I don't even remember.").

    An opening of discourse markers only ("Yeah.", "Oh, sure.") is not counted, nor one that
    names what the passage is about ("Founder vesting.", "Soil testing."): no pronoun, no
    reaction ("Right, exactly."), and not a remark about someone just named ("Also a great
    guy.").
    The opening ends at a full stop after a word's small letter or figure, so initials ("D.B.
    Cooper", "the U.S. market") do not end it; a word no dictionary holds names a thing
    ("Tardigrades are ridiculous.").

    >>> _empty_opening("I don't even remember. It wasn't long ago that Django added tasks.")
    True
    >>> _empty_opening("D.B. Cooper is still the only unsolved hijacking. He jumped in 1971.")
    False
    >>> _empty_opening("Tardigrades are ridiculous. They survive years dried out.")
    False
    >>> _empty_opening("Founder vesting. Four years with a one-year cliff is the default.")
    False
    >>> _empty_opening("Also a great guy. He's the dude from the Mu editor.")
    True
    >>> _empty_opening("I won't. So, one last time: Amankwah joined City for 42 million.")
    True
    """
    end = _OPENING_END.search(text)
    if end is None or not text[end.end() :].strip():
        return False
    first = text[: end.start()]
    tokens = [normalise(w) for w in words(first)]
    if all(t in _MARKERS for t in tokens) or text_signals(first).rare:
        return False
    stated = specificity(first) + claim_strength(first) + news(first)
    if stated or len(content_words(first)) >= 3:
        return False
    named = [t for t in tokens if t not in _MARKERS]
    # a subject named alone: no pronoun, no reaction, and not a bare "a great guy" (a remark
    # about someone just named)
    return bool(
        _PERSONAL & set(tokens) or reject_reason(first) == "reaction" or named[0] in ("a", "an")
    )


def disfluency(quote: str) -> float:
    """The share of a quote's words that unedited speech leaves in: fillers, asides, spoken
    hedges, broken-off sentences (dashes), stutters and false starts.

    >>> disfluency("uv 0.5 resolves dependencies ten times faster than pip.")
    0.0
    >>> round(disfluency("And so I basically -- like, I, I have a WhatsApp, you know."), 3)
    0.333
    >>> disfluency("But now that the, now Pydantic has done this, there's no point.") > 0
    True
    """
    n = len(words(quote))
    if not n:
        return 0.0
    marks = _DISFLUENT.findall(quote) + STUTTER.findall(quote) + RESTART.findall(quote)
    return min(len(marks) / n, 1.0)


def fluency(quote: str) -> float:
    """How much a quote reads like a statement rather than unedited talk: 1 when it has no
    disfluency, falling as ``exp(-FLUENCY_DECAY × disfluency)``.

    >>> fluency("Django 6.0 ships background tasks.")
    1.0
    >>> fluency("Like, you know, it's kind of, um, the thing.") < 0.5
    True
    """
    return round(math.exp(-FLUENCY_DECAY * disfluency(quote)), 6)


def outward(quote: str) -> float:
    """How much a quote tells of the world rather than of its speaker: 1 when no word names
    the speaker (I, me, my), falling as ``exp(-SELF_DECAY × share of such words)``.

    Of several tellings of one story, the reader is best served by the one that tells the
    news, not the teller's day around it ("…stood up and, I nearly dropped my tea, announced
    that VAT on ebooks is cut to zero").

    >>> outward("The union called a forty-eight-hour strike for Tuesday.")
    1.0
    >>> round(outward("Yesterday the Treasury Secretary stood up and, I nearly dropped my tea, "
    ...               "announced that VAT on ebooks and audiobooks is cut from twenty percent."), 2)
    0.08
    """
    tokens = [normalise(w) for w in words(quote)]
    if not tokens:
        return 1.0
    share = sum(t in _SELF for t in tokens) / len(tokens)
    return round(math.exp(-SELF_DECAY * share), 6)


def amount(text: str) -> float:
    """How much of a whole point ``text`` carries: its distinct content words over
    :data:`FULL_POINT`, at most 1. A said-again word counts once.

    >>> amount("That's a win. That's a win.")
    0.05
    >>> amount("The font shaping engine HarfBuzz, used in applications such as Firefox and "
    ...        "Chrome, comes with a Wasm shaper allowing arbitrary code to shape text.")
    0.8
    """
    return min(len(content_words(text)) / FULL_POINT, 1.0)


def substance(text: str) -> float:
    """How much ``text`` says, read on its own: 0 when it does not stand alone, else its
    kind of statement (0.5..1 with names, figures, claims and news) times its
    :func:`amount`.

    >>> substance("Those are the options.")
    0.0
    >>> 0 < substance("Caching the wheels made the build faster.") < substance(
    ...     "uv 0.5 resolves dependencies 10 times faster than pip on Linux.")
    True
    """
    if standalone_reason(text):
        return 0.0
    said = max(specificity(text), claim_strength(text), news(text))
    return round((0.5 + 0.5 * said) * amount(text), 6)
