"""Grouping statements into stories (pure, hand-made vectors) and reading the command input."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest

from podsift.exceptions import PodsiftError
from podsift.models import Cluster, Statement
from podsift.stories import (
    DEFAULT_THRESHOLD,
    StatementFormatError,
    assign_to_stories,
    cluster_id,
    cluster_to_json,
    create_embedder,
    group_statements,
    natural_key,
    read_statements,
)
from podsift.stories.anchors import MIN_COVERAGE
from podsift.stories.group import TOLD_ALIKE_MARGIN, Linkage, off_claim
from podsift.stories.signals import SignalWeights


def vec(*values: float) -> npt.NDArray[np.float32]:
    """A unit vector from ``values``."""
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


# Three topics on three axes; "near" rows lean a little off their axis. The texts are
# placeholders, so these tests of the vectors turn the anchor check (which reads the texts,
# tests/stories/test_anchors.py) off with ``min_anchors=0``.
ROWS = {
    "1": vec(1, 0, 0),
    "2": vec(0, 1, 0),
    "3": vec(1, 0.2, 0),
    "10": vec(0.95, 0, 0.25),
    "11": vec(0, 0, 1),
    "20": vec(0, 1, 0.1),
}


def statements(ids: list[str]) -> tuple[list[Statement], npt.NDArray[np.float32]]:
    """Statements with the ``ROWS`` vectors, in the given order."""
    # texts without figures, so that the number check never fires
    texts = {i: "text " + i.translate(str.maketrans("0123456789", "abcdefghij")) for i in ids}
    return [Statement(i, texts[i]) for i in ids], np.vstack([ROWS[i] for i in ids])


def as_sets(clusters: list[Cluster]) -> set[frozenset[str]]:
    return {frozenset(c.members) for c in clusters}


def test_groups_near_vectors_and_keeps_the_rest_apart() -> None:
    s, v = statements(list(ROWS))
    clusters = group_statements(s, v, threshold=0.8, min_anchors=0)
    assert as_sets(clusters) == {
        frozenset({"1", "3", "10"}),
        frozenset({"2", "20"}),
        frozenset({"11"}),
    }
    assert [c.members for c in clusters] == [("1", "3", "10"), ("2", "20"), ("11",)]


def test_every_id_in_exactly_one_cluster() -> None:
    s, v = statements(list(ROWS))
    for threshold in (-1.0, 0.0, 0.5, 0.9, 1.01):
        members = [
            m for c in group_statements(s, v, threshold=threshold, min_anchors=0) for m in c.members
        ]
        assert sorted(members) == sorted(ROWS)


def test_threshold_extremes() -> None:
    s, v = statements(list(ROWS))
    assert len(group_statements(s, v, threshold=1.01, min_anchors=0)) == len(ROWS)
    assert len(group_statements(s, v, threshold=-1.0, min_anchors=0)) == 1


def test_grouping_does_not_depend_on_input_order() -> None:
    ids = list(ROWS)
    expected = group_statements(*statements(ids), threshold=0.8, min_anchors=0)
    for perm in itertools.islice(itertools.permutations(ids), 0, 720, 37):
        assert group_statements(*statements(list(perm)), threshold=0.8, min_anchors=0) == expected


def test_ties_are_broken_the_same_whatever_the_order() -> None:
    # Three identical vectors: every pair ties; the result must still be one fixed answer.
    s = [Statement(i, "same") for i in ("b", "a", "c")]
    v = np.vstack([vec(1, 1)] * 3)
    first = group_statements(s, v, threshold=0.5, min_anchors=0)
    assert group_statements(s[::-1], v, threshold=0.5, min_anchors=0) == first
    assert first[0].members == ("a", "b", "c")
    assert first[0].representative == "a"


def test_representative_is_the_most_central_member() -> None:
    s = [Statement("1", "edge"), Statement("2", "middle"), Statement("3", "other edge")]
    v = np.vstack([vec(1, 0.3), vec(1, 0), vec(1, -0.3)])
    (cluster,) = group_statements(s, v, threshold=0.5, min_anchors=0)
    assert cluster.representative == "2"


def test_representative_ties_go_to_higher_score_then_smaller_id() -> None:
    v = np.vstack([vec(1, 0)] * 3)
    s = [Statement("1", "a", score=0.1), Statement("2", "b", score=0.9), Statement("3", "c")]
    assert group_statements(s, v, threshold=0.5, min_anchors=0)[0].representative == "2"
    s = [Statement("10", "a", score=0.5), Statement("9", "b", score=0.5)]
    assert group_statements(s, v[:2], threshold=0.5, min_anchors=0)[0].representative == "9"


def test_cluster_ids_are_stable_and_derived_from_members() -> None:
    s, v = statements(list(ROWS))
    clusters = group_statements(s, v, threshold=0.8, min_anchors=0)
    assert clusters[0].id == cluster_id(["10", "3", "1"]) == cluster_id(["1", "3", "10"])
    assert clusters[0].id.startswith("c")
    assert len({c.id for c in clusters}) == len(clusters)


def test_average_linkage_does_not_chain() -> None:
    # a~b and b~c are close, a and c are not: single linkage would chain all three.
    s = [Statement("a", ""), Statement("b", ""), Statement("c", "")]
    v = np.vstack([vec(1, 0), vec(np.cos(0.6), np.sin(0.6)), vec(np.cos(1.2), np.sin(1.2))])
    clusters = group_statements(s, v, threshold=0.8, min_anchors=0)
    assert len(clusters) == 2


@pytest.mark.parametrize(
    ("linkage", "threshold", "groups"),
    [
        ("single", 0.6, 1),  # a~b and b~c at 0.77: the chain joins all three
        ("average", 0.6, 2),  # (a, b) to c: mean of 0.17 and 0.77 is 0.47
        ("average", 0.45, 1),
        ("complete", 0.45, 2),  # (a, b) to c: the lowest, 0.17
    ],
)
def test_linkage_sets_how_far_a_group_reaches(
    linkage: Linkage, threshold: float, groups: int
) -> None:
    s = [Statement("a", ""), Statement("b", ""), Statement("c", "")]
    v = np.vstack([vec(np.cos(a), np.sin(a)) for a in np.radians([0, 40, 80])])
    clusters = group_statements(s, v, threshold=threshold, linkage=linkage, min_anchors=0)
    assert len(clusters) == groups
    # a statement at 10 degrees to a story of members at 0 and 80 degrees (cosines 0.98,
    # 0.34): it joins where the linkage's similarity to the members reaches the threshold
    link = {"single": 0.98, "average": 0.66, "complete": 0.34}[linkage]
    existing = [("s", vec(1, 1))]
    got = assign_to_stories(
        [Statement("n", "")],
        np.array([vec(np.cos(np.radians(10)), np.sin(np.radians(10)))]),
        existing,
        threshold=0.5,
        member_vectors={"s": v[[0, 2]]},
        linkage=linkage,
    )
    assert got == [("n", "s" if link >= 0.5 else None)]


def test_empty_and_bad_input() -> None:
    assert group_statements([], np.zeros((0, 384), dtype=np.float32)) == []
    with pytest.raises(ValueError, match="one vector row per statement"):
        group_statements([Statement("1", "x")], np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="duplicate statement ids: 1"):
        group_statements([Statement("1", "x")] * 2, np.ones((2, 3), dtype=np.float32))


def test_natural_key_orders_numbers_by_value() -> None:
    assert sorted(["10", "2", "1", "a10", "a2", "b"], key=natural_key) == [
        "1",
        "2",
        "10",
        "a2",
        "a10",
        "b",
    ]


def test_assign_joins_existing_stories_and_groups_the_rest() -> None:
    s, v = statements(["1", "2", "3", "11", "20"])
    existing = [("s-x", vec(1, 0.1, 0)), ("s-far", vec(-1, 0, 0))]
    result = assign_to_stories(s, v, existing, threshold=0.8, min_anchors=0)
    assert [sid for sid, _ in result] == ["1", "2", "3", "11", "20"]
    story = dict(result)
    assert story["1"] == story["3"] == "s-x"
    assert story["2"] == story["20"] == cluster_id(["2", "20"])
    assert story["11"] is None


def test_a_spread_out_story_is_joined_by_the_mean_cosine_to_its_members() -> None:
    # two members at right angles: the story's centroid lies between them, and a statement
    # near the centroid is far from both members (cosine 0.5 each, 0.71 to the centroid)
    members = np.array([vec(1, 0, 0), vec(0, 1, 0)])
    existing = [("s-spread", vec(1, 1, 0))]
    new = [Statement("1", "a statement between the two")]
    between = np.array([vec(0.5, 0.5, 0.7071)])
    assert assign_to_stories(new, between, existing, threshold=0.6, min_anchors=0) == [
        ("1", "s-spread")
    ]
    by_members = {"s-spread": members}
    got = assign_to_stories(
        new, between, existing, threshold=0.6, member_vectors=by_members, min_anchors=0
    )
    assert got == [("1", None)]
    # close to both members on average: it joins
    near = np.array([vec(0.8, 0.6, 0)])
    got = assign_to_stories(
        new, near, existing, threshold=0.6, member_vectors=by_members, min_anchors=0
    )
    assert got == [("1", "s-spread")]


def test_another_show_counts_once_in_a_story_by_its_member_nearest_the_statement() -> None:
    # a story of two remarks of one show at right angles; a statement of another show is
    # near the first (0.9) and far from the second (0.0): the mean (0.45) and the centroid
    # (0.64) miss the threshold, the show's nearest remark reaches it
    members = np.array([vec(1, 0, 0), vec(0, 1, 0)])
    existing = [("s-news", vec(1, 1, 0))]
    near_first = np.array([vec(0.9, 0, 0.436)])
    kwargs = {"threshold": 0.7, "member_vectors": {"s-news": members}, "min_anchors": 0}
    other_show = [Statement("1", "", "bytes")]
    assert assign_to_stories(other_show, near_first, existing, **kwargs) == [("1", None)]
    shows = {"s-news": ["news", "news"]}
    got = assign_to_stories(other_show, near_first, existing, member_shows=shows, **kwargs)
    assert got == [("1", "s-news")]
    # the show's own next remark still reads every remark of the show
    own_show = [Statement("1", "", "news")]
    got = assign_to_stories(own_show, near_first, existing, member_shows=shows, **kwargs)
    assert got == [("1", None)]


def test_a_statement_joins_the_most_similar_of_its_nearest_stories() -> None:
    # the nearest centroid (0.92) is a story of one member; the next (0.89) is a story of two
    # remarks of one show, the one nearest the statement at 0.95: the statement joins that
    statement = vec(0.95, 0, 0.312)
    one = 0.92 * statement + 0.392 * vec(0, 1, 0)
    existing = [("s-one", one), ("s-two", vec(1, 0, 1))]
    members = {"s-one": np.array([one]), "s-two": np.array([vec(1, 0, 0), vec(0, 0, 1)])}
    assert float(statement @ one) > float(statement @ vec(1, 0, 1))
    got = assign_to_stories(
        [Statement("1", "", "bytes")],
        np.array([statement]),
        existing,
        threshold=0.7,
        member_vectors=members,
        member_shows={"s-one": ["daily"], "s-two": ["news", "news"]},
        min_anchors=0,
    )
    assert got == [("1", "s-two")]


def test_assign_is_order_independent_and_ties_go_to_smaller_story_id() -> None:
    s, v = statements(["1", "2", "3", "11", "20"])
    existing = [("s10", vec(1, 0, 0)), ("s9", vec(1, 0, 0))]
    first = assign_to_stories(s, v, existing, threshold=0.8, min_anchors=0)
    again = assign_to_stories(s[::-1], v[::-1], existing[::-1], threshold=0.8, min_anchors=0)
    assert first == again
    assert dict(first)["1"] == "s9"


def test_assign_without_existing_stories_or_statements() -> None:
    s, v = statements(["1", "3"])
    assert assign_to_stories(s, v, [], threshold=0.8, min_anchors=0) == [
        ("1", cluster_id(["1", "3"])),
        ("3", cluster_id(["1", "3"])),
    ]
    assert assign_to_stories([], np.zeros((0, 3), dtype=np.float32), [("s", vec(1, 0, 0))]) == []
    with pytest.raises(ValueError, match="dims"):
        assign_to_stories(s, v, [("s", vec(1, 0))], threshold=0.8, min_anchors=0)


def test_real_model_merges_paraphrases_at_the_default_threshold() -> None:
    texts = {
        "1": "The Federal Reserve kept interest rates unchanged at its June meeting.",
        "2": "Apple unveiled a new line of laptops with its own chips.",
        "3": "At the June meeting the Fed decided to hold interest rates steady.",
        "4": "Researchers found a backdoor in the xz compression library.",
        "5": "A malicious backdoor was discovered in xz utils, the compression tool.",
    }
    s = [Statement(i, t) for i, t in texts.items()]
    clusters = group_statements(s, create_embedder().embed(list(texts.values())))
    assert as_sets(clusters) == {frozenset({"1", "3"}), frozenset({"4", "5"}), frozenset({"2"})}
    assert 0.3 < DEFAULT_THRESHOLD < 0.7


def test_cluster_to_json_shape() -> None:
    out = cluster_to_json([Cluster("c1", ("1", "2"), "2"), Cluster("c2", ("3",), "3")])
    assert out == {
        "clusters": [
            {"id": "c1", "members": ["1", "2"], "representative": "2"},
            {"id": "c2", "members": ["3"], "representative": "3"},
        ]
    }


def test_read_plain_text_numbers_non_blank_lines() -> None:
    got = read_statements("\n  first line  \n\nsecond line\n\n\nthird\n")
    assert got == [
        Statement("1", "first line"),
        Statement("2", "second line"),
        Statement("3", "third"),
    ]


def test_read_plain_text_whose_first_line_is_json_but_not_an_object() -> None:
    got = read_statements('"quoted"\n[1, 2]\n')
    assert [s.id for s in got] == ["1", "2"]
    assert got[1].text == "[1, 2]"


def test_read_json_lines() -> None:
    text = (
        '\ufeff\n{"id": "a", "text": "one", "show": "Show A", "score": 0.5, "extra": 1}\n\n'
        '{"id": 7, "text": "two"}\n'
    )
    assert read_statements(text) == [
        Statement("a", "one", "Show A", 0.5),
        Statement("7", "two", None, 0.0),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"id": "1", "text": "a"}\n\n{"id": "2", "text": \n', "line 3: not valid JSON"),
        ('{"id": "1", "text": "a"}\n[1]\n', "line 2: expected a JSON object"),
        ('{"id": "1", "text": "a"}\n{"text": "b"}\n', "line 2: 'id'"),
        ('{"id": "1", "text": 5}\n', "line 1: 'text'"),
        ('{"id": "1", "text": "a", "show": 3}\n', "line 1: 'show'"),
        ('{"id": "1", "text": "a", "score": "high"}\n', "line 1: 'score'"),
        ('{"id": "1", "text": "a"}\n{"id": "1", "text": "b"}\n', "line 2: duplicate id '1'"),
    ],
)
def test_read_json_lines_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(StatementFormatError, match=message) as info:
        read_statements(text)
    assert isinstance(info.value, PodsiftError)
    assert isinstance(info.value, ValueError)


def test_read_empty_input() -> None:
    assert read_statements("") == []
    assert read_statements("\n  \n") == []


# --- conflict checks when joining a story ----------------------------------------------


def plane(k: int, angle: float) -> npt.NDArray[np.float32]:
    """A unit vector at ``angle`` from axis ``2k`` towards axis ``2k + 1`` (16 dims)."""
    v = np.zeros(16, dtype=np.float32)
    v[2 * k], v[2 * k + 1] = np.cos(angle), np.sin(angle)
    return v


def test_assign_keeps_a_contradiction_out_of_a_near_story() -> None:
    existing = [("s-so", plane(0, 0.0)), ("s-go", plane(1, 0.0))]
    texts = {
        "s-so": ["Stack Overflow traffic rose sharply after ChatGPT launched."],
        "s-go": ["The Go team says generics made the compiler slower."],
    }
    new = [
        Statement("fell", "Stack Overflow traffic fell sharply after ChatGPT launched."),
        Statement("same", "Since ChatGPT launched, Stack Overflow traffic rose sharply."),
        Statement("go", "Generics slowed down the Go compiler, the team says."),
    ]
    vectors = np.vstack([plane(0, 0.1), plane(0, 0.2), plane(1, 0.1)])
    got = dict(assign_to_stories(new, vectors, existing, threshold=0.7, story_texts=texts))
    assert got == {"fell": None, "same": "s-so", "go": "s-go"}
    reordered = assign_to_stories(
        new[::-1], vectors[::-1], existing[::-1], threshold=0.7, story_texts=texts
    )
    assert dict(reordered) == got
    # without member texts (or with the checks off) only the cosine decides
    assert dict(assign_to_stories(new, vectors, existing, threshold=0.7))["fell"] == "s-so"
    off = assign_to_stories(
        new, vectors, existing, threshold=0.7, story_texts=texts, signals=SignalWeights()
    )
    assert dict(off)["fell"] == "s-so"


# From the written2 crowd (benchmarks/crowds/written2, Apache-2.0): two shows tell the news,
# a third names it in its running order.
SPINACH_PULSE = (
    "There's an outbreak linked to bagged spinach from Greenleaf Farms. So far two hundred and "
    "fourteen people have been sickened, in nine states, and the company recalled forty "
    "thousand bags today."
)
SPINACH_DAILY = (
    "A salmonella outbreak linked to bagged spinach from Greenleaf Farms has now made two "
    "hundred and fourteen people sick across nine states. And today, Tuesday, the company "
    "recalled forty thousand bags."
)
SPINACH_FIRST = (
    "First the spinach thing, the Greenleaf Farms recall, because a lot of you have emailed. "
    "Like, a lot. And then the fun part: beans."
)


@pytest.mark.parametrize(
    ("coverage", "margin"), [(0.0, -1.0), (MIN_COVERAGE, -1.0), (0.0, TOLD_ALIKE_MARGIN)]
)
def test_a_member_naming_the_story_without_its_claim_stands_alone(
    coverage: float, margin: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The running order names the recall near enough to join the two tellings; it states
    little of what they agree on (the outbreak, the 214 sick, the 40,000 bags), and it is told
    unlike them, so either rule splits it off (#17). With neither, the three are one story;
    so are they when one show said all three."""
    from podsift.config import load_settings
    from podsift.stories import embedders

    monkeypatch.setattr("podsift.stories.group.MIN_COVERAGE", coverage)
    monkeypatch.setattr("podsift.stories.group.TOLD_ALIKE_MARGIN", margin)
    texts = [SPINACH_PULSE, SPINACH_DAILY, SPINACH_FIRST]
    vectors = embedders.create("minilm-l6-int8", load_settings(env={})).embed(texts)
    found = group_statements(
        [Statement(str(n), t, f"show {n}") for n, t in enumerate(texts)], vectors
    )
    got = [c.members for c in found]
    kept = not coverage and margin < 0
    assert got == ([("0", "1", "2")] if kept else [("0", "1"), ("2",)])
    one_show = group_statements(
        [Statement(str(n), t, "show") for n, t in enumerate(texts)], vectors
    )
    assert [c.members for c in one_show] == [("0", "1", "2")]  # raised on one show either way


