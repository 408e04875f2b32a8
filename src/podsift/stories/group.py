"""Group statements that say the same thing. Pure: vectors in, clusters out, no model here.

Grouping is average-linkage agglomeration with a cosine threshold: repeatedly merge the two
groups whose mean pairwise similarity is highest, while it is at least the threshold. Every
member of a group is therefore, on average, close to every other member, so groups do not
drift into chains the way "join the nearest member" would. Single and complete linkage (the
highest or the lowest pairwise similarity) are there for benchmarks/eval_stories.py, which
calibrates the linkage with the threshold and chose average for every embedder. Statements
are sorted by id (natural order, "2" < "10") first and ties go to the earlier id, so the
result does not depend on the input order. Where two near-identical texts make different
claims, the conflict checks of :mod:`.signals` lower their similarity, both within a batch
and when a statement would join an existing story (checked against the story's member texts).
And since a story is one claim, not a subject, two statements merge only when they name at
least :data:`~podsift.stories.anchors.MIN_ANCHORS` things in common that are rare in their
window (:mod:`.anchors`): the cosine alone cannot tell "Redis changed its licence" from
"Redis is fast", nor two remarks about Python in a crowd of Python podcasts (#17). Given a
:class:`~podsift.stories.verify.MergeVerifier`, the pairs of two shows that the rule turns
down narrowly (:func:`~podsift.stories.verify.in_band`) are put to it, closest first, and
merge when it says they tell one story.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from podsift.exceptions import PodsiftError
from podsift.models import Cluster, Statement, text_hash
from podsift.stories import anchors
from podsift.stories.anchors import (
    MIN_ANCHORS,
    MIN_COVERAGE,
    WindowTerms,
    claim_coverage,
    claim_share,
    terms,
)
from podsift.stories.index import StoryIndex
from podsift.stories.signals import SignalWeights, pair_penalty, text_signals
from podsift.stories.verify import MergeVerifier, in_band

#: How much closer than the merge threshold two shows' tellings of one story must be, each
#: pair of them (:func:`off_claim`): chosen on the blind-labelled multi-show stories of the
#: crowds that may be read, the least margin at which nine in ten of them are one claim.
TOLD_ALIKE_MARGIN = 0.1

#: The default embedder's calibrated threshold (see :data:`CALIBRATED_THRESHOLDS`): cosine at
#: or above which two statements (or a statement and a story's members, on average) count as
#: the same story. Chosen by benchmarks/eval_stories.py (macro F1 over events, STS headlines,
#: MSRpar, hard and blind pairs, calibration half, pooled precision at least 0.9).
DEFAULT_THRESHOLD = 0.45

#: Weights of the textual conflict checks (:mod:`podsift.stories.signals`): each is a veto
#: (a penalty of 1.0 takes a near-identical pair far below any threshold), for every
#: embedder. benchmarks/eval_stories.py calibrates the threshold with them on; weights
#: calibrated too chose a lighter name check on the small calibration parts, which did worse
#: held out and on pairs written blind (see the README).
DEFAULT_SIGNALS = SignalWeights(numbers=1.0, negation=1.0, order=1.0, names=1.0, opposites=1.0)

#: How the similarity of two groups (or of a statement and a story's members) is taken from
#: their members' pairwise similarities: the mean ("average"), the highest ("single") or the
#: lowest ("complete"). benchmarks/eval_stories.py calibrates it with the threshold.
Linkage = Literal["average", "single", "complete"]
LINKAGES: tuple[Linkage, ...] = ("average", "single", "complete")
#: The calibrated linkage, for every embedder (see the README for each one's figures).
DEFAULT_LINKAGE: Linkage = "average"

#: The calibrated merge threshold of each embedder, by embedder name: a threshold belongs to
#: the model whose cosines it cuts. Both from benchmarks/eval_stories.py, best macro F1 on the
#: calibration half of data/dedup and tests/data/stories/{hard,blind}-pairs.jsonl with pooled
#: precision at least 0.9 (without that floor the optimum is lower, and merges topics).
CALIBRATED_THRESHOLDS: Mapping[str, float] = {"minilm-l6-int8": 0.45, "mpnet-base": 0.45}


class UncalibratedEmbedderError(PodsiftError, ValueError):
    """An embedder with no calibrated threshold, and none set by the user."""


def threshold_for(embedder: str, override: float | None = None) -> float:
    """The merge threshold for ``embedder``: ``override`` if set, else the calibrated one.

    >>> threshold_for("minilm-l6-int8"), threshold_for("other", 0.6)
    (0.45, 0.6)

    Raises:
        UncalibratedEmbedderError: ``embedder`` has no calibrated threshold and no override.
    """
    if override is not None:
        return override
    try:
        return CALIBRATED_THRESHOLDS[embedder]
    except KeyError:
        raise UncalibratedEmbedderError(
            f"embedder {embedder!r} has no calibrated threshold: calibrate it with"
            " benchmarks/eval_stories.py and set [cluster] threshold"
        ) from None


#: How many of a story's member texts a joining statement is checked against: the first
#: ones (the store lists the representative first, then the best-scored), which state the
#: story's claim; checking every member of a big story costs more than the whole assignment.
CHECKED_MEMBERS = 5

#: How many stories, nearest by centroid, a joining statement is compared with member by
#: member: the nearest centroid is not always the most similar story once each show counts
#: once (:func:`by_show`).
NEAREST_STORIES = 3


Vectors = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.floating[Any]]
_DIGITS = re.compile(r"(\d+)")


def natural_key(ident: str) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """Sort key that orders digit runs by value: "2" < "10", "a9" < "a10".

    >>> sorted(["10", "2", "b", "a10", "a9"], key=natural_key)
    ['2', '10', 'a9', 'a10', 'b']
    """
    parts = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in _DIGITS.split(ident)
        if part
    )
    return parts, ident


def cluster_id(members: Sequence[str]) -> str:
    """Stable id of a group: ``"c"`` + the hash of its naturally sorted member ids."""
    return "c" + text_hash("\n".join(sorted(members, key=natural_key)))


def group_statements(
    statements: Sequence[Statement],
    vectors: FloatArray,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    signals: SignalWeights | None = None,
    linkage: Linkage = DEFAULT_LINKAGE,
    min_anchors: int = MIN_ANCHORS,
    verifier: MergeVerifier | None = None,
) -> list[Cluster]:
    """Group ``statements`` (row ``i`` of ``vectors`` embeds ``statements[i]``).

    Two statements are compared by their cosine less the penalty of the textual conflict
    checks of :mod:`podsift.stories.signals`, weighted by ``signals`` (default: the
    calibrated ones). A pair naming fewer than ``min_anchors`` rare things in common is kept
    apart, unless ``verifier`` is given, the pair is in its band and of two shows (or of
    shows unknown), and the verifier says it is one story.

    Every statement lands in exactly one cluster. Members are in natural id order; clusters
    come largest first, then by their first member. Memory grows with the square of the
    number of statements (a 5,000-statement call needs about 200 MB).
    """
    ordered, unit = _canonical(statements, vectors)
    weights = DEFAULT_SIGNALS if signals is None else signals
    window = WindowTerms.of(s.text for s in ordered)
    return _group(ordered, unit, threshold, weights, linkage, window, min_anchors, verifier)


def assign_to_stories(
    new: Sequence[Statement],
    new_vectors: FloatArray,
    existing: Sequence[tuple[str, FloatArray]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    story_texts: Mapping[str, Sequence[str]] | None = None,
    member_vectors: Mapping[str, FloatArray] | None = None,
    member_shows: Mapping[str, Sequence[str | None]] | None = None,
    index: StoryIndex | None = None,
    signals: SignalWeights | None = None,
    linkage: Linkage = DEFAULT_LINKAGE,
    min_anchors: int = MIN_ANCHORS,
    verifier: MergeVerifier | None = None,
) -> list[tuple[str, str | None]]:
    """Assign new statements to existing stories ``(story id, centroid)`` or to new stories.

    Returns ``(statement id, story)`` pairs in natural statement-id order, where ``story`` is

    - an existing story id: of the :data:`NEAREST_STORIES` whose centroids are nearest, the
      most similar, if its similarity reaches ``threshold`` once the conflict penalty
      against the story's member texts (``story_texts``: the highest penalty of its first
      :data:`CHECKED_MEMBERS`) is taken off. The similarity is the mean cosine to the
      story's members where their vectors are given (``member_vectors``), else the cosine
      to the centroid. The mean is the rule that groups a day's statements (average
      linkage), so a story grows alike whether its members came on one day or many; the
      cosine to a renormalised centroid is higher for a spread-out story, and lets topics
      snowball into one. A show raises a story once, so another show counts once in the
      mean, by its member nearest the statement (:func:`by_show`, with ``member_shows``): a
      show that told the story in two remarks, one of them beside it, does not halve the
      story's similarity to a third show's telling;
    - otherwise the new statements are grouped among themselves with
      :func:`group_statements`: a statement alone in its group gets ``None`` (it starts a
      story of its own), the members of a larger group share a new story key, the group's
      :func:`cluster_id` (``"c"`` + hash of its member ids, never an existing id in practice).

    A statement that would join a story of two checked members or more (of two shows or more
    where ``member_shows`` are given: one show's remarks state no claim of shows) but states
    too little of what they agree on (:func:`~podsift.stories.anchors.claim_coverage` below
    :data:`~podsift.stories.anchors.MIN_COVERAGE`) does not join it (#17).

    With ``verifier``, a statement that would join a story but names fewer than
    ``min_anchors`` rare things in common with its checked members is put to the verifier
    when it is in the band (:func:`~podsift.stories.verify.in_band`), against the member it
    shares most with (whatever the story's shows), and joins on a yes; so are the band pairs
    of the new statements grouped among themselves.

    Centroids do not move within one call, so the result does not depend on input order.

    The nearest story is found with a :class:`~podsift.stories.index.StoryIndex`: exact
    below its size threshold, an approximate HNSW graph beyond (ties go to the naturally
    smaller story id). Pass ``index`` (built with ``key=natural_key``) to keep one across
    calls, e.g. the days of a catch-up run: it is synced to ``existing`` here, so only new
    and moved stories are re-indexed.
    """
    weights = DEFAULT_SIGNALS if signals is None else signals
    ordered, unit = _canonical(new, new_vectors)
    texts, vectors, shows = story_texts or {}, member_vectors or {}, member_shows or {}
    placed = frozenset().union(*(terms(s.text) for s in ordered))
    window = WindowTerms.of([*(s.text for s in ordered), *itertools.chain(*texts.values())], placed)
    close = unit @ unit.T >= anchors.NEAR_COSINE  # each new statement's near neighbours

    def tested(i: int, story: str, cos: float) -> tuple[float, str | None]:
        """The similarity once the checks against ``story``'s members are taken off, and the
        member to put to the verifier when the pair is in its band (else ``None``); a pair
        turned down scores below ``threshold``, by how much does not matter."""
        checked = texts.get(story, ())[:CHECKED_MEMBERS] if weights.active else ()
        if not checked or cos < threshold:
            return cos, None
        told = shows.get(story) or range(len(checked))  # shows unknown: each member its own
        of_shows = len(set(told[: len(checked)])) > 1
        if of_shows and min_anchors and claim_coverage(ordered[i].text, checked) < MIN_COVERAGE:
            return cos - 1.0, None  # names the story, or says something else of it (#17)
        things: list[int] = []
        if min_anchors:  # the cheaper check first: most pairs near the threshold fail it
            near = [*checked, *(ordered[k].text for k in np.flatnonzero(close[i]))]
            things = [window.shared_things(ordered[i].text, t, near) for t in checked]
            if max(things) < min_anchors and not verifier:
                return cos - 1.0, None
        mine = text_signals(ordered[i].text)
        cos -= max(pair_penalty(mine, text_signals(t), weights) for t in checked)
        if cos < threshold or not min_anchors or (shared := max(things)) >= min_anchors:
            return cos, None
        if verifier and in_band(cos, shared, threshold, min_anchors):
            return cos, checked[things.index(shared)]
        return cos - 1.0, None

    story_of: list[tuple[str | None, float]] = []
    band: list[tuple[float, int, str]] = []  # (similarity, statement, member) to verify
    nearest = _nearest_stories(unit, list(existing), index)
    for i, (near, linked) in enumerate(zip(nearest, _linked(unit, nearest, vectors), strict=True)):
        own = ordered[i].show
        sims = [
            (
                story,
                cos if got is None else float(_LINK[linkage](by_show(got, shows.get(story), own))),
            )
            for (story, cos), got in zip(near, linked, strict=True)
        ]
        story, cos = max(sims, key=lambda s: s[1], default=(None, 0.0))  # the nearest of equals
        cos, member = tested(i, story, cos) if story is not None else (cos, None)
        story_of.append((story, cos) if cos >= threshold else (None, cos))
        if member is not None and cos >= threshold:
            band.append((cos, i, member))
    for _, i, member in sorted(band, key=lambda b: (-b[0], b[1])):  # closest first
        if not (verifier and verifier.same_story(ordered[i].text, member)):
            story_of[i] = (None, story_of[i][1] - 1.0)
    result = {s.id: story_of[i][0] for i, s in enumerate(ordered)}
    loose = [i for i in range(len(ordered)) if story_of[i][0] is None]
    rest = [ordered[i] for i in loose]
    grouped = _group(rest, unit[loose], threshold, weights, linkage, window, min_anchors, verifier)
    for cluster in grouped:
        if len(cluster.members) > 1:
            result.update(dict.fromkeys(cluster.members, cluster.id))
    return [(s.id, result[s.id]) for s in ordered]


#: A statement's similarity to a story, from its cosines to the story's members, by linkage.
_LINK: dict[str, Callable[[Vectors], Any]] = {
    "average": np.mean,
    "single": np.max,
    "complete": np.min,
}


def _group(
    ordered: Sequence[Statement],
    unit: Vectors,
    threshold: float,
    weights: SignalWeights,
    linkage: Linkage,
    window: WindowTerms,
    min_anchors: int,
    verifier: MergeVerifier | None = None,
) -> list[Cluster]:
    """Agglomerative clusters of canonically ordered statements, largest first."""
    sims = unit @ unit.T
    texts = [s.text for s in ordered]
    _apply_penalties(sims, texts, weights, threshold)
    _apply_anchors(sims, ordered, window, threshold, min_anchors, verifier)
    groups = _agglomerate(sims, threshold, linkage)
    if min_anchors:
        groups = _claims_only(groups, ordered, sims, unit, threshold, linkage)
    clusters = [_make_cluster(ordered, sims, members) for members in groups]
    return sorted(clusters, key=lambda c: (-len(c.members), natural_key(c.members[0])))


def _apply_penalties(
    sims: Vectors, texts: Sequence[str], weights: SignalWeights, threshold: float
) -> None:
    """Subtract the signal penalties in place, only where a pair would otherwise merge
    (each pair once: the checks are symmetric)."""
    if not weights.active:
        return
    for i, j in zip(*np.nonzero(np.triu(sims >= threshold, k=1)), strict=True):
        penalty = pair_penalty(text_signals(texts[i]), text_signals(texts[j]), weights)
        sims[i, j] -= penalty
        sims[j, i] -= penalty


def _apply_anchors(
    sims: Vectors,
    ordered: Sequence[Statement],
    window: WindowTerms,
    threshold: float,
    least: int,
    verifier: MergeVerifier | None = None,
) -> None:
    """Veto, in place, the pairs that would merge but name fewer than ``least`` things in
    common (:meth:`WindowTerms.shared_things`, each pair's neighbourhood being the statements
    close to either of the two before any veto), but those of two shows in the verifier's
    band that it says are one story (asked closest first, so a budget goes to the likeliest)."""
    if not least:
        return
    texts = [s.text for s in ordered]
    close = sims >= anchors.NEAR_COSINE
    band: list[tuple[float, int, int]] = []
    for i, j in zip(*np.nonzero(sims >= threshold), strict=True):
        if i < j:
            near = [texts[int(k)] for k in np.flatnonzero(close[i] | close[j])]
            shared = window.shared_things(texts[i], texts[j], near)
            if shared >= least:
                continue
            similarity = float(sims[i, j])
            if (
                verifier
                and _two_shows(ordered[i], ordered[j])
                and in_band(similarity, shared, threshold, least)
            ):
                band.append((similarity, int(i), int(j)))
                continue
            sims[i, j] -= 1.0
            sims[j, i] -= 1.0
    for _, i, j in sorted(band, key=lambda b: (-b[0], b[1], b[2])):
        if not (verifier and verifier.same_story(texts[i], texts[j])):
            sims[i, j] -= 1.0
            sims[j, i] -= 1.0


def off_claim(
    texts: Sequence[str],
    shows: Sequence[str | None] | None = None,
    unit: Vectors | None = None,
    alike: float = DEFAULT_THRESHOLD + TOLD_ALIKE_MARGIN,
) -> list[int]:
    """The members of a story (their ``texts``) that do not tell its claim, by index (#17):

    - in a story of three or more, those that state too little of what the others agree on
      (:func:`~podsift.stories.anchors.claim_coverage` below
      :data:`~podsift.stories.anchors.MIN_COVERAGE`): a rundown naming the story, advice or a
      consequence beside its tellings. Each is read against all the others, and only beside
      two members or more that do state it: where most members say it in words of their own,
      paraphrases of one claim, none is off;
    - with the members' ``shows``, every member of a show but the one that states most of
      what the other shows say (:func:`~podsift.stories.anchors.claim_share`; the first of
      equals): a show raises a story once, and its second member is a preview, a recap, a
      follow-up or the background, each a claim of its own more often than the same one;
    - with the shows and the members' ``unit`` vectors too, those told unlike another show's
      member (cosine below ``alike``), the member unlike most others first, until every two
      shows left tell it alike (:func:`_told_apart`): two shows' tellings of one claim are
      closer than two remarks that share its names and make two points.

    A story of one show keeps them all: it is raised on one show whatever it holds.

    >>> off_claim(["Acme recalled 40,000 bags of spinach on Tuesday",
    ...            "On Tuesday Acme recalled 40,000 bags of its spinach",
    ...            "First the spinach thing, then beans"])
    [2]
    >>> off_claim(["Acme recalled 40,000 bags of spinach", "Spinach is good for you",
    ...            "Acme has recalled 40,000 bags of spinach"], ["news", "news", "food"])
    [1]
    """
    if shows is not None and len(set(shows)) < 2:
        return []
    off = _understated(texts)
    if shows is None:
        return off
    kept = [i for i in range(len(texts)) if i not in off]
    if len({shows[i] for i in kept}) < 2:
        return off
    by_show: dict[str, list[int]] = {}
    for i in kept:
        if (show := shows[i]) is not None:
            by_show.setdefault(show, []).append(i)
    for show, mine in by_show.items():
        theirs = [texts[j] for j in kept if shows[j] != show]
        best = max(mine, key=lambda i: (claim_share(texts[i], theirs), -i))
        off += [i for i in mine if i != best]
    if unit is not None:
        off += _told_apart([i for i in kept if i not in off], shows, unit @ unit.T, alike)
    return sorted(off)


def _told_apart(
    kept: list[int], shows: Sequence[str | None], sims: Vectors, alike: float
) -> list[int]:
    """The members of ``kept`` (one a show) to leave so that every two of different shows
    have a cosine (``sims``) of at least ``alike``: the member in most pairs below it first,
    then the one least like the others, then the later.

    >>> sims = np.array([[1, .8, .4], [.8, 1, .5], [.4, .5, 1]])
    >>> _told_apart([0, 1, 2], ["a", "b", "c"], sims, 0.55)
    [2]
    """
    kept = list(kept)  # the caller's list stays as it was
    left: list[int] = []
    while True:
        apart = Counter(
            k
            for i, j in itertools.combinations(kept, 2)
            if shows[i] != shows[j] and sims[i, j] < alike
            for k in (i, j)
        )
        if not apart:
            return left
        likeness = {i: float(np.mean([sims[i, j] for j in kept if j != i])) for i in kept}
        out = max(kept, key=lambda i: (apart[i], -likeness[i], i))
        kept.remove(out)
        left.append(out)


def _understated(texts: Sequence[str]) -> list[int]:
    """The members of a story of three or more that state too little of its claim (see
    :func:`off_claim`), when two members or more are left."""
    if len(texts) < 3:
        return []
    off = [
        i
        for i, text in enumerate(texts)
        if claim_coverage(text, [t for j, t in enumerate(texts) if j != i]) < MIN_COVERAGE
    ]
    return off if len(texts) - len(off) >= 2 else []


def _claims_only(
    groups: list[list[int]],
    ordered: Sequence[Statement],
    sims: Vectors,
    unit: Vectors,
    threshold: float,
    linkage: Linkage,
) -> list[list[int]]:
    """``groups`` less their :func:`off_claim` members, which are grouped again among
    themselves (two tellings of another claim stay together)."""
    kept: list[list[int]] = []
    alike = threshold + TOLD_ALIKE_MARGIN
    for group in groups:
        texts, shows = [ordered[i].text for i in group], [ordered[i].show for i in group]
        off = [group[k] for k in off_claim(texts, shows, unit[group], alike)]
        if not off:
            kept.append(group)
            continue
        kept.append([i for i in group if i not in off])
        again = _agglomerate(sims[np.ix_(off, off)], threshold, linkage)
        kept += _claims_only(
            [[off[k] for k in g] for g in again], ordered, sims, unit, threshold, linkage
        )
    return kept


def _two_shows(a: Statement, b: Statement) -> bool:
    """Whether ``a`` and ``b`` may come from two shows (an unknown show may be another)."""
    return a.show is None or b.show is None or a.show != b.show


def _canonical(
    statements: Sequence[Statement], vectors: FloatArray
) -> tuple[list[Statement], Vectors]:
    """Sort statements by natural id and normalise their vectors' rows, checking both."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != len(statements):
        raise ValueError(
            f"expected one vector row per statement ({len(statements)}), got shape {matrix.shape}"
        )
    ids = [s.id for s in statements]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1}, key=natural_key)
        raise ValueError(f"duplicate statement ids: {', '.join(dup)}")
    order = sorted(range(len(statements)), key=lambda i: natural_key(statements[i].id))
    return [statements[i] for i in order], _unit_rows(matrix[order])


def _unit_rows(matrix: Vectors) -> Vectors:
    """Return ``matrix`` with unit-length rows (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: Vectors = (matrix / np.maximum(norms, np.float32(1e-12))).astype(np.float32)
    return unit


def _agglomerate(sims: Vectors, threshold: float, linkage: Linkage) -> list[list[int]]:
    """Agglomeration down to ``threshold`` under ``linkage``; returns index groups.

    Keeps, per row, its best partner (``best``/``best_val``) so each merge costs O(n).
    """
    n = len(sims)
    work = sims.astype(np.float32, copy=True)
    np.fill_diagonal(work, -np.inf)
    size = np.ones(n, dtype=np.float32)
    members: list[list[int]] = [[i] for i in range(n)]
    best = work.argmax(axis=1) if n else np.zeros(0, dtype=np.intp)
    best_val = work[np.arange(n), best] if n else np.zeros(0, dtype=np.float32)
    while n > 1:
        i = int(best_val.argmax())
        if not best_val[i] >= threshold:
            break
        a, b = sorted((i, int(best[i])))
        _merge(work, size, a, b, linkage)
        members[a] += members[b]
        members[b] = []
        _refresh_best(work, best, best_val, a, b)
    return [sorted(m) for m in members if m]


def _merge(work: Vectors, size: Vectors, a: int, b: int, linkage: Linkage) -> None:
    """Fold group ``b`` into ``a`` in place (the Lance-Williams update of ``linkage``)."""
    if linkage == "single":
        row = np.maximum(work[a], work[b])
    elif linkage == "complete":
        row = np.minimum(work[a], work[b])
    else:
        row = (size[a] * work[a] + size[b] * work[b]) / (size[a] + size[b])
    work[a, :] = row
    work[:, a] = row
    work[b, :] = -np.inf
    work[:, b] = -np.inf
    work[a, a] = -np.inf
    size[a] += size[b]
    size[b] = 0


def _refresh_best(
    work: Vectors,
    best: npt.NDArray[np.intp],
    best_val: Vectors,
    a: int,
    b: int,
) -> None:
    """Update each row's best partner after ``b`` was merged into ``a``."""
    best_val[b] = -np.inf
    stale = (best == a) | (best == b)
    stale[a] = True
    stale[b] = False
    column = work[:, a]
    better = ~stale & ((column > best_val) | ((column == best_val) & (a < best)))
    best[better] = a
    best_val[better] = column[better]
    rows = np.flatnonzero(stale)
    if rows.size:
        best[rows] = work[rows].argmax(axis=1)
        best_val[rows] = work[rows, best[rows]]


def _make_cluster(ordered: Sequence[Statement], sims: Vectors, members: Sequence[int]) -> Cluster:
    """Build a :class:`Cluster` from canonical indices, choosing its representative."""
    ids = tuple(ordered[i].id for i in members)
    representative = _representative(ordered, sims, members)
    return Cluster(id=cluster_id(ids), members=ids, representative=representative)


def _representative(ordered: Sequence[Statement], sims: Vectors, members: Sequence[int]) -> str:
    """The member most similar on average to the others; ties → higher score → smaller id."""
    if len(members) == 1:
        return ordered[members[0]].id
    block = sims[np.ix_(members, members)].astype(np.float64)
    centrality = (block.sum(axis=1) - np.diag(block)) / (len(members) - 1)

    def key(k: int) -> tuple[float, float, tuple[tuple[tuple[int, int, str], ...], str]]:
        statement = ordered[members[k]]
        return (-round(float(centrality[k]), 6), -statement.score, natural_key(statement.id))

    return ordered[members[min(range(len(members)), key=key)]].id


def _nearest_stories(
    unit: Vectors,
    stories: Sequence[tuple[str, FloatArray]],
    index: StoryIndex | None = None,
) -> list[list[tuple[str, float]]]:
    """For each row of ``unit``, its :data:`NEAREST_STORIES` nearest stories by centroid, with
    their cosines, nearest first."""
    if not stories or not len(unit):
        return [[] for _ in range(len(unit))]
    index = index if index is not None else StoryIndex(unit.shape[1], key=natural_key)
    index.sync(stories)
    ids, sims = index.search(unit, NEAREST_STORIES)
    return [
        [(story, float(sims[r, k])) for k, story in enumerate(row)] for r, row in enumerate(ids)
    ]


def _linked(
    unit: Vectors,
    nearest: Sequence[Sequence[tuple[str, float]]],
    members: Mapping[str, FloatArray],
) -> list[list[FloatArray | None]]:
    """For each row of ``unit``, its cosines to the members of each of its ``nearest``
    stories (``None`` for a story with no member vectors), every member normalised in one
    batch.

    >>> unit = np.array([[1.0, 0.0]], dtype=np.float32)
    >>> got = _linked(unit, [[("a", 0.9), ("b", 0.5)]], {"a": [[0.0, 2.0], [3.0, 0.0]]})
    >>> got[0][0].tolist(), got[0][1]
    ([0.0, 1.0], None)
    """
    stories = sorted({s for near in nearest for s, _ in near if len(members.get(s, ()))})
    blocks = [np.asarray(members[s], dtype=np.float32) for s in stories]
    starts = itertools.accumulate((len(b) for b in blocks), initial=0)
    span = {s: slice(lo, lo + len(b)) for s, lo, b in zip(stories, starts, blocks, strict=False)}
    rows = _unit_rows(np.concatenate(blocks)) if blocks else unit[:0]
    return [
        [None if (got := span.get(story)) is None else rows[got] @ unit[r] for story, _ in near]
        for r, near in enumerate(nearest)
    ]


def by_show(sims: FloatArray, shows: Sequence[str | None] | None, own: str | None) -> FloatArray:
    """A statement's cosines to a story's members (``sims``, said by ``shows``), each other
    show counted once, by its member nearest the statement; the members of the statement's
    own show (``own``), and of no known show, each count as themselves.

    >>> by_show(np.array([0.6, 0.2, 0.5]), ["A", "A", "B"], "C").tolist()
    [0.6, 0.5]
    >>> by_show(np.array([0.6, 0.2, 0.5]), ["A", "A", "B"], "A").tolist()
    [0.6, 0.2, 0.5]
    """
    if not shows or len(shows) != len(sims):
        return sims
    best: dict[str, float] = {}
    alone: list[float] = []
    for sim, show in zip(sims.tolist(), shows, strict=True):
        if show is None or show == own:
            alone.append(sim)
        else:
            best[show] = max(best.get(show, sim), sim)
    return np.array([*alone, *best.values()]) if best else sims
