"""Whether a passage stands on its own (issue 21), on spoken passages far from software."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podsift.insights import standalone_reason, substance
from podsift.insights.clean import clean_quote

WRITTEN = Path(__file__).parents[1] / "data" / "worth" / "spoken-train.jsonl"


@pytest.mark.parametrize(
    "text",
    [
        # a subject named alone, then the point
        "Founder vesting. Four years with a one-year cliff is the default, and acceleration "
        "decides what happens when the company is sold.",
        "Soil testing. We pull samples every two and a half acres and found we had been "
        "putting down far more phosphorus than the fields needed.",
        "The shoulder season thing. Portugal in late October is still warm, the crowds are "
        "gone and hotels in Lisbon drop their prices by a third.",
        # a letter and a full stop is an abbreviation, not the end of a sentence
        "Gideon v. Wainwright, decided in 1963, held that states must provide a lawyer to "
        "defendants in felony cases who cannot afford one.",
        # "of these" before a noun is no part of something said before
        "All of these changes take effect in May, when the fee falls from 40 to 25 crowns.",
        # "one" before a noun is a number, not a noun left out
        "The one percent rule is a quick screen for rental properties: monthly rent should be "
        "at least one percent of the purchase price.",
    ],
)
def test_a_point_opening_with_its_subject_stands_alone(text: str) -> None:
    assert standalone_reason(text) is None
    assert substance(text) > 0


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("I don't even remember. It wasn't long ago that Django tasks were added.", "no claim"),
        ("Right, right, exactly. And the whole empire thing keeps coming back, century after "
         "century, in the same pattern.", "no claim"),
        ("Also a great guy. He's the dude from the Mu editor who wrote the post.", "no claim"),
        ("Oh, the biggest one of all is the packaging story, and it took years.", "points back"),
        ("I like that one, and the rest of the list is fine too.", "no claim"),
        # an answer to what was just said, with figures of its own (written7, Apache-2.0;
        # scored 2 / 2 by fresh blind judges in the day's five)
        ("[laughs] For three hundred and ten million, I'd hope so. That's, what, a bit over "
         "fourteen million a train, which is roughly what you'd expect for something new.",
         "points back"),
        ("I don't think so. The ban starts on the first of November, for every household.",
         "points back"),
        # a pronoun's contraction: who "they" are is in the minute before (written10, scored
        # 2 / 2 / 2 / 2 as the day's number 1 by fresh blind judges)
        ("They've bought eighty percent of the club from the Pryce family, for two hundred "
         "and ten million pounds.", "points back"),
        # a part of something said before (written14, a detail three shows gave; 2 / 2 in
        # the day's five by fresh blind judges)
        ("About eighteen thousand tonnes of it went out to customers, from March 2025 right "
         "through to September 2026.", "points back"),
    ],
)  # fmt: skip
def test_an_opening_that_states_nothing_or_points_back_still_does_not(text: str, why: str) -> None:
    assert standalone_reason(text) is not None
    assert substance(text) == 0


def test_written_points_stand_and_fragments_do_not() -> None:
    """450 passages written blind in 18 domains far from software, each with the kind its
    writer meant (blind judges scored the points 4.1 and the fragments 1.0 on average)."""
    rows = [json.loads(line) for line in WRITTEN.read_text(encoding="utf-8").splitlines()]
    zeroed: dict[str, list[bool]] = {}
    for row in rows:
        zeroed.setdefault(row["kind"], []).append(substance(clean_quote(row["text"])) == 0)
    points = zeroed["point"] + zeroed["messy_point"]
    assert sum(points) / len(points) <= 0.05  # 19 of 216 before the openings were mended
    assert sum(zeroed["leaning"]) / len(zeroed["leaning"]) >= 0.9
