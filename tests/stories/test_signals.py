"""The textual conflict checks: pure functions of two texts (no model)."""

from __future__ import annotations

import pytest

from podsift.stories.signals import (
    SignalWeights,
    minimal_edit,
    name_conflict,
    negation_conflict,
    number_conflict,
    opposite_conflict,
    order_conflict,
    pair_penalty,
    text_signals,
)


def _check(check, a: str, b: str) -> float:  # type: ignore[no-untyped-def]
    forward = check(text_signals(a), text_signals(b))
    assert forward == check(text_signals(b), text_signals(a)), "checks are symmetric"
    return float(forward)


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        ("Microsoft acquired GitHub in 2018.", "GitHub acquired Microsoft in 2018.", True),
        (
            "The attacker spent two years gaining the maintainer's trust.",
            "The maintainer spent two years gaining the attacker's trust.",
            True,
        ),
        # a clause moved, a list reordered, a passive voice: same claim
        (
            "Rumsfeld said Tuesday it will take time to locate remnants of the regime in Iraq.",
            "It will take time to locate remnants of the regime in Iraq, Rumsfeld said Tuesday.",
            False,
        ),
        (
            "Amazon, Google and Microsoft announced layoffs.",
            "Google, Microsoft and Amazon announced layoffs.",
            False,
        ),
        (
            "Kroger and Albertsons locked out workers.",
            "Albertsons and Kroger locked out workers.",
            False,
        ),
        # two names of two words each swap places around the relation
        (
            "In the final, Rafael Nadal beat Novak Djokovic in four sets.",
            "In the final, Novak Djokovic beat Rafael Nadal in four sets.",
            True,
        ),
        # a clause with a name in it moved: same claim
        (
            "The Sydney Opera House's first opera was performed in September 1973.",
            "In September 1973, the first opera was performed at the Sydney Opera House.",
            False,
        ),
        # figures reordered around a name that is capitalised in one text only: same claim
        (
            "IAC's stock closed yesterday down $2.81, or 7.6 percent, at $34.19.",
            "InterActiveCorp's shares closed at $34.19, down $2.81, or 7.6 percent on the"
            " Nasdaq Stock Market.",
            False,
        ),
        # a phrase of time or place moved to the front, the roles put in other words: same
        (
            "The EMA gave final approval to the weight-loss drug Wegovy in January 2022.",
            "In January 2022, the weight-loss drug Wegovy received final approval from the EMA.",
            False,
        ),
        (
            "Scientists found that the new diet cut the risk of heart attacks by about 30"
            " percent in the ALPHA study.",
            "In the ALPHA study, the risk of heart attacks fell by about 30 percent among people"
            " on the new diet.",
            False,
        ),
        # names swap around a long relation: another claim
        (
            "Linus Torvalds publicly rejected a late pull request from Kent Overstreet.",
            "Kent Overstreet publicly rejected a late pull request from Linus Torvalds.",
            True,
        ),
    ],
)
def test_order_conflict_is_a_swap_around_the_same_relation(a: str, b: str, conflict: bool) -> None:
    assert (_check(order_conflict, a, b) == 1.0) is conflict


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        (
            "Stack Overflow traffic rose after ChatGPT.",
            "Stack Overflow traffic fell after ChatGPT.",
            True,
        ),
        ("Google hired 200 engineers.", "Google laid off 200 engineers.", True),
        ("The compiler got faster by 15 percent.", "The compiler got slower by 15 percent.", True),
        (
            "Stack Overflow traffic dropped after ChatGPT.",
            "Stack Overflow traffic fell after ChatGPT.",
            False,
        ),
        ("Shares rose early, then fell.", "Shares fell after rising early.", False),
        (
            "The court acquitted the former minister.",
            "The court convicted the former minister.",
            True,
        ),
        ("The EU lifted sanctions on the bank.", "The EU imposed sanctions on the bank.", True),
        ("She tested positive for the virus.", "She tested negative for the virus.", True),
        ("Critics praised the film.", "Critics panned the film.", True),
        ("The panel voted in favour of the drug.", "The panel voted against the drug.", True),
        # "most" as a quantifier is no pole (the written crowd's short-term rental ruling)
        (
            "A judge blocked the ban, which would have banned most Airbnb-type rentals.",
            "A judge blocked the ban: the state had not shown it would lower rents.",
            False,
        ),
        ("Rents were higher this year.", "Rents were the lowest in a decade.", True),
    ],
)
def test_opposite_conflict_needs_each_text_on_its_own_side(a: str, b: str, conflict: bool) -> None:
    assert (_check(opposite_conflict, a, b) > 0) is conflict


