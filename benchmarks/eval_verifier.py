"""Measure the merge verifier (:mod:`podsift.stories.verify`) on the band of narrow misses.

Usage: ``python benchmarks/eval_verifier.py [--model qwen-1.5b] [--split dev|held]
[--crowd dev] [--min-yes 0.6] [--system spoken|FILE]`` (from the repository root; answers
are cached under ``/tmp/podsift-eval/verifier-<model>.json`` by prompt and pair, vectors as
in eval_stories.py).

The anchor rule keeps two statements apart unless they name two rare things in common
(#17). The verifier is a chat model asked, for the pairs the rule turns down narrowly (the
band, :func:`podsift.stories.verify.in_band`: one rare thing in common and a similarity at
the merge threshold, or none and a similarity of at least 0.6), whether the two tell one
story; a pair merges when P("Yes") reaches ``min_yes``. Printed:

1. The band on the split (``dev``: the cal halves of eval_stories.py; ``held``: its held
   halves, run once to confirm, totals only): same-claim and different-claim pairs in it,
   per part. Pair parts are taken a pair at a time (the window is the pair, as
   ``eval_crowd.py`` scores them "alone"); the events part is every pair of its passages in
   one window, as eval_stories.py clusters them.
2. The time per question; P(Yes) of each band pair (dev only); precision and recall of the
   band pairs at several thresholds (a pair merged iff P(Yes) >= threshold).
3. The parts with the verifier and without: each pair part a pair at a time (anchor rule
   on), the events clustered by :func:`podsift.stories.group_statements` (the B-cubed F1 of
   eval_stories.py too), and the macro F1 over the five parts; and the macro as
   eval_stories.py scores it, whose pair parts see no anchor rule (only the events change).
4. With ``--crowd dev``: the band of a crowd's insights (one window) and the verifier's
   P(Yes) on its pairs of two shows, with their texts, to read (never run it on ``confirm``:
   nobody reads its items).

Figures (qwen-1.5b, 2 busy cores, prompt ``stories.verify.SYSTEM``, min P(Yes) 0.6):

- The band, same / different pairs. dev: headlines 18 / 11, msrpar 21 / 0, hard 0 / 0, blind
  5 / 0, events 2 / 0. held: headlines 20 / 7, msrpar 11 / 0, hard 1 / 0, blind 6 / 1, events
  2 / 0. The next ring out (no rare thing, t <= sim < 0.6), left out, is mostly different
  pairs (dev 8 / 14) and, in the dev crowd, 42 pairs of two shows against 20 in the band.
- Band pairs merged, P / R, dev: 0.949 / 0.804 at 0.5, 0.971 / 0.739 at 0.55, 1.000 / 0.674
  at 0.6, 1.000 / 0.457 at 0.65. held (confirmation): 1.000 / 0.850 at 0.5, 1.000 / 0.650 at
  0.6.
- Macro F1 over the five parts, pairs alone, without -> with: dev 0.660 -> 0.712 (blind R
  0.364 -> 0.591, P 0.727 -> 0.812; headlines and MSRpar up; hard unchanged); held 0.684 ->
  0.733 (blind R 0.500 -> 0.778, P 0.643 -> 0.737). Events unchanged on both halves (dev R
  0.20, held R 0.30): their band pairs get P(Yes) 0.50 and 0.58 on dev, below 0.6. As
  eval_stories.py scores it: dev 0.753, held 0.759, with or without.
- Dev crowd, one window: of the 20 pairs of two shows in the band (none the same claim, read
  by hand), the verifier merges 3 at 0.5 (Redka vs a Go SQLite driver, two OpenTofu remarks,
  an OpenTofu remark vs a Linux Foundation summit), 1 at 0.55, none at 0.6. Spoken passages
  of one subject get P(Yes) up to 0.57, the two event pairs 0.50 and 0.58: the model cannot
  tell them apart, so 0.6 merges neither.
- Time per question: median 2.0-2.7 s for a sentence pair, about 10 s for two spoken passages
  when the machine was loaded (load 8 on 2 cores); the first also loads the model (15-23 s).
- The daily job with ``[cluster] verifier = "local"`` (eval_crowd.py --verifier local): dev
  asked 13 pairs, confirm 14, within the budget; neither crowd's multi-show stories changed
  (1 each, the same files as without).
- Prompt ``spoken`` (:data:`TRIED`: spoken hard negatives among the examples) leaned to yes:
  at 0.6, dev band R 0.761 and events R 0.20 -> 0.30 (eval_stories.py's macro 0.753 ->
  0.778), but two false merges among the dev crowd's 20 (Redka, the Linux Foundation
  summit). At 0.65 none merges there and the events keep their gain (one pair, P(Yes)
  0.687), but band R falls to 0.652 and the margin over the crowd's highest different pair
  (0.638) is 0.012, against 0.031 for the kept prompt at 0.6 (0.569): one event pair is
  within the noise. Not kept; it was set aside on dev, before the held-out run, and is not
  confirmed.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from eval_stories import (  # noqa: E402  (benchmarks/ is not a package)
    VectorFile,
    bcubed_f1,
    load_events,
    load_split,
    load_sts,
    prf,
)

from podsift.config import InsightSettings  # noqa: E402
from podsift.llm import RatesChoices, connect  # noqa: E402
from podsift.models import Statement  # noqa: E402
from podsift.stories import anchors, group_statements, threshold_for  # noqa: E402
from podsift.stories.anchors import WindowTerms  # noqa: E402
from podsift.stories.group import DEFAULT_SIGNALS  # noqa: E402
from podsift.stories.signals import pair_penalty, text_signals  # noqa: E402
from podsift.stories.verify import DEFAULT_MIN_YES, SYSTEM, MergeVerifier, in_band  # noqa: E402

EMBEDDER = "minilm-l6-int8"
#: Instructions tried instead of :data:`~podsift.stories.verify.SYSTEM`, by ``--system`` name.
TRIED = {
    "spoken": """You compare two passages, each said on a different podcast. Answer Yes only \
