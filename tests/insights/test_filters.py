"""Sentence filters on real transcript sentences (Python Bytes 377, Changelog News 88/99)."""

from __future__ import annotations

import pytest

from podsift.insights.clean import clean_quote, strip_markdown
from podsift.insights.filters import (
    announced_ads,
    edge_factor,
    housekeeping_reason,
    intro_outro_reason,
    question_reason,
    reject_reason,
    small_talk_reason,
    sponsor_block,
    sponsor_names,
    sponsor_reason,
    whole_turn_is_ad,
)

# Python Bytes 377, 14:23-16:13: the Scout APM read, sentence by sentence.
SCOUT_READ = [
    "I'm glad you covered this.",
    "Well, we would like to thank Scout APM for sponsoring this episode.",
    "Thanks, Scout.",
    "Let me tell you real quick about Scout APM.",
    "They're big supporters of Python Bytes, so we appreciate that very much.",
    "So if you are tired of spending hours trying to find the root cause of issues impacting "
    "your performance, then you owe it to yourself to check out Scout APM.",
    "Seriously, you can do it in less than four minutes.",
    "So that's awesome.",
    "And the best part is the pricing is straightforward.",
    "So you can start your free trial and get instant insights today.",
    "Visit by them by set of him slash Scout.",
    "The link is in your podcast player show notes as well.",
    "Check them out.",
    "It really supports the show indeed.",
    "Next up, I'd like to talk about Python 3.12 and what changed.",
]

CONTENT = [
    "The upstream xz repository and the xz tarballs have been backdoored.",
    "And they just happened to work for some state sponsored hacker group.",
    "So if you run homebrew on your Mac, you should run brew info XZ.",
    "XZ Utils 5.6.0 and 5.6.1 release tarballs contain a backdoor.",
    "They also have they provide the pro version for free to all open source projects, "
    "which is a pattern more companies should follow with maintainers.",
    "The claim is supported by evidence from three trials in 2024.",
]


@pytest.mark.parametrize(
    "text",
    [
        "This episode is sponsored by Scout APM.",
        "Well, we would like to thank Scout APM for sponsoring this episode.",
        "It's now time for Sponsored News!",
        "and don't forget to use code `CHANGELOG` when you sign up for Sentry to get $100 off.",
        "Thank you to FireHydrant for sponsoring this episode of Changelog News!",
        # a show's name, then its sponsor's (written8, Apache-2.0)
        "The Trade is supported by Corvid Research, and yes, before anyone emails, that is "
        "Priya's employer.",
        "Support for this podcast comes from Tallis Audio.",
    ],
)
def test_sponsor_reason_flags_ad_sentences(text: str) -> None:
    assert sponsor_reason(text) == "sponsor"


@pytest.mark.parametrize("text", CONTENT)
def test_content_sentences_pass_every_filter(text: str) -> None:
    assert reject_reason(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Hello and welcome to Python Bytes, where we deliver Python news and headlines "
        "directly to your earbuds.",
        "This is episode 377, recorded April 2nd, 2024, so it's not an April Fool's joke.",
        "And if you'd like to join us live for the live show, show up at pythonbytes.fm/live.",
        "Get the newsletter, and then you can send that.",
        "What up, nerds? I'm Jerod and this is Changelog News for the week of Monday.",
        "Thanks for listening, see you next week.",
        "Please subscribe and leave a review wherever you listen.",
    ],
)
def test_intro_outro_reason_flags_show_furniture(text: str) -> None:
    assert intro_outro_reason(text) == "intro"


@pytest.mark.parametrize(
    "text",
    [
        "Ok, let's get into the news.",
        "Well, my last topic was kind of dramatic.",
        "Over to you.",
        "Do you have any extras for us?",
        "Extra, extra, extra, read all about it.",
        "That's my extra this week.",
    ],
)
def test_housekeeping_reason_flags_running_order(text: str) -> None:
    assert housekeeping_reason(text) == "housekeeping"


@pytest.mark.parametrize(
    "text",
    [
        "If you're 50 or older you can put in an extra seventy-five hundred as a catch-up.",
        "You don't get extra points for being bootstrapped.",
    ],
)
def test_extra_as_an_adjective_is_not_housekeeping(text: str) -> None:
    assert housekeeping_reason(text) is None


