"""Related discussions: other stories of the window on the same specific subject (pure).

Stories are one claim each (#17), so two shows that talk about the same release with different
points stay two stories. A digest item still tells the reader where else its subject came up:
"Also discussed on …", never counted in "Raised on N shows". A story is related to an item when

- their centroids are close (cosine ≥ :data:`RELATED_THRESHOLD`), *and*
- their representative texts share a term that is rare in the window, by the rule stories
  merge by (:attr:`podsift.stories.anchors.WindowTerms.limit`: used by at most 2 % of the
  window's representative texts, or two), so a broad field ("Python", "AI") that many
  stories name never makes a relation on its own, *and*
- it was raised on a show that did not raise the item, and it is not one of the digest's items.

The rare terms also index the window: only stories sharing one are compared, so finding an
item's neighbours costs a few dot products, whatever the size of the window.

Two stories of one episode that share a rare term are one subject told twice (two passages of
a news episode on the xz backdoor, one on the tarballs, one on liblzma): a digest keeps the
first and leaves out the other (:func:`drop_repeats`), whatever their cosine. So are two
stories that two shows each tell in one passage (:func:`told_together`): one piece of news told
in two parts ("the tariff goes up 9.4 %" and "the average bill goes from 1,720 to 1,882"),
each part a story of its own because each show said it in a sentence of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from podsift.lexicon import content_words
from podsift.models import Mention, RankedStory, StoryView
from podsift.stories.anchors import WindowTerms

RELATED_THRESHOLD = 0.5
"""Least centroid cosine of two related stories, read as "the same specific subject" for the
default MiniLM embedder. Cosine alone does not tell a subject from a field: MiniLM puts
"installing Python into a virtual environment" and "Python 3.13 without the GIL" at 0.60, so a
rare shared term is required too. Not calibrated per embedder; tune it here."""

PASSAGE_SECONDS = 90.0
"""Most seconds between two mentions of one episode for them to be one passage of talk: a
piece of news and its details. A news bulletin moves on to its next item within that too, so
one show telling two stories together says nothing; two shows doing it do
(:func:`told_together`)."""

RELATED_MAX = 3
"""Most related discussions shown under one digest item."""

Vector = npt.NDArray[np.float32]


def subject_terms(text: str) -> frozenset[str]:
    """Return the terms of ``text`` that can name a subject: content words with a letter.

    A figure alone ("64", "5.6.0") names no subject: two unrelated remarks say "64 bytes".
    A plural "s" is folded, so "backdoors" and "backdoor" are one term.

    >>> sorted(subject_terms("The xz backdoors hid in 5.6.0 for 64 days"))
    ['backdoor', 'day', 'hid', 'xz']
    """
    return frozenset(_singular(w) for w in content_words(text) if any(c.isalpha() for c in w))


def _singular(word: str) -> str:
    """Fold a possessive and a plain plural ("days" -> "day", "libraries" -> "library",
    "hashicorp's" -> "hashicorp"; "class" stays)."""
    word = word.removesuffix("'s").rstrip("'")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class RelatedIndex:
    """The window's stories by rare term, with their centroids (build with :meth:`build`).

    ``rare[id]`` holds the rare terms of a story's representative text and ``postings[term]``
    the ids of the stories that use a rare term, in id order.
    """

    views: dict[str, StoryView]
    vectors: dict[str, Vector]
    rare: dict[str, frozenset[str]]
    postings: dict[str, tuple[str, ...]]
    threshold: float = RELATED_THRESHOLD
    _near: dict[str, tuple[tuple[float, str], ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        views: Sequence[StoryView],
        vectors: Mapping[str, Vector],
        *,
        threshold: float = RELATED_THRESHOLD,
    ) -> RelatedIndex:
        """Count each term over the representative texts of ``views`` and keep the rare ones."""
        by_id = {v.id: v for v in sorted(views, key=lambda v: v.id) if v.mentions}
        terms = {sid: subject_terms(v.mentions[0].text) for sid, v in by_id.items()}
        window = WindowTerms(Counter(t for ts in terms.values() for t in ts), len(by_id))
        most, counts = window.limit, window.counts
        rare = {sid: frozenset(t for t in ts if counts[t] <= most) for sid, ts in terms.items()}
        postings: dict[str, list[str]] = {}
        for sid, ts in rare.items():
            for term in ts:
                postings.setdefault(term, []).append(sid)
        kept = {sid: vector for sid, vector in vectors.items() if sid in by_id}
        return cls(by_id, kept, rare, {t: tuple(ids) for t, ids in postings.items()}, threshold)

    def repeats(self, a: str, b: str) -> bool:
        """Whether stories ``a`` and ``b`` tell one subject twice: their representatives come
        from the same episode of the same show and share a term rare in the window, or two
        shows tell both in one passage (:func:`told_together`)."""
        first, second = self.views.get(a), self.views.get(b)
        if first is None or second is None:
            return False
        one, two = first.mentions[0], second.mentions[0]
        if (one.show, one.episode) == (two.show, two.episode) and (
            self.rare.get(a, frozenset()) & self.rare.get(b, frozenset())
        ):
            return True
        return told_together(first, second)

    def near(self, story_id: str) -> tuple[tuple[float, str], ...]:
        """(cosine, id) of the stories related to ``story_id`` by subject, best first.

        Only the subject counts here (rare term and cosine); shows and the digest's other
        items are left to :func:`pick_related`. Computed once per story and kept.
        """
        got = self._near.get(story_id)
        if got is None:
            got = self._near[story_id] = self._neighbours(story_id)
        return got

    def _neighbours(self, story_id: str) -> tuple[tuple[float, str], ...]:
        own = self.vectors.get(story_id)
        if own is None:
            return ()
        ids = sorted(
            {o for t in self.rare.get(story_id, ()) for o in self.postings[t]} - {story_id}
        )
        ids = [o for o in ids if o in self.vectors]
        if not ids:
            return ()
        # cosines from the stored centroids, normalised here: only the few candidates are read
        matrix = np.stack([self.vectors[o] for o in ids]).astype(np.float64)
        norms = np.linalg.norm(matrix, axis=1) * float(np.linalg.norm(own))
        sims = (matrix @ own.astype(np.float64)) / np.where(norms > 0, norms, np.inf)
        found = [(float(s), o) for s, o in zip(sims, ids, strict=True) if s >= self.threshold]
        return tuple(sorted(found, key=lambda x: (-x[0], x[1])))


def told_together(a: StoryView, b: StoryView) -> bool:
    """Whether two shows or more each tell stories ``a`` and ``b`` in one passage: a mention
    of each in one episode, at most :data:`PASSAGE_SECONDS` apart. Mentions without a time
    are never together.

    >>> from podsift.models import Mention, StoryView
    >>> def told(sid, *where):
    ...     return StoryView(sid, tuple(Mention(f"{sid}{n}", show, show + " 7", None, "t", "t",
    ...                      None, start, 1.0) for n, (show, start) in enumerate(where)))
    >>> rise = told("rise", ("A", 60.0), ("B", 300.0))
    >>> bill, far = told("bill", ("A", 95.0), ("B", 330.0)), told("far", ("A", 400.0), ("B", 310.0))
    >>> told_together(rise, bill), told_together(rise, far)
    (True, False)
    """

    def near(m: Mention, o: Mention) -> bool:
        return (
            (m.show, m.episode) == (o.show, o.episode)
            and m.start is not None
            and o.start is not None
            and abs(m.start - o.start) <= PASSAGE_SECONDS
        )

    shows = {m.show for m in a.mentions for o in b.mentions if near(m, o)}
    return len(shows) >= 2


def drop_repeats(
    ranked: Sequence[RankedStory], index: RelatedIndex, limit: int
) -> list[RankedStory]:
    """The first ``limit`` of ``ranked`` (best first), leaving out each story that repeats the
    subject of one kept before it (:meth:`RelatedIndex.repeats`)."""
    kept: list[RankedStory] = []
    for candidate in ranked:
        if len(kept) >= limit:
            break
        if not any(index.repeats(k.story.id, candidate.story.id) for k in kept):
            kept.append(candidate)
    return kept


def pick_related(
    chosen: Sequence[StoryView], index: RelatedIndex, *, limit: int = RELATED_MAX
) -> dict[str, tuple[Mention, ...]]:
    """For each chosen story, up to ``limit`` mentions of related stories, best first.

    A related story is one of :meth:`RelatedIndex.near`, not itself chosen, told by a show
    the chosen story's mentions do not include; it gives its first mention (representative
    first, then by score) from such a show. Each show appears once per item (its closest
    story). Ties go by story id, so the same window always gives the same answer.
    """
    taken = {s.id for s in chosen}
    out: dict[str, tuple[Mention, ...]] = {}
    for story in chosen:
        own = set(story.shows)
        picked: list[Mention] = []
        for _, other_id in index.near(story.id):
            if len(picked) >= limit:
                break
            if other_id in taken:
                continue
            mention = next((m for m in index.views[other_id].mentions if m.show not in own), None)
            if mention is not None:
                picked.append(mention)
                own.add(mention.show)
        out[story.id] = tuple(picked)
    return out
