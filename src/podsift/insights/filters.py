"""Cheap filters that keep sponsor reads, intros, housekeeping and small talk out.

Each sentence filter is a pure function of the text that returns a short reason
(``"sponsor"``, ``"promo"``, ``"intro"``, ``"meta"``, ...) or ``None``. ``sponsor_block``
finds whole ad reads from several cue hits close together (a host's plug for their own
courses, books or newsletter counts as an ad); ``speaker_finder`` builds, from an episode's
speakers, the test for talk that names one of them; ``edge_factor`` penalises the first and
last moments.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from podsift.lexicon import alternation, content_words, phrases, word_set, words
from podsift.transcripts import is_generic_label, untitled

Filter = Callable[[str], str | None]


def _any(*patterns: str) -> re.Pattern[str]:
    """Compile case-insensitive alternatives into one pattern."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def _cues(name: str, section: str) -> re.Pattern[str]:
    """Compile the cue phrases of a lexicon list (regular expressions) into one pattern."""
    return _any(*phrases(name, section))


# The cue phrases are in podsift/lexicon/data/sponsors.txt and show_talk.txt.
# A strong cue alone marks an ad; weak cues count towards a nearby ad read.
_SPONSOR_STRONG = _cues("sponsors", "strong")
_SPONSOR_WEAK = _cues("sponsors", "weak")
# The hosts advertising their own things: courses, books, memberships, newsletters, events.
_PROMO = _cues("sponsors", "promo")
# Weak signs of a plug, counted only towards a nearby ad read.
_PROMO_WEAK = _cues("sponsors", "promo_weak")
# Reading out an address: "pythonbytes.fm/live", "talkpython.fm slash courses".
_URL_READ = re.compile(
    r"\b[\w-]+ ?\. ?(?:fm|com|org|io|dev|ai|co|net|app)\s*(?:/|\bslash\b)\s*\w+", re.I
)
_INTRO_OUTRO = _cues("show_talk", "intro_outro")
# "I'm Ehden, I work at ...": people introducing themselves (case matters: a name).
_SELF_INTRO = re.compile(
    r"^(?:(?:Hi|Hey|Hello|Yeah|Yes|So|Well|Okay|And)(?: everyone| all| there)?[,.!]?\s+)*"
    r"(?:I'?m|I am|My name is)"
    r" [A-Z][\w'-]+(?: [A-Z][\w'-]+)?,? (?:and )?(?:I|I'm|I've)\b"
)
# Talk about the show itself: its episodes, its listeners, what was said on it.
_META = _cues("show_talk", "meta")
_HOUSEKEEPING = _cues("show_talk", "housekeeping")
_REACTIONS = _any(
    rf"^(?:{alternation('show_talk', 'reactions')})\b",
    r"\[(?:laughs?|laughter)\]|\(laughs?\)|\bhaha\b",
)


def sponsor_reason(text: str) -> str | None:
    """Return ``"sponsor"`` for an ad sentence (a strong cue or two weak ones).

    >>> sponsor_reason("This episode is sponsored by Scout APM.")
    'sponsor'
    >>> sponsor_reason("The upstream xz repository has been backdoored.") is None
    True
    """
    if _SPONSOR_STRONG.search(text) or len(_SPONSOR_WEAK.findall(text)) >= 2:
        return "sponsor"
    return None


def promo_reason(text: str) -> str | None:
    """Return ``"promo"`` for a plug of the hosts' own things, ``"url"`` for a read-out address.

    >>> promo_reason("Check out his course and a bunch of my courses over at Talk Python Training.")
    'promo'
    >>> promo_reason("Just visit pythonbytes.fm/live.")
    'url'
    >>> promo_reason("Of course, the new release is out.") is None
    True
    """
    if _PROMO.search(text):
        return "promo"
    return "url" if _URL_READ.search(text) else None


def sponsor_cues(text: str) -> int:
    """Count the sponsor cues (strong and weak, plugs and addresses included) in ``text``."""
    return (
        len(_SPONSOR_STRONG.findall(text))
        + len(_SPONSOR_WEAK.findall(text))
        + len(_PROMO.findall(text))
        + len(_PROMO_WEAK.findall(text))
        + len(_URL_READ.findall(text))
    )


def _strong(text: str) -> bool:
    """Whether ``text`` holds a cue that marks an ad by itself (a sponsor or a plug)."""
    return bool(_SPONSOR_STRONG.search(text) or _PROMO.search(text))


def intro_outro_reason(text: str) -> str | None:
    """Return ``"intro"`` for show intros, outros, calls to follow or subscribe, and people
    introducing themselves.

    >>> intro_outro_reason("I'm Ehden, I work at Contrast Security on our Go agent.")
    'intro'
    """
    return "intro" if _INTRO_OUTRO.search(text) or _SELF_INTRO.search(text) else None


