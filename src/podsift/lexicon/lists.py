"""The fixed word lists, read once from the text files in ``data/``: code holds the rules, the
data files hold the words.

A list file starts with a comment saying what the list is for, then holds one word or phrase
a line. Lines that start with ``#`` are comments and blank lines are skipped; a line that
starts with whitespace continues the line before it; a line ``[name]`` starts a section.
Phrase lists whose header says so hold regular expressions, one alternative a line, for the
module that uses them to join (:func:`alternation`).

>>> "the" in STOPWORDS, "python" in STOPWORDS
(True, False)
>>> word_values("numbers", "tens", int)["sixty"]
60
>>> phrases("negation", "prefixes")[:3]
('un', 'dis', 'non')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TypeVar

__all__ = [
    "OPPOSITES",
    "STOPWORDS",
    "Poles",
    "alternation",
    "phrases",
    "word_set",
    "word_values",
]

T = TypeVar("T")

_SECTION = re.compile(r"\[([a-z_]+)\]")


@cache
def _sections(name: str) -> dict[str, tuple[str, ...]]:
    """Return the lines of list file ``name`` by section (``""``: before the first header)."""
    path = resources.files("podsift.lexicon") / "data" / f"{name}.txt"
    sections: dict[str, list[str]] = {"": []}
    lines = sections[""]
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if raw[0].isspace() and lines:
            lines[-1] = f"{lines[-1]} {line}"
        elif header := _SECTION.fullmatch(line):
            lines = sections.setdefault(header.group(1), [])
        else:
            lines.append(line)
    return {section: tuple(found) for section, found in sections.items()}


def phrases(name: str, section: str = "") -> tuple[str, ...]:
    """Return the lines of list ``name`` (of its ``[section]``), in the file's order.

    Raises:
        KeyError: the list has no such section.
    """
    found = _sections(name)
    if section not in found:
        raise KeyError(f"no section [{section}] in lexicon list {name!r}")
    return found[section]


def word_set(name: str, section: str = "") -> frozenset[str]:
    """Return the words (or phrases) of list ``name`` (of its ``[section]``) as a set."""
    return frozenset(phrases(name, section))


def word_values(name: str, section: str, convert: Callable[[str], T]) -> dict[str, T]:
    """Return the ``word value`` lines of list ``name``'s ``[section]``, values read by
    ``convert``, in the file's order."""
    pairs = (line.rsplit(None, 1) for line in phrases(name, section))
    return {word: convert(value) for word, value in pairs}


def alternation(name: str, section: str = "") -> str:
    """Return the phrases of a list as one regular expression alternation (``a|b|c``).

    >>> alternation("fillers", "tags")
    'you know|i mean'
    """
    return "|".join(phrases(name, section))


#: Words that carry no meaning of their own in speech (see ``data/stopwords.txt``).
STOPWORDS = word_set("stopwords")

#: Two groups of surface forms that contradict each other ("rose" / "fell").
Poles = tuple[frozenset[str], frozenset[str]]


def _poles(lines: tuple[str, ...]) -> dict[str, list[Poles]]:
    """Map each form to every (its own group, the opposite group) it belongs to."""
    out: dict[str, list[Poles]] = {}
    for line in lines:
        if "|" not in line:
            continue
        left, right = (frozenset(side.split()) for side in line.split("|"))
        for own, other in ((left, right), (right, left)):
            for form in own:
                out.setdefault(form, []).append((own, other))
    return out


#: Surface form → its (pole, opposite pole) pairs (see ``data/opposites.txt``).
OPPOSITES = _poles(phrases("opposites"))
