"""The news cue of the passage score: direct statements of news, in any field."""

from __future__ import annotations

import pytest

from podsift.insights.scoring import news

# Tellings of news from the written crowds (benchmarks/crowds/written*, Apache-2.0): sport,
# games, law, politics, besides the software news the cue was first written for.
NEWS = [
    "Kelsford United have been fined thirty thousand pounds, because their players surrounded"
    " the referee.",
    "The QA testers and player-support staff at Nine Lamps have voted to join a union.",
    "Tidebound, the co-op ocean-exploration adventure from Mirelight Studio, has been delayed.",
    "At Halbrook Crown Court, Callum Breck, who's twenty-nine, was sentenced to four years.",
    "The council has officially approved the new tram line to Eastgate.",
    "The club has confirmed that its captain has ruptured her cruciate ligament.",
    "A backdoor was found in xz utils, the compression library.",
]
# Background and opinion about the same subjects: no news stated.
NOT_NEWS = [
    "Nine Lamps is in Austin. It's owned by Pellucid Games, the Los Angeles publisher.",
    "Gridline FC is Brightmoor's annual football game, a new one every autumn.",
    "Handheld performance is brutal. People don't realise how brutal.",
    "XZ is a compression tool that a lot of Linux distributions ship.",
]


@pytest.mark.parametrize("text", NEWS)
def test_news_of_any_field_is_read_as_news(text: str) -> None:
    assert news(text) > 0.5


@pytest.mark.parametrize("text", NOT_NEWS)
def test_background_is_not_news(text: str) -> None:
    assert news(text) == 0.0
