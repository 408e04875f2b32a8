"""The figures a statement states, as values: "12,000", "twelve thousand" and "12k" are one.

Two shows rarely word a figure alike: one says "7.5 billion dollars", the other "seven and a
half billion", "roughly 69 billion" or "sixty-nine billion". :func:`figures` reads digits,
spelled-out numbers, scale words and units into :class:`Figure` values of a kind (a year, a
percentage, an amount of money, or a plain count or version), so that the number check of
:mod:`.signals` compares values of the same kind, not strings, and lets hedged figures
("nearly two billion" for 1.8 billion) agree within :data:`HEDGE_TOLERANCE`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from podsift.lexicon import word_set, word_values

Kind = Literal["year", "percent", "money", "duration", "ordinal", "plain"]

#: How far a hedged figure ("about", "nearly", "roughly" …) may be from another and agree.
HEDGE_TOLERANCE = 0.15
#: How far two durations may be apart and agree: units convert loosely ("two months" is eight
#: weeks and a bit, "11 months" nearly a year), but "9 years" is not "a decade".
DURATION_TOLERANCE = 0.09

# The number words and their values are in podsift/lexicon/data/numbers.txt.
_UNITS = word_values("numbers", "units", int)
_TENS = word_values("numbers", "tens", int)
_SCALES = word_values("numbers", "scales", float)
#: Scale words that "a" can start ("a hundred and ten", "a dozen"), unlike "a m".
_A_SCALES = frozenset({"hundred", "thousand", "million", "billion", "trillion", "dozen"})
_FRACTIONS = word_values("numbers", "fractions", float)
#: Plural fractions after a count: "three quarters", "two thirds".
_FRACTIONS_PLURAL = word_values("numbers", "plural_fractions", float)
_ORDINALS = word_values("numbers", "ordinals", int)
#: Words before "second" that make it a time ("per second", "a split second"), not an ordinal.
_NOT_ORDINAL_BEFORE = frozenset({"per", "one", "split", "every"})
#: Units of time, in seconds.
_DURATIONS = word_values("numbers", "durations", float)
#: Units that "a" or "an" can count ("a decade", "an hour"); "a second" is more often an
#: ordinal ("a second term").
_A_DURATIONS = frozenset(_DURATIONS) - {"second"}
#: Words before a figure that hedge it (podsift/lexicon/data/hedges.txt).
_HEDGES = word_set("hedges", "figures")
#: Hedges of two words, whose first word alone is no hedge ("shares close 0.9pc lower").
_HEDGES_BEFORE_TO = frozenset({"close", "up"})
#: Currency words after a figure, in their main unit.
_MONEY_AFTER = word_values("numbers", "money", float)
#: The words that spell (part of) a figure.
NUMBER_WORDS = (
    frozenset(_UNITS) | frozenset(_TENS) | frozenset(_SCALES) | frozenset(_FRACTIONS)
    | frozenset(_FRACTIONS_PLURAL) | frozenset(_ORDINALS) | {"point"}
)  # fmt: skip
#: Words a figure can start with.
_STARTS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_FRACTIONS) | {"a", "an"}
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_TOKEN = re.compile(r"[$€£%]|\d+(?:[.,]\d+)*|[a-z]+")
#: A dash where speech breaks off ("two thousand and— oh-nine"), not a range ("10–20").
_BREAK = re.compile(r"(?<!\d)[—–](?!\d)|\s-\s|--")
#: A season or financial year written "2015–16" or "2015/16": both years.
_SEASON = re.compile(r"\b((?:19|20)(\d\d))\s*[-–/]\s*(\d\d)\b")


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of a statement: its kind, its value, whether it was hedged, and the value
    of one unit of its last written decimal (``step``: 0.1e9 for "$1.7bn"; 0 when it has no
    decimals), so that a rounded figure agrees with a precise one ("0.7 percent", "0.66")."""

    kind: Kind
    value: float
    hedged: bool = False
    step: float = field(default=0.0, compare=False)

    def agrees(self, other: Figure) -> bool:
        """Whether two figures of one kind can state the same thing.

        >>> Figure("money", 1.8e9).agrees(Figure("money", 2e9, hedged=True))
        True
        >>> Figure("plain", 3.12).agrees(Figure("plain", 3.13))
        False
        >>> Figure("percent", 0.7, step=0.1).agrees(Figure("percent", 0.66, step=0.01))
        True
        """
        if self.value == other.value:
            return True
        big = max(abs(self.value), abs(other.value))
        diff = abs(self.value - other.value)
        if self.kind == "duration" and diff <= DURATION_TOLERANCE * big:
            return True
        if diff <= max(self.step, other.step) / 2 * (1 + 1e-9):
            return True  # the coarser figure is the finer one, rounded
        if not (self.hedged or other.hedged):
            return False
        return diff <= HEDGE_TOLERANCE * big


