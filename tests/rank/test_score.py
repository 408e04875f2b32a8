"""Ranking stories: breadth × salience × substance × recency, pure and deterministic."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime, timedelta

import pytest

from podsift.insights import fluency, substance
from podsift.models import Mention, StoryView
from podsift.rank import best_told_first, rank_stories, reading_order, reads_alone
from podsift.rank.score import telling

NOW = datetime(2024, 4, 2, 12, 0, tzinfo=UTC)
TEXT = "Django 6.0 ships background tasks, so small apps can drop Celery."
SUBSTANCE = substance(TEXT)


def mention(show: str, score: float, n: int = 0) -> Mention:
    return Mention(
        insight_id=f"{show}-{n}",
        show=show,
        episode=f"{show} episode",
        speaker=None,
        text=TEXT,
        quote="quote",
        link=None,
        start=None,
        score=score,
    )


def story(
    ident: str, shows: list[str], score: float = 0.8, age_days: float | None = 0.0
) -> StoryView:
    last = None if age_days is None else NOW - timedelta(days=age_days)
    mentions = tuple(mention(s, score, n) for n, s in enumerate(shows))
    return StoryView(id=ident, mentions=mentions, first_seen=last, last_seen=last)


def test_three_shows_beat_one_of_equal_salience() -> None:
    ranked = rank_stories([story("solo", ["A"]), story("wide", ["A", "B", "C"])], now=NOW)
    assert [r.story.id for r in ranked] == ["wide", "solo"]
    assert ranked[0].score == pytest.approx(0.8 * (1 + math.log2(3)) * SUBSTANCE)


def test_breadth_counts_distinct_shows_only() -> None:
    ranked = rank_stories([story("x", ["A", "A", "A"]), story("y", ["A", "B"])], now=NOW)
    assert [r.story.id for r in ranked] == ["y", "x"]
    assert dict(ranked[1].reasons)["breadth"] == 1.0


def test_older_story_loses_to_newer_of_equal_breadth() -> None:
    ranked = rank_stories(
        [story("old", ["A", "B"], age_days=10), story("new", ["A", "B"], age_days=1)], now=NOW
    )
    assert [r.story.id for r in ranked] == ["new", "old"]
    assert dict(ranked[1].reasons)["recency"] == pytest.approx(0.5 ** (10 / 7))


def test_half_life_and_unknown_or_future_last_seen() -> None:
    ranked = rank_stories(
        [
            story("week", ["A"], age_days=7),
            story("unknown", ["B"], age_days=None),
            story("future", ["C"], age_days=-2),
        ],
        now=NOW,
    )
    recency = {r.story.id: dict(r.reasons)["recency"] for r in ranked}
    assert recency == pytest.approx({"week": 0.5, "unknown": 1.0, "future": 1.0})


def test_salience_is_the_best_mention() -> None:
    s = StoryView("s", (mention("A", 0.2), mention("B", 0.9, 1)), last_seen=NOW)
    (ranked,) = rank_stories([s], now=NOW)
    assert dict(ranked.reasons)["salience"] == 0.9
    assert [name for name, _ in ranked.reasons] == [
        "breadth",
        "salience",
        "substance",
        "worth",
        "recency",
        "judgement",
        "novelty",
        "interest",
        "feedback",
    ]
    assert ranked.score == pytest.approx(2 * 0.9 * SUBSTANCE)


def test_already_sent_and_empty_stories_are_excluded() -> None:
    stories = [story("a", ["A", "B"]), story("b", ["A"]), StoryView("empty", ())]
    ranked = rank_stories(stories, now=NOW, already_sent=frozenset({"a"}))
    assert [r.story.id for r in ranked] == ["b"]


def test_at_most_limit_distinct_and_deterministic() -> None:
    stories = [story(f"s{i}", ["A"] * (i % 3 + 1), score=0.5) for i in range(12)]
    stories += [story("s3", ["A", "B", "C", "D"], score=0.1)]  # a weaker duplicate view of s3
    ranked = rank_stories(stories, now=NOW, limit=5)
    ids = [r.story.id for r in ranked]
    assert len(ids) == 5 == len(set(ids))
    assert ids == sorted(ids)  # every score ties, so the order is by story id
    assert rank_stories(stories[::-1], now=NOW, limit=5) == ranked
    assert rank_stories(stories, now=NOW, limit=0) == []


def test_scores_descend() -> None:
    stories = [
        story(f"s{i}", ["A", "B", "C"][: i % 3 + 1], score=0.1 * i, age_days=i) for i in range(9)
    ]
    scores = [r.score for r in rank_stories(stories, now=NOW, limit=9)]
    assert scores == sorted(scores, reverse=True)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="limit"):
        rank_stories([], now=NOW, limit=-1)
    with pytest.raises(ValueError, match="half"):
        rank_stories([], now=NOW, recency_half_life_days=0)


def with_text(ident: str, text: str, shows: list[str], score: float = 0.8) -> StoryView:
    base = story(ident, shows, score)
    return StoryView(
        ident,
        tuple(Mention(**{**_fields(m), "text": text}) for m in base.mentions),
        base.first_seen,
        base.last_seen,
    )


def _fields(m: Mention) -> dict[str, object]:
    return {name: getattr(m, name) for name in Mention.__slots__}


@pytest.mark.parametrize(
    "text",
    [
        "Those are the options, and honestly they all work fine for most teams.",
        "Oh, the biggest one of all is what happened with the packaging work.",
        "That was a long tangent, but it really mattered to me at the time.",
        "Have you tried the new resolver in uv 0.5 on a big monorepo yet?",
        "Everybody can understand that, really.",
        # the agenda, real lines of the demo and dev crowds that blind judges scored 1 of 5
        "Let's talk about Python, specifically Python 3.13. It's just right around the corner.",
        "Coming up, we get into funding for Spack and how Todd keeps this thing alive.",
        "And on Friday Kelsey Hightower joins Adam and I on Changelog & Friends!",
        # an alternative to what was just said (Ship It!, scored 2 of 5 by both judges)
        "Or you wouldn't even want a PC, because eventually that tower is going to get all "
        "kinds of stuff into, and it's going to break down.",
    ],
)
def test_a_story_that_does_not_stand_alone_never_reaches_the_five(text: str) -> None:
    """Central and told by three shows, yet it leans on context: it is not ranked at all."""
    stories = [with_text("lean", text, ["A", "B", "C"], 1.0), story("plain", ["D"], 0.3)]
    ranked = rank_stories(stories, now=NOW)
    assert [r.story.id for r in ranked] == ["plain"]


def test_a_story_that_says_more_outranks_an_equally_central_one() -> None:
    vague = with_text("vague", "Caching the wheels made our builds much faster overall.", ["A"])
    exact = with_text("exact", "uv 0.5 caches wheels, and CI builds at Astral fell 40%.", ["A"])
    ranked = rank_stories([vague, exact], now=NOW)
    assert [r.story.id for r in ranked] == ["exact", "vague"]
    assert dict(ranked[1].reasons)["substance"] > 0


def test_a_whole_point_outranks_a_fragment_of_it_equally_central() -> None:
    """How much a passage says counts: its distinct content words, up to a whole point."""
    fragment = with_text("fragment", "Django 6.0 ships background tasks, finally.", ["A"])
    whole = with_text(
        "whole",
        "Django 6.0 ships background tasks: a view queues an email or a report and returns at "
        "once, and a separate worker process runs the job later, with retries.",
        ["A"],
    )
    ranked = rank_stories([fragment, whole], now=NOW)
    assert [r.story.id for r in ranked] == ["whole", "fragment"]
    said = [dict(r.reasons)["substance"] for r in ranked]
    assert said[1] < 0.5 * said[0]


def test_a_rambling_quote_ranks_below_the_same_point_said_plainly() -> None:
    plain = with_text("plain", TEXT, ["A"])
    said = "So, like, Django 6.0, um, it ships -- you know, it ships background tasks, I mean."
    first = plain.mentions[0]
    rambling = dataclasses.replace(
        plain, id="rambling", mentions=(dataclasses.replace(first, quote=said),)
    )
    ranked = rank_stories([rambling, plain], now=NOW)
    assert [r.story.id for r in ranked] == ["plain", "rambling"]
    assert dict(ranked[1].reasons)["substance"] < 0.5 * dict(ranked[0].reasons)["substance"]


# From the written3 crowd (benchmarks/crowds/written3, Apache-2.0): one piece of news as two
# shows told it, a bare line and the whole of it.
STRIKE_BARE = (
    "Yesterday, Wednesday, the Rail Drivers Union, the drivers' union, announced a "
    "forty-eight-hour national strike."
)
STRIKE_WHOLE = (
    "The Rail Drivers Union, the train drivers, have called a forty-eight-hour national rail "
    "strike on Tuesday the twentieth and Wednesday the twenty-first of October. It's about pay "
    "— the operators offered three and a half percent, the union wants six."
)


def told_by(show: str, text: str, score: float) -> Mention:
    return dataclasses.replace(mention(show, score), text=text, quote=text)


def test_a_story_is_led_and_weighed_by_its_best_telling() -> None:
    bare = told_by("Full Time", STRIKE_BARE, 0.9)
    whole = told_by("Evening Wrap", STRIKE_WHOLE, 0.6)
    assert best_told_first((bare, whole)) == (whole, bare)
    assert best_told_first((whole, bare)) == (whole, bare)
    as_stored = StoryView("strike", (bare, whole), NOW, NOW)
    led = dataclasses.replace(as_stored, mentions=best_told_first(as_stored.mentions))
    said = [dict(rank_stories([v], now=NOW)[0].reasons)["substance"] for v in (as_stored, led)]
    assert said[1] > 1.5 * said[0]


def test_the_representative_keeps_the_lead_unless_another_tells_it_better() -> None:
    first, same = told_by("A", TEXT, 0.8), told_by("B", TEXT, 0.8)
    assert best_told_first((first, same)) == (first, same)  # a tie
    leaning = told_by("C", "Those are the options, and they all work.", 1.0)
    assert best_told_first((leaning, first)) == (first, leaning)  # 0: it cannot stand alone
    assert best_told_first((first, leaning)) == (first, leaning)
    assert best_told_first(()) == ()


# From the written8 crowd (benchmarks/crowds/written8, Apache-2.0): a prize told by two shows
# and named in a rundown, whose opening is the end of the story before.
PRIZE_RUNDOWN = (
    "Product improvement. It'll be up to the court what that covers. And then, Tuesday night, "
    "about half past nine, at the Halloran Corn Exchange in Port Halloran, the Ferrier Prize for "
    "Fiction went to a debut."
)
PRIZE_TOLD = (
    "On Tuesday night, at about half past nine, at the Halloran Corn Exchange in Port Halloran, "
    "the Ferrier Prize for Fiction for twenty twenty-six went to The Salt Ledger, by Tomasz "
    "Reyne, published by Marrow Press."
)
PRIZE_AGAIN = (
    "For anyone who's missed it, on Tuesday night, about half nine, at the Halloran Corn "
    "Exchange in Port Halloran, the Ferrier Prize for Fiction went to The Salt Ledger, by Tomasz "
    "Reyne, from Marrow Press. Forty thousand pounds. It's his debut, his first novel."
)


def test_a_rundown_that_names_the_news_does_not_lead_the_tellings_of_it() -> None:
    told, again = told_by("The Longlist", PRIZE_TOLD, 0.6), told_by("Shelf Life", PRIZE_AGAIN, 0.6)
    rundown = told_by("The Week in Books", PRIZE_RUNDOWN, 0.8)
    assert telling(rundown) > max(telling(told), telling(again))  # alone, it would lead
    assert best_told_first((told, rundown, again))[0] is not rundown
    assert best_told_first((rundown, told, again))[0] is not rundown


# From the written19 crowd (benchmarks/crowds/written19, Apache-2.0): an airline's reply told
# by three shows, one of them after the end of what was said before it.
REPLY_AFTER = (
    "Just overnight, so the daytime schedule carries on. And then at Kessa Air Link, Rafael "
    "Mendeth said that all 46 of our pilots have done retraining on wet-runway landings since "
    "the accident."
)
REPLY_TOLD = (
    "From the airline, Rafael Mendeth, Kessa Air Link's chief executive, says that since the "
    "accident all 46 of its pilots have been through retraining in wet-runway landings."
)
REPLY_SHORT = (
    "Kessa Air Link, Rafael Mendeth, said all 46 of its pilots have now completed retraining in "
    "wet-runway landings since the accident."
)


def test_a_telling_is_weighed_from_its_first_sentence_on_the_story() -> None:
    after = told_by("Off the Roster", REPLY_AFTER, 0.7)
    told = told_by("The Evening Manifest", REPLY_TOLD, 0.66)
    short = told_by("Top of Descent", REPLY_SHORT, 0.66)
    assert telling(after) > telling(told)  # its first sentence's words count as said
    assert best_told_first((after, told, short))[0] is told
    assert best_told_first((short, after, told))[0] is told


# From the written26 crowd (benchmarks/crowds/written26, Apache-2.0): a joke of four sentences
# before the news is weighed from the sentence that names it, and the telling with its date and
# its ministry leads.
BAN_JOKE = (
    "Big garden competition. Lawns. Drama. People crying into hedges. Except they'd have a "
    "terrible series this year, because the hosepipe ban starts Monday."
)
BAN_TOLD = (
    "In case you've been under a rock, or a flowerpot, there's a hosepipe ban coming. It was "
    "announced by the Ministry of Environment yesterday, so that's Wednesday the sixteenth of "
    "October."
)


def test_every_sentence_before_the_first_on_the_story_is_left_out_of_its_weight() -> None:
    joke = told_by("Popcorn Tax", BAN_JOKE, 0.8)
    told = told_by("Dirt Under the Nails", BAN_TOLD, 0.6)
    assert telling(joke) > telling(told)  # weighed whole, the joke's words count as said
    assert best_told_first((joke, told))[0] is told
    assert best_told_first((told, joke))[0] is told


# From the written10 crowd (benchmarks/crowds/written10, Apache-2.0): a telling whose opening
# states nothing ("I won't.") cannot stand alone, whatever follows it.
SIGNING_AFTER = (
    "I won't. So, one last time, for anyone who's just turned on. Joel Amankwah, twenty-four, "
    "has joined Ardent City from Greyhaven United for a Premier Division record forty-two "
    "million pounds, completed last night, Wednesday the thirteenth."
)
SIGNING_TOLD = (
    "Wednesday, the thirteenth: Ardent City signed Joel Amankwah from Greyhaven United for "
    "forty-two million pounds. That's a Premier Division record."
)


def test_a_telling_that_cannot_stand_alone_never_leads() -> None:
    after = told_by("Deadline Desk", SIGNING_AFTER, 0.9)
    told = told_by("The Final Whistle", SIGNING_TOLD, 0.5)
    assert telling(after) == 0.0
    assert best_told_first((after, told)) == (told, after)


# From the written8 crowd (benchmarks/crowds/written8, Apache-2.0): a budget measure told by
# two shows, one of them around its teller's own morning.
BUDGET_AROUND = (
    "Yesterday, Thursday, in the Winter Budget, the Treasury Secretary, Colm Ashdown, stood up "
    "and— I nearly dropped my tea, genuinely— announced that VAT on ebooks and audiobooks is "
    "being cut from twenty percent to zero."
)
BUDGET_TOLD = (
    "Colm Ashdown, the Treasury Secretary, announced that VAT on ebooks and audiobooks is going "
    "from twenty percent to zero. From the first of April twenty twenty-seven."
)


def test_the_telling_of_the_news_leads_the_telling_of_the_teller() -> None:
    around = told_by("Between the Ears", BUDGET_AROUND, 0.8)
    told = told_by("The Trade", BUDGET_TOLD, 0.7)
    assert best_told_first((around, told))[0] is told
    assert best_told_first((told, around))[0] is told
    # a story is still weighed by what its lead says and how fluently, not by its teller
    alone = StoryView("budget", (around,), NOW, NOW)
    said = dict(rank_stories([alone], now=NOW)[0].reasons)["substance"]
    assert said == pytest.approx(substance(BUDGET_AROUND) * fluency(BUDGET_AROUND), abs=1e-6)


def test_the_five_come_surest_point_first_and_the_score_picks_them() -> None:
    """Breadth and salience pick a story into the five; among the five, the item that reads
    surest as a point on its own comes first (#21)."""
    mine = "I switched my team to uv last month and my builds got faster, I think."
    big = Mention("big-0", "A", "A episode", None, mine, mine, None, None, 0.9)
    wide = StoryView("wide", tuple(dataclasses.replace(big, insight_id=f"big-{n}", show=s)
                                   for n, s in enumerate("ABC")), NOW, NOW)  # fmt: skip
    plain = StoryView("plain", (dataclasses.replace(mention("D", 0.5), quote=TEXT),), NOW, NOW)
    picked = rank_stories([wide, plain], now=NOW)
    assert [r.story.id for r in picked] == ["wide", "plain"]  # three shows: the bigger story
    ordered = reading_order(picked)
    assert [r.story.id for r in ordered] == ["plain", "wide"]
    assert reads_alone(ordered[0]) > reads_alone(ordered[1])
    assert reading_order(ordered) == ordered and reading_order([]) == []


def test_reading_order_keeps_the_pick_order_of_equals() -> None:
    a, b = (StoryView(i, (mention(i, 0.8),), NOW, NOW) for i in ("a", "b"))
    picked = rank_stories([a, b], now=NOW)
    assert [r.story.id for r in reading_order(picked)] == [r.story.id for r in picked]
    assert [r.story.id for r in reading_order(picked[::-1])] == ["b", "a"]
