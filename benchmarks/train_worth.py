"""Fit the worth model (#21): the score blind readers give a story, read from its centroid.

Usage: ``python benchmarks/train_worth.py [--write] [--confirm]`` (from the repository root).

Two blind judges per crowd scored every story with a score above zero, as podsift ranked them
on 2026-12-04 (up to 200 a crowd, 1-5: stands alone, specific, worth knowing;
``benchmarks/crowds/judged/*-top200-*``). This script runs the daily job over each crowd as
``eval_digest.py`` does, joins the judges' scores to the stories by story id, and fits ridge
regression from each story's centroid (the ``[cluster] embedder``'s vector) to the judges'
mean score. It trains on ``dev`` and on the stories of ``demo`` that ``dev`` lacks (the demo
repeats dev's Changelog episodes), leaving out every story told by Talk Python (GPL-3.0
transcripts stay out of what the package ships).

Podsift meets shows it has never seen, so the ridge strength (``ALPHAS``) and the power
(``POWERS``: worth = (expected / 4) ** power, how far the ranking trusts the model) are chosen
leaving one show out: each show's stories are read by a model fitted without that show. For
dev and for the demo's own shows it prints, for points (mean 3.5 or more) against filler (2.5
or less), the ROC AUC of the ranking's reader-independent score without and with worth, and
the judges' mean of its 5 and 10 best; the pair with the best mean AUC with worth is used.

- ``--confirm`` reads the chosen model, fitted on everything, on ``confirm``, in totals only
  (run it once a choice is made; never tune on it);
- ``--write`` writes that model to ``src/podsift/rank/data/worth-<embedder>.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from crowds.make_crowds import SHARED  # noqa: E402
from eval_crowd import EPOCH, crowd_roots  # noqa: E402
from eval_digest import read_scores  # noqa: E402

from podsift.config import Settings  # noqa: E402
from podsift.demo import demo_settings, run_demo  # noqa: E402
from podsift.rank import BaseScores, WorthModel, worth_factor  # noqa: E402
from podsift.store import open_store  # noqa: E402

JUDGED = ROOT / "benchmarks" / "crowds" / "judged"
JUDGES = {"dev": ("J1", "J2"), "demo": ("J3", "J4"), "confirm": ("J5", "J6")}
ALPHAS = (0.3, 1.0, 3.0, 10.0)
POWERS = (1.0, 2.0, 3.0, 4.0)
GPL_SHOWS = frozenset({"Talk Python To Me"})
POINT, FILLER = 3.5, 2.5

Matrix = npt.NDArray[np.float64]


def judged_stories(crowd: str) -> list[dict[str, Any]]:
    """Every judged story of ``crowd``: its id, mean score, centroid, base score and shows."""
    keys = json.loads((JUDGED / f"{crowd}-top200-keys.json").read_text())["stories"]
    answers = [read_scores(JUDGED / f"{crowd}-top200-scores-judge{j}.txt") for j in JUDGES[crowd]]
    score = {
        keys[i]: float(np.mean([a[i] for a in answers]))
        for i in keys
        if all(i in a for a in answers)
    }
    roots, bundled = crowd_roots(crowd, SHARED)
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="podsift-worth-") as tmp:
        store = open_store(str(Path(tmp) / "crowd.db"))
        try:
            result = run_demo(store, settings, roots, bundled=bundled)
            views = store.story_views(EPOCH)
            vectors = dict(store.story_centroids(settings.cluster.embedder, EPOCH))
        finally:
            store.close()
    rank = demo_settings(settings, result.window).rank  # the demo's softened recency
    base = BaseScores.build(
        views, now=result.as_of, vectors=vectors, recency_half_life_days=rank.recency_half_life_days
    )
    by_id = {v.id: (v, float(base.base[j])) for j, v in enumerate(base.views)}
    out = []
    for sid, mean in score.items():
        if sid not in by_id or sid not in vectors:
            raise SystemExit(f"{crowd}: judged story {sid} is not in today's run")
        view, base_score = by_id[sid]
        first = view.mentions[0]
        out.append(
            {"id": sid, "y": mean, "x": vectors[sid], "base": base_score, "shows": view.shows,
             "show": first.show, "text": first.text, "crowd": crowd}
        )  # fmt: skip
    return out


def fit(rows: list[dict[str, Any]], alpha: float, embedder: str, power: float = 1.0) -> WorthModel:
    """Ridge regression of the judges' mean on the centroid (intercept not penalised)."""
    x = np.array([r["x"] for r in rows], dtype=np.float64)
    y = np.array([r["y"] for r in rows], dtype=np.float64)
    mx, my = x.mean(axis=0), y.mean()
    xc = x - mx
    w = np.linalg.solve(xc.T @ xc + alpha * np.eye(x.shape[1]), xc.T @ (y - my))
    return WorthModel(embedder, w, float(my - mx @ w), power)


