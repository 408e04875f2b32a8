"""The local extractor's version-2 fixes, each on real transcript text.

Sources: Python Bytes 377/480 and Talk Python 552 (VTT), Changelog News 88 (Markdown), Go
Time 327 and JS Party 300 (Markdown); see tests/data/insights/PROVENANCE.md and the demo
data's PROVENANCE.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from podsift.insights import LocalExtractorSettings
from podsift.insights.clean import clean_quote, light_clean
from podsift.insights.filters import (
    meta_reason,
    promo_reason,
    reject_reason,
    sponsor_block,
    sponsor_names,
)
from podsift.insights.local import LocalExtractor
from podsift.insights.sentences import is_heading, split_sentences
from podsift.models import Insight, Segment, Transcript
from podsift.transcripts import parse_transcript

DATA = Path(__file__).parents[1] / "data" / "insights"
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")


def load(name: str) -> Transcript:
    return parse_transcript((DATA / name).read_text(encoding="utf-8"), source=name)


@pytest.fixture(scope="module")
def news88() -> Transcript:
    return load("changelog-news-88.md")


@pytest.fixture(scope="module")
def news_all(news88: Transcript) -> list[Insight]:
    return LocalExtractor(LocalExtractorSettings(top_n=30)).extract(news88)


@pytest.fixture(scope="module")
def bytes_insights() -> list[Insight]:
    return LocalExtractor().extract(load("377-a-dramatic-episode.vtt"))


# 1. Headings (link titles on their own line) are sentences of their own, never insights.


@pytest.mark.parametrize("text", ["The discovery", "The code", "✊ The attacker", "The pattern"])
def test_link_titles_are_headings(text: str) -> None:
    assert is_heading(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ben Peven writing for Sentry:",
        "Have a great week, leave us a 5-star review if you dig it & I'll talk to you again "
        "real soon. 💚",
        "He says it's gonna take a little bit of time to --",
        "The exploit itself is super interesting as well.",
    ],
)
def test_sentences_and_lead_ins_are_not_headings(text: str) -> None:
    assert not is_heading(text)


def test_markdown_headings_stand_alone(news88: Transcript) -> None:
    _, sentences = split_sentences(news88)
    headings = [s.text for s in sentences if s.heading]
    assert {"The discovery", "The code", "The maintainer", "The attacker"} <= set(headings)
    texts = [s.text for s in sentences]
    assert "The exploit itself is super interesting as well." in texts
    assert not any(t.startswith("The code The exploit") for t in texts)


def test_headings_are_never_glued_onto_insights(news_all: list[Insight]) -> None:
    assert len(news_all) > 10
    for insight in news_all:
        # the verbatim quote shows a glued heading ("The attacker So the attacker is ..."); the
        # clean text of a real sentence may start like one ("The attacker is competent ...")
        for title in ("The discovery", "The code", "The maintainer", "The attacker", "The pattern"):
            assert not insight.quote.startswith(title + " "), insight.quote
    assert any(i.text.startswith("The exploit itself is super interesting") for i in news_all)


def test_captions_have_no_headings() -> None:
    # caption cues rarely end a sentence: they must not become headings
    segments = (
        Segment(0.0, 2.0, None, "So if you run homebrew on your Mac"),
        Segment(2.0, 4.0, None, "you should run brew info XZ."),
    )
    _, sentences = split_sentences(Transcript("t.vtt", "vtt", segments))
    assert [(s.text, s.heading) for s in sentences] == [
        ("So if you run homebrew on your Mac you should run brew info XZ.", False)
    ]


# 2. The hosts' own plugs (courses, books, memberships) are ads too.

PB480_PLUG = [  # Python Bytes 480, 30:41
    "My extras are Brian notes right in the middle here.",
    "If you go to Talk Python Training and go to courses, there's a coming soon label on the heat.",
    "Web security with agentic AI.",
    "Hmm.",
    "So I'm, I, people really liked my agentic AI programming course, you know, like how do "
    "you do AI programming, but engineering, not vibey.",
]
TP552_PLUG = [  # Talk Python 552, the mid-roll for the hosts' own courses
    "This portion of Talk Python To Me is brought to you by the courses and us over at Talk "
    "Python Training.",
    "After a conversation like this one with Charlie, it's hard not to feel the pull to go "
    "build something with AI.",
    "And that's exactly what our two newest courses are all about.",
    "The first is agentic AI programming for Python.",
    "You'll learn to work with AI like a sharp junior developer on your team, one that reads "
    "the whole code base, runs your tests, and cleans up on its own with Ruff, all while you "
    "stay in the driver's seat.",
    "It's about the guardrails and workflows that turn AI from a frustrating slop machine to a "
    "real force multiplier.",
    "And shipping faster means you have to ship safer.",
    "So in Python Web Security OWASP Top 10 with agentic AI, you'll build your own custom "
    "security agent that audits the entire code base in minutes for about the price of a "
    "fancy coffee.",
    "We'll turn it loose on real open source apps and find genuine vulnerabilities in every "
    "single one.",
    "Both courses are waiting for you over at talkpython.fm slash courses with direct links "
    "right there in your show notes.",
    "Thank you for supporting the show by taking one of our courses at Talk Python.",
]
CONTENT_AROUND = [
    "All right, let's talk about basically the tooling.",
    "For example, I just noticed if I scroll down somewhere, just yesterday you had a new "
    "release of uv.",
]


@pytest.mark.parametrize(
    "text",
    [
        PB480_PLUG[1],
        PB480_PLUG[4],
        TP552_PLUG[2],
        "Check out his course and a bunch of my courses over at Talk Python Training.",
        "I've got my Talk Python in production book, which is still going strong.",
        "Over at Talk Python, we just released a new free course.",
        "(If Changelog++ is new to you, it is our membership program you can join to ditch "
        "the ads, get closer to the metal with bonus content.)",
    ],
)
def test_promo_reason_flags_the_hosts_own_plugs(text: str) -> None:
    assert promo_reason(text) == "promo"


@pytest.mark.parametrize(
    "text",
    [
        "Of course, we can discuss this with him at that time as well.",
        "Polar is like Patreon, but tailored to software creators.",
        "The second oldest ticket is now fixed with a long awaited query string template tag.",
        "Actually the thing that I have left is I want to review all of the command line flags "
        "that I use in the course.",
        "Squarespace now hosts go.dev.",
    ],
)
def test_promo_reason_leaves_content_alone(text: str) -> None:
    assert promo_reason(text) is None


def test_a_read_out_address_is_not_an_insight() -> None:
    assert promo_reason("Just visit pythonbytes.fm/live.") == "url"
    assert reject_reason(TP552_PLUG[9]) is not None


def test_sponsor_block_drops_the_whole_course_plug() -> None:
    texts = [*CONTENT_AROUND[:1], *TP552_PLUG, *CONTENT_AROUND]
    blocked = sponsor_block(texts, sponsor_names(texts))
    assert set(range(1, 1 + len(TP552_PLUG))) <= blocked
    assert not blocked & {0, len(texts) - 2, len(texts) - 1}


def test_sponsor_block_drops_a_plug_the_host_talks_around() -> None:
    texts = [*PB480_PLUG, "It's the timings lining up.", *CONTENT_AROUND[1:]]
    blocked = sponsor_block(texts, sponsor_names(texts))
    assert {1, 2, 3, 4} <= blocked
    assert len(texts) - 1 not in blocked


# 3. Emoji and Markdown remnants leave the text; the quote stays verbatim.


def test_emoji_and_code_marks_leave_the_text() -> None:
    quote = "✊ The attacker Evan Boehs looked up the public history of `JiaT75` 😏."
    assert clean_quote(quote) == "The attacker Evan Boehs looked up the public history of JiaT75."
    assert clean_quote("Call this a Total Recall (😏), but Microsoft is pumping the brakes.") == (
        "Call this a Total Recall, but Microsoft is pumping the brakes."
    )


def test_changelog_insight_texts_have_no_emoji(news88: Transcript, news_all: list[Insight]) -> None:
    raw = " ".join(" ".join(s.text.split()) for s in news88.segments)
    assert EMOJI.search(raw)  # the transcript has some
    for insight in news_all:
        assert not EMOJI.search(insight.text), insight.text
        assert insight.quote in raw


# 4. False starts and stutters: no garbled phrases.


def test_false_start_is_dropped_not_merged() -> None:
    quote = "So if you, you should, if you run homebrew on your Mac, you should run brew info XZ."
    assert clean_quote(quote) == "If you run homebrew on your Mac, you should run brew info XZ."


@pytest.mark.parametrize(
    ("quote", "text"),
    [
        # collapsing "you, you" would read "if you should": keep the words as said
        ("And if you, you should update it.", "If you, you should update it."),
        # a phrase that closes one clause and opens the next is no false start
        ("Over a year of contribution from this account, this account was added as a "
         "release manager.",
         "Over a year of contribution from this account, this account was added as a "
         "release manager."),
        ("When an app crashes, an app crashes.", "When an app crashes, an app crashes."),
        ("Then we're going to, we're going to, we're going to have a way back.",
         "Then we're going to have a way back."),
        ("I spelled that to the, to my, to the wrong spot.", "I spelled that to the wrong spot."),
    ],
)  # fmt: skip
def test_clean_quote_never_garbles(quote: str, text: str) -> None:
    assert clean_quote(quote) == text


def test_light_clean_keeps_the_words() -> None:
    assert light_clean("So, um, if you, you should ✊") == "So if you, you should"


def test_python_bytes_homebrew_advice_reads_cleanly(bytes_insights: list[Insight]) -> None:
    texts = [i.text for i in bytes_insights]
    assert not any("If you should" in t or "you, you should" in t for t in texts)


# 5. Insights stand alone: no talk about the show, no introductions, no running order.


@pytest.mark.parametrize(
    "text",
    [
        "I also really enjoyed the recent episode diving into Nick Nisi's toolbox, number 278, "
        "where for the first time I heard about WezTerm.",
        "Aside from the occasional Frontend Feud episodes, I love the playful banter between "
        "Jerod and Nick on the controversial topic of TypeScript.",
        "And I think I didn't talk about it on this podcast because my intent was to talk about "
        "it on Testing Code and interview Michael.",
    ],
)
def test_meta_reason_flags_talk_about_the_show(text: str) -> None:
    assert meta_reason(text) == "meta"


@pytest.mark.parametrize(
    "text",
    [
        "I'm Ehden, I work at Contrast Security on our Go agent, and I've been programming for "
        "a medium amount of time, I guess, compared to Dylan.",
        "I'm Seth Larson, and I've been working at the Python Software Foundation for a little "
        "over a year now as the security developer in residence.",
        "I think it's- Brian, before you go on a little farther, because before we watch this, "
        "the real basics of it, basically this vulnerability was intentionally put there as a "
        "backdoor to break open SSH connections.",
    ],
)
def test_introductions_and_running_order_are_rejected(text: str) -> None:
    assert reject_reason(text) is not None


def test_meta_reason_leaves_podcast_tech_alone() -> None:
    assert meta_reason("Overcast is a podcast player for iOS.") is None
    assert meta_reason("I tried Recall for myself on the Microsoft Build show floor.") is None


def test_list_run_into_text_is_no_insight() -> None:
    news100 = parse_transcript(
        "**Jerod Santo:**\n\nIn the linked article, Stephan Schmidt lays out the case of mocking "
        "as an anti-pattern then describes a series of things you can do instead. Namely:\n\n"
        "- More unit testing\n- Easier to Test IO\n- Just do IO\n"
        "- Separation of logic and services / IO\n- E2E integration tests\n",
        source="news-100.md",
    )
    for insight in LocalExtractor().extract(news100):
        assert not insight.text.endswith("integration tests"), insight.text


# The story stated plainly ranks among the top insights.


def test_python_bytes_states_the_xz_backdoor_plainly(bytes_insights: list[Insight]) -> None:
    plain = [i for i in bytes_insights if "there was a backdoor added to" in i.text]
    assert plain and plain[0].start is not None and 360 <= plain[0].start <= 380