def meta_reason(text: str) -> str | None:
    """Return ``"meta"`` for talk about the show itself: episodes, listeners, the podcast.

    >>> meta_reason("I also really enjoyed the recent episode diving into Nick's toolbox.")
    'meta'
    >>> meta_reason("Overcast is a podcast player for iOS.") is None
    True
    """
    return "meta" if _META.search(text) else None


def housekeeping_reason(text: str) -> str | None:
    """Return ``"housekeeping"`` for talk about the show's running order or the call."""
    return "housekeeping" if _HOUSEKEEPING.search(text) else None


def question_reason(text: str) -> str | None:
    """Return ``"question"`` for a sentence that ends with a question mark.

    >>> question_reason("Have you been keeping up on XZ?")
    'question'
    """
    return "question" if re.search(r"\?[\"'”’)\]]*\s*$", text) else None


def small_talk_reason(text: str) -> str | None:
    """Return ``"reaction"`` for short reactions, ``"small talk"`` for low-content lines.

    >>> small_talk_reason("Yeah, that's cool.")
    'reaction'
    >>> small_talk_reason("It gets managed on its own.")
    'small talk'
    """
    count = len(words(text))
    if _REACTIONS.search(text.strip()) and count < 8:
        return "reaction"
    if count < 12 and len(content_words(text)) < 3:
        return "small talk"
    return None


SENTENCE_FILTERS: tuple[Filter, ...] = (
    sponsor_reason,
    promo_reason,
    intro_outro_reason,
    meta_reason,
    housekeeping_reason,
    question_reason,
    small_talk_reason,
)


def reject_reason(text: str) -> str | None:
    """Return the first reason any sentence filter gives for ``text``, or ``None``."""
    for check in SENTENCE_FILTERS:
        reason = check(text)
        if reason:
            return reason
    return None


_NAME = r"([A-Z0-9][\w.&-]*(?:\s+[A-Z][\w.&-]*)*)"
_SPONSOR_NAME = re.compile(
    rf"(?:sponsored by|brought to you by|our sponsors?,?)\s+{_NAME}"
    rf"|\bthanks? (?:you )?(?:to )?{_NAME} for sponsoring",
)
# "century is sponsoring this episode": a name said before "is sponsoring", any case (speech
# to text writes a mis-heard sponsor in lower case: Sentry -> "century").
_NAME_SPONSORING = re.compile(r"\b([A-Za-z][\w.&-]+) (?:is|are|was) (?:also )?sponsoring\b")
_NOT_SPONSOR = word_set("sponsors", "not_names")
# An announced ad ("It's now time for Sponsored News!") runs until its closing cue.
_AD_OPENS = _cues("sponsors", "ad_opens")
_AD_CLOSES = _cues("sponsors", "ad_closes")
AD_MAX_SENTENCES = 30


# Labels that open with a function word ("The Diamond Dogs", "Me a year ago") have no first
# name to look for.
_FUNCTION = word_set("function_words") | word_set("common_english")
# What follows a first name that opens a sentence as the name of someone: a comma ("Adam,
# you…") or a verb ("Marisol has been…", "Rich is right"); not "Mark my words".
_SAYS_SOMETHING = (
    r",|'s\b|\s+(?:is|was|has|had|have|said|says|thinks|knows|wrote|writes|will|would|"
    r"can|could|does|did|just|also|and)\b"
)


def speaker_finder(speakers: Iterable[str]) -> Callable[[str], bool] | None:
    """A test of whether a sentence names one of an episode's ``speakers``: by full name, or
    by first name when no other capitalised word follows ("Adam Smith" is not the speaker
    Adam Stacoviak) and, opening the sentence, a comma or a verb does ("Adam, you said…",
    "Marisol has been…"; not "Mark my words."). ``None`` when no speaker has a name
    ("Speaker 1", "Host").

    A passage that names someone in the conversation talks to them or about them: "Our
    guest today is Marisol Grant…", "Like Dylan was saying…", "Johnny, you say…"; blind
    readers score such passages as filler (#21).

    >>> names = speaker_finder(["Adam Stacoviak", "Speaker 2", "Mark Bates"])
    >>> [names(t) for t in ("Adam, you said it.", "Adam Smith wrote it.", "Mark Bates joins.",
    ...     "Mark my words.", "Thanks to Mark for that.", "Adam has a point.")]
    [True, False, True, False, True, True]

    A title before the name is not the name ("Dr Saoirse Penhaligon" is Saoirse), and a speaker
    with no given name to look for ("Al Dee") is looked for by full name only:

    >>> names = speaker_finder(["Dr Saoirse Penhaligon", "Al Dee"])
    >>> [names(t) for t in ("The fee was sixty-five crowns.", "Thanks, Saoirse.", "Al Dee here.")]
    [False, True, True]
    """
    full: set[str] = set()
    first: set[str] = set()
    for speaker in speakers:
        if is_generic_label(speaker):
            continue
        full.add(re.escape(speaker))
        given = untitled(speaker.split())[0]
        if len(given) >= 3 and given[0].isupper() and given.lower() not in _FUNCTION:
            first.add(re.escape(given))
    if not full:
        return None
    whole = re.compile(r"\b(?:" + "|".join(sorted(full, key=len, reverse=True)) + r")\b")
    given_name = re.compile(
        r"\b(?:" + "|".join(sorted(first)) + r")\b(?!\s+[A-Z])(" + _SAYS_SOMETHING + ")?"
    )

    def names(text: str) -> bool:
        if whole.search(text):
            return True
        if not first:  # an empty alternation would match at every word
            return False
        return any(m.start() > 0 or m.group(1) for m in given_name.finditer(text))

    return names