def test_question_reason_only_for_questions() -> None:
    assert question_reason("Have you been keeping up on XZ?") == "question"
    assert question_reason('He asked "why?"') == "question"
    assert question_reason("XZ is a compression library.") is None


@pytest.mark.parametrize("text", ["Yeah.", "Yeah, that's cool.", "Wow.", "Awesome. [laughs]"])
def test_small_talk_reason_flags_reactions(text: str) -> None:
    assert small_talk_reason(text) == "reaction"


def test_small_talk_reason_flags_low_content_lines_but_not_claims() -> None:
    assert small_talk_reason("I don't know.") is not None
    assert small_talk_reason("It gets managed on its own.") == "small talk"
    assert small_talk_reason("Anthropic invested $1.5 million in the PSF.") is None


def test_sponsor_names_learns_the_sponsor_and_its_short_form() -> None:
    names = sponsor_names(["This episode is sponsored by Scout APM.", *SCOUT_READ])
    assert {"Scout APM", "Scout"} <= names


def test_sponsor_names_skips_common_words() -> None:
    texts = ["This episode is sponsored by Python Tutor.", *["Python is great."] * 30]
    assert "Python" not in sponsor_names(texts)


def test_sponsor_block_drops_the_whole_read_and_nothing_else() -> None:
    texts = [*CONTENT, *SCOUT_READ]
    blocked = sponsor_block(texts, sponsor_names(texts))
    first = len(CONTENT) + 1
    assert set(range(first, first + 13)) <= blocked  # thank-you .. "supports the show"
    assert not blocked & set(range(len(CONTENT)))
    assert len(texts) - 1 not in blocked  # "Next up" is housekeeping, not the ad


def test_sponsor_block_ignores_a_lone_weak_cue() -> None:
    texts = ["Check them out.", *CONTENT]
    assert sponsor_block(texts, set()) == set()


def test_announced_ads_run_to_the_closing_cue() -> None:
    texts = [
        "Ok, moving on.",
        "It's not time for Sponsored News!",
        "Ben Peven writing for Sentry:",
        "Sentry knows a lot about the inner workings of an application's codebase.",
        "I've used this a couple times and was pleasantly surprised by its ideas.",
        "Oh, and don't forget to use code CHANGELOG when you sign up for Sentry.",
        "The pattern: the original maintainer burns out.",
    ]
    assert announced_ads(texts) == {1, 2, 3, 4, 5}


def test_whole_turn_is_ad_needs_several_hits() -> None:
    assert whole_turn_is_ad(SCOUT_READ, {"Scout APM", "Scout"})
    assert not whole_turn_is_ad([*CONTENT, "Check them out."], set())


def test_edge_factor_penalises_only_the_ends() -> None:
    assert edge_factor(0.0) == edge_factor(1.0) == 0.5
    assert edge_factor(0.5) == 1.0
    assert edge_factor(0.1, edge=0.2, penalty=0.1) == 0.1


@pytest.mark.parametrize(
    ("quote", "text"),
    [
        ("So, um, the the new release is, like, twice as fast, you know.",
         "The new release is twice as fast."),
        ("Yeah, I, I think uv is great.", "I think uv is great."),
        ("And it's, uh, XZ Utils 5.6.1.", "It's XZ Utils 5.6.1."),
        ("I mean, I know that that is wrong.", "I know that that is wrong."),
    ],
)  # fmt: skip
def test_clean_quote_removes_disfluencies(quote: str, text: str) -> None:
    assert clean_quote(quote) == text


def test_strip_markdown_keeps_words_only() -> None:
    raw = (
        r"[The code](https://x.y) by _Lasse_ > > \[54:14\] **says** "
        r"\[unintelligible 00:10:27.27\] ok"
    )
    assert " ".join(clean_quote(strip_markdown(raw)).split()) == "The code by Lasse says ok"


def test_a_mis_heard_sponsor_name_is_still_a_sponsor() -> None:
    # Python Bytes 350: speech to text wrote Sentry as "century"; the whole read is labelled
    texts = [
        "So as I said at the beginning, century is sponsoring this episode and the next, "
        "so support the show.",
        "I know you didn't tell us, but we found out anyway, because we have century.",
    ]
    assert "century" in sponsor_names(texts)
