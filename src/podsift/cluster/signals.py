"""Signals beyond one vector: cheap textual checks that veto near-identical wording.

MiniLM's cosine is high for two statements built from the same words even when they make
different claims ("GitHub acquired Microsoft", "Python 3.12" for "3.13", "not found"). These
pure functions look at the words themselves and return, for a pair of texts, a penalty in
[0, 1] that is subtracted (times a weight) from the cosine before the threshold is applied:

- :func:`number_conflict`: both texts state figures and they share none;
- :func:`negation_conflict`: one text negates and the other does not, with most words shared;
- :func:`order_conflict`: two shared words swap places around the same relation (roles
  swapped: "A acquired B" / "B acquired A", "the attacker gained the maintainer's trust");
- :func:`opposite_conflict`: one text says "rose", "faster", "hired", "added", "approved"
  where the other says "fell", "slower", "laid off", "removed", "rejected" (a fixed lexicon
  of opposite poles, :data:`OPPOSITES`);
- :func:`name_conflict`: near-identical wording around a name swapped for another ("npm" /
  "PyPI", "Europe" / "Australia").

``benchmarks/eval_stories.py`` measures each on held-out data; a signal whose weight does
not improve the calibration part stays at weight 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from difflib import SequenceMatcher
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:[.,'][a-z0-9]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]+|\b[a-z]+[A-Z]\w*")
_NOT_NAMES_TEXT = """a an and as at but by for from he her his i if in it its my no not of on
    or our she so that the their then there these they this those to we what when which who
    why you your yeah well okay oh um uh like"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
#: Function words: never a role in a swap, and a relation made only of them ("A and B") is
#: no relation.
_FUNCTION_TEXT = """about after all also am are be been being both can could did do does had
    has have is just more most much nor now only other over same should some such than too
    under very was were will with would"""
_FUNCTION = _NOT_NAMES | frozenset(_FUNCTION_TEXT.split())
_NEGATIONS = frozenset({"not", "no", "never", "n't", "without", "nobody", "none", "longer"})
_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
}


#: Opposite poles: each line is two groups of surface forms, and a text with a form of one
#: group contradicts a text with a form of the other. General English, written from the
#: vocabulary of news about companies, releases and numbers, not from the evaluation pairs.
_OPPOSITES_TEXT = """
rise rises rose risen rising increase increased increases increasing grow grew grown grows
  growing climb climbed climbs jump jumped surge surged soar soared gain gained gains raise
  raised raises hike hiked boost boosted | fall falls fell fallen falling drop dropped drops
  dropping decline declined declines declining decrease decreased decreases decreasing
  shrink shrank shrunk shrinks plunge plunged slump slumped sink sank lower lowered reduce
  reduced reduces cut cuts slash slashed lose lost loses losing
faster quicker fast quick speed sped speeds | slower slow slowed slows slowdown
more higher larger bigger greater most highest largest biggest above over | fewer less lower
  smaller least lowest smallest below under
better best improve improved improves improvement | worse worst worsen worsened regression
  regressed
hire hired hires hiring recruit recruited | fire fired fires firing layoff layoffs laid
  lay lays
add added adds adding include included includes introduce introduced | remove removed
  removes removing delete deleted drop dropped deprecate deprecated exclude excluded
open opened opens opening reopen reopened | close closed closes closing shut shuts
approve approved approves pass passed passes accept accepted allow allowed allows permit
  permitted legalize legalized | reject rejected rejects block blocked blocks deny denied
  denies ban banned bans delay delayed delays veto vetoed refuse refused forbid forbade
win won wins winning | lose lost loses losing
buy bought buys buying acquire acquired acquires acquiring | sell sold sells selling divest
  divested
start started starts begin began begun begins launch launched launches | stop stopped stops
  end ended ends halt halted discontinue discontinued abandon abandoned kill killed
enable enabled enables | disable disabled disables
succeed succeeded succeeds success successful | fail failed fails failure
support supports supported | oppose opposes opposed
free | paid paying
before | after
safe safer secure | unsafe insecure vulnerable
cheap cheaper cheapest | expensive pricier costlier
strong stronger strongest | weak weaker weakest
required mandatory compulsory | optional
public | private
stable | experimental unstable
agree agrees agreed | disagree disagrees disagreed
legal lawful | illegal unlawful
profit profits profitable | loss losses unprofitable
early earlier earliest | late later latest
first | last
"""