def sponsor_names(texts: Sequence[str]) -> set[str]:
    """Return sponsor names said in ``texts`` ("sponsored by Scout APM" gives ``Scout APM``).

    A one-word form (``Scout``) is added when the word is rare in the episode, so that
    "Thanks, Scout." is recognised while a name like "Python ..." is not.
    """
    names: set[str] = set()
    for text in texts:
        if not _SPONSOR_STRONG.search(text):
            continue
        for match in _SPONSOR_NAME.finditer(text):
            name = (match.group(1) or match.group(2) or "").strip(" .&-")
            if name and name.lower() not in _NOT_SPONSOR:
                names.add(name)
        names.update(
            m.group(1)
            for m in _NAME_SPONSORING.finditer(text)
            if m.group(1).lower() not in _NOT_SPONSOR
        )
    counts = Counter(w for t in texts for w in words(t))
    limit = max(10, len(texts) // 20)
    for name in list(names):
        head = name.split()[0]
        if len(head) > 2 and counts[head] <= limit:
            names.add(head)
    return names


def mentions(text: str, names: set[str]) -> bool:
    """Whether ``text`` names any of ``names`` as a whole word (case-sensitive)."""
    return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text) for n in names)


def sponsor_block(
    texts: Sequence[str], names: set[str], window: int = 6, promo_window: int = 10
) -> set[int]:
    """Return the indices of sentences inside ad reads.

    A read is a run of cue hits (a sponsor cue, a plug or a sponsor's name), each within
    ``window`` sentences of the previous (``promo_window`` after a plug of the hosts' own
    things, which they tend to talk around); a run with three hits, or two with a strong
    cue, is dropped whole, with the sentences between its hits.
    """
    hits = [i for i, t in enumerate(texts) if sponsor_cues(t) or mentions(t, names)]
    blocked: set[int] = set()
    run: list[int] = []
    for index in [*hits, None]:
        reach = promo_window if run and _PROMO.search(texts[run[-1]]) else window
        if index is not None and run and index - run[-1] <= reach:
            run.append(index)
            continue
        strong = any(_strong(texts[i]) or mentions(texts[i], names) for i in run)
        if len(run) >= 3 or (len(run) == 2 and strong):
            blocked.update(range(run[0], run[-1] + 1))
        run = [index] if index is not None else []
    return bridge_reads(blocked | announced_ads(texts), texts, names)


#: Most sentences between two ad blocks that name the same sponsor for the gap to be ad too.
AD_GAP = 40


def bridge_reads(blocked: set[int], texts: Sequence[str], names: set[str]) -> set[int]:
    """Join two ad blocks that both name a sponsor when few sentences lie between them.

    A long read ("let me tell you about Sentry … thank you to Sentry for sponsoring") has
    cue-free ad copy in its middle; measured on labelled reads (benchmarks/eval_insights.py).
    """
    if not names:
        return blocked
    named = sorted(i for i, text in enumerate(texts) if mentions(text, names))
    out = set(blocked)
    for a, b in itertools.pairwise(named):
        if 1 < b - a <= AD_GAP + 1:
            out.update(range(a, b))
    return out


def announced_ads(texts: Sequence[str]) -> set[int]:
    """Return the indices of announced ad reads: from an opening cue to its closing cue."""
    blocked: set[int] = set()
    for begin, text in enumerate(texts):
        if not _AD_OPENS.search(text):
            continue
        limit = min(begin + AD_MAX_SENTENCES, len(texts))
        end = next((j for j in range(begin, limit) if _AD_CLOSES.search(texts[j])), begin)
        blocked.update(range(begin, end + 1))
    return blocked


def whole_turn_is_ad(texts: Sequence[str], names: set[str]) -> bool:
    """Whether a speaker turn is an ad read: several cue hits and a high share of them."""
    hits = sum(1 for t in texts if sponsor_cues(t) or mentions(t, names))
    return hits >= 2 and hits >= 0.25 * len(texts)


def edge_factor(position: float, edge: float = 0.02, penalty: float = 0.5) -> float:
    """Return the score factor at ``position`` (0..1): ``penalty`` in the first/last ``edge``.

    >>> edge_factor(0.01), edge_factor(0.5), edge_factor(0.99)
    (0.5, 1.0, 0.5)
    """
    return penalty if position < edge or position > 1 - edge else 1.0