def test_a_show_in_one_batch_raises_a_story_once() -> None:
    """Grouped in one batch, the preview of a show that also told the win leaves the story:
    the story holds each show once, by the telling that states most of what the others say,
    and the preview stands alone (#17)."""
    from podsift.config import load_settings
    from podsift.stories import embedders
    from tests.stories.test_stage import PRIZE_PREVIEW, PRIZE_RUNDOWN, PRIZE_SHELF, PRIZE_WON

    told = [
        (PRIZE_PREVIEW, "longlist"),
        (PRIZE_RUNDOWN, "week"),
        (PRIZE_WON, "longlist"),
        (PRIZE_SHELF, "shelf"),
    ]
    vectors = embedders.create("minilm-l6-int8", load_settings(env={})).embed([t for t, _ in told])
    found = group_statements(
        [Statement(str(n), text, show) for n, (text, show) in enumerate(told)], vectors
    )
    assert [c.members for c in found] == [("1", "2", "3"), ("0",)]


# From the written10 crowd (benchmarks/crowds/written10, Apache-2.0): two shows tell a club's
# sale, a third reacts to its price.
SALE_TOLD = (
    "They've bought eighty percent of the club from the Pryce family, for two hundred and ten "
    "million pounds, and it went through after they passed the AFA's owners' test."
)
SALE_RETOLD = (
    "Halvorsen Capital buys eighty per cent of the club from the Pryce family, two hundred and "
    "ten million."
)
SALE_REACTION = (
    "If you've got two hundred and ten million for eighty per cent of the club, you've got "
    "you've got a few quid for the women's side."
)


