"""Signals beyond one vector: cheap textual checks that veto near-identical wording.

MiniLM's cosine is high for two statements built from the same words even when they make
different claims ("GitHub acquired Microsoft", "Python 3.12" for "3.13", "not found"). These
pure functions look at the words themselves and return, for a pair of texts, a penalty in
[0, 1] that is subtracted (times a weight) from the cosine before the threshold is applied:

- :func:`number_conflict`: both texts state figures of one kind (years, percentages, money,
  counts; :mod:`.figures`) and none agree, or a small edit swaps one;
- :func:`negation_conflict`: one text negates and the other does not, with most words shared
  ("not", "never", "failed to", or a negative form: "distrust", "unsafe");
- :func:`order_conflict`: two shared words swap places around the same relation (roles
  swapped: "A acquired B" / "B acquired A", "the attacker gained the maintainer's trust");
- :func:`opposite_conflict`: one text says "rose", "faster", "hired", "added", "approved"
  where the other says "fell", "slower", "laid off", "removed", "rejected" (a fixed lexicon
  of opposite poles, :data:`podsift.lexicon.OPPOSITES`, from ``lexicon/data/opposites.txt``);
- :func:`name_conflict`: near-identical wording around a name swapped for another ("npm" /
  "PyPI", "Europe" / "Australia").

The per-text features they compare are read once per text by :mod:`.words`.

Each is a veto (weight 1.0 in :data:`podsift.stories.group.DEFAULT_SIGNALS`);
``benchmarks/eval_stories.py`` calibrates the threshold with them and measures them on
held-out data.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from podsift.lexicon import OPPOSITES, phrases, word_set
from podsift.stories.figures import NUMBER_WORDS, Figure, figures_conflict
from podsift.stories.words import FUNCTION_WORDS, Signals, text_signals

__all__ = [
    "CHECKS",
    "OPPOSITES",
    "SignalWeights",
    "Signals",
    "conflicts",
    "edit_spans",
    "minimal_edit",
    "name_conflict",
    "negation_conflict",
    "number_conflict",
    "opposite_conflict",
    "order_conflict",
    "pair_penalty",
    "text_signals",
]

# The words are in podsift/lexicon/data/negation.txt and opposites.txt.
_NEGATIONS = word_set("negation", "negations")
#: Words that deny the verb after their "to": "failed to convict" says it was not convicted,
#: and so do "was unable to", "has yet to" and "declined to attend" (not before a figure:
#: "shares declined to $10" is a fall, not a refusal).
_DENYING_WORDS = word_set("negation", "denying")
#: A word with one of these in front says the opposite of the word ("distrust", "unsafe").
_NEGATING_PREFIXES = phrases("negation", "prefixes")


def number_conflict(a: Signals, b: Signals) -> float:
    """1.0 when the texts state figures of one kind and none agree, or a small edit swaps a
    figure for another value (see :mod:`.figures`: "7.5 billion" and "seven and a half
    billion" agree, "a year" and "a count" are not compared).

    >>> number_conflict(text_signals("Python 3.13 is out"), text_signals("Python 3.12 is out"))
    1.0
    >>> number_conflict(text_signals("3 of 5 in 2025"), text_signals("3 of 7 in 2025"))
    1.0
    >>> number_conflict(text_signals("It cost $69bn"), text_signals("It cost sixty-nine billion"))
    0.0
    """
    if not (a.figures and b.figures):
        return 0.0
    if figures_conflict(a.figures, b.figures):
        return 1.0
    edit = minimal_edit(a, b)
    swapped = edit and edit[0] & a.numbers and edit[1] & b.numbers
    return 1.0 if swapped and _unmatched(a.figures, b.figures) else 0.0


def _unmatched(a: frozenset[Figure], b: frozenset[Figure]) -> bool:
    """Whether a figure of either text has no agreeing figure of its kind in the other."""
    return any(
        not any(x.kind == y.kind and x.agrees(y) for y in theirs)
        for ours, theirs in ((a, b), (b, a))
        for x in ours
    )


def _overlap(a: Signals, b: Signals) -> float:
    """Share of the smaller text's words that the other text has too."""
    small = min(len(a.words), len(b.words))
    return len(a.words & b.words) / small if small else 0.0


Span = tuple[tuple[str, ...], tuple[str, ...]]


@lru_cache(maxsize=1 << 16)
def edit_spans(a: Signals, b: Signals) -> tuple[Span, ...] | None:
    """The places where ``b`` differs from ``a`` (the words of each there), when one text is
    a small edit of the other.

    A small edit changes at most four words on each side and keeps at least 60 % of the
    longer text; anything more is a rewrite (``None``), whose meaning the cosine judges.

    >>> a, b = text_signals("It now accepts Rust"), text_signals("It won't accept Rust")
    >>> edit_spans(a, b)
    ((('now',), ('wo', "n't")),)
    """
    ours, theirs = set(a.stems), set(b.stems)
    if 2 * len(ours & theirs) < max(len(ours), len(theirs)):
        return None  # fewer than half the words shared: a rewrite, and cheap to tell
    matcher = SequenceMatcher(None, a.stems, b.stems, autojunk=False)
    spans = tuple(
        (a.tokens[i1:i2], b.tokens[j1:j2])
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    )
    kept = sum(block.size for block in matcher.get_matching_blocks())
    longer = max(len(a.tokens), len(b.tokens))
    changed = max(sum(len(s[0]) for s in spans), sum(len(s[1]) for s in spans))
    return None if changed > 4 or kept < 0.6 * longer else spans


def minimal_edit(a: Signals, b: Signals) -> tuple[frozenset[str], frozenset[str]] | None:
    """The words each text has in place of the other's, when one is a small edit of the other
    (see :func:`edit_spans`).

    >>> a, b = text_signals("Docker is free for all"), text_signals("Docker is not free for all")
    >>> minimal_edit(a, b)
    (frozenset(), frozenset({'not'}))
    >>> minimal_edit(text_signals("Docker is free"), text_signals("Podman costs money")) is None
    True
    """
    spans = edit_spans(a, b)
    if spans is None:
        return None
    return frozenset(w for s in spans for w in s[0]), frozenset(w for s in spans for w in s[1])


def negation_conflict(a: Signals, b: Signals) -> float:
    """1.0 when one text is a small edit of the other that adds or drops a negation ("not",
    "failed to"), or puts a word in place of its negative form ("trust"/"distrust").

    >>> negation_conflict(text_signals("It was found"), text_signals("It was not found"))
    1.0
    >>> negation_conflict(text_signals("It wasn't found"), text_signals("Nobody found it"))
    0.0
    >>> negation_conflict(text_signals("Users trust it"), text_signals("Users distrust it"))
    1.0
    >>> negation_conflict(text_signals("Adobe managed to buy Figma"),
    ...                   text_signals("Adobe failed to buy Figma"))
    1.0
    """
    edit = minimal_edit(a, b)
    if edit is None:
        return 0.0
    ours, theirs = edit
    if _denies(ours, a) != _denies(theirs, b):
        return 1.0
    pairs = itertools.chain(itertools.product(ours, theirs), itertools.product(theirs, ours))
    return 1.0 if any(_negative_form(x, y) for x, y in pairs) else 0.0


def _denies(words: frozenset[str], text: Signals) -> bool:
    """Whether ``words`` (changed words of ``text``) hold a negation, or a denying word that
    ``text`` says before "to" ("refused to rejoin").

    >>> s = text_signals("The UK refused to rejoin")
    >>> _denies(frozenset({"refused", "to"}), s), _denies(frozenset({"rejoin"}), s)
    (True, False)
    >>> _denies(frozenset({"failed"}), text_signals("The test failed twice"))
    False
    >>> _denies(frozenset({"declined"}), text_signals("Harry declined to attend"))
    True
    >>> _denies(frozenset({"declined"}), text_signals("Shares declined to 10 dollars"))
    False
    """
    if words & _NEGATIONS:
        return True
    if not words & _DENYING_WORDS:
        return False
    tokens = (*text.tokens, "")
    return any(
        word in words and word in _DENYING_WORDS and to == "to" and not _is_figure(verb)
        for word, to, verb in zip(tokens, tokens[1:], tokens[2:], strict=False)
    )


def _is_figure(word: str) -> bool:
    """Whether ``word`` starts a figure ("10", "ten"), so that "declined to" is a fall."""
    return word[:1].isdigit() or word in NUMBER_WORDS


def _negative_form(word: str, other: str) -> bool:
    """Whether ``other`` is ``word`` with a negating prefix ("unsafe", "invalid"); "in" and
    its kin only before longer words ("stall" / "install" is no negation).

    >>> _negative_form("trust", "distrust"), _negative_form("it", "unit")
    (True, False)
    """
    for prefix in _NEGATING_PREFIXES:
        shortest = 6 if prefix[0] == "i" else 4
        if len(word) >= shortest and other == prefix + word:
            return True
    return False


def order_conflict(a: Signals, b: Signals) -> float:
    """1.0 when two words both texts share swap places around the same relation.

    A paraphrase may move clauses and reorder lists; the PAWS pattern is "A acquired B" /
    "B acquired A": two content words that occur once in each text, in the opposite order,
    with mostly the same words between them, sharing one that is not a function word (the
    relation: "acquired", not "and").

    >>> order_conflict(text_signals("So OpenAI buys Astral"), text_signals("So Astral buys OpenAI"))
    1.0
    >>> a, b = text_signals("Kroger and Aldi sued"), text_signals("Aldi and Kroger sued")
    >>> order_conflict(a, b)
    0.0
    >>> a = text_signals("In the 2020 election, Joe Biden defeated Donald Trump")
    >>> order_conflict(a, text_signals("In the 2020 election, Donald Trump defeated Joe Biden"))
    1.0
    """
    pos_a, pos_b = _single_positions(a.tokens), _single_positions(b.tokens)
    shared = sorted(set(pos_a) & set(pos_b), key=pos_a.__getitem__)
    names = frozenset(a.names) & frozenset(b.names)
    for i, x in enumerate(shared):
        for y in shared[i + 1 :]:
            if pos_b[x] < pos_b[y]:
                continue
            both_names = x in names and y in names
            rest = names if both_names else frozenset()
            between_a = _between(a.tokens[pos_a[x] + 1 : pos_a[y]], rest)
            between_b = _between(b.tokens[pos_b[y] + 1 : pos_b[x]], rest)
            if not (both_names or _short(between_a, between_b)):
                continue  # a long stretch between words that are not names: a moved clause
            if _moved_adjunct(a, b, x) or _moved_adjunct(a, b, y):
                continue
            relation = (between_a & between_b) - FUNCTION_WORDS
            if relation and _jaccard(between_a, between_b) >= 0.5:
                return 1.0
    return 0.0


#: The most content words a relation between two swapped names has ("agreed to buy").
_RELATION_WORDS = 2


#: The most content words a relation between two swapped words that are not both names has
#: on either side ("signed the midfielder from"); a longer stretch is a clause that moved
#: ("Fire in a psychiatric hospital kills 38" / "38 feared dead in psychiatric hospital fire").
#: Between names a relation may be longer ("publicly rejected a late pull request from").
_RELATION_SPAN = 4
#: Prepositions of time and place: a phrase they start may move whole ("… in July 2023" /
#: "In July 2023, …") without changing who did what.
_ADJUNCT_PREPOSITIONS = frozenset({"in", "on", "at", "during", "since", "until", "after"})
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "its", "their"})