if both make the same specific point: the same claim, the same piece of news, the same result \
or the same event, so that someone who heard one would learn nothing new from the other. The \
wording, the details and the names may differ ("the chipmaker" for a company, "Redmond" for \
Microsoft).
Answer No if they only talk about the same thing (a company, a product, a technology, a person, \
a field) but make different points about it, or if one is an opinion or an anecdote and the \
other is news.

Examples:
1: "Postgres 17 shipped with incremental backups."
2: "So the new Postgres release, they finally added incremental backups, which is huge for us."
Same story: Yes
1: "Postgres 17 shipped with incremental backups."
2: "We moved our analytics off Postgres and onto ClickHouse last year, and honestly never \
looked back."
Same story: No
1: "I think Kubernetes is way too complex for most small teams, you just don't need it."
2: "Kubernetes 1.30 removed the old in-tree cloud providers, so you have to migrate."
Same story: No
1: "Stack Overflow's traffic fell by half after ChatGPT came out."
2: "Since the chatbot launched, the Q&A site for programmers has lost about 50 percent of its \
visitors."
Same story: Yes
1: "The Linux kernel now accepts drivers written in Rust."
2: "Rust's compile times are still painful, I mean on big projects you wait minutes."
Same story: No

Answer with Yes or No only.""",
}
MIN_YES = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


@dataclass(frozen=True, slots=True)
class Scored:
    """One labelled pair as the rule sees it: similarity less penalty, rare things shared."""

    part: str
    a: str
    b: str
    same: bool
    similarity: float
    shared: int

    def band(self, threshold: float) -> bool:
        return in_band(self.similarity, self.shared, threshold)

    def rule(self, threshold: float) -> bool:
        return self.similarity >= threshold and self.shared >= anchors.MIN_ANCHORS


class AnswerFile:
    """A :class:`~podsift.llm.RatesChoices` that keeps answers on disk, timing the new ones."""

    def __init__(self, model: str, folder: Path) -> None:
        self.model = model
        self.path = folder / f"verifier-{model}.json"
        self.known: dict[str, dict[str, float]] = (
            json.loads(self.path.read_text()) if self.path.exists() else {}
        )
        self.chat: RatesChoices | None = None
        self.seconds: list[float] = []

    def choice_probabilities(
        self, system: str, user: str, choices: Sequence[str]
    ) -> dict[str, float]:
        key = hashlib.sha256(f"{system}\0{user}\0{choices}".encode()).hexdigest()
        if key not in self.known:
            if self.chat is None:
                settings = dataclasses.replace(
                    InsightSettings().llm("local"), model=self.model, budget_seconds=1e9
                )
                chat = connect("local", settings)
                assert isinstance(chat, RatesChoices)
                self.chat = chat
            began = time.perf_counter()
            self.known[key] = self.chat.choice_probabilities(system, user, choices)
            self.seconds.append(time.perf_counter() - began)
            self.path.write_text(json.dumps(self.known))
        return self.known[key]


def window_pairs(
    part: str,
    texts: list[str],
    groups: list[str],
    vectors: npt.NDArray[np.float32],
    threshold: float,
) -> list[Scored]:
    """Every pair of one window, as :func:`group_statements` sees it before any veto."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit @ unit.T
    for i, j in zip(*np.nonzero(sims >= threshold), strict=True):
        if i != j:
            sims[i, j] -= pair_penalty(
                text_signals(texts[i]), text_signals(texts[j]), DEFAULT_SIGNALS
            )
    window = WindowTerms.of(texts)
    close = sims >= anchors.NEAR_COSINE
    out = []
    for i, j in itertools.combinations(range(len(texts)), 2):
        near = [texts[k] for k in np.flatnonzero(close[i] | close[j])]
        shared = window.shared_things(texts[i], texts[j], near)
        out.append(
            Scored(part, texts[i], texts[j], groups[i] == groups[j], float(sims[i, j]), shared)
        )
    return out