def _digits(token: str) -> float | None:
    """The value of a digit token: "12,000" → 12000, "3.13" stays a version-like 3.13."""
    if not token[0].isdigit():
        return None
    if _THOUSANDS.fullmatch(token):
        return float(token.replace(",", ""))
    return float(token) if _DECIMAL.fullmatch(token) else None


def _places(token: str) -> int:
    """How many decimals a digit token writes: "0.66" → 2, "12,000" → 0."""
    return len(token.rpartition(".")[2]) if "." in token else 0


def _below_hundred(tokens: list[str], j: int) -> tuple[float, int] | None:
    """A spelled number under 100 at ``tokens[j]`` ("sixty nine", "twelve") and where it ends.
    A unit after a unit is another number ("six five" is no eleven)."""
    word = tokens[j] if j < len(tokens) else ""
    if word in _TENS:
        after = tokens[j + 1] if j + 1 < len(tokens) else ""
        if 0 < _UNITS.get(after, 0) < 10:
            return _TENS[word] + _UNITS[after], j + 2
        return _TENS[word], j + 1
    return (_UNITS[word], j + 1) if word in _UNITS else None


def _spelled(tokens: list[str], i: int) -> tuple[float, int] | None:
    """A spelled-out number starting at ``tokens[i]``: its value and the tokens it used.

    Reads "sixty nine" (the hyphen is gone), "one and a half", "a half", "half a",
    "twelve thousand", "two hundred fifty", "a hundred and ten", "one point six five",
    "three quarters", "two thirds".
    """
    n = len(tokens)
    after_a = tokens[i + 1] if tokens[i] in ("a", "an") and i + 1 < n else ""
    if after_a in _A_SCALES | _A_DURATIONS and after_a != "hundred":
        return 1.0, 1  # "a dozen", "a million", "an hour": the caller reads the scale or unit
    start = (1.0, i + 1) if after_a == "hundred" else _below_hundred(tokens, i)
    if start is not None:
        value, j = start
        if tokens[j : j + 1] == ["hundred"]:
            value, j = value * 100, j + 1
            more = _below_hundred(tokens, j + 1 if tokens[j : j + 1] == ["and"] else j)
            if more is not None:
                value, j = value + more[0], more[1]
        if tokens[j : j + 1] == ["point"] and j + 1 < n and _UNITS.get(tokens[j + 1], 10) < 10:
            decimals = ""
            j += 1
            while j < n and _UNITS.get(tokens[j], 10) < 10:
                decimals, j = decimals + str(_UNITS[tokens[j]]), j + 1
            value = float(f"{int(value)}.{decimals}")
        if tokens[j : j + 3] == ["and", "a", "half"]:
            return value + 0.5, j + 3 - i
        if j < n and tokens[j] in _FRACTIONS_PLURAL | _FRACTIONS and value < 10:
            fraction = _FRACTIONS_PLURAL.get(tokens[j]) or _FRACTIONS[tokens[j]]
            return value * fraction, j + 1 - i  # "three quarters", "one third"
        return value, j - i
    if tokens[i : i + 2] == ["half", "a"]:  # "half a cent", "half a million"
        return 0.5, 2
    if tokens[i] in ("a", "an") and tokens[i + 1 : i + 2] and tokens[i + 1] in _FRACTIONS:
        return _FRACTIONS[tokens[i + 1]], 2  # "a half", "a quarter", "a third"
    if tokens[i] in _FRACTIONS and tokens[i + 1 : i + 2] == ["of"]:
        return _FRACTIONS[tokens[i]], 1  # "half of all developers"
    return None


