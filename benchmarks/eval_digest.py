"""Judge the day's five, blind, next to a baseline's five (issue 21), and with the judge (#18).

Usage: ``python benchmarks/eval_digest.py --crowd NAME [--systems LIST] [--judge-budget SECONDS]
[--top N] [--reuse] [--export] [--add-scores FILE ...] [--json]``, NAME one of demo, dev, confirm,
written, written2, ..., written10 (run from the repository root).

1. The five. The daily job runs over the crowd as :mod:`benchmarks/eval_crowd` runs it (the
   demo's loopback feeds, a real store in a temporary SQLite file, the default settings), and
   its operator digest gives podsift's five. The baseline's five are the stories of the same
   window with the highest plain embedding centrality (mean cosine of the story's centroid to
   every other story's), each shown by its representative quote. ``--systems`` names the
   systems to build (default ``podsift,baseline``); ``podsift+judge`` composes the operator's
   digest again on the same store with ``[rank] judge = "local"`` and ``[insights] headlines =
   "local"`` (the daily job's digest stage with the local model: the top 20 candidates judged,
   the five headlines written), after checking that composing again without a model gives
   the daily job's five. It records the seconds that adds (model load included), the judge's
   share, the peak RSS of the process before and after (``ru_maxrss``), and writes each
   candidate's expected score beside its quote to ``build/<crowd>/judgements.tsv``.
   ``--judge-budget`` sets the local model's ``budget_seconds`` (default: the product's).
   The fives are kept in ``benchmarks/crowds/build/<crowd>/digest-fives.json`` (git-ignored:
   the quotes come from CC-BY-SA and GPL transcripts).
2. ``--export`` writes ``build/<crowd>/digest-judge.md`` for blind judges: the items of every
   system's five (an item in several fives is shown once), shuffled with a fixed seed and
   unlabelled, each only its quote and its show. Which system gave which item is in
   ``digest-judge-keys.json``, beside it, never shown to a judge. Judges score each item 1-5:
   does it stand on its own, is it specific, is it worth knowing.
3. ``--add-scores FILE`` (once per judge) reads a judge's answers (one ``ID: SCORE`` a line,
   ``#`` comments allowed) and reports, per crowd and system: mean item score, filler share
   (score <= 2) and the number-1 item with its score. With ``--judged KEYS`` (a sheet's keys,
   which name each item's story), the fives built now are scored with the answers given to
   that older sheet, matched by story id (or, where the keys hold ``texts``, by the hash of the
   story's text, which outlives a change to extraction), so a change to the ranking is
   measured by the judges who scored the candidates before it
   (``benchmarks/crowds/judged/*-top40-*``, ``*-top200-*``); items no judge saw are counted,
   not guessed.

``confirm`` is for confirmation only: run it to confirm a change, never read its items to
tune. Goal (issue 21): mean >= 4.0, filler <= 5 %, number 1 never filler.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import re
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from crowds.make_crowds import BUILD, SHARED  # noqa: E402
from eval_crowd import CROWDS, EPOCH, crowd_roots  # noqa: E402

from podsift.config import Settings  # noqa: E402
from podsift.context import RunContext  # noqa: E402
from podsift.demo import demo_settings, run_demo  # noqa: E402
from podsift.digest import OPERATOR, Headlines, StoryPool, draft_digest  # noqa: E402
from podsift.insights.clean import clean_quote  # noqa: E402
from podsift.models import StoryView  # noqa: E402
from podsift.store import Store, open_store  # noqa: E402

JUDGED = "podsift+judge"
SYSTEMS = ("podsift", JUDGED, "baseline")
DEFAULT_SYSTEMS = "podsift,baseline"
SEED = 21
TOP = 5
FILLER = 2  # a score at most this is filler
_ANSWER = re.compile(r"^\s*([A-Z]\d+)\s*[:=]\s*([1-5])\b")


def _item(view: StoryView) -> dict[str, Any]:
    m = view.mentions[0]
    return {"story_id": view.id, "quote": m.quote, "show": m.show}


def baseline_five(
    views: list[StoryView], vectors: dict[str, Any], top: int = TOP
) -> list[dict[str, Any]]:
    """The top ``top`` stories by mean cosine of their centroid to every other story's."""
    ids = [v.id for v in views if v.mentions and v.id in vectors]
    if len(ids) < 2:
        return [_item(v) for v in views if v.mentions][:top]
    matrix = np.stack([np.asarray(vectors[i], dtype=np.float64) for i in ids])
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    sims = matrix @ matrix.T
    central = (sims.sum(axis=1) - 1.0) / (len(ids) - 1)
    by_id = {v.id: v for v in views}
    order = sorted(range(len(ids)), key=lambda k: (-central[k], ids[k]))
    return [_item(by_id[ids[k]]) for k in order[:top]]