def score_split(
    split: str, data: Path, stories: Path, vf: VectorFile, t: float
) -> tuple[list[Scored], EventSet]:
    """Every labelled pair of ``split`` as the rule sees it, and its event passages."""
    held = split == "held"
    headlines = load_sts(sorted((data / "sts-headlines").glob("*.tsv")))
    msr = data / "sts-msrpar" / ("MSRpar.test.tsv" if held else "MSRpar.train.tsv")
    pairs = {
        "headlines": headlines[1::2] if held else headlines[0::2],
        "msrpar": load_sts([msr]),
        "hard": load_split(stories / "hard-pairs.jsonl")[held],
        "blind": load_split(stories / "blind-pairs.jsonl")[held],
    }
    scored: list[Scored] = []
    for name, part in pairs.items():
        left, right = vf.embed([p[0] for p in part]), vf.embed([p[1] for p in part])
        for (a, b, same), va, vb in zip(part, left, right, strict=True):
            groups = ["x", "x" if same else "y"]
            scored += window_pairs(name, [a, b], groups, np.array([va, vb]), t)
    event_parts = load_events(data / "cross-show-events.json", vf)
    ev = event_parts[held]
    events = EventSet(ev.texts, ev.groups, ev.vectors)
    return scored + window_pairs("events", ev.texts, ev.groups, ev.vectors, t), events


@dataclass(frozen=True, slots=True)
class EventSet:
    """The split's event passages, their claim groups and vectors."""

    texts: list[str]
    groups: list[str]
    vectors: npt.NDArray[np.float32]