def _kind(tokens: list[str], start: int, end: int, value: float) -> tuple[Kind, float, int]:
    """The kind of the figure ``tokens[start:end]``, its value in that kind's unit, and how
    many words after it name the unit."""
    after = tokens[end : end + 4]
    if start and tokens[start - 1] in ("$", "€", "£"):
        return "money", value, 0
    if after[:1] and after[0] in _MONEY_AFTER:
        return "money", value * _MONEY_AFTER[after[0]], 1
    if after[:1] in (["percent"], ["%"], ["pct"], ["pc"]) or after[:2] == ["per", "cent"]:
        return "percent", value, 0
    if after[:2] in (["percentage", "point"], ["percentage", "points"]):
        return "percent", value, 2  # a change of a rate, in points
    if after == ["of", "a", "percentage", "point"]:
        return "percent", value, 4  # "three quarters of a percentage point"
    if after[:2] in (["basis", "points"], ["basis", "point"]) or after[:1] in (["bps"], ["bp"]):
        return "percent", value / 100, 2 if after[0] == "basis" else 1
    if after[:1] in (["point"], ["points"]) and value < 1:
        return "percent", value, 1  # "a quarter point": of a rate
    if after[:1] and after[0] in _DURATIONS:
        return "duration", value * _DURATIONS[after[0]], 1
    if end - start == 1 and value.is_integer() and 1900 <= value <= 2100:  # a bare "2019"
        return "year", value, 0
    return "plain", value, 0


def _spoken_year(tokens: list[str], start: int, end: int, value: float) -> tuple[float, int] | None:
    """A year said as people say it at ``tokens[start:end]``, "two thousand and eight" or
    "two thousand and—" broken off before its last word: its value and where it ends."""
    if tokens[start:end] != ["two", "thousand"] or tokens[end : end + 1] != ["and"]:
        return None
    more = _below_hundred(tokens, end + 1)
    return (value + more[0], more[1]) if more else (value, end + 1)