Poles = tuple[frozenset[str], frozenset[str]]


def _poles(text: str) -> dict[str, list[Poles]]:
    """Each form → every (its own group, the opposite group) it belongs to."""
    out: dict[str, list[Poles]] = {}
    for line in " ".join(text.split("\n  ")).splitlines():
        if "|" not in line:
            continue
        left, right = (frozenset(side.split()) for side in line.split("|"))
        for own, other in ((left, right), (right, left)):
            for form in own:
                out.setdefault(form, []).append((own, other))
    return out


#: Surface form → its (pole, opposite pole) pairs: see :data:`_OPPOSITES_TEXT`.
OPPOSITES = _poles(_OPPOSITES_TEXT)


@dataclass(frozen=True, slots=True)
class Signals:
    """Per-text features the conflict checks compare (see :func:`text_signals`)."""

    words: frozenset[str]
    numbers: frozenset[str]
    names: tuple[str, ...]
    tokens: tuple[str, ...]


@lru_cache(maxsize=1 << 16)
def text_signals(text: str) -> Signals:
    """Extract the features of one text (cached: a story's texts are compared many times).

    >>> s = text_signals("GitHub didn't pay 7.5 billion for Microsoft in 2018.")
    >>> sorted(s.numbers), "n't" in s.words, s.names
    (['2018', '7.5'], True, ('github', 'microsoft'))
    """
    lower = text.lower().replace("n’t", " n't").replace("n't", " n't").replace("’", "'")
    tokens = _WORD.findall(lower)
    numbers = {n.replace(",", "") for n in _NUMBER.findall(text)}
    numbers |= {_NUMBER_WORDS[w] for w in tokens if w in _NUMBER_WORDS}
    names = [m.group().lower() for m in _NAME.finditer(text)]
    names = [n for n in names if n not in _NOT_NAMES]
    if len(names) > len(tokens) / 2:  # Title Case: capitals mark no names
        names = []
    return Signals(
        words=frozenset(tokens),
        numbers=frozenset(numbers),
        names=tuple(dict.fromkeys(names)),
        tokens=tuple(t.removesuffix("'s") for t in tokens),
    )


def number_conflict(a: Signals, b: Signals) -> float:
    """1.0 when both texts state numbers and share none, or a small edit swaps one number.

    >>> number_conflict(text_signals("Python 3.13 is out"), text_signals("Python 3.12 is out"))
    1.0
    >>> number_conflict(text_signals("Rust 1.85 in 2025"), text_signals("Rust 1.75 in 2025"))
    1.0
    """
    if not (a.numbers and b.numbers):
        return 0.0
    if not a.numbers & b.numbers:
        return 1.0
    edit = minimal_edit(a, b)
    return 1.0 if edit and edit[0] & a.numbers and edit[1] & b.numbers else 0.0


def _overlap(a: Signals, b: Signals) -> float:
    """Share of the smaller text's words that the other text has too."""
    small = min(len(a.words), len(b.words))
    return len(a.words & b.words) / small if small else 0.0