def build_fives(
    crowd: str,
    shared: Path,
    systems: tuple[str, ...] = SYSTEMS,
    judge_budget: float | None = None,
    top: int = TOP,
) -> dict[str, Any]:
    """Run the daily job over ``crowd``; return the five of each of ``systems``.

    With ``top`` over five, podsift's and the baseline's lists go on to their ``top`` best:
    the five and the candidates behind them (podsift's drafted again with ``[rank] top``;
    its first five must be the daily job's). With ``podsift+judge`` among them, ``measure``
    holds what the judge's run cost and ``judgements`` each candidate's score (see
    :func:`judged_five`).
    """
    roots, bundled = crowd_roots(crowd, shared)
    settings = Settings()
    out: dict[str, Any] = {"crowd": crowd}
    with tempfile.TemporaryDirectory(prefix="podsift-digest-") as tmp:
        store = open_store(str(Path(tmp) / "crowd.db"))
        try:
            result = run_demo(store, settings, roots, bundled=bundled)
            views = store.story_views(EPOCH)
            vectors = dict(store.story_centroids(settings.cluster.embedder, EPOCH))
            ours = [_digest_item(i) for i in result.digest.items]
            if top > TOP:
                wider = more_candidates(store, result.as_of, result.window, top)
                if wider[:TOP] != ours:
                    raise SystemExit(f"the top {top} do not begin with the daily job's five")
                ours = wider
            if JUDGED in systems:
                got = judged_five(store, result.as_of, result.window, ours, judge_budget)
                out[JUDGED], out["measure"], out["judgements"] = got
        finally:
            store.close()
    out["day"] = result.as_of.date().isoformat()
    if "podsift" in systems:
        out["podsift"] = ours
    if "baseline" in systems:
        out["baseline"] = baseline_five(views, vectors, top)
    return out


def draft_top(store: Store, as_of: datetime, window: timedelta, top: int) -> dict[str, Any]:
    """The operator's digest drafted again with ``[rank] top = top`` (its stored JSON)."""
    plain = demo_settings(Settings(), window)
    wide = dataclasses.replace(plain, rank=dataclasses.replace(plain.rank, top=top))
    with httpx.Client() as client:
        ctx = RunContext(wide, store, client, as_of, lookback=window)
        payload, _ = draft_digest(ctx, OPERATOR, as_of.date(), pool=StoryPool.load(ctx))
    return payload


def more_candidates(
    store: Store, as_of: datetime, window: timedelta, top: int
) -> list[dict[str, Any]]:
    """The five and the candidates behind them, as the sheet shows them."""
    return [_digest_item(i) for i in draft_top(store, as_of, window, top)["items"]]


def _digest_item(item: Any) -> dict[str, Any]:
    """A digest item (object or stored JSON): what the sheet shows (quote, show), its story
    and its episode (never shown to a judge; read after, e.g. beside the episode's title)."""
    get = item.get if isinstance(item, dict) else lambda k: getattr(item, k)
    return {
        "story_id": get("story_id"),
        "quote": get("quote"),
        "show": get("show"),
        "episode": get("episode"),
    }


