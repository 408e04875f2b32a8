"""Labels with the bundled embedder: everyday words close to the quote fill the room left."""

from __future__ import annotations

import pytest

from podsift.digest.labels import TermCounts
from podsift.stories.embed import MiniLMEmbedder

WINDOW = ["Python is fun", "Python 3.14 is out", "An HTTP client", "The vendors like Python"]


@pytest.fixture(scope="module")
def counts() -> TermCounts:
    return TermCounts.from_texts(WINDOW, embed=MiniLMEmbedder().embed)


def test_everyday_words_close_to_the_quote_join_its_names(counts: TermCounts) -> None:
    said = "On Monday the education minister announced the cap on university tuition fees."
    # without the embedder, no word of this quote is a thing; far from it: "announced"
    assert TermCounts.from_texts(WINDOW).label([said]) == ""
    assert counts.label([said]) == "cap · tuition · fees"
    said = "On Wednesday, Priya Raman became the youngest ever national chess champion."
    label = counts.label([said]).split(" · ")
    assert label[0] == "Priya Raman" and "chess" in label and len(label) == 3


def test_names_and_rare_words_come_before_everyday_words(counts: TermCounts) -> None:
    said = "Lasse says XZ Utils release tarballs contain a backdoor, signed by Jia Tan."
    assert counts.label([said]) == TermCounts.from_texts(WINDOW).label([said])


def test_an_identifier_written_with_underscores_is_one_term(counts: TermCounts) -> None:
    label = counts.label(["So the OP_RETURN limit in Bitcoin Core is now a policy default."])
    assert "OP_RETURN" in label.split(" · ")
    assert "OP" not in label.split(" · ") and "RETURN" not in label.split(" · ")