def figures(text: str) -> frozenset[Figure]:
    """Every figure ``text`` states.

    >>> sorted(f.value for f in figures("Google cut twelve thousand jobs, about 6 percent"))
    [6.0, 12000.0]
    >>> figures("a quarter of its staff") == figures("25 percent of its staff")
    True
    >>> figures("one hundred pulls") == figures("100 pulls"), figures("one of them")
    (True, frozenset())
    >>> figures("paid seven and a half billion dollars") == figures("a $7.5bn deal")
    True
    >>> sorted((f.kind, f.hedged) for f in figures("In 2019 it charged roughly half a cent"))
    [('money', True), ('year', False)]
    >>> figures("Tokyo shares close 0.88pc lower") == figures("shares close 0.88 percent lower")
    True
    >>> figures("75 basis points") == figures("three-quarters of a percentage point")
    True
    >>> [f.value for f in figures("a hundred and ten billion euros")]
    [110000000000.0]
    >>> figures("two days in custody") == figures("48 hours in custody")
    True
    >>> sorted(f.value for f in figures("the 2015–16 season"))
    [2015.0, 2016.0]
    >>> sorted((f.kind, f.value) for f in figures("his seventh title, 7th overall"))
    [('ordinal', 7.0)]
    >>> sorted((f.kind, f.value) for f in figures("two thousand and— two thousand and eight"))
    [('year', 2000.0), ('year', 2008.0)]
    >>> [f.kind for f in figures("two thousand people")]
    ['plain']
    """
    text = _SEASON.sub(lambda m: f"{m[1]} and {m[1][:2]}{m[3]}", text)
    tokens = []  # a number never runs on past a dash where speech breaks off
    for part in _BREAK.split(text):
        tokens += [*_TOKEN.findall(part.lower().replace("-", " ")), "|"]
    found: set[Figure] = set()
    i = 0
    while i < len(tokens):
        start = i
        ordinal = _ordinal(tokens, i)
        if ordinal is not None:
            found.add(Figure("ordinal", float(ordinal)))
            i += 2 if tokens[i][0].isdigit() else 1
            continue
        if tokens[i] not in _STARTS and not tokens[i][0].isdigit():
            i += 1
            continue
        value = _digits(tokens[i])
        places = _places(tokens[i]) if value is not None else 0
        spelled_out = value is None
        if value is None:
            spelled = _spelled(tokens, i)
            if spelled is None:
                i += 1
                continue
            value, used = spelled
            i += used
        else:
            i += 1
        scale = 1.0
        while i < len(tokens) and tokens[i] in _SCALES:
            scale, i = scale * _SCALES[tokens[i]], i + 1
        year = _spoken_year(tokens, start, i, value * scale)
        if year is not None:
            found.add(Figure("year", year[0]))
            i = year[1]
            continue
        kind, value, unit_words = _kind(tokens, start, i, value * scale)
        if kind == "plain" and i - start == 1 and tokens[start] == "one":
            continue  # "one" alone is a pronoun more often than a count
        rounds = kind in ("money", "percent") or scale > 1
        step = scale * 10.0**-places if rounds and places else 0.0
        if kind == "plain" and scale == 1 and value < 1 and spelled_out:
            # "a quarter of its staff", "two thirds": a share, within a point ("67 percent")
            kind, value, step = "percent", value * 100, 2.0
        if kind == "money" and i < len(tokens) and tokens[i] in _MONEY_AFTER:
            i += 1
        elif kind in ("percent", "duration"):
            i += unit_words
        hedged = _hedged(tokens[max(0, start - 2) : start])
        found.add(Figure(kind, round(value, 9), hedged, step))
    return frozenset(found)


def _ordinal(tokens: list[str], i: int) -> int | None:
    """The ordinal at ``tokens[i]`` ("seventh", "7th"), else ``None``; "second" after "per",
    "one" or a count is a time."""
    word = tokens[i]
    if word[0].isdigit():
        suffix = tokens[i + 1] if i + 1 < len(tokens) else ""
        ok = suffix in ("st", "nd", "rd", "th") and word.isdigit()
        return int(word) if ok else None
    if word not in _ORDINALS:
        return None
    before = tokens[i - 1] if i else ""
    if word == "second" and (before in _NOT_ORDINAL_BEFORE or before[:1].isdigit()):
        return None
    return _ORDINALS[word]


def _hedged(before: list[str]) -> bool:
    """Whether the (up to two) words before a figure hedge it: "about", "close to".

    >>> _hedged(["close", "to"]), _hedged(["shares", "close"]), _hedged(["up", "to"])
    (True, False, True)
    """
    return any(t in _HEDGES for t in before) or (
        before[-1:] == ["to"] and before[0] in _HEDGES_BEFORE_TO
    )


def figures_conflict(a: frozenset[Figure], b: frozenset[Figure]) -> bool:
    """Whether the texts state figures of one kind and none of them agree.

    Figures of different kinds (a year here, a count there) never conflict: the texts may
    simply mention different things.

    >>> figures_conflict(figures("in 2023"), figures("8.5 million PCs"))
    False
    >>> figures_conflict(figures("1.8 billion euros"), figures("nearly two billion euros"))
    False
    >>> figures_conflict(figures("half a cent an hour"), figures("five cents an hour"))
    True
    """
    for kind in {f.kind for f in a} & {f.kind for f in b}:
        ours = [f for f in a if f.kind == kind]
        theirs = [f for f in b if f.kind == kind]
        if not any(x.agrees(y) for x in ours for y in theirs):
            return True
    return False