def test_negation_counts_only_as_a_small_edit() -> None:
    assert (
        _check(
            negation_conflict, "Copilot is free for students.", "Copilot is not free for students."
        )
        == 1.0
    )
    assert (
        _check(
            negation_conflict,
            "Homebrew collects analytics.",
            "Homebrew no longer collects analytics.",
        )
        == 1.0
    )
    # a rewrite that happens to contain "not" is for the cosine to judge
    assert (
        _check(
            negation_conflict,
            "The union had not yet revealed which chain would be targeted.",
            "The union said it would reveal later which chain would be targeted.",
        )
        == 0.0
    )


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        (
            "The board approved the merger of the two banks last week.",
            "The board failed to approve the merger of the two banks last week.",
            True,
        ),
        ("Adobe managed to buy Figma.", "Adobe failed to buy Figma.", True),
        (
            "The UK rejoined the Horizon research programme in 2023.",
            "The UK refused to rejoin the Horizon research programme in 2023.",
            True,
        ),
        (
            "The new telescope has captured its first image of the galaxy.",
            "The new telescope has yet to capture its first image of the galaxy.",
            True,
        ),
        (
            "Rescuers reached the village cut off by the floods.",
            "Rescuers were unable to reach the village cut off by the floods.",
            True,
        ),
        # both deny, or "failed" is no verb before "to"
        (
            "UN monitors yet to reach site of the clash",
            "UN monitors unable to reach site of the clash",
            False,
        ),
        ("The probe failed to land.", "The probe did not land.", False),
        ("The first test failed twice.", "The first test broke twice.", False),
        ("Shares declined to $10.", "Shares fell to $10.", False),
        ("Shares declined to ten dollars.", "Shares rose to ten dollars.", False),
        (
            "The senator attended the state dinner at the White House on Friday.",
            "The senator declined to attend the state dinner at the White House on Friday.",
            True,
        ),
    ],
)
def test_a_word_that_denies_what_follows_is_a_negation(a: str, b: str, conflict: bool) -> None:
    assert (_check(negation_conflict, a, b) == 1.0) is conflict


def test_numbers_conflict_when_none_is_shared_or_one_is_swapped() -> None:
    assert _check(number_conflict, "Python 3.13 ships a JIT.", "Python 3.12 ships a JIT.") == 1.0
    assert (
        _check(
            number_conflict,
            "Rust 1.85 shipped the 2024 edition.",
            "Rust 1.75 shipped the 2024 edition.",
        )
        == 1.0
    )
    assert (
        _check(number_conflict, "It cost 7.5 billion in 2018.", "In 2018 it paid 7.5 billion.")
        == 0.0
    )
    assert _check(number_conflict, "Python 3.13 ships a JIT.", "Python ships a JIT.") == 0.0


def test_a_swapped_name_conflicts_but_title_case_marks_no_names() -> None:
    assert (
        _check(
            name_conflict,
            "The outage hit airlines in Europe.",
            "The outage hit airlines in Australia.",
        )
        == 1.0
    )
    assert (
        _check(
            name_conflict,
            "Navy Jet Crashes Into Apartment Building",
            "Navy Jet Crashes Into Apartment Block",
        )
        == 0.0
    )
    # another form of the same name is no swap
    a, b = "Two blasts hit the capital of Syria today.", "Two blasts hit the Syrian capital today."
    assert _check(name_conflict, a, b) == 0.0
    a, b = "Staff left the U.S. embassy.", "Staff left the US embassy."
    assert _check(name_conflict, a, b) == 0.0


