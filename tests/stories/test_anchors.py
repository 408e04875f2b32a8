"""Anchors (#17): a story is one claim, so two shows must name the same specific things.

Pure checks of :mod:`podsift.stories.anchors`, then the real MiniLM model grouping a crowd:
the real remarks of the demo's shows (tests/data/stories/demo-pairs.jsonl) as the window.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podsift.models import Statement
from podsift.stories import create_embedder, group_statements
from podsift.stories.anchors import WindowTerms, specific_terms

DEMO_PAIRS = Path(__file__).parents[1] / "data" / "stories" / "demo-pairs.jsonl"


def test_names_next_to_each_other_are_one_thing_and_figures_count_by_value() -> None:
    window = WindowTerms.of([])
    assert window.shared_things("XZ Utils hides a backdoor", "a backdoor in XZ Utils") == 2
    assert window.shared_things("The Linux Foundation met", "at the Linux Foundation") == 1
    assert window.shared_things("Google cut 12,000 jobs", "Google let twelve thousand go") == 2


def test_a_figure_and_its_unit_are_one_thing() -> None:
    """Two points that both say "64 bytes" or "20 minutes" share one thing, not two (the
    issue's "64 bytes" merge; a dev crowd merge of two remarks on giving talks)."""
    window = WindowTerms.of([])
    assert window.shared_things("Keys are 64 bytes long.", "A header of 64 bytes, fixed.") == 1
    assert window.shared_things("My talk ran 20 minutes over", "That was a fun 20 minutes") == 1


def test_ordinary_words_rare_by_chance_are_no_anchor_without_a_name() -> None:
    window = WindowTerms.of([])
    assert specific_terms("I'm really excited about building it") == frozenset()
    assert window.shared_things("I'm excited about building", "building it, so excited") == 0


def test_a_sentence_opening_word_is_a_name_only_as_the_web_writes_it() -> None:
    """A capitalised word that opens a sentence is a name only when English writes it
    capitalised more often (a written10 merge of two remarks on "Next" and "derby")."""
    window = WindowTerms.of([])
    assert specific_terms("Next week is the derby. Next up, the table.") == frozenset()
    assert window.shared_things("Next week, the derby.", "Next, the big derby day.") == 0
    # a name opening a sentence is still a name, and a word used as a name inside one too
    assert specific_terms("Microsoft announced it. Then Microsoft left.") == {"microsoft"}
    assert specific_terms("It is written in Rust.") == {"rust"}


def test_a_term_common_in_the_window_is_no_anchor() -> None:
    crowd = [f"Python tip number {k}: Pandas is handy" for k in range(60)]
    window = WindowTerms.of([*crowd, "Python and Pandas again", "Pandas with Python"])
    assert window.anchors("Python and Pandas again", "Pandas with Python") == frozenset()
    # the same two texts alone: nothing else in the window uses the words
    assert WindowTerms.of([]).anchors("Python and Pandas", "Pandas with Python") == {
        "python",
        "panda",
    }


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    return create_embedder("minilm-l6-int8")


def crowd() -> list[Statement]:
    """The demo's real remarks (both sides of every pair), each with its show."""
    rows = [json.loads(line) for line in DEMO_PAIRS.read_text(encoding="utf-8").splitlines()]
    texts = {(r[side], r[f"show_{side}"]) for r in rows for side in ("a", "b")}
    return [Statement(f"d{k}", text, show) for k, (text, show) in enumerate(sorted(texts))]


def shows_of(statements: list[Statement], members: tuple[str, ...]) -> set[str | None]:
    by_id = {s.id: s.show for s in statements}
    return {by_id[m] for m in members}


#: One claim in six shows' words: the seed of podsift (one story told many times).
SEED = [
    "Musk had Twitter engineers print their lines of code, so lines of code became the target:"
    " Goodhart's law in action.",
    "Once Twitter ranked its engineers by lines of code, the number stopped meaning anything."
    " Classic Goodhart.",
    "Goodhart's law again: Twitter turned lines of code into a target and it stopped measuring"
    " productivity.",
    "Ranking Twitter's engineers by lines of code was Goodhart's law waiting to happen.",
    "At Twitter, lines of code became a target, so by Goodhart's law it ceased to be a good"
    " measure of work.",
    "Measuring Twitter engineers on lines of code just invites Goodhart's law: make it a target"
    " and people game it.",
]


def test_one_claim_told_by_six_shows_is_one_story_in_a_crowd(embedder) -> None:  # type: ignore[no-untyped-def]
    statements = crowd() + [Statement(f"s{k}", t, f"Show {k}") for k, t in enumerate(SEED)]
    clusters = group_statements(statements, embedder.embed([s.text for s in statements]))
    seed = {f"s{k}" for k in range(len(SEED))}
    (story,) = [c for c in clusters if seed & set(c.members)]
    assert set(story.members) == seed


@pytest.mark.parametrize(
    "texts",
    [
        # the same claim in two languages
        [
            ("en", "A backdoor was found in XZ Utils 5.6.0 and 5.6.1."),
            ("es", "Se encontró una puerta trasera en XZ Utils 5.6.0 y 5.6.1."),
        ],
        # empty and one-word statements
        [("a", ""), ("b", "Python"), ("c", "python"), ("d", " ")],
        # the same statement twice from one show, once from no show
        [("a", "Redis changed its licence."), ("a", "Redis changed its licence."), (None, "Redis")],
    ],
)
def test_bad_input_makes_no_multi_show_story(embedder, texts) -> None:  # type: ignore[no-untyped-def]
    statements = [Statement(str(k), t, show) for k, (show, t) in enumerate(texts)]
    clusters = group_statements(statements, embedder.embed([s.text for s in statements]))
    assert sorted(m for c in clusters for m in c.members) == sorted(s.id for s in statements)
    for c in clusters:
        assert len(shows_of(statements, c.members) - {None}) <= 1