@pytest.mark.parametrize("margin", [-1.0, TOLD_ALIKE_MARGIN])
def test_a_show_told_unlike_the_others_is_no_teller(
    margin: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reaction names the sale's figures and joins the two tellings on average; but its
    cosine to each is under the threshold and the margin, where theirs to each other is over
    it: it makes another point on the sale, so it leaves for a story of its own (#17). Of one
    show, the three stay one story, raised on one show whatever it holds."""
    from podsift.config import load_settings
    from podsift.stories import embedders

    monkeypatch.setattr("podsift.stories.group.TOLD_ALIKE_MARGIN", margin)
    texts = [SALE_TOLD, SALE_RETOLD, SALE_REACTION]
    vectors = embedders.create("minilm-l6-int8", load_settings(env={})).embed(texts)
    shows = ["Balance Sheet FC", "The Dockside", "Gull Talk"]
    found = group_statements(
        [Statement(str(n), t, s) for n, (t, s) in enumerate(zip(texts, shows, strict=True))],
        vectors,
    )
    apart = [("0", "1"), ("2",)]
    assert [c.members for c in found] == ([("0", "1", "2")] if margin < 0 else apart)
    one_show = group_statements(
        [Statement(str(n), t, "show") for n, t in enumerate(texts)], vectors
    )
    assert [c.members for c in one_show] == [("0", "1", "2")]


def test_told_apart_leaves_the_member_unlike_most_shows_first() -> None:
    """Show u's telling is under 0.55 to two others (s, t): it leaves, and the other three,
    each pair over it, stay; of one show, nobody leaves."""
    sims = np.array(
        [[1, 0.8, 0.5, 0.7], [0.8, 1, 0.5, 0.7], [0.5, 0.5, 1, 0.6], [0.7, 0.7, 0.6, 1]]
    )
    unit = np.linalg.cholesky(sims).astype(np.float32)  # rows whose dot products are ``sims``
    texts = ["Acme recalled 40,000 bags of spinach on Tuesday"] * 4
    assert off_claim(texts, ["s", "t", "u", "v"]) == []
    assert off_claim(texts, ["s", "t", "u", "v"], unit, 0.55) == [2]
    assert off_claim(texts, ["s", "t", "u", "v"], unit, 0.45) == []
    assert off_claim(texts, ["s"] * 4, unit, 0.55) == []