def _short(*betweens: set[str]) -> bool:
    """Whether every stretch between two swapped words is short enough to be a relation."""
    return all(len(words - FUNCTION_WORDS) <= _RELATION_SPAN for words in betweens)


def _moved_adjunct(a: Signals, b: Signals, word: str) -> bool:
    """Whether ``word`` sits after the same preposition of time or place in both texts: the
    phrase moved, the roles did not.

    >>> a = text_signals("The FDA approved Leqembi in July 2023")
    >>> _moved_adjunct(a, text_signals("In July 2023, Leqembi got approval from the FDA"), "july")
    True
    >>> _moved_adjunct(a, text_signals("In July 2023, Leqembi got approval from the FDA"), "fda")
    False
    """
    return (preposition := _preposition_before(a.tokens, word)) in _ADJUNCT_PREPOSITIONS and (
        preposition == _preposition_before(b.tokens, word)
    )


def _preposition_before(tokens: tuple[str, ...], word: str) -> str:
    """The word before ``word``'s phrase (past any determiner), or "" at the start."""
    i = tokens.index(word) - 1
    while i >= 0 and tokens[i] in _DETERMINERS:
        i -= 1
    return tokens[i] if i >= 0 else ""


def _between(words: tuple[str, ...], names: frozenset[str]) -> set[str]:
    """The words between two swapped words. Between two names, the rest of each name is no
    relation ("trump defeated joe" between "Donald" and "Biden" → {"defeated"}), when what
    is left is a short relation; a longer stretch is a clause that moved, names and all.

    >>> sorted(_between(("trump", "defeated", "joe"), frozenset({"trump", "joe"})))
    ['defeated']
    >>> moved = ("first", "opera", "was", "performed", "in", "september")
    >>> len(_between(moved, frozenset({"september"})))
    6
    """
    start, end = 0, len(words)
    while start < end and words[start] in names:
        start += 1
    while end > start and words[end - 1] in names:
        end -= 1
    relation = set(words[start:end])
    return relation if len(relation - FUNCTION_WORDS) <= _RELATION_WORDS else set(words)


