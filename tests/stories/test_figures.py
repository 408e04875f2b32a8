"""Figures read as values: spelled-out numbers, scales, units, hedges (pure, no model)."""

from __future__ import annotations

import pytest

from podsift.stories.figures import Figure, figures, figures_conflict


def _values(text: str) -> list[tuple[str, float, bool]]:
    return sorted((f.kind, f.value, f.hedged) for f in figures(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Google laid off about twelve thousand employees", [("plain", 12000.0, True)]),
        ("some 12,000 people", [("plain", 12000.0, True)]),
        ("a 1.5 million dollar grant", [("money", 1.5e6, False)]),
        ("one and a half million in funding", [("plain", 1.5e6, False)]),
        ("paying roughly sixty-nine billion", [("plain", 69e9, True)]),
        ("around $69bn", [("money", 69e9, True)]),
        ("five cents per hour", [("money", 0.05, False)]),
        ("half a cent per hour", [("money", 0.005, False)]),
        ("6 percent of its workforce", [("percent", 6.0, False)]),
        ("25 per cent of staff", [("percent", 25.0, False)]),
        ("a quarter of its staff", [("percent", 25.0, False)]),
        ("half of all developers", [("percent", 50.0, False)]),
        ("Tokyo shares close 0.88pc lower", [("percent", 0.88, False)]),
        ("close to 40 percent", [("percent", 40.0, True)]),
        ("stocks up 3 pct", [("percent", 3.0, False)]),
        ("up to 3 pct", [("percent", 3.0, True)]),
        ("back in 2019", [("year", 2019.0, False)]),
        ("Python 3.13 and Rust 1.85", [("plain", 1.85, False), ("plain", 3.13, False)]),
        ("one of the best talks", []),
        ("nothing to count here", []),
        ("roughly one point six five billion dollars", [("money", 1.65e9, True)]),
        ("a hundred and ten billion euros", [("money", 110e9, False)]),
        ("two hundred and fifty people", [("plain", 250.0, False)]),
        ("a dozen shows", [("plain", 12.0, False)]),
        ("nine fifty", [("plain", 9.0, False), ("plain", 50.0, False)]),  # no 59
        ("three quarters of a percentage point", [("percent", 0.75, False)]),
        ("a 75 basis point hike", [("percent", 0.75, False)]),
        ("a quarter point cut", [("percent", 0.25, False)]),
        ("two thirds of voters", [("percent", round(200 / 3, 9), False)]),
        ("about eight weeks later", [("duration", 8 * 7 * 86400.0, True)]),
        ("a decade ago", [("duration", 3652.5 * 86400, False)]),
        ("the 2015-16 season", [("year", 2015.0, False), ("year", 2016.0, False)]),
        ("his seventh title", [("ordinal", 7.0, False)]),
        ("the 21st century", [("ordinal", 21.0, False)]),
        ("ten metres per second", [("plain", 10.0, False)]),  # a unit, no ordinal
        ("a second term", [("ordinal", 2.0, False)]),
        ("in one second", [("duration", 1.0, False)]),
        # years as people say them, broken off too (written10, Apache-2.0)
        ("November two thousand and— oh-nine", [("plain", 9.0, False), ("year", 2000.0, False)]),
        ("April, two thousand and— two thousand and eight", [("year", 2000.0, False),
                                                          ("year", 2008.0, False)]),
        ("two thousand people", [("plain", 2000.0, False)]),
        ("between 10–20 percent", [("percent", 20.0, False), ("plain", 10.0, False)]),
    ],
)  # fmt: skip
def test_figures_are_read_as_values_of_a_kind(
    text: str, expected: list[tuple[str, float, bool]]
) -> None:
    assert _values(text) == expected


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        (
            "Microsoft paid 7.5 billion dollars",
            "an all-share deal worth seven and a half billion dollars",
            False,
        ),
        ("The EU fined Apple 1.8 billion euros", "a penalty of nearly two billion euros", False),
        ("1.8 billion euros", "2 billion euros", True),  # unhedged: exact
        ("half a cent per hour", "five cents per hour", True),
        ("in 2019", "in 2021", True),
        ("crashed in July 2024", "bricked 8.5 million PCs", False),  # a year, a count
        ("30 percent of staff", "a quarter of staff", True),
        ("Python 3.12", "Python 3.13", True),
        ("Python 3.1", "Python 3.13", True),  # versions are not rounded
        ("rose 0.7 per cent", "rose 0.66 percent", False),  # rounded
        ("a $1.7bn deal", "a $1.65bn deal", False),
        ("a $1bn deal", "a $1.2bn deal", True),  # no decimal: not a rounding
        ("rose 4 percent", "rose 4.1 percent", True),
        ("75 basis points", "three quarters of a percentage point", False),
        ("released after two days", "released 48 hours later", False),
        ("about two months after launch", "roughly eight weeks after launch", False),
        ("nine years", "a decade", True),
        ("two days", "two weeks", True),
        ("his sixth Super Bowl", "his seventh Super Bowl", True),
        ("in 2016", "the 2015–16 season", False),
        ("two thirds of voters", "67 percent of voters", False),
    ],
)
def test_figures_of_one_kind_conflict_unless_they_agree(a: str, b: str, conflict: bool) -> None:
    assert figures_conflict(figures(a), figures(b)) is conflict
    assert figures_conflict(figures(b), figures(a)) is conflict


def test_only_a_hedged_figure_agrees_within_the_tolerance() -> None:
    exact, near = Figure("money", 1.8e9), Figure("money", 2e9)
    assert not exact.agrees(near)
    assert exact.agrees(Figure("money", 2e9, hedged=True))
    assert not exact.agrees(Figure("money", 3e9, hedged=True))
