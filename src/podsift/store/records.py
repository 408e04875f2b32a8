"""Rows the store hands out: frozen dataclasses, so callers never see SQL rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from podsift.models import TranscriptLink


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

    @property
    def label(self) -> str:
        """How people name the episode: its title, else its key."""
        return self.title or self.key


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


@dataclass(frozen=True, slots=True)
class SubscriberRow:
    """A subscriber."""

    id: int
    email: str
    tz: str
    send_hour: int
    status: str


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """The send ledger entry of one digest."""

    digest_id: int
    recipient: str
    status: str
    message_id: str | None
    attempts: int