def _peak_rss_mib() -> float:
    """The process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def judged_five(
    store: Store,
    as_of: datetime,
    window: timedelta,
    daily: list[dict[str, Any]],
    budget: float | None,
) -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    """Compose the operator's digest again with the local judge and headlines; time it.

    First without a model, which must give the daily job's five (``daily``); then with
    ``[rank] judge = "local"`` and ``[insights] headlines = "local"``, as the digest stage of
    a daily run with them would. Returns the judged five, the measurements and each
    candidate's judgement (best base score first).
    """
    plain = demo_settings(Settings(), window)
    rank = dataclasses.replace(plain.rank, judge="local")
    local = plain.insights.local
    if budget is not None:
        local = dataclasses.replace(local, budget_seconds=budget)
    insights = dataclasses.replace(plain.insights, headlines="local", local=local)
    judged = dataclasses.replace(plain, rank=rank, insights=insights)
    day = as_of.date()
    with httpx.Client() as client:
        rss_before = _peak_rss_mib()
        began = time.perf_counter()
        ctx = RunContext(plain, store, client, as_of, lookback=window)
        payload, _ = draft_digest(ctx, OPERATOR, day, pool=StoryPool.load(ctx))
        plain_seconds = time.perf_counter() - began
        again = [_digest_item(i) for i in payload["items"]]
        if again != daily:
            raise SystemExit(f"composing again gave {again}, not the daily job's five {daily}")
        began = time.perf_counter()
        ctx = RunContext(judged, store, client, as_of, lookback=window)
        pool = StoryPool.load(ctx)
        headlines = Headlines.for_settings(ctx)  # loads the model, once per process
        load_seconds = time.perf_counter() - began
        payload, _ = draft_digest(ctx, OPERATOR, day, pool=pool, headlines=headlines)
        llm_seconds = time.perf_counter() - began
    done = pool.judgements
    assert done is not None
    five = [_digest_item(i) for i in payload["items"]]
    in_five = {i["story_id"] for i in five}
    rows = [
        {
            "rank": n,
            "story_id": v.id,
            "score": done.scores.get(v.id),
            "factor": done.factors.get(v.id, 1.0),
            "in_podsift": v.id in {i["story_id"] for i in daily},
            "in_judged": v.id in in_five,
            "quote": " ".join(v.mentions[0].quote.split()),
        }
        for n, v in enumerate(done.candidates, start=1)
    ]
    measure = {
        "candidates": len(done.candidates),
        "judged": len(done.scores),
        "unjudged": done.unjudged,
        "budget_seconds": local.budget_seconds,
        "compose_seconds_without_model": round(plain_seconds, 1),
        "compose_seconds_with_model": round(llm_seconds, 1),
        "added_seconds": round(llm_seconds - plain_seconds, 1),
        "model_load_seconds": round(load_seconds, 1),
        "judge_seconds": round(done.seconds, 1),
        "headline_seconds": round(llm_seconds - load_seconds - done.seconds - plain_seconds, 1),
        "peak_rss_mib_without_model": round(rss_before),
        "peak_rss_mib_with_model": round(_peak_rss_mib()),
        "headlines": [i["headline"] for i in payload["items"]],
    }
    return five, measure, rows


def write_judgements(rows: list[dict[str, Any]], path: Path) -> None:
    """Each candidate's expected score beside the first 100 characters of its quote."""
    lines = ["rank\tstory_id\tscore\tfactor\tin_podsift\tin_judged\tquote"]
    for r in rows:
        score = "-" if r["score"] is None else f"{r['score']:.2f}"
        cells = [r["rank"], r["story_id"], score, f"{r['factor']:.3f}", int(r["in_podsift"]),
                 int(r["in_judged"]), r["quote"][:100]]  # fmt: skip
        lines.append("\t".join(str(c) for c in cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def systems_of(fives: dict[str, Any]) -> list[str]:
    """The systems whose fives ``fives`` holds, in :data:`SYSTEMS` order."""
    return [s for s in SYSTEMS if s in fives]


def export(fives: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Write the blind sheet and its key; return their paths."""
    pool: dict[tuple[str, str], dict[str, Any]] = {}
    for system in systems_of(fives):
        for rank, item in enumerate(fives[system], start=1):
            entry = pool.setdefault((item["quote"], item["show"]), {**item, "from": []})
            entry["from"].append([system, rank])
    items = sorted(pool.values(), key=lambda x: (x["show"], x["quote"]))
    random.Random(f"{SEED}-{fives['crowd']}").shuffle(items)
    letter = fives["crowd"][0].upper()
    lines = [
        f"# Blind digest items: {fives['crowd']}",
        "",
        "Score each item 1-5 as a reader of a daily email would: does it stand on its own",
        "(no need for what came before), is it specific, is it worth knowing?",
        "5 = a point you would forward; 1 = filler (meta-talk, scene-setting, a fragment).",
        f"Answer one line per item, `ID: SCORE` (e.g. `{letter}1: 4`).",
        "",
    ]
    key, stories = {}, {}
    for n, item in enumerate(items, start=1):
        ident = f"{letter}{n}"
        key[ident] = item["from"]
        stories[ident] = item["story_id"]
        quote = " ".join(item["quote"].split())
        lines += [f"## {ident}", "", f"> {quote}", "", f"— {item['show']}", ""]
    sheet, keys = folder / "digest-judge.md", folder / "digest-judge-keys.json"
    sheet.write_text("\n".join(lines), encoding="utf-8")
    saved = {"crowd": fives["crowd"], "day": fives["day"], "key": key, "stories": stories}
    keys.write_text(json.dumps(saved, indent=1) + "\n")
    return sheet, keys


def read_scores(path: Path) -> dict[str, int]:
    """``ID: SCORE`` lines of a judge's answers (the rest is ignored)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _ANSWER.match(line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def report(fives: dict[str, Any], key: dict[str, Any], scores: dict[str, int]) -> dict[str, Any]:
    """Mean, filler share and number 1 of each system under ``scores``."""
    by_slot = {(s, r): ident for ident, froms in key.items() for s, r in froms}
    return {
        system: _summary(
            fives[system],
            [scores.get(by_slot[(system, r)]) for r in range(1, len(fives[system]) + 1)],
        )
        for system in systems_of(fives)
    }


def judged_keys(judged: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Sheet ID → story id and sheet ID → quote hash, from a keys file of either form: with
    ``stories`` and ``texts`` beside ``key`` (``--export``'s), or with a ``story_id`` or a
    ``quote`` hash in each item of ``key`` (the sheets that set two rankings side by side).

    >>> judged_keys({"key": {"R1": {"quote": "ab12", "from": [["new", 1]]}}})
    ({}, {'R1': 'ab12'})
    """
    if "stories" in judged:
        return judged["stories"], judged.get("texts") or {}
    items = {i: v for i, v in judged.get("key", {}).items() if isinstance(v, dict)}
    stories = {i: v["story_id"] for i, v in items.items() if "story_id" in v}
    return stories, {i: v["quote"] for i, v in items.items() if "quote" in v}


def rescore(
    fives: dict[str, Any],
    stories: dict[str, str],
    texts: dict[str, str] | None,
    scores: dict[str, int],
) -> dict[str, Any]:
    """Like :func:`report`, for fives built after the judging: items are matched to the
    judged ones by the text of their quote (``texts``: sheet ID → the first 16 hex digits of
    the sha256 of the judged story's text, its cleaned quote, or of the quote as shown), which
    survives a change to extraction that renames stories, else by story id (``stories``: sheet
    ID → story id; a story judged in another telling); ``unjudged`` counts the five's items
    that no judged story matches."""
    by_story = {sid: scores[ident] for ident, sid in stories.items() if ident in scores}
    by_text = {h: scores[ident] for ident, h in (texts or {}).items() if ident in scores}

    def score_of(item: dict[str, Any]) -> int | None:
        for quote in (clean_quote(item["quote"]), item["quote"]):  # the telling judged
            if (got := by_text.get(hashlib.sha256(quote.encode()).hexdigest()[:16])) is not None:
                return got
        return by_story.get(item["story_id"])  # its story, as another telling of it was

    out = {}
    for system in systems_of(fives):
        every = [score_of(item) for item in fives[system]]
        out[system] = {**_summary(fives[system], every), "unjudged": every[:TOP].count(None)}
    return out


def _summary(items: list[dict[str, Any]], every: list[int | None]) -> dict[str, Any]:
    """Mean, filler share and number 1 of one system's list, scored ``every`` (None: not
    scored); with more than five, the mean of all of them too."""
    got = every[:TOP]
    known = [g for g in got if g is not None]
    out: dict[str, Any] = {
        "items": len(got),
        "scored": len(known),
        "mean": _mean(known),
        "filler": round(sum(g <= FILLER for g in known) / len(known), 3) if known else None,
        "number_1": {**items[0], "score": got[0]} if items else None,
    }
    if len(every) > TOP:  # the candidates behind the five
        out["top_n"] = len(every)
        out["top_n_mean"] = _mean([g for g in every if g is not None])
    return out


def _mean(scores: list[int]) -> float | None:
    return round(sum(scores) / len(scores), 2) if scores else None


def print_report(crowd: str, rep: dict[str, Any]) -> None:
    print(f"{crowd}: system        items scored  mean  filler  number 1")
    for system, r in rep.items():
        mean = "-" if r["mean"] is None else f"{r['mean']:.2f}"
        filler = "-" if r["filler"] is None else f"{100 * r['filler']:.0f}%"
        one = r["number_1"] or {}
        quote = " ".join(str(one.get("quote", "")).split())[:70]
        print(f"  {system:<13} {r['items']:>5} {r['scored']:>6} {mean:>5} {filler:>7}  "
              f"[{one.get('score', '-')}] {quote} ({one.get('show', '')})")  # fmt: skip
        if r.get("unjudged"):
            print(f"  {'':<13} {r['unjudged']} of the five not judged")
        if "top_n" in r:
            print(f"  {'':<13} top {r['top_n']}: mean {r['top_n_mean']}")


def print_measure(crowd: str, m: dict[str, Any]) -> None:
    """What the judge's run cost, in one paragraph."""
    print(f"{crowd}: {JUDGED}: {m['judged']} of {m['candidates']} candidates judged "
          f"({m['unjudged']} not; budget {m['budget_seconds']:g} s); composing the digest took "
          f"{m['compose_seconds_with_model']} s with the model against "
          f"{m['compose_seconds_without_model']} s without: +{m['added_seconds']} s (model load "
          f"{m['model_load_seconds']} s, judge {m['judge_seconds']} s, five headlines about "
          f"{m['headline_seconds']} s); peak RSS {m['peak_rss_mib_without_model']} MiB -> "
          f"{m['peak_rss_mib_with_model']} MiB")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crowd", choices=CROWDS, required=True)
    ap.add_argument("--shared", type=Path, default=SHARED)
    known = ", ".join(SYSTEMS)
    ap.add_argument("--systems", default=DEFAULT_SYSTEMS,
                    help=f"comma-separated, of {known} (default: %(default)s)")  # fmt: skip
    ap.add_argument("--judge-budget", type=float, help="the local model's budget_seconds")
    ap.add_argument("--top", type=int, default=TOP, help="list this many of each system's best")
    ap.add_argument("--reuse", action="store_true", help="read the fives built last time")
    ap.add_argument("--export", action="store_true", help="write the blind sheet and its key")
    ap.add_argument(
        "--add-scores",
        type=Path,
        action="append",
        help="a judge's answers: ID: SCORE lines (again for each judge: one report each)",
    )
    ap.add_argument("--judged", type=Path,
                    help="the keys of the sheet those answers are for, when the fives were "
                    "built after it: items are matched by story id")  # fmt: skip
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    systems = tuple(x.strip() for x in args.systems.split(",") if x.strip())
    if unknown := set(systems) - set(SYSTEMS):
        ap.error(f"unknown system {', '.join(sorted(unknown))} (known: {', '.join(SYSTEMS)})")
    folder = BUILD / args.crowd
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / "digest-fives.json"
    if args.reuse or (args.add_scores and saved.exists()):
        fives = json.loads(saved.read_text(encoding="utf-8"))
    else:
        fives = build_fives(args.crowd, args.shared, systems, args.judge_budget, args.top)
        saved.write_text(json.dumps(fives, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        if "judgements" in fives:
            write_judgements(fives["judgements"], folder / "judgements.tsv")
            print(f"judgements: {folder / 'judgements.tsv'}")
    if "measure" in fives and not args.add_scores:
        print_measure(args.crowd, fives["measure"])
    if args.export:
        sheet, keys = export(fives, folder)
        print(f"blind sheet: {sheet}\nkey (not for judges): {keys}")
    for answers_file in args.add_scores or ():
        answers = read_scores(answers_file)
        if args.judged:
            rep = rescore(fives, *judged_keys(json.loads(args.judged.read_text())), answers)
        else:
            key = json.loads((folder / "digest-judge-keys.json").read_text())["key"]
            rep = report(fives, key, answers)
        print(json.dumps(rep, indent=1, ensure_ascii=False) if args.json else "", end="")
        if not args.json:
            print(f"judge's answers: {answers_file.name}")
            print_report(args.crowd, rep)
    if not args.add_scores and not args.export:
        counts = {s: len(fives[s]) for s in systems_of(fives)}
        print(f"{args.crowd} ({fives['day']}): {counts}; --export to write the blind sheet")


if __name__ == "__main__":
    main()