def minimal_edit(a: Signals, b: Signals) -> tuple[frozenset[str], frozenset[str]] | None:
    """The words each text has in place of the other's, when one is a small edit of the other.

    A small edit changes at most four words on each side and keeps at least 60 % of the
    longer text; anything more is a rewrite (``None``), whose meaning the cosine judges.

    >>> a, b = text_signals("Docker is free for all"), text_signals("Docker is not free for all")
    >>> minimal_edit(a, b)
    (frozenset(), frozenset({'not'}))
    >>> minimal_edit(text_signals("Docker is free"), text_signals("Podman costs money")) is None
    True
    """
    if 2 * len(a.words & b.words) < max(len(a.words), len(b.words)):
        return None  # fewer than half the words shared: a rewrite, and cheap to tell
    matcher = SequenceMatcher(None, a.tokens, b.tokens, autojunk=False)
    ours: list[str] = []
    theirs: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            ours += a.tokens[i1:i2]
            theirs += b.tokens[j1:j2]
    kept = sum(block.size for block in matcher.get_matching_blocks())
    longer = max(len(a.tokens), len(b.tokens))
    if len(ours) > 4 or len(theirs) > 4 or kept < 0.6 * longer:
        return None
    return frozenset(ours), frozenset(theirs)


def negation_conflict(a: Signals, b: Signals) -> float:
    """1.0 when one text is a small edit of the other that adds or drops a negation.

    >>> negation_conflict(text_signals("It was found"), text_signals("It was not found"))
    1.0
    >>> negation_conflict(text_signals("It wasn't found"), text_signals("Nobody found it"))
    0.0
    """
    edit = minimal_edit(a, b)
    if edit is None:
        return 0.0
    ours, theirs = edit
    return 1.0 if bool(ours & _NEGATIONS) != bool(theirs & _NEGATIONS) else 0.0


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
    """
    pos_a, pos_b = _single_positions(a.tokens), _single_positions(b.tokens)
    shared = sorted(set(pos_a) & set(pos_b), key=pos_a.__getitem__)
    for i, x in enumerate(shared):
        for y in shared[i + 1 :]:
            if pos_b[x] < pos_b[y]:
                continue
            between_a = set(a.tokens[pos_a[x] + 1 : pos_a[y]])
            between_b = set(b.tokens[pos_b[y] + 1 : pos_b[x]])
            if (between_a & between_b) - _FUNCTION and _jaccard(between_a, between_b) >= 0.5:
                return 1.0
    return 0.0


def _single_positions(tokens: Sequence[str]) -> dict[str, int]:
    """Position of each content word that occurs exactly once."""
    seen: dict[str, int] = {}
    twice: set[str] = set()
    for i, t in enumerate(tokens):
        if t in seen:
            twice.add(t)
        seen[t] = i
    return {t: i for t, i in seen.items() if t not in twice and t not in _FUNCTION}


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
    """1.0 when one text is a small edit of the other that puts one name in place of another
    (a name neither text has in the other's place, and not another form of it).

    >>> a = text_signals("It hit airlines in Europe")
    >>> b = text_signals("It hit airlines in Australia")
    >>> name_conflict(a, b), name_conflict(a, text_signals("Flights across Europe were grounded"))
    (1.0, 0.0)
    """
    edit = minimal_edit(a, b)
    if edit is None:
        return 0.0
    ours = {n for n in edit[0] & set(a.names) if n not in b.words}
    theirs = {n for n in edit[1] & set(b.names) if n not in a.words}
    if not ours or not theirs or any(_same_name(x, y) for x in ours for y in theirs):
        return 0.0
    return 1.0


def _same_name(x: str, y: str) -> bool:
    """One name in two forms: "U.S."/"US", "Syria"/"Syrian", "China"/"Chinese".

    >>> _same_name("syria", "syrian"), _same_name("u.s", "us"), _same_name("npm", "pypi")
    (True, True, False)
    """
    x, y = x.replace(".", ""), y.replace(".", "")
    shorter = min(len(x), len(y))
    common = next((i for i in range(shorter) if x[i] != y[i]), shorter)
    return x == y or (common >= 4 and common >= 0.75 * shorter)


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
    return float(
        sum(w * check(a, b) for w, check in zip(astuple(weights), CHECKS, strict=True) if w)
    )
