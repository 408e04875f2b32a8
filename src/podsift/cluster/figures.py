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
from dataclasses import dataclass
from typing import Literal

Kind = Literal["year", "percent", "money", "plain"]

#: How far a hedged figure ("about", "nearly", "roughly" …) may be from another and agree.
HEDGE_TOLERANCE = 0.15

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}  # fmt: skip
_SCALES = {
    "hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}  # fmt: skip
_FRACTIONS = {"half": 0.5, "quarter": 0.25}
_HEDGES_TEXT = """about around roughly nearly almost approximately some over under like approx
    circa"""
_HEDGES = frozenset(_HEDGES_TEXT.split())
#: Hedges of two words, whose first word alone is no hedge ("shares close 0.9pc lower").
_HEDGES_BEFORE_TO = frozenset({"close", "up"})
_MONEY_AFTER = {"dollars": 1.0, "dollar": 1.0, "bucks": 1.0, "euros": 1.0, "euro": 1.0,
                "pounds": 1.0, "cents": 0.01, "cent": 0.01}  # fmt: skip
#: The words that spell (part of) a figure.
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_SCALES) | frozenset(_FRACTIONS)
_STARTS = frozenset(_UNITS) | frozenset(_FRACTIONS) | {"a"}  # words a figure can start with
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_TOKEN = re.compile(r"[$€£%]|\d+(?:[.,]\d+)*|[a-z]+")


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of a statement: its kind, its value, and whether it was hedged."""

    kind: Kind
    value: float
    hedged: bool = False

    def agrees(self, other: Figure) -> bool:
        """Whether two figures of one kind can state the same thing.

        >>> Figure("money", 1.8e9).agrees(Figure("money", 2e9, hedged=True))
        True
        >>> Figure("plain", 3.12).agrees(Figure("plain", 3.13))
        False
        """
        if self.value == other.value:
            return True
        if not (self.hedged or other.hedged):
            return False
        big = max(abs(self.value), abs(other.value))
        return abs(self.value - other.value) <= HEDGE_TOLERANCE * big


def _digits(token: str) -> float | None:
    """The value of a digit token: "12,000" → 12000, "3.13" stays a version-like 3.13."""
    if not token[0].isdigit():
        return None
    if _THOUSANDS.fullmatch(token):
        return float(token.replace(",", ""))
    return float(token) if _DECIMAL.fullmatch(token) else None


def _spelled(tokens: list[str], i: int) -> tuple[float, int] | None:
    """A spelled-out number starting at ``tokens[i]``: its value and the tokens it used.

    Reads "sixty nine" (the hyphen is gone), "one and a half", "a half", "half a",
    "twelve thousand", "two hundred fifty".
    """
    value, j, seen = 0.0, i, False
    while j < len(tokens) and tokens[j] in _UNITS:
        value += _UNITS[tokens[j]]
        j, seen = j + 1, True
        if j < len(tokens) and tokens[j] == "hundred":
            value, j = value * 100, j + 1
    if seen and tokens[j : j + 3] == ["and", "a", "half"]:
        return value + 0.5, j + 3 - i
    if not seen and tokens[j : j + 2] == ["half", "a"]:  # "half a cent", "half a million"
        return 0.5, 2
    if not seen and tokens[j : j + 2] in (["a", "half"], ["a", "quarter"]):
        return _FRACTIONS[tokens[j + 1]], 2
    if not seen and tokens[j] in _FRACTIONS and tokens[j + 1 : j + 2] == ["of"]:
        return _FRACTIONS[tokens[j]], 1  # "half of all developers"
    return (value, j - i) if seen else None


def _kind(tokens: list[str], start: int, end: int, value: float) -> tuple[Kind, float]:
    """The kind of the figure ``tokens[start:end]`` and its value in that kind's unit."""
    after = tokens[end] if end < len(tokens) else ""
    if start and tokens[start - 1] in ("$", "€", "£"):
        return "money", value
    if after in _MONEY_AFTER:
        return "money", value * _MONEY_AFTER[after]
    if after in ("percent", "%", "pct", "pc") or tokens[end : end + 2] == ["per", "cent"]:
        return "percent", value
    if end - start == 1 and value.is_integer() and 1900 <= value <= 2100:  # a bare "2019"
        return "year", value
    return "plain", value


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
    """
    tokens = _TOKEN.findall(text.lower().replace("-", " "))
    found: set[Figure] = set()
    i = 0
    while i < len(tokens):
        start = i
        if tokens[i] not in _STARTS and not tokens[i][0].isdigit():
            i += 1
            continue
        value = _digits(tokens[i])
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
        kind, value = _kind(tokens, start, i, value * scale)
        if kind == "plain" and i - start == 1 and tokens[start] == "one":
            continue  # "one" alone is a pronoun more often than a count
        if kind == "plain" and scale == 1 and value < 1 and spelled_out:
            kind, value = "percent", value * 100  # "a quarter of its staff": a share
        if kind == "money" and i < len(tokens) and tokens[i] in _MONEY_AFTER:
            i += 1
        hedged = _hedged(tokens[max(0, start - 2) : start])
        found.add(Figure(kind, value, hedged))
    return frozenset(found)


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
