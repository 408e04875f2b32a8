"""The judge: the day's top candidates scored once a run, on the real compose path and store.

Seven stories, each from a show of its own, with centroids at right angles (so diversity
picks in score order) and insight scores set so that salience x substance falls from ``a``
(0.240) to ``g`` (0.192) in steps of 0.008: without a judge the five are ``a`` to ``e`` (in
reading order, the surest point first: :func:`podsift.rank.reading_order`). A fake
chat model that rates choices plays the judge, registered by name like any chat model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

import httpx
import numpy as np
import pytest

from podsift import digest
from podsift.config import Settings, load_settings
from podsift.context import RunContext
from podsift.exceptions import ConfigError, UnknownProviderError
from podsift.llm import ChatReply, LLMError, chat_models
from podsift.models import Episode, Insight
from podsift.store import Store, open_store
from tests.cli.test_cli import run

DAY = date(2024, 4, 3)
SEEN = datetime(2024, 4, 3, 4, 0, tzinfo=UTC)
NOW = datetime(2024, 4, 3, 6, 0, tzinfo=UTC)
READERS = ("ann@example.org", "bob@example.org")

# story id: (show, representative quote, insight score)
STORIES = {
    "a": ("Data", "PostgreSQL 17 cut our vacuum time from four hours to forty minutes.", 0.825),
    "b": ("Rust", "Rust rewrites cut our crash rate by half within a year at Dropbox.", 0.687),
    "c": ("Query", "SQLite 3.45 made our JSON queries three times faster on one laptop.", 0.569),
    "d": ("Cloud", "AWS now charges half a cent an hour for every public IPv4 address.", 0.64),
    "e": ("Web", "Chrome 120 blocks third-party cookies for one percent of its users.", 0.792),
    "f": ("Sec", "The xz backdoor hid in test files and hooked OpenSSH through liblzma.", 0.667),
    "g": ("Go", "Go 1.22 gives each loop iteration its own variable, fixing old bugs.", 0.583),
}  # fmt: skip
QUOTE = {sid: quote for sid, (_, quote, _) in STORIES.items()}


class FakeJudge:
    """A chat model that rates choices: all its probability on one digit per quote.

    Quotes not in ``digits`` get a 4 (a factor of 1.0). ``fail`` raises for those quotes;
    ``budget`` answers that many questions, then raises as a spent time budget does.
    """

    name: ClassVar[str] = "fake-judge"
    needs_key: ClassVar[str] = ""
    model = "fake"

    def __init__(self) -> None:
        self.digits: dict[str, str] = {}
        self.fail: set[str] = set()
        self.budget: int | None = None
        self.asked: list[str] = []

    def complete(self, system: str, user: str, *, max_tokens: int, json: bool = False
                 ) -> ChatReply:  # fmt: skip
        raise AssertionError("the judge never asks for text")

    def choice_probabilities(
        self, system: str, user: str, choices: Sequence[str]
    ) -> dict[str, float]:
        quote = user.removeprefix("Quote: ")
        if self.budget is not None and len(self.asked) >= self.budget:
            raise LLMError("the fake model's budget is spent")
        self.asked.append(quote)
        if quote in self.fail:
            raise LLMError("no answer")
        top = self.digits.get(quote, "4")
        return {c: float(c == top) for c in choices}


class PlainChat:
    """A chat model that writes text and gives no probabilities (as the API providers)."""

    name: ClassVar[str] = "plain-chat"
    needs_key: ClassVar[str] = ""
    model = "plain"

    def complete(self, system: str, user: str, *, max_tokens: int, json: bool = False
                 ) -> ChatReply:  # fmt: skip
        return ChatReply("4")


@pytest.fixture
def judge() -> Iterator[FakeJudge]:
    fake = FakeJudge()
    chat_models.register("fake-judge")(lambda _settings: fake)
    chat_models.register("plain-chat")(lambda _settings: PlainChat())
    yield fake
    chat_models.unregister("fake-judge")
    chat_models.unregister("plain-chat")


def settings(**env: str) -> Settings:
    return load_settings(env={"PODSIFT_SECRET_KEY": "judge-key", **env})


def seed(store: Store) -> None:
    """Store the seven stories, each in an episode of its own show, and two readers."""
    model = settings().cluster.embedder
    for k, (sid, (show, quote, score)) in enumerate(STORIES.items()):
        show_id, _ = store.add_show(f"https://{sid}.example/feed.xml", SEEN, show)
        store.add_episodes(show_id, [Episode(f"{show} on {sid}", guid=sid, published=SEEN)], SEEN)
        (ep,) = [e for e in store.episodes(["new"]) if e.show_id == show_id]
        insight = Insight(quote, quote, "Ann Host", 60.0, 70.0, score).with_id(f"i-{sid}")
        store.save_insights(ep.id, "test@1", [insight], SEEN)
        vector = np.zeros(8, dtype=np.float32)
        vector[k] = 1.0
        store.add_to_story(sid, model, [(insight.id, vector, 1.0)], SEEN)
    for address in READERS:
        store.add_subscriber(address, SEEN)


def daily(store: Store, cfg: Settings) -> digest.ComposeReport:
    """Run the digest stage of the daily run; return its report."""
    with httpx.Client() as client:
        report = digest.run(RunContext(cfg, store, client, NOW))
    assert isinstance(report, digest.ComposeReport)
    return report


def five(store: Store, address: str = digest.OPERATOR) -> list[str]:
    row = store.digest_row(address, DAY)
    assert row is not None
    return [i["story_id"] for i in row[1]["items"]]


def test_without_a_judge_the_five_are_the_best_scored(store: Store) -> None:
    seed(store)
    report = daily(store, settings())
    assert sorted(five(store)) == ["a", "b", "c", "d", "e"]
    assert (report.judged, report.unjudged) == (0, 0)


def test_candidates_are_judged_once_a_run_for_every_reader(store: Store, judge: FakeJudge) -> None:
    seed(store)
    cfg = settings(PODSIFT_RANK__JUDGE="fake-judge", PODSIFT_RANK__JUDGE_CANDIDATES="4")
    report = daily(store, cfg)
    assert report.digests == 3  # the operator and two readers
    assert judge.asked == [QUOTE[s] for s in "abcd"]  # the four best, best first, once each
    assert (report.judged, report.unjudged) == (4, 0)


def test_a_low_judgement_drops_a_story_and_a_high_one_lifts_another(
    store: Store, judge: FakeJudge
) -> None:
    seed(store)
    judge.digits = {QUOTE["b"]: "1", QUOTE["f"]: "5"}
    daily(store, settings(PODSIFT_RANK__JUDGE="fake-judge"))
    got = five(store)
    assert "b" not in got and "f" in got and "a" in got  # b: 0.232 x 1/4; f: 0.200 x 5/4
    assert all(five(store, r) == got for r in READERS)  # no reader's part here


def test_failures_and_a_spent_budget_leave_the_ranking_as_without_a_judge(
    store: Store, judge: FakeJudge
) -> None:
    seed(store)
    judge.digits = {QUOTE["b"]: "1"}
    judge.fail = {QUOTE["b"]}
    judge.budget = 3
    report = daily(store, settings(PODSIFT_RANK__JUDGE="fake-judge"))
    assert sorted(five(store)) == ["a", "b", "c", "d", "e"]  # b's 1 was never given
    assert (report.judged, report.unjudged) == (2, 5)  # a and c; b failed; d-g out of budget


def test_explain_shows_the_judgement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    judge: FakeJudge,
) -> None:  # fmt: skip
    db = tmp_path / "explain.db"
    store = open_store(str(db))
    seed(store)
    store.close()
    judge.digits = {QUOTE["b"]: "1", QUOTE["f"]: "5"}
    monkeypatch.setenv("PODSIFT_RANK__JUDGE", "fake-judge")
    args = ["--db", str(db), "explain", "--date", DAY.isoformat()]
    code, out, _ = run([*args, "--json"], capsys)
    assert code == 0
    factors = {s["story_id"]: s["judgement"] for s in json.loads(out)["stories"]}
    assert factors == {"a": 1.0, "b": 0.25, "c": 1.0, "d": 1.0, "e": 1.0, "f": 1.25, "g": 1.0}
    code, text, _ = run(args, capsys)
    assert code == 0 and "judgement 0.250" in text and "judgement 1.250" in text


def test_a_judge_must_rate_choices_and_exist(store: Store, judge: FakeJudge) -> None:
    seed(store)
    with pytest.raises(ConfigError, match=r"chat model 'plain-chat' cannot judge.*use 'local'"):
        daily(store, settings(PODSIFT_RANK__JUDGE="plain-chat"))
    with pytest.raises(UnknownProviderError, match=r"unknown chat model 'gpt5' \(available: "):
        daily(store, settings(PODSIFT_RANK__JUDGE="gpt5"))
    with pytest.raises(ConfigError, match="must not be negative"):
        settings(PODSIFT_RANK__JUDGE_CANDIDATES="-1")


def test_a_judge_that_cannot_judge_is_one_line_on_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    judge: FakeJudge,
) -> None:  # fmt: skip
    db = tmp_path / "cli.db"
    store = open_store(str(db))
    seed(store)
    store.close()
    monkeypatch.setenv("PODSIFT_RANK__JUDGE", "plain-chat")
    code, _, err = run(["--db", str(db), "explain", "--date", DAY.isoformat()], capsys)
    assert code == 1
    assert err.strip().count("\n") == 0 and "cannot judge" in err and "Traceback" not in err