def test_figures_worded_differently_agree() -> None:
    a, b = "The deal was worth 7.5 billion dollars.", "The deal was worth seven and a half billion."
    assert _check(number_conflict, a, b) == 0.0
    a, b = (
        "Pulls are capped at one hundred every six hours.",
        "Pulls are capped at 100 per six hours.",
    )
    assert _check(number_conflict, a, b) == 0.0
    # a year on one side and a count on the other are not the same figure
    a, b = "The outage hit in July 2024.", "The outage hit 8.5 million PCs."
    assert _check(number_conflict, a, b) == 0.0
    a, b = "It costs half a cent an hour.", "It costs five cents an hour."
    assert _check(number_conflict, a, b) == 1.0


def test_a_negative_form_or_an_inflected_verb_still_negates() -> None:
    a, b = "Most users trust the new tools.", "Most users distrust the new tools."
    assert _check(negation_conflict, a, b) == 1.0
    a, b = (
        "The kernel now accepts drivers in Rust.",
        "The kernel still does not accept drivers in Rust.",
    )
    assert _check(negation_conflict, a, b) == 1.0
    # a prefix that negates nothing: "install" is no "not stall"
    a, b = "Engines stall in the cold.", "Engines install in the cold."
    assert _check(negation_conflict, a, b) == 0.0
    a, b = "The login is secure by default.", "The login is insecure by default."
    assert _check(negation_conflict, a, b) == 1.0


def test_a_name_swap_counts_in_one_place_and_not_for_another_form_of_it() -> None:
    # many names in a sentence are no Title Case
    a = "Matt Mullenweg banned WP Engine from using WordPress.org resources."
    b = "Matt Mullenweg banned Kinsta from using WordPress.org resources."
    assert _check(name_conflict, a, b) == 1.0
    for a, b in [
        ("The Pakistan army vows to fight on.", "The Pak army vows to fight on."),
        ("The Supreme Court upholds the result.", "The SC upholds the result."),
        ("Talks with the Taliban resume.", "Talks with the Taleban resume."),
    ]:
        assert _check(name_conflict, a, b) == 0.0, (a, b)
    # a rare word for a rare word is a name swap too, however it is written
    a, b = "The npm registry pulled the package.", "The pypi registry pulled the package."
    assert _check(name_conflict, a, b) == 1.0
    a, b = "The coach quits the club.", "The coach resigns from the club."
    assert _check(name_conflict, a, b) == 0.0
    # a name dropped here and another added there is a rewording, not a swap
    a = "Senator Jane Smith slips to fourth place in the new poll."
    b = "Smith falls to fourth in the new Ohio poll."
    assert _check(name_conflict, a, b) == 0.0


def test_minimal_edit_is_none_for_a_rewrite() -> None:
    assert minimal_edit(text_signals("Docker is free"), text_signals("Podman costs money")) is None
    assert minimal_edit(text_signals("Docker is free"), text_signals("Docker is free")) == (
        frozenset(),
        frozenset(),
    )


def test_penalty_is_the_weighted_sum_and_zero_weights_are_off() -> None:
    a, b = text_signals("Traffic rose in 2023 again"), text_signals("Traffic fell in 2024 again")
    assert pair_penalty(a, b, SignalWeights()) == 0.0
    assert pair_penalty(a, b, SignalWeights(numbers=0.5)) == 0.5
    both = pair_penalty(a, b, SignalWeights(numbers=0.5, opposites=1.0))
    assert both == pytest.approx(0.5 + opposite_conflict(a, b))