def auc(scores: list[float], ys: list[float]) -> float:
    """The chance that a point outscores filler (ties count half)."""
    pos = [s for s, y in zip(scores, ys, strict=True) if y >= POINT]
    neg = [s for s, y in zip(scores, ys, strict=True) if y <= FILLER]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def top_mean(scores: list[float], ys: list[float], k: int) -> float:
    """The judges' mean score of the ``k`` best-scored stories."""
    best = sorted(zip(scores, ys, strict=True), key=lambda p: -p[0])[:k]
    return float(np.mean([y for _, y in best]))


def held_out(pool: list[dict[str, Any]], alpha: float, embedder: str) -> list[float]:
    """Each story's expected score from a model fitted without its show (leave one show out)."""
    got = [0.0] * len(pool)
    for show in {r["show"] for r in pool}:
        train = [r for r in pool if r["show"] != show and r["show"] not in GPL_SHOWS]
        model = fit(train, alpha, embedder)
        for k, r in enumerate(pool):
            if r["show"] == show:
                got[k] = model.expected(r["x"])
    return got


def figures(rows: list[dict[str, Any]], expected: list[float], power: float) -> dict[str, float]:
    """AUC and the mean of the 5 and 10 best, without worth and with (expected / 4) ** power."""
    ys, base = [r["y"] for r in rows], [r["base"] for r in rows]
    scored = [b * worth_factor(e, power) for b, e in zip(base, expected, strict=True)]
    return {
        "auc": auc(base, ys), "auc_worth": auc(scored, ys),
        "top5": top_mean(base, ys, 5), "top5_worth": top_mean(scored, ys, 5),
        "top10": top_mean(base, ys, 10), "top10_worth": top_mean(scored, ys, 10),
    }  # fmt: skip


def line(name: str, f: dict[str, float]) -> str:
    """One table line: the figures without and with worth."""
    return (
        f"{name} AUC {f['auc']:.3f} → {f['auc_worth']:.3f}, 5 best {f['top5']:.2f} → "
        f"{f['top5_worth']:.2f}, 10 best {f['top10']:.2f} → {f['top10_worth']:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--write", action="store_true", help="write the model fitted on all")
    parser.add_argument("--confirm", action="store_true", help="read it on confirm (totals)")
    args = parser.parse_args()
    embedder = Settings().cluster.embedder
    dev, demo = judged_stories("dev"), judged_stories("demo")
    in_dev = {r["text"] for r in dev}
    pool = dev + [r for r in demo if r["text"] not in in_dev]  # the demo repeats dev's Changelog
    parts = {"dev": dev, "demo (its own shows)": [r for r in pool if r["crowd"] == "demo"]}
    trainable = [r for r in pool if r["show"] not in GPL_SHOWS]
    shows = len({r["show"] for r in pool})
    print(f"{len(pool)} judged stories of {shows} shows ({len(trainable)} without GPL ones)")
    print("each show's stories read by a model fitted without that show:")
    best, best_auc = (ALPHAS[0], POWERS[0]), -1.0
    for alpha in ALPHAS:
        expected = held_out(pool, alpha, embedder)
        by_id = {r["id"] + r["crowd"]: e for r, e in zip(pool, expected, strict=True)}
        for power in POWERS:
            got = {
                name: figures(rows, [by_id[r["id"] + r["crowd"]] for r in rows], power)
                for name, rows in parts.items()
            }
            mean = float(np.mean([f["auc_worth"] for f in got.values()]))
            print(f"  alpha {alpha}, power {power}: mean AUC with worth {mean:.3f}")
            for name, f in got.items():
                print("    " + line(name, f))
            if mean > best_auc + 1e-9:
                best, best_auc = (alpha, power), mean
    model = fit(trainable, best[0], embedder, best[1])
    print(f"chosen: alpha {best[0]}, power {best[1]}; fitted on {len(trainable)} stories")
    if args.confirm:
        rows = judged_stories("confirm")
        expected = [model.expected(r["x"]) for r in rows]
        print(line(f"confirm ({len(rows)} judged):", figures(rows, expected, model.power)))
    if args.write:
        path = ROOT / "src" / "podsift" / "rank" / "data" / f"worth-{embedder}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(model.to_json() + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