def print_band(scored: list[Scored], t: float) -> None:
    """Same / different pairs merged by the rule, in the band, and just outside it."""
    print("## 1. The band (pairs the anchor rule turns down narrowly), same / different\n")
    print(
        "| part | pairs | same | merged by the rule | band: 1 thing, sim >= t "
        "| band: 0 things, sim >= 0.6 | not in the band: 0 things, t <= sim < 0.6 |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in dict.fromkeys(s.part for s in scored):
        rows = [s for s in scored if s.part == name]
        cells = [
            [s for s in rows if s.rule(t)],
            [s for s in rows if s.band(t) and s.shared == 1],
            [s for s in rows if s.band(t) and s.shared == 0],
            [s for s in rows if t <= s.similarity < 0.6 and s.shared == 0],
        ]
        counts = (f"{sum(s.same for s in c)} / {sum(not s.same for s in c)}" for c in cells)
        print(
            f"| {name} | {len(rows)} | {sum(s.same for s in rows)} | " + " | ".join(counts) + " |"
        )


def print_answers(
    band: list[Scored], verifier: MergeVerifier, answers: AnswerFile, each: bool
) -> None:
    """The time per question, P(Yes) of every band pair (if ``each``), and P/R per threshold."""
    probs = {(s.a, s.b): verifier.probability(s.a, s.b) for s in band}
    if answers.seconds:
        secs = np.array(answers.seconds[1:] or answers.seconds)
        print(
            f"\n{len(answers.seconds)} new questions: median {np.median(secs):.1f} s, mean "
            f"{secs.mean():.1f} s, max {secs.max():.1f} s per pair (the first, "
            f"{answers.seconds[0]:.1f} s, also loads the model and reads the instructions)"
        )
    print("\n## 2. P(Yes) of the band pairs\n")
    for s in sorted(
        band if each else [], key=lambda s: (s.part, not s.same, -(probs[(s.a, s.b)] or 0))
    ):
        p = probs[(s.a, s.b)]
        label = "same" if s.same else "diff"
        got = "-" if p is None else f"{p:.3f}"
        print(f"- {s.part} {label} sim {s.similarity:.2f} things {s.shared} P(Yes) {got}")
    print("\n| min P(Yes) | band same merged | band diff merged | band P | band R |")
    print("|---|---|---|---|---|")
    for m in MIN_YES:
        tp = sum(1 for s in band if s.same and (probs[(s.a, s.b)] or 0) >= m)
        fp = sum(1 for s in band if not s.same and (probs[(s.a, s.b)] or 0) >= m)
        p, r, _ = prf(tp, fp, sum(s.same for s in band) - tp)
        print(f"| {m} | {tp} | {fp} | {p:.3f} | {r:.3f} |")


def print_parts(scored: list[Scored], events: EventSet, verifier: MergeVerifier, t: float) -> None:
    """Each part's P/R/F1 without and with the verifier, and the macro F1."""
    print(f"\n## 3. The parts without and with the verifier (min P(Yes) {verifier.min_yes})\n")
    print("| part | without: P | R | F1 | with: P | R | F1 |\n|---|---|---|---|---|---|---|")
    f1s: dict[bool, list[float]] = {False: [], True: []}
    as_scored = []  # eval_stories.py's pair parts: the cosine and the checks, no anchor rule
    for name in dict.fromkeys(s.part for s in scored if s.part != "events"):
        rows = [s for s in scored if s.part == name]
        merged = [s.similarity >= t for s in rows]
        tp = sum(m and s.same for m, s in zip(merged, rows, strict=True))
        as_scored.append(prf(tp, sum(merged) - tp, sum(s.same for s in rows) - tp)[2])
        cells = []
        for on in (False, True):
            merged = [
                s.rule(t) or (on and s.band(t) and verifier.same_story(s.a, s.b)) for s in rows
            ]
            tp = sum(m and s.same for m, s in zip(merged, rows, strict=True))
            p, r, f = prf(tp, sum(merged) - tp, sum(s.same for s in rows) - tp)
            f1s[on].append(f)
            cells += [p, r, f]
        print(f"| {name} (pairs alone) | " + " | ".join(f"{x:.3f}" for x in cells) + " |")
    statements = [Statement(id=str(i), text=x) for i, x in enumerate(events.texts)]
    cells, b3 = [], []
    for on in (False, True):
        clusters = group_statements(
            statements, events.vectors, threshold=t, verifier=verifier if on else None
        )
        label = {m: c.id for c in clusters for m in c.members}
        pred = [label[str(i)] for i in range(len(events.texts))]
        ij = list(itertools.combinations(range(len(pred)), 2))
        merged = [pred[i] == pred[j] for i, j in ij]
        same = [events.groups[i] == events.groups[j] for i, j in ij]
        tp = sum(m and s for m, s in zip(merged, same, strict=True))
        p, r, f = prf(tp, sum(merged) - tp, sum(same) - tp)
        f1s[on].append(f)
        cells += [p, r, f]
        b3.append(bcubed_f1(pred, events.groups))
    print("| events (clustered) | " + " | ".join(f"{x:.3f}" for x in cells) + " |")
    print(f"| events B-cubed F1 | | | {b3[0]:.3f} | | | {b3[1]:.3f} |")
    print(f"| macro F1 | | | {np.mean(f1s[False]):.3f} | | | {np.mean(f1s[True]):.3f} |")
    print(
        "| macro F1 as eval_stories.py scores it (its pair parts see no anchor rule, so only "
        f"the events change) | | | {np.mean([*as_scored, f1s[False][-1]]):.3f} | | | "
        f"{np.mean([*as_scored, f1s[True][-1]]):.3f} |"
    )


def print_crowd(name: str, vf: VectorFile, verifier: MergeVerifier, t: float) -> None:
    """The band of a crowd's insights (one window): the verifier's answers on pairs of two
    shows, with their texts, to read."""
    path = ROOT / "benchmarks" / "crowds" / "build" / name / "insights.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()][1:]
    texts, shows = [r["text"] for r in rows], [r["show"] for r in rows]
    scored = [s for s in window_pairs("crowd", texts, shows, vf.embed(texts), t) if not s.same]
    band = [s for s in scored if s.band(t)]  # ``same`` above: one show, never asked
    probs = {(s.a, s.b): verifier.probability(s.a, s.b) or 0.0 for s in band}
    print(f"\n## 4. Crowd {name}: {len(texts)} insights in one window\n")
    print(
        f"{sum(s.rule(t) for s in scored)} pairs of two shows merged by the rule, "
        f"{len(band)} in the band; merged by the verifier at each min P(Yes): "
        + ", ".join(f"{m}: {sum(p >= m for p in probs.values())}" for m in MIN_YES)
        + "\n"
    )
    for s in sorted(band, key=lambda s: -probs[(s.a, s.b)]):
        print(f"- P(Yes) {probs[(s.a, s.b)]:.3f}, sim {s.similarity:.2f}, things {s.shared}")
        print(f"  1: {s.a}\n  2: {s.b}")


def main() -> None:
    """Print the band, the verifier's answers, the parts with and without it, the crowd."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", default="qwen-1.5b")
    parser.add_argument("--split", choices=("dev", "held"), default="dev")
    parser.add_argument("--crowd", choices=("dev",), default=None)
    parser.add_argument("--min-yes", type=float, default=DEFAULT_MIN_YES)
    parser.add_argument("--system", help="instructions to try: a name in TRIED or a file")
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/dedup"))
    parser.add_argument("--stories", type=Path, default=ROOT / "tests" / "data" / "stories")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/podsift-eval"))
    args = parser.parse_args()
    t = threshold_for(EMBEDDER)
    vf = VectorFile(EMBEDDER, args.cache)
    answers = AnswerFile(args.model, args.cache)
    system = SYSTEM
    if args.system:
        tried = TRIED.get(args.system)
        system = tried or Path(args.system).read_text("utf-8").strip()
    verifier = MergeVerifier(answers, min_yes=args.min_yes, system=system)
    scored, events = score_split(args.split, args.data, args.stories, vf, t)
    prompt = args.system or "stories.verify.SYSTEM"
    print(f"# merge verifier, {args.split} split, model {args.model}, prompt {prompt}, t {t}\n")
    print_band(scored, t)
    # held: totals only, as for eval_stories.py's report-only sets
    print_answers([s for s in scored if s.band(t)], verifier, answers, args.split == "dev")
    print_parts(scored, events, verifier, t)
    if args.crowd:
        print_crowd(args.crowd, vf, verifier, t)
    print(
        f"\nverifier: {verifier.asked} asked, {verifier.refused} refused, {verifier.failed} failed"
    )


if __name__ == "__main__":
    main()