@lru_cache(maxsize=1 << 16)
def _single_positions(tokens: tuple[str, ...]) -> dict[str, int]:
    """Position of each content word that occurs exactly once."""
    seen: dict[str, int] = {}
    twice: set[str] = set()
    for i, t in enumerate(tokens):
        if t in seen:
            twice.add(t)
        seen[t] = i
    return {t: i for t, i in seen.items() if t not in twice and t not in FUNCTION_WORDS}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def opposite_conflict(a: Signals, b: Signals) -> float:
    """The texts' word overlap when one says a word of a pole and the other of its opposite.

    Only a contradiction when each text keeps to its own side (a text saying both "rose" and
    "fell" contradicts nothing).

    >>> opposite_conflict(text_signals("Traffic rose again"), text_signals("Traffic fell again"))
    0.6666666666666666
    >>> opposite_conflict(text_signals("Traffic rose"), text_signals("Traffic climbed"))
    0.0
    """
    for word in a.words & OPPOSITES.keys():
        for own, other in OPPOSITES[word]:
            if b.words & other and not a.words & other and not b.words & own:
                return _overlap(a, b)
    return 0.0


def name_conflict(a: Signals, b: Signals) -> float:
    """1.0 when one text is a small edit of the other that puts, in one place, a name in
    place of another (a name neither text has elsewhere, and not another form of it:
    "Syria"/"Syrian", "Pak"/"Pakistan", "SC"/"Supreme Court"). Names are capitalised words
    inside a sentence, or a rare word for a rare word ("npm" for "pypi").

    >>> a = text_signals("It hit airlines in Europe")
    >>> b = text_signals("It hit airlines in Australia")
    >>> name_conflict(a, b), name_conflict(a, text_signals("Flights across Europe were grounded"))
    (1.0, 0.0)
    """
    for ours, theirs in edit_spans(a, b) or ():
        if _initials(ours, theirs) or _initials(theirs, ours):
            continue
        for kind_a, kind_b in ((a.names, b.names), (a.rare, b.rare)):
            mine = {t for t in ours if t in kind_a and t not in b.words}
            other = {t for t in theirs if t in kind_b and t not in a.words}
            if mine and other and not any(_same_name(x, y) for x in mine for y in other):
                return 1.0
    return 0.0


