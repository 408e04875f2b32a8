"""Group statements that say the same thing. Pure: vectors in, clusters out, no model here.

Grouping is average-linkage agglomeration with a cosine threshold: repeatedly merge the two
groups whose mean pairwise similarity is highest, while it is at least the threshold. Every
member of a group is therefore, on average, close to every other member, so groups do not
drift into chains the way "join the nearest member" would. Statements are sorted by id
(natural order, "2" < "10") first and ties go to the earlier id, so the result does not
depend on the input order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ..exceptions import PodsiftError
from ..models import Cluster, Statement, text_hash
from .index import StoryIndex
from .signals import Signals, SignalWeights, pair_penalty, text_signals

#: The default embedder's calibrated threshold (see :data:`CALIBRATED_THRESHOLDS`): cosine at
#: or above which two statements (or a statement and a story centroid) count as the same
#: story. Chosen by benchmarks/eval_stories.py (macro F1 over events, STS headlines, MSRpar
#: and hard pairs, calibration half); the earlier 0.475 came from the events alone.
DEFAULT_THRESHOLD = 0.525

#: Added to the cosine of two texts that share a salient term (a name or a number), times
#: the rarity of the rarest such term among the texts compared (:func:`term_rarity`). Off by
#: default: an earlier calibration (events + half of STS) picked boost 0, and on the
#: hand-labelled demo pairs no boost and threshold separates same-story pairs from topical
#: ones (best F1 0.47, P 0.30), because topical negatives share rare names too ("Terraform",
#: "Linux", "Rust"). benchmarks/eval_stories.py reports the demo pairs at the chosen setting.
DEFAULT_TERM_BOOST = 0.0

#: Raw term rarity at or below which a shared term earns no boost (see :func:`term_rarity`).
DEFAULT_RARITY_FLOOR = 0.0

#: Weights of the textual conflict checks (:mod:`podsift.cluster.signals`), calibrated with
#: the threshold by benchmarks/eval_stories.py (see that script's docstring for the data, the
#: split and the precision floor). A penalty of 0.5 or more vetoes a near-identical pair.
DEFAULT_SIGNALS = SignalWeights(numbers=0.5, negation=0.5, order=0.5, names=0.25, opposites=1.0)

#: The calibrated merge threshold of each embedder, by embedder name: a threshold belongs to
#: the model whose cosines it cuts. minilm-l6-int8: benchmarks/eval_stories.py, best macro F1
#: on the calibration half of data/dedup and tests/data/stories/{hard,blind}-pairs.jsonl with
#: pooled precision at least 0.9 (lower thresholds merge topics in the demo's top 5).
CALIBRATED_THRESHOLDS: Mapping[str, float] = {"minilm-l6-int8": 0.525}


class UncalibratedEmbedderError(PodsiftError, ValueError):
    """An embedder with no calibrated threshold, and none set by the user."""


def threshold_for(embedder: str, override: float | None = None) -> float:
    """The merge threshold for ``embedder``: ``override`` if set, else the calibrated one.

    >>> threshold_for("minilm-l6-int8"), threshold_for("other", 0.6)
    (0.525, 0.6)

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
    term_boost: float = DEFAULT_TERM_BOOST,
    context: Sequence[str] = (),
    signals: SignalWeights | None = None,
) -> list[Cluster]:
    """Group ``statements`` (row ``i`` of ``vectors`` embeds ``statements[i]``).

    Two statements are compared by their cosine plus ``term_boost`` × the rarity of the
    rarest salient term they share (:func:`salient_terms`, :func:`term_rarity`); rarity is
    counted over the statements and the ``context`` texts (e.g. recent stories).

    Every statement lands in exactly one cluster. Members are in natural id order; clusters
    come largest first, then by their first member. Memory grows with the square of the
    number of statements (a 5,000-statement call needs about 200 MB). ``signals`` weighs the
    textual conflict checks of :mod:`podsift.cluster.signals` (default: the calibrated ones).
    """
    ordered, unit = _canonical(statements, vectors)
    terms = salient_terms([s.text for s in ordered] + list(context))
    rarity = term_rarity(terms)
    weights = DEFAULT_SIGNALS if signals is None else signals
    return _group(ordered, unit, terms[: len(ordered)], rarity, threshold, term_boost, weights)


