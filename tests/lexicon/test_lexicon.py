"""The word lists in podsift/lexicon/data and the tokenisers of podsift.lexicon."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from podsift.lexicon import (
    OPPOSITES,
    STOPWORDS,
    alternation,
    content_words,
    lower_tokens,
    normalised_spans,
    normalised_tokens,
    phrases,
    word_set,
    word_values,
    words,
)

DATA = resources.files("podsift.lexicon") / "data"
LISTS = sorted(p.name.removesuffix(".txt") for p in DATA.iterdir() if p.name.endswith(".txt"))
#: Lists whose header says they hold regular expressions.
REGEX_LISTS = [
    n for n in LISTS if "regular expression" in (DATA / f"{n}.txt").read_text(encoding="utf-8")
]
SECTION = re.compile(r"^\[([a-z_]+)\]$", re.MULTILINE)


def sections(name: str) -> list[str]:
    text = (DATA / f"{name}.txt").read_text(encoding="utf-8")
    return ["", *SECTION.findall(text)]


def test_lists_are_found() -> None:
    assert {"stopwords", "opposites", "numbers", "sponsors", "fillers"} <= set(LISTS)


@pytest.mark.parametrize("name", LISTS)
def test_every_list_says_what_it_is_for(name: str) -> None:
    first = (DATA / f"{name}.txt").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first) > 20


@pytest.mark.parametrize("name", LISTS)
def test_no_list_repeats_an_entry(name: str) -> None:
    for section in sections(name):
        lines = phrases(name, section)
        assert len(lines) == len(set(lines)), (name, section)


@pytest.mark.parametrize("name", REGEX_LISTS)
def test_regular_expression_lists_compile(name: str) -> None:
    for section in sections(name):
        if phrases(name, section):
            re.compile(alternation(name, section))


def test_an_unknown_section_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match=r"no section \[nope\] in lexicon list 'fillers'"):
        phrases("fillers", "nope")


def test_continuation_lines_join_the_line_before() -> None:
    # "growing" opens the second line of the rise/fall pair in opposites.txt
    assert any("rose" in own and "fell" in other for own, other in OPPOSITES["growing"])
    assert any("rose" in other for _, other in OPPOSITES["falling"])


def test_values_keep_their_type() -> None:
    assert word_values("numbers", "units", int)["seven"] == 7
    assert word_values("numbers", "durations", float)["month"] == 30.44 * 86_400
    assert word_values("numbers", "fractions", float)["third"] == 1 / 3


def test_comments_and_headers_are_not_words() -> None:
    assert not any(w.startswith(("#", "[")) for w in STOPWORDS)
    assert "not" in word_set("negation", "negations")


def test_words_and_normalised_tokens_split_differently() -> None:
    text = "Python 3.12 isn’t C++"
    assert words(text) == ["Python", "3.12", "isn’t", "C++"]
    assert normalised_tokens(text) == ["python", "3", "12", "isn't", "c"]
    assert [w for w, _, _ in normalised_spans(text)] == normalised_tokens(text)
    assert lower_tokens(text) == ["python", "3.12", "is", "n't", "c"]
    assert content_words(text) == {"python", "3.12", "c++"}  # "isn't" is a stopword
