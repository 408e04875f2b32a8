"""The files of a crowd's stories and their blind labels (see benchmarks/crowds/README.md).

Under ``benchmarks/crowds/<crowd>/``:

- ``stories.jsonl``: the last run's multi-show stories, one a line, sorted by key:
  ``{"key", "story_id", "shows", "members": [{"show", "episode", "speaker", "text"}]}``.
  ``key`` is :func:`story_key` of the member texts, so the same members give the same key
  whatever the store named the story.
- ``archive.jsonl``: every story ever written to ``stories.jsonl`` (same lines, append only),
  so a label keeps its members after a change to merging has made the story go away.
- ``labels.jsonl``: ``{"key", "verdict"}`` lines (other fields, such as ``"judge"``, are kept
  and ignored), ``verdict`` among :data:`VERDICTS`. A key with several lines (several judges)
  takes the most common verdict, a tie going to the later one in :data:`VERDICTS` (the less
  merged: a precision figure should not be flattered by a split vote).
- ``unlabelled.md`` and ``unlabelled.jsonl``: what the judges read, only numbered statements
  and their show names, items and statements shuffled; ``unlabelled-keys.json`` maps each
  item number back to its story key, for the lead only.

A multi-show story without a label of its own counts as ``same_claim`` when its member texts
are a subset of those of a story labelled ``same_claim`` (it has two shows or more, being in
``stories.jsonl``): a story split apart by a stricter merge keeps its verdict.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from podsift.models import text_hash

#: Verdicts, from one claim to nothing in common.
VERDICTS = ("same_claim", "same_subject", "broad_subject", "unrelated")
JUDGE_NOTE = """\
Each item lists statements taken from podcast episodes, each after its show's name. Give each
item one verdict:

- same_claim: all the statements make one claim or tell one piece of news (the same release,
  incident, result, decision or point);
- same_subject: the same specific subject, but different points about it;
- broad_subject: only a broad subject in common;
- unrelated: nothing in common.

Answer one line per item: `<item number> <verdict>`.
"""


@dataclass(frozen=True, slots=True)
class Member:
    """One insight of a story."""

    show: str
    episode: str
    speaker: str | None
    text: str


@dataclass(frozen=True, slots=True)
class CrowdStory:
    """A story of the crowd run with members from two shows or more."""

    key: str
    story_id: str
    members: tuple[Member, ...]

    @property
    def shows(self) -> int:
        """How many distinct shows raised it."""
        return len({m.show for m in self.members})

    @property
    def texts(self) -> frozenset[str]:
        """The member texts, which make the key."""
        return frozenset(m.text for m in self.members)


@dataclass(frozen=True, slots=True)
class LabelScore:
    """Story-level precision of one crowd's multi-show stories."""

    stories: int
    labelled: int  # by a label of their own, or inherited (below)
    inherited: int  # same_claim because a subset of a story labelled so
    by_verdict: dict[str, int]

    @property
    def unlabelled(self) -> int:
        """Multi-show stories without a verdict."""
        return self.stories - self.labelled

    @property
    def precision(self) -> float | None:
        """same_claim / labelled; None when nothing is labelled."""
        return self.by_verdict["same_claim"] / self.labelled if self.labelled else None

    @property
    def subject_share(self) -> float | None:
        """(same_claim + same_subject) / labelled; None when nothing is labelled."""
        same = self.by_verdict["same_claim"] + self.by_verdict["same_subject"]
        return same / self.labelled if self.labelled else None


def story_key(texts: Iterable[str]) -> str:
    """The key of a story: the hash of its sorted member texts.

    >>> story_key(["b", "a"]) == story_key(["a", "b"])
    True
    """
    return text_hash("\n".join(sorted(texts)))


def make_story(story_id: str, members: Iterable[Member]) -> CrowdStory:
    """A story with its key, members sorted by show, episode and text."""
    ordered = tuple(sorted(members, key=lambda m: (m.show, m.episode, m.text)))
    return CrowdStory(story_key(m.text for m in ordered), story_id, ordered)


def _story_json(story: CrowdStory) -> dict[str, Any]:
    return {
        "key": story.key,
        "story_id": story.story_id,
        "shows": story.shows,
        "members": [asdict(m) for m in story.members],
    }


def _story_from_json(row: dict[str, Any]) -> CrowdStory:
    return CrowdStory(row["key"], row["story_id"], tuple(Member(**m) for m in row["members"]))


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def write_stories(folder: Path, stories: Sequence[CrowdStory]) -> None:
    """Write ``stories.jsonl`` (sorted by key) and add the new keys to ``archive.jsonl``."""
    folder.mkdir(parents=True, exist_ok=True)
    ordered = sorted(stories, key=lambda s: s.key)
    lines = "".join(json.dumps(_story_json(s), ensure_ascii=False) + "\n" for s in ordered)
    (folder / "stories.jsonl").write_text(lines, encoding="utf-8")
    known = {row["key"] for row in _read_jsonl(folder / "archive.jsonl")}
    new = [s for s in ordered if s.key not in known]
    with (folder / "archive.jsonl").open("a", encoding="utf-8") as out:
        out.writelines(json.dumps(_story_json(s), ensure_ascii=False) + "\n" for s in new)


