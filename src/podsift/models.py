"""The records that stages exchange: frozen dataclasses, no behaviour beyond small helpers.

Times are floats in seconds from the start of the episode; datetimes are timezone-aware UTC.
An unknown value is ``None``, never a made-up zero.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime


def text_hash(text: str) -> str:
    """Return a short, stable hash of ``text`` (used to key derived rows and caches).

    >>> text_hash("hello")
    '2cf24dba5fb0a30e'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class TranscriptLink:
    """A ``podcast:transcript`` link of an episode."""

    url: str
    type: str | None = None
    language: str | None = None
    rel: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A ``podcast:person`` of a feed: a host, a guest or another credit.

    ``role`` and ``group`` are lower-cased (the namespace compares them without case) and
    default to what the namespace assumes when the feed gives none: "host" in "cast".
    """

    name: str
    role: str = "host"
    group: str = "cast"
    img: str | None = None
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Show:
    """A podcast as described by its feed."""

    title: str
    link: str | None = None
    guid: str | None = None
    author: str | None = None
    image: str | None = None
    language: str | None = None
    description: str | None = None
    persons: tuple[Person, ...] = ()  # the channel's podcast:person entries


@dataclass(frozen=True, slots=True)
class Episode:
    """One item of a feed."""

    title: str | None
    guid: str | None = None
    published: datetime | None = None
    link: str | None = None
    audio_url: str | None = None
    duration: float | None = None
    transcripts: tuple[TranscriptLink, ...] = ()
    description: str | None = None
    # the item's podcast:person entries, else the channel's: item-level ones replace them all
    persons: tuple[Person, ...] = ()

    @property
    def key(self) -> str:
        """Identity within a show: GUID, else enclosure URL, else title + date."""
        if self.guid:
            return f"guid:{self.guid}"
        if self.audio_url:
            return f"url:{self.audio_url}"
        day = self.published.date().isoformat() if self.published else ""
        return f"title:{(self.title or '').strip().lower()}|{day}"


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What a feed file holds, plus what could not be read."""

    show: Show
    episodes: tuple[Episode, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of speech: start and end in seconds (``None`` when unknown)."""

    start: float | None
    end: float | None
    speaker: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Transcript:
    """The segments of one episode's transcript and where they came from."""

    source: str
    format: str
    segments: tuple[Segment, ...]
    language: str | None = None
    title: str | None = None  # from the document itself (front matter), not the feed
    speakers: tuple[str, ...] = ()  # the people the document lists (front matter)

    @property
    def has_times(self) -> bool:
        """Whether any segment carries a start time."""
        return any(s.start is not None for s in self.segments)


@dataclass(frozen=True, slots=True)
class Insight:
    """A self-contained statement worth knowing, with the verbatim quote it rests on."""

    text: str
    quote: str
    speaker: str | None
    start: float | None
    end: float | None
    score: float
    id: str = ""

    def with_id(self, prefix: str) -> Insight:
        """Return a copy whose id is derived from ``prefix`` and the quote."""
        return Insight(
            self.text,
            self.quote,
            self.speaker,
            self.start,
            self.end,
            self.score,
            id=text_hash(f"{prefix}|{self.quote}|{self.start}"),
        )


@dataclass(frozen=True, slots=True)
class Statement:
    """An input to grouping: an id, its text, and optionally the show that said it."""

    id: str
    text: str
    show: str | None = None
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Cluster:
    """A group of statements that say the same thing."""

    id: str
    members: tuple[str, ...]
    representative: str


@dataclass(frozen=True, slots=True)
class Mention:
    """Where a story was said: one insight on one episode of one show."""

    insight_id: str
    show: str
    episode: str
    speaker: str | None
    text: str
    quote: str
    link: str | None
    start: float | None
    score: float
    published: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoryView:
    """A story with its mentions, ready to rank: the representative first."""

    id: str
    mentions: tuple[Mention, ...]
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    @property
    def shows(self) -> tuple[str, ...]:
        """Distinct shows that raised the story, in mention order."""
        return tuple(dict.fromkeys(m.show for m in self.mentions))


@dataclass(frozen=True, slots=True)
class RankedStory:
    """A story with its score and how the score was made."""

    story: StoryView
    score: float
    reasons: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class AlsoOn:
    """Another show that raised the same story."""

    show: str
    episode: str
    speaker: str | None
    quote: str
    link: str | None
    start: float | None


@dataclass(frozen=True, slots=True)
class Related:
    """Another show's discussion of the same specific subject: a different story, not merged.

    Shown as "also discussed on", never counted in "raised on N shows".
    """

    show: str
    episode: str
    speaker: str | None
    quote: str
    link: str | None
    start: float | None


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One of the five stories in a digest."""

    rank: int
    story_id: str
    headline: str
    insight: str
    quote: str
    speaker: str | None
    show: str
    episode: str
    link: str | None
    start: float | None
    also_on: tuple[AlsoOn, ...] = ()
    update: bool = False  # sent to this reader before; back because new shows raised it
    related: tuple[Related, ...] = ()  # other stories on the same subject, from other shows


@dataclass(frozen=True, slots=True)
class Digest:
    """The top stories for one subscriber on one local date."""

    date: date
    items: tuple[DigestItem, ...]
    recipient: str | None = None
    title: str = "Your podsift digest"
    meta: tuple[tuple[str, str], ...] = field(default=())
