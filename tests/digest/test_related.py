"""Related discussions: the same specific subject on other shows, never a broad field alone."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import httpx
import numpy as np
import pytest

from podsift.config import load_settings
from podsift.context import RunContext
from podsift.digest import (
    RELATED_THRESHOLD,
    RelatedIndex,
    compose_for,
    drop_repeats,
    pick_related,
    render_text,
    subject_terms,
)
from podsift.models import Mention, RankedStory, StoryView
from podsift.store import Store
from podsift.stories import embedders
from tests.stories.test_stage import _episode

DIM = 64
XZ_FOUND = "A backdoor was found in xz utils, the compression library that OpenSSH depends on."
XZ_CAUGHT = (
    "The xz backdoor was caught by a Microsoft engineer who noticed SSH logins were half a "
    "second slow."
)
PY_VENV = "Installing Python into a virtual environment keeps your system packages clean."
PY_UV = (
    "Python packaging is finally getting better now that uv resolves dependencies in milliseconds."
)
PY_OTHERS = (
    "Python is now the most used language on GitHub, ahead of JavaScript.",
    "I'm looking forward to the Python Summit at PyCon this year.",
    "Python 3.13 ships an experimental build without the global interpreter lock.",
)


def vec(cos: float, axis: int) -> np.ndarray:
    """A unit vector at cosine ``cos`` to axis 0 (two of them: the product of their cosines)."""
    v = np.zeros(DIM, dtype=np.float32)
    v[0], v[axis] = cos, np.sqrt(1 - cos * cos)
    return v


def story(sid: str, text: str, *shows: str) -> StoryView:
    """A story told by ``shows`` (the first is the representative's), all with ``text``."""
    return StoryView(
        sid,
        tuple(
            Mention(f"{sid}-{n}", show, f"{show} ep", None, text, f"“{text}”", None, 1.0, 0.5)
            for n, show in enumerate(shows)
        ),
    )


def window(*stories: tuple[StoryView, np.ndarray | None], filler: int = 12) -> RelatedIndex:
    """The index of ``stories`` plus ``filler`` unrelated stories (orthogonal, own shows)."""
    views = [s for s, _ in stories]
    vectors = {s.id: v for s, v in stories if v is not None}
    for n in range(filler):
        views.append(story(f"filler{n:03d}", f"Remark {n} on topic{n}.", f"Filler Show {n}"))
        vectors[f"filler{n:03d}"] = vec(0.0, DIM - 1)
    return RelatedIndex.build(views, vectors)


def shows_of(picked: dict[str, tuple[Mention, ...]], sid: str) -> list[str]:
    return [m.show for m in picked[sid]]


def test_a_story_on_the_same_specific_subject_from_another_show_is_related() -> None:
    item = story("xz", XZ_FOUND, "Changelog")
    other = story("xz2", XZ_CAUGHT, "Risky Business")
    index = window((item, vec(1.0, 1)), (other, vec(0.6, 2)))
    picked = pick_related([item], index)
    assert shows_of(picked, "xz") == ["Risky Business"]
    assert picked["xz"][0].text == XZ_CAUGHT


def test_below_the_threshold_a_shared_rare_term_is_not_enough() -> None:
    item = story("xz", XZ_FOUND, "Changelog")
    other = story("xz2", XZ_CAUGHT, "Risky Business")
    index = window((item, vec(1.0, 1)), (other, vec(RELATED_THRESHOLD - 0.05, 2)))
    assert pick_related([item], index) == {"xz": ()}


def test_a_neighbour_that_shares_only_a_broad_field_is_not_related() -> None:
    item = story("venv", PY_VENV, "Talk Python")
    close = story("uv", PY_UV, "Python Bytes")
    others = [
        (story(f"py{n}", t, f"Py Show {n}"), vec(0.2, 10 + n)) for n, t in enumerate(PY_OTHERS)
    ]
    index = window((item, vec(1.0, 1)), (close, vec(0.9, 2)), *others)
    assert subject_terms(PY_VENV) & subject_terms(PY_UV) == {"python"}  # used by 5 stories
    assert pick_related([item], index) == {"venv": ()}
    # the same neighbour naming the item's specific subject is related
    specific = story("uv", PY_UV + " It builds a virtual environment too.", "Python Bytes")
    index = window((item, vec(1.0, 1)), (specific, vec(0.9, 2)), *others)
    assert shows_of(pick_related([item], index), "venv") == ["Python Bytes"]


@pytest.mark.parametrize(("users", "related"), [(2, True), (4, True), (5, False)])
def test_a_term_is_rare_when_at_most_two_percent_of_the_window_use_it(
    users: int, related: bool
) -> None:
    """200 stories: a term used by up to 4 of them (2 %) is rare, by 5 it is not."""
    views = [
        story(f"s{n:03d}", f"Remark about subject{n} and aspect{n}.", f"Show {n}")
        for n in range(200)
    ]
    for n in range(users):
        views[n] = story(f"s{n:03d}", f"The zstandard codec, remark {n}.", f"Show {n}")
    vectors = {v.id: vec(0.0, 1 + n % 60) for n, v in enumerate(views)}
    vectors["s000"], vectors["s001"] = vec(1.0, 1), vec(0.8, 2)
    picked = pick_related([views[0]], RelatedIndex.build(views, vectors))
    assert shows_of(picked, "s000") == (["Show 1"] if related else [])


def test_the_items_own_shows_are_never_listed_as_related() -> None:
    item = story("xz", XZ_FOUND, "Changelog", "Darknet Diaries")  # raised on two shows
    own_rep = story("a", XZ_CAUGHT, "Changelog")
    own_other = story("b", XZ_CAUGHT + " Again.", "Darknet Diaries")
    mixed = story("c", XZ_CAUGHT + " Once more.", "Changelog", "Risky Business")
    index = window(
        (item, vec(1.0, 1)),
        (own_rep, vec(0.9, 2)),
        (own_other, vec(0.9, 3)),
        (mixed, vec(0.6, 4)),
        filler=200,  # 4 of 204 stories say "xz": rare
    )
    picked = pick_related([item], index)
    assert shows_of(picked, "xz") == ["Risky Business"]  # mixed's mention from another show
    assert picked["xz"][0].insight_id == "c-1"


def test_the_digests_own_items_are_not_related_to_each_other() -> None:
    one = story("xz", XZ_FOUND, "Changelog")
    two = story("xz2", XZ_CAUGHT, "Risky Business")
    index = window((one, vec(1.0, 1)), (two, vec(0.9, 2)))
    assert pick_related([one, two], index) == {"xz": (), "xz2": ()}
    assert shows_of(pick_related([two], index), "xz2") == ["Changelog"]


def test_best_first_ties_by_id_one_per_show_at_most_three() -> None:
    item = story("xz", XZ_FOUND, "Home")
    cands = [
        (story("e", "xz note e", "Show E"), vec(0.7, 2)),
        (story("d", "xz note d", "Show D"), vec(0.7, 3)),  # ties e: d first, by id
        (story("f", "xz note f", "Show F"), vec(0.9, 4)),
        (story("g", "xz note g", "Show F"), vec(0.8, 5)),  # Show F again: its closer story wins
        (story("h", "xz note h", "Show H"), vec(0.6, 6)),  # a fourth show: over the limit
        (story("i", "xz note i", "Show I"), None),  # no centroid (another embedder)
    ]
    index = window((item, vec(1.0, 1)), *cands, filler=400)  # 7 of 407 stories say "xz": rare
    picked = pick_related([item], index)
    assert [m.insight_id for m in picked["xz"]] == ["f-0", "d-0", "e-0"]
    assert pick_related([item], index, limit=1)["xz"][0].insight_id == "f-0"
    assert pick_related([item], index) == picked  # deterministic, and cached per story


def test_a_story_without_a_centroid_has_no_related() -> None:
    item = story("xz", XZ_FOUND, "Changelog")
    other = story("xz2", XZ_CAUGHT, "Risky Business")
    index = window((item, None), (other, vec(0.9, 2)))
    assert pick_related([item], index) == {"xz": ()}


def test_one_episode_telling_one_subject_twice_is_a_repeat_whatever_the_cosine() -> None:
    found = story("found", XZ_FOUND, "Changelog News")
    caught = story("caught", XZ_CAUGHT, "Changelog News")  # the same show's same episode
    venv = story("venv", PY_VENV, "Changelog News")  # same episode, nothing rare in common
    uv = story("uv", PY_UV, "Python Bytes")
    index = window((found, vec(1.0, 1)), (caught, vec(0.0, 2)), (venv, None), (uv, None))
    assert index.repeats("found", "caught") and index.repeats("caught", "found")
    assert not index.repeats("found", "venv")
    ranked = [RankedStory(s, 1.0 - n / 10) for n, s in enumerate((found, caught, venv, uv))]
    assert [r.story.id for r in drop_repeats(ranked, index, 3)] == ["found", "venv", "uv"]
    assert [r.story.id for r in drop_repeats(ranked, index, 1)] == ["found"]
    # the same subject on another show is related, never a repeat
    elsewhere = story("elsewhere", XZ_CAUGHT, "Risky Business")
    index = window((found, vec(1.0, 1)), (elsewhere, vec(1.0, 1)))
    assert not index.repeats("found", "elsewhere")


TARIFF = "The regulator said the standard home tariff is going up nine point four percent."
BILL = "For an average household the bill goes from 1,720 dollars to 1,882 a year."


def at(view: StoryView, *starts: float | None) -> StoryView:
    """``view`` with its mentions said at ``starts`` seconds into their episodes."""
    moved = (dataclasses.replace(m, start=t) for m, t in zip(view.mentions, starts, strict=True))
    return dataclasses.replace(view, mentions=tuple(moved))


def test_a_piece_of_news_two_shows_tell_in_two_parts_is_one_repeat() -> None:
    """Two shows each tell the tariff rise and its bill in one passage: one piece of news,
    so the digest keeps its first part and leaves out the second, with nothing rare or close
    in common; one show doing so, or two shows far apart, is a news bulletin moving on."""
    tariff = at(story("tariff", TARIFF, "Money Talk", "Fix It"), 60.0, 300.0)
    bill = at(story("bill", BILL, "Money Talk", "Fix It"), 95.0, 330.0)
    law = at(story("law", PY_VENV, "Money Talk", "Fix It"), 150.0, 700.0)  # one show near
    untimed = at(story("untimed", BILL, "Money Talk", "Fix It"), None, None)
    index = window((tariff, vec(1.0, 1)), (bill, vec(0.0, 2)), (law, None), (untimed, None))
    assert index.repeats("tariff", "bill") and index.repeats("bill", "tariff")
    assert not index.repeats("tariff", "law") and not index.repeats("tariff", "untimed")
    ranked = [RankedStory(s, 1.0 - n / 10) for n, s in enumerate((tariff, bill, law))]
    assert [r.story.id for r in drop_repeats(ranked, index, 2)] == ["tariff", "law"]
    alone = at(story("alone", BILL, "Money Talk"), 95.0)  # told by one show only
    assert not window((tariff, None), (alone, None)).repeats("tariff", "alone")


def test_subject_terms_leave_out_figures_and_fold_plurals() -> None:
    assert subject_terms("We sent 64 bytes in 2024.") == {"sent", "byte"}
    assert subject_terms("Zlib libraries, the zlib library.") == {"zlib", "library"}
    assert subject_terms("HashiCorp’s Terraform, HashiCorp's fork") == {
        "hashicorp",
        "terraform",
        "fork",
    }
    assert subject_terms("") == frozenset()


# --- with MiniLM, on a real store -------------------------------------------------------

DAY = datetime(2024, 4, 1, 12, tzinfo=UTC)


def test_minilm_relates_the_same_subject_but_not_the_same_field() -> None:
    settings = load_settings(env={})
    texts = [XZ_FOUND, XZ_CAUGHT, PY_VENV, PY_UV, *PY_OTHERS]
    vectors = embedders.create(settings.cluster.embedder, settings).embed(texts)
    views = [story(f"s{n}", t, f"Show {n}") for n, t in enumerate(texts)]
    index = RelatedIndex.build(views, {v.id: vectors[n] for n, v in enumerate(views)})
    assert float(vectors[2] @ vectors[3]) >= RELATED_THRESHOLD  # close, but only "Python"
    picked = pick_related([views[0], views[2]], index)
    assert shows_of(picked, "s0") == ["Show 1"]
    assert picked["s2"] == ()


def _story_of(store: Store, sid: str, insight_ids: list[str], vector: np.ndarray) -> None:
    model = load_settings(env={}).cluster.embedder
    store.add_to_story(sid, model, [(i, vector, 1.0) for i in insight_ids], DAY)


def test_the_digest_lists_related_discussions_and_stores_them(store: Store) -> None:
    settings = load_settings(env={"PODSIFT_RANK__TOP": "1"})
    own = "OpenSSH now loads fewer libraries at startup to shrink its attack surface."
    texts = [XZ_FOUND, XZ_CAUGHT, own, PY_VENV, PY_UV]
    embedded = embedders.create(settings.cluster.embedder, settings).embed(texts)
    vectors = dict(zip(texts, embedded, strict=True))
    _episode(store, "news", DAY, [XZ_FOUND, own])
    _episode(store, "weekly", DAY, [XZ_FOUND])
    _episode(store, "security", DAY, [XZ_CAUGHT, PY_VENV])
    _episode(store, "bytes", DAY, [PY_UV])
    day = f"{DAY:%F}"
    _story_of(store, "xz", [f"news-{day}-0", f"weekly-{day}-0"], vectors[XZ_FOUND])  # 2 shows
    _story_of(store, "caught", [f"security-{day}-0"], vectors[XZ_CAUGHT])
    _story_of(store, "own", [f"news-{day}-1"], vectors[own])  # close, but the item's own show
    _story_of(store, "venv", [f"security-{day}-1"], vectors[PY_VENV])
    _story_of(store, "uv", [f"bytes-{day}-0"], vectors[PY_UV])
    now = DAY + timedelta(hours=3)
    with httpx.Client() as client:
        ctx = RunContext(settings, store, client, now)
        _, digest = compose_for(ctx, "reader@example.com", now.date())
    (item,) = digest.items
    assert item.story_id == "xz" and len(item.also_on) == 1
    security = "https://security.example/feed"  # the show's name: no title in this feed
    assert [(r.show, r.quote) for r in item.related] == [(security, XZ_CAUGHT)]
    row = store.digest_row("reader@example.com", now.date())
    assert row is not None
    stored = json.loads(json.dumps(row[1]))["items"][0]
    assert [r["show"] for r in stored["related"]] == [security]
    assert [a["show"] for a in stored["also_on"]] == ["https://weekly.example/feed"]
    text = render_text(digest)
    assert "Raised on 2 shows" in text and "Related: also discussed on" in text