def read_stories(folder: Path, name: str = "stories.jsonl") -> list[CrowdStory]:
    """The stories of ``stories.jsonl`` (or of ``archive.jsonl``)."""
    return [_story_from_json(row) for row in _read_jsonl(folder / name)]


def load_labels(folder: Path) -> dict[str, str]:
    """The verdict of each labelled key of ``labels.jsonl`` (several lines: majority).

    Raises:
        ValueError: a line without a key or with an unknown verdict.
    """
    votes: dict[str, list[str]] = {}
    for n, row in enumerate(_read_jsonl(folder / "labels.jsonl"), start=1):
        if row.get("verdict") not in VERDICTS or not row.get("key"):
            raise ValueError(
                f"{folder / 'labels.jsonl'}, line {n}: needs a key and a verdict among"
                f" {', '.join(VERDICTS)}"
            )
        votes.setdefault(row["key"], []).append(row["verdict"])
    return {key: majority(v) for key, v in votes.items()}


def majority(votes: Sequence[str]) -> str:
    """The most common verdict; a tie goes to the less merged one.

    >>> majority(["same_claim", "same_subject"]), majority(["same_claim"] * 2 + ["unrelated"])
    ('same_subject', 'same_claim')
    """
    counts = Counter(votes)
    return max(counts, key=lambda v: (counts[v], VERDICTS.index(v)))


def verdicts(
    stories: Sequence[CrowdStory], labels: dict[str, str], archive: Sequence[CrowdStory]
) -> tuple[dict[str, str], set[str]]:
    """Each story's verdict where it has one (its own, else inherited by the subset rule),
    and the keys whose verdict is inherited."""
    claims = [s.texts for s in [*archive, *stories] if labels.get(s.key) == "same_claim"]
    out, inherited = {}, set()
    for story in stories:
        if story.key in labels:
            out[story.key] = labels[story.key]
        elif story.shows >= 2 and any(story.texts <= texts for texts in claims):
            out[story.key] = "same_claim"
            inherited.add(story.key)
    return out, inherited


def score(folder: Path, stories: Sequence[CrowdStory]) -> LabelScore:
    """Story-level precision of ``stories`` under the crowd's labels."""
    found, inherited = verdicts(stories, load_labels(folder), read_stories(folder, "archive.jsonl"))
    counts = Counter(found.values())
    return LabelScore(len(stories), len(found), len(inherited), {v: counts[v] for v in VERDICTS})


def export_unlabelled(folder: Path, stories: Sequence[CrowdStory], seed: str) -> int:
    """Write the unlabelled stories for the judges; return how many.

    Items and the statements in each are shuffled with ``seed`` (reruns write the same files).
    """
    found, _ = verdicts(stories, load_labels(folder), read_stories(folder, "archive.jsonl"))
    todo = [s for s in stories if s.key not in found]
    rng = random.Random(seed)
    rng.shuffle(todo)
    items, md = [], ["# Statements to judge\n\n", JUDGE_NOTE]
    for n, story in enumerate(todo, start=1):
        members = list(story.members)
        rng.shuffle(members)
        statements = [{"n": k, "show": m.show, "text": m.text} for k, m in enumerate(members, 1)]
        items.append({"item": n, "statements": statements})
        md.append(f"\n## Item {n}\n\n")
        md.extend(f"{s['n']}. ({s['show']}) {s['text']}\n" for s in statements)
    (folder / "unlabelled.md").write_text("".join(md), encoding="utf-8")
    (folder / "unlabelled.jsonl").write_text(
        "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8"
    )
    keys = {str(n): s.key for n, s in enumerate(todo, start=1)}
    (folder / "unlabelled-keys.json").write_text(json.dumps(keys, indent=1) + "\n", "utf-8")
    return len(todo)


def add_verdicts(folder: Path, answers: Path, judge: str = "") -> int:
    """Append judges' answers (``<item> <verdict>`` lines, or JSON ``{"item", "verdict"}``)
    to ``labels.jsonl`` through ``unlabelled-keys.json``; return how many.

    Raises:
        ValueError: an unknown item number or verdict.
    """
    keys = json.loads((folder / "unlabelled-keys.json").read_text(encoding="utf-8"))
    rows = []
    for line in answers.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            record = json.loads(line)
            item, verdict = str(record["item"]), str(record["verdict"])
        else:
            item, verdict = [*line.split(), ""][:2]
        if item not in keys or verdict not in VERDICTS:
            raise ValueError(f"{answers}: cannot read {line!r} (item number, then a verdict)")
        rows.append({"key": keys[item], "verdict": verdict, **({"judge": judge} if judge else {})})
    with (folder / "labels.jsonl").open("a", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in rows)
    return len(rows)
