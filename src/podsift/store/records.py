"""Records the store hands out and takes in: frozen dataclasses, so callers never see SQL rows.

Every stage imports these from ``podsift.store``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from podsift.models import Episode, Person, Show, TranscriptLink

if TYPE_CHECKING:
    from podsift.store.base import Vector

# -- shows and polling ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowRow:
    """A show as stored, with its polling state."""

    id: int
    feed_url: str
    title: str | None
    link: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    state: str
    last_polled_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class PollRow:
    """A show due for polling, with what the poller needs to ask and to decide."""

    id: int
    feed_url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    state: str
    next_poll_at: datetime | None
    error_count: int
    failing_since: datetime | None


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What one poll changes on its show row (``error`` set for a failure).

    ``identity`` is the GUID that names the show across feed URLs, as the feeds stage
    judged it (``podsift.feeds.show_identity``): a show polled with the identity of an
    older show joins that show.
    """

    status: int | None
    state: str
    next_poll_at: datetime | None
    error_count: int
    failing_since: datetime | None
    error: str | None = None
    error_class: str | None = None
    validators: tuple[str | None, str | None, str | None] | None = None
    show: Show | None = None
    identity: str | None = None


@dataclass(frozen=True, slots=True)
class EpisodeBatch:
    """A polled show's episodes to store, with their identity keys (one per episode)."""

    show_id: int
    episodes: Sequence[Episode]
    keys: Sequence[str]


F = TypeVar("F")


@dataclass(frozen=True, slots=True)
class RepublishedRule(Generic[F]):
    """How to tell a republished copy of a stored episode: the feeds stage's rule, handed
    to the store as data (``podsift.feeds.REPUBLISHED``), so the store decides nothing.

    The store fingerprints the stored episodes a new one could repeat, once each, and asks
    ``is_republished`` of each new episode against them and the new ones it kept.
    """

    fingerprint: Callable[[str | None, datetime | None, str | None, float | None], F]
    """What the rule compares of one episode: (title, published, audio URL, duration)."""
    is_republished: Callable[[F, Sequence[F]], bool]
    """Whether a new episode's fingerprint repeats one of the known ones."""


# -- episodes and insights -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EpisodeRow:
    """An episode as stored, with its show's title and its pipeline state."""

    id: int
    show_id: int
    show_title: str
    key: str
    title: str | None
    published: datetime | None
    link: str | None
    audio_url: str | None
    transcript_links: tuple[TranscriptLink, ...]
    state: str
    error: str | None
    persons: tuple[Person, ...] = ()  # the feed's podcast:person entries for the episode

    @property
    def label(self) -> str:
        """How people name the episode: its title, else its key."""
        return self.title or self.key


@dataclass(frozen=True, slots=True)
class AsrJob:
    """An episode claimed for speech-to-text."""

    episode_id: int
    show_title: str
    label: str
    audio_url: str | None
    duration: float | None
    language: str | None
    attempts: int
    owner: str


@dataclass(frozen=True, slots=True)
class InsightRow:
    """A stored insight with where it was said."""

    id: str
    episode_id: int
    show_title: str
    text: str
    score: float
    published: datetime | None
    created_at: datetime


# -- subscribers, digests and the send ledger ----------------------------------------------


@dataclass(frozen=True, slots=True)
class SubscriberRow:
    """A subscriber."""

    id: int
    email: str
    tz: str
    send_hour: int
    status: str


@dataclass(frozen=True, slots=True)
class Subscriber(SubscriberRow):
    """A subscriber with preferences and bounce count."""

    topics: str | None = None
    show_ids: tuple[int, ...] = ()
    bounces: int = 0
    confirmed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DigestDraft:
    """A digest to store (see ``Store.save_digests``)."""

    recipient: str
    day: date
    payload: dict[str, Any]
    story_ids: Sequence[str]
    subscriber_id: int | None = None


@dataclass(frozen=True, slots=True)
class PendingDigest:
    """A stored subscriber digest that has not been delivered (no ledger row, or ``retry``)."""

    digest_id: int
    subscriber: Subscriber
    date: date
    payload: dict[str, Any]
    status: str | None
    attempts: int
    next_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """The send ledger entry of one digest."""

    digest_id: int
    recipient: str
    status: str
    message_id: str | None
    attempts: int


@dataclass(frozen=True, slots=True)
class LedgerRow(DeliveryRow):
    """A send ledger entry with its date, error and next attempt."""

    date: date | None = None
    error: str | None = None
    smtp_code: int | None = None
    next_attempt_at: datetime | None = None
    claimed_at: datetime | None = None
    claimer: Claimer | None = None


@dataclass(frozen=True, slots=True)
class Claimer:
    """The process that claimed a send: its host name and process id."""

    host: str
    pid: int


@dataclass(frozen=True, slots=True)
class NewSubscriber:
    """A checked subscriber to add in bulk (``Store.add_subscribers``); shows as ids."""

    email: str
    tz: str = "UTC"
    send_hour: int = 7
    topics: str | None = None
    show_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class SubscribersAdded:
    """What a bulk add did: the addresses added, and those already in the store (untouched)."""

    added: tuple[str, ...]
    existing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pause:
    """A channel's run of temporary failures and the pause it earned."""

    failures: int
    paused_until: datetime | None
    reason: str | None


# -- what the public pages read (podsift.web) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class PageQuote:
    """One insight with everything a page shows about where it was said."""

    insight_id: str
    show_id: int
    show: str
    episode_id: int
    episode: str
    published: datetime | None
    audio_url: str | None
    link: str | None
    text: str
    quote: str
    speaker: str | None
    start: float | None
    score: float


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One insight a search found, with where it was said and the story it belongs to."""

    insight_id: str
    text: str
    quote: str
    speaker: str | None
    start: float | None
    show_id: int
    show: str
    episode_id: int
    episode: str
    link: str | None
    published: datetime | None
    story_id: str | None


@dataclass(frozen=True, slots=True)
class StoryPage:
    """A story with every quote that raised it, the representative first."""

    id: str
    first_seen: datetime
    last_seen: datetime
    quotes: tuple[PageQuote, ...]


@dataclass(frozen=True, slots=True)
class DigestPage:
    """A stored digest with its neighbours in the same recipient's archive."""

    day: date
    payload: dict[str, Any]
    created_at: datetime
    previous: date | None
    next: date | None


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """A subscriber's vote on a story, with what learning from it needs.

    ``value`` is +1 (more like this) or -1 (less); ``shows`` are the shows that raised the story
    (titles, else feed URLs, as in :class:`~podsift.models.StoryView`); ``centroid`` is the
    story's vector when it was embedded by the model asked for, else ``None``.
    """

    story_id: str
    value: int
    created_at: datetime
    shows: tuple[str, ...]
    centroid: Vector | None = None