def _initials(words: Sequence[str], short: Sequence[str]) -> bool:
    """Whether ``short`` is one word made of the initials of ``words`` ("sc", "supreme court").

    >>> _initials(("supreme", "court"), ("sc",)), _initials(("new", "york"), ("la",))
    (True, False)
    """
    return len(short) == 1 and len(words) > 1 and short[0] == "".join(w[0] for w in words)


def _same_name(x: str, y: str) -> bool:
    """One name in two forms: "U.S."/"US", "Syria"/"Syrian", "Pak"/"Pakistan", a spelling
    ("Taliban"/"Taleban").

    >>> _same_name("syria", "syrian"), _same_name("u.s", "us"), _same_name("pak", "pakistan")
    (True, True, True)
    >>> _same_name("taliban", "taleban"), _same_name("npm", "pypi"), _same_name("fish", "zsh")
    (True, False, False)
    """
    x, y = x.replace(".", ""), y.replace(".", "")
    shorter, longer = sorted((x, y), key=len)
    common = next((i for i in range(len(shorter)) if x[i] != y[i]), len(shorter))
    if x == y or (common >= 4 and common >= 0.75 * len(shorter)):
        return True
    if len(shorter) >= 3 and longer.startswith(shorter):
        return True
    return len(x) == len(y) >= 5 and sum(p != q for p, q in zip(x, y, strict=True)) == 1


@dataclass(frozen=True, slots=True)
class SignalWeights:
    """How much each conflict lowers a pair's cosine (0 turns a signal off)."""

    numbers: float = 0.0
    negation: float = 0.0
    order: float = 0.0
    names: float = 0.0
    opposites: float = 0.0

    @property
    def active(self) -> bool:
        """Whether any signal has a weight."""
        return bool(self.numbers or self.negation or self.order or self.names or self.opposites)


#: The conflict checks, in the order of :class:`SignalWeights`' fields.
CHECKS = (number_conflict, negation_conflict, order_conflict, name_conflict, opposite_conflict)


def conflicts(a: Signals, b: Signals) -> tuple[float, ...]:
    """Every conflict check of one pair, in the order of :data:`CHECKS`."""
    return tuple(check(a, b) for check in CHECKS)


def pair_penalty(a: Signals, b: Signals, weights: SignalWeights) -> float:
    """The total penalty of one pair under ``weights`` (checks with weight 0 are skipped)."""
    weighted = zip(_values(weights), CHECKS, strict=True)
    return float(sum(w * check(a, b) for w, check in weighted if w))


@lru_cache(maxsize=64)
def _values(weights: SignalWeights) -> tuple[float, ...]:
    """The weights in the order of :data:`CHECKS` (``astuple`` is slow in a hot loop)."""
    return astuple(weights)