def assign_to_stories(
    new: Sequence[Statement],
    new_vectors: FloatArray,
    existing: Sequence[tuple[str, FloatArray]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    term_boost: float = DEFAULT_TERM_BOOST,
    story_texts: Mapping[str, str] | None = None,
    index: StoryIndex | None = None,
) -> list[tuple[str, str | None]]:
    """Assign new statements to existing stories ``(story id, centroid)`` or to new stories.

    Returns ``(statement id, story)`` pairs in natural statement-id order, where ``story`` is

    - an existing story id: the one most similar (centroid cosine, plus the shared-term
      boost against the story's text in ``story_texts``, e.g. its members' texts joined),
      if that reaches ``threshold`` (ties go to the naturally smaller story id);
    - otherwise the new statements are grouped among themselves with
      :func:`group_statements`: a statement alone in its group gets ``None`` (it starts a
      story of its own), the members of a larger group share a new story key, the group's
      :func:`cluster_id` (``"c"`` + hash of its member ids, never an existing id in practice).

    Term rarity is counted over the new statements and the existing stories' texts (only
    when ``term_boost`` is set: with no boost the terms cannot change the result).
    Centroids do not move within one call, so the result does not depend on input order.

    The nearest story is found with a :class:`~podsift.cluster.index.StoryIndex`: exact
    below its size threshold, an approximate HNSW graph beyond. Pass ``index`` (built with
    ``key=natural_key``) to keep one across calls, e.g. the days of a catch-up run: it is
    synced to ``existing`` here, so only new and moved stories are re-indexed.
    """
    ordered, unit = _canonical(new, new_vectors)
    stories = list(existing)  # the index settles ties by natural id: no need to sort
    texts = story_texts or {}
    if term_boost:
        terms = salient_terms(
            [s.text for s in ordered] + [texts.get(sid, "") for sid, _ in stories]
        )
    else:
        terms = [frozenset()] * len(ordered)
    rarity = term_rarity(terms)
    new_terms, story_terms = terms[: len(ordered)], terms[len(ordered) :]
    boosts = _sparse_boost(new_terms, story_terms, rarity, term_boost)
    story_of = _nearest_story(unit, stories, boosts, threshold, index)
    result = {s.id: story_of[i] for i, s in enumerate(ordered)}
    loose = [i for i in range(len(ordered)) if story_of[i] is None]
    loose_terms = [new_terms[i] for i in loose]
    clusters = _group(
        [ordered[i] for i in loose],
        unit[loose],
        loose_terms,
        rarity,
        threshold,
        term_boost,
        DEFAULT_SIGNALS,
    )
    for cluster in clusters:
        if len(cluster.members) > 1:
            result.update(dict.fromkeys(cluster.members, cluster.id))
    return [(s.id, result[s.id]) for s in ordered]


def _group(
    ordered: Sequence[Statement],
    unit: Vectors,
    terms: Sequence[frozenset[str]],
    rarity: Mapping[str, float],
    threshold: float,
    term_boost: float,
    weights: SignalWeights = DEFAULT_SIGNALS,
) -> list[Cluster]:
    """Average-linkage clusters of canonically ordered statements, largest first."""
    sims = unit @ unit.T + _boost_matrix(terms, terms, rarity, term_boost)
    _apply_penalties(sims, [s.text for s in ordered], [s.text for s in ordered], weights, threshold)
    groups = _average_linkage(sims, threshold)
    clusters = [_make_cluster(ordered, sims, members) for members in groups]
    return sorted(clusters, key=lambda c: (-len(c.members), natural_key(c.members[0])))


def _apply_penalties(
    sims: Vectors,
    rows: Sequence[str],
    cols: Sequence[str],
    weights: SignalWeights,
    threshold: float,
) -> None:
    """Subtract the signal penalties in place, only where a pair would otherwise merge."""
    if not weights.active:
        return
    cache: dict[str, Signals] = {}

    def sig(text: str) -> Signals:
        if text not in cache:
            cache[text] = text_signals(text)
        return cache[text]

    for i, j in zip(*np.nonzero(sims >= threshold), strict=True):
        sims[i, j] -= pair_penalty(sig(rows[i]), sig(cols[j]), weights)


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


def _average_linkage(sims: Vectors, threshold: float) -> list[list[int]]:
    """Average-linkage agglomeration down to ``threshold``; returns index groups.

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
        _merge(work, size, a, b)
        members[a] += members[b]
        members[b] = []
        _refresh_best(work, best, best_val, a, b)
    return [sorted(m) for m in members if m]


def _merge(work: Vectors, size: Vectors, a: int, b: int) -> None:
    """Fold group ``b`` into ``a`` in place (Lance-Williams update for average linkage)."""
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


def _nearest_story(
    unit: Vectors,
    stories: Sequence[tuple[str, FloatArray]],
    boosts: Sequence[Mapping[int, np.float32]],
    threshold: float,
    index: StoryIndex | None = None,
) -> list[str | None]:
    """For each row of ``unit``, the most similar story (sorted ``stories``) at ``threshold``.

    The best story is the index's nearest one or one with a term boost (``boosts[r]``: story
    position → boost): a story with no boost can only win by being the nearest.
    """
    if not stories or not len(unit):
        return [None] * len(unit)
    index = index if index is not None else StoryIndex(unit.shape[1], key=natural_key)
    index.sync(stories)
    ids, sims = index.search(unit, 1)
    centroids = _boosted_centroids(stories, boosts)
    result: list[str | None] = []
    for r, row in enumerate(ids):
        best, best_score = row[0], sims[r, 0]
        for j, extra in boosts[r].items():
            sid = stories[j][0]
            cos = sims[r, 0] if sid == row[0] else np.float32(unit[r] @ centroids[j])
            score = cos + extra
            if score > best_score or (score == best_score and natural_key(sid) < natural_key(best)):
                best, best_score = sid, score
        result.append(best if best_score >= threshold else None)
    return result


def _boosted_centroids(
    stories: Sequence[tuple[str, FloatArray]], boosts: Sequence[Mapping[int, np.float32]]
) -> dict[int, Vectors]:
    """Unit centroids of the stories some statement has a term boost with, by position."""
    wanted = sorted({j for row in boosts for j in row})
    if not wanted:
        return {}
    rows = _unit_rows(np.vstack([np.asarray(stories[j][1], dtype=np.float32) for j in wanted]))
    return dict(zip(wanted, rows, strict=True))


def _sparse_boost(
    rows: Sequence[frozenset[str]],
    cols: Sequence[frozenset[str]],
    rarity: Mapping[str, float],
    boost: float,
) -> list[dict[int, np.float32]]:
    """Per row, the non-zero entries of :func:`_boost_matrix` (column → boost)."""
    out: list[dict[int, np.float32]] = [{} for _ in rows]
    if boost == 0:
        return out
    col_index = _postings(cols)
    for i, terms in enumerate(rows):
        for term in terms:
            value = np.float32(boost * rarity.get(term, 0.0))
            if value <= 0:
                continue
            for j in col_index.get(term, ()):
                if value > out[i].get(j, np.float32(0)):
                    out[i][j] = value
    return out


# --- salient terms ------------------------------------------------------------------------
#
# MiniLM similarity is topical: two statements about Python releases score like two
# statements about one release. What tells "the same story" apart is a shared specific term
# (a name, a product, a version or a figure) that few of the other statements use. A term is
# salient if it has a digit, an inner capital, or a capital not at a sentence start; once a
# word is salient somewhere in the batch, its lower-case uses elsewhere count too ("XZ" and
# "xz"). Rarity comes from the texts being compared, so "Python" in a Python show is common.

_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9+#]|[.\-'’](?=[A-Za-z0-9]))*")
_SENTENCE_END = ".!?:;…"
_WRAPPERS = " \t\r\n\"'“”‘’*_`[](){}<>#|-–—"
_STOPWORD_TEXT = """
    a about after again all also am an and any are as at be because been but by can could did
    do does don't for from had has have he her here him his how i i'm i've if in into is
    it it's its just know let's like maybe me my no not now of oh ok okay on one or our out
    really right says she so some such than that that's the their them then there these they
    this those to too um uh up us very was we we're well were what when where which who why
    will with would yeah yes you you're your mr mrs dr"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def salient_terms(texts: Sequence[str]) -> list[frozenset[str]]:
    """The salient terms (lower case) of each text, judged over all of ``texts`` together.

    A word is salient when, away from sentence starts, it is written as a name (digit, inner
    capital or initial capital) more often than as a plain word across ``texts``; stopwords
    and single letters never are.
    """
    tokens = [
        [(m.group(), _sentence_start(text, m.start())) for m in _TOKEN.finditer(text)]
        for text in texts
    ]
    votes: dict[str, int] = {}
    for row in tokens:
        for word, at_start in row:
            lower = word.lower()
            if _is_term(lower) and (not at_start or word != word.capitalize()):
                votes[lower] = votes.get(lower, 0) + (1 if _looks_salient(word, at_start) else -1)
    vocabulary = {word for word, vote in votes.items() if vote > 0}
    return [frozenset(w.lower() for w, _ in row if w.lower() in vocabulary) for row in tokens]


def term_rarity(
    term_sets: Iterable[frozenset[str]], *, floor: float = DEFAULT_RARITY_FLOOR
) -> dict[str, float]:
    """Rarity in [0, 1] of each term over ``N`` texts (all 0 if N < 3).

    The raw rarity ``1 - ln(df) / ln(N)`` is 1 for a term in one text and 0 for a term in
    all; raw values at or below ``floor`` count as 0 and the rest are stretched back to
    [0, 1], so a word most texts share ("Python" on Python shows) earns nothing.
    """
    sets = list(term_sets)
    counts: dict[str, int] = {}
    for terms in sets:
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
    if len(sets) < 3:
        return dict.fromkeys(counts, 0.0)
    log_n = math.log(len(sets))
    return {
        term: max(0.0, (1.0 - math.log(df) / log_n - floor) / (1.0 - floor))
        for term, df in counts.items()
    }


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip(_WRAPPERS)
    return not before or before[-1] in _SENTENCE_END


def _looks_salient(word: str, at_start: bool) -> bool:
    if any(c.isdigit() for c in word):
        return True
    if any(c.isupper() for c in word[1:]):
        return True
    return word[0].isupper() and not at_start


def _is_term(lower: str) -> bool:
    if lower in _STOPWORDS:
        return False
    return len(lower) > 1 or lower.isdigit()


def _boost_matrix(
    rows: Sequence[frozenset[str]],
    cols: Sequence[frozenset[str]],
    rarity: Mapping[str, float],
    boost: float,
) -> Vectors:
    """``boost`` × the rarity of the rarest term each row shares with each column."""
    out = np.zeros((len(rows), len(cols)), dtype=np.float32)
    if boost == 0:
        return out
    row_index, col_index = _postings(rows), _postings(cols)
    for term in sorted(row_index.keys() & col_index.keys()):
        block = np.ix_(row_index[term], col_index[term])
        out[block] = np.maximum(out[block], np.float32(boost * rarity.get(term, 0.0)))
    return out


def _postings(term_sets: Sequence[frozenset[str]]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i, terms in enumerate(term_sets):
        for term in terms:
            index.setdefault(term, []).append(i)
    return index
