"""The store's tables (SQLAlchemy Core), one definition for SQLite and PostgreSQL.

Change the schema only together with a new migration in ``migrations/versions``.
"""

from __future__ import annotations

from datetime import UTC as _UTC
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware datetimes")
        value = value.astimezone(_UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        result: datetime = value
        return result.replace(tzinfo=_UTC) if result.tzinfo is None else result.astimezone(_UTC)


UTC = UTCDateTime()

shows = Table(
    "shows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("feed_url", String(2048), nullable=False, unique=True),
    Column("title", Text),
    Column("link", Text),
    Column("guid", String(255)),
    Column("author", Text),
    Column("image", Text),
    Column("language", String(32)),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_hash", String(64)),
    Column("state", String(16), nullable=False, default="new"),  # new, ok, failing
    Column("last_polled_at", UTC),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("error_count", Integer, nullable=False, default=0),
    Column("created_at", UTC, nullable=False),
    # polling state (migration 0002): state is also dead or gone
    Column("next_poll_at", UTC),
    Column("failing_since", UTC),
    Column("error_class", String(16)),
)
Index("ix_shows_next_poll_at", shows.c.next_poll_at)
Index("ix_shows_guid", shows.c.guid)  # migration 0008

# old feed URLs of a show (permanent redirects, itunes:new-feed-url) (migration 0002)
show_aliases = Table(
    "show_aliases",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("show_id", ForeignKey("shows.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTC, nullable=False),
)

episodes = Table(
    "episodes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("show_id", ForeignKey("shows.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(2048), nullable=False),
    Column("guid", Text),
    Column("title", Text),
    Column("published", UTC),
    Column("link", Text),
    Column("audio_url", Text),
    Column("duration", Float),
    Column("transcript_links", JSON, nullable=False, default=list),
    # new -> transcribed -> extracted; failed carries `error` and is retried by the next run
    Column("state", String(16), nullable=False, default="new"),
    Column("error", Text),
    Column("created_at", UTC, nullable=False),
    # speech-to-text work leases (migration 0004): an episode in state no_transcript is
    # claimable when lease_expires_at is empty or past (a lease, or the back-off after a failure)
    Column("lease_owner", String(128)),
    Column("lease_expires_at", UTC),
    Column("asr_attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("asr_error", Text),
    # the feed's podcast:person entries (migration 0012): [{"name", "role", "group", ...}]
    Column("persons", JSON, nullable=False, default=list, server_default="[]"),
    UniqueConstraint("show_id", "key", name="uq_episodes_show_key"),
)
Index("ix_episodes_state", episodes.c.state)

transcripts = Table(
    "transcripts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "episode_id", ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False, unique=True
    ),
    Column("source", Text, nullable=False),
    Column("format", String(32), nullable=False),
    Column("origin", String(16), nullable=False, default="publisher"),  # publisher, asr
    Column("language", String(32)),
    Column("model", String(64)),  # the speech-to-text model of an asr transcript (0004)
    Column("content_hash", String(64), nullable=False),
    Column("fetched_at", UTC, nullable=False),
)

segments = Table(
    "segments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transcript_id", ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("start", Float),
    Column("end", Float),
    Column("speaker", Text),
    Column("text", Text, nullable=False),
    Column("words", Text),  # asr: compact JSON [[start, end, word], ...] (migration 0007)
    UniqueConstraint("transcript_id", "position", name="uq_segments_transcript_position"),
)

insights = Table(
    "insights",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("episode_id", ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False),
    Column("extractor", String(64), nullable=False),  # name@version: part of the key
    Column("text", Text, nullable=False),
    Column("quote", Text, nullable=False),
    Column("speaker", Text),
    Column("start", Float),
    Column("end", Float),
    Column("score", Float, nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("created_at", UTC, nullable=False),
)
Index("ix_insights_episode", insights.c.episode_id)
# full-text search (migration 0010), which SQLAlchemy cannot describe: on SQLite the FTS5
# table insight_fts, its rowids insight_rowids and triggers on insights; on PostgreSQL a stored
# tsvector column, search_document, with a GIN index (migration 0014; podsift.store.search)

embeddings = Table(
    "embeddings",
    metadata,
    Column("model", String(64), primary_key=True),
    Column("text_hash", String(64), primary_key=True),
    Column("vector", LargeBinary, nullable=False),  # float32, little-endian
)

stories = Table(
    "stories",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("model", String(64), nullable=False),
    Column("representative_id", ForeignKey("insights.id"), nullable=False),
    Column("centroid", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("show_count", Integer, nullable=False),
    Column("first_seen", UTC, nullable=False),
    Column("last_seen", UTC, nullable=False),
    Column("created_at", UTC, nullable=False),
)
Index("ix_stories_last_seen", stories.c.last_seen)

story_members = Table(
    "story_members",
    metadata,
    Column("insight_id", ForeignKey("insights.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("similarity", Float),
)
Index("ix_story_members_story", story_members.c.story_id)

subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("tz", String(64), nullable=False, default="UTC"),
    Column("send_hour", Integer, nullable=False, default=7),
    Column("topics", Text),
    Column("status", String(16), nullable=False, default="active"),  # active, unsubscribed
    Column("created_at", UTC, nullable=False),
    # 0003: pending (double opt-in) -> active -> unsubscribed | suspended (bounces)
    Column("confirmed_at", UTC),
    Column("bounces", Integer, nullable=False, default=0, server_default="0"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("subscriber_id", ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True),
    Column("show_id", ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True),
)

digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subscriber_id", ForeignKey("subscribers.id", ondelete="CASCADE")),
    Column("recipient", String(320), nullable=False),  # "" for the operator's own digest
    Column("date", Date, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTC, nullable=False),
    UniqueConstraint("recipient", "date", name="uq_digests_recipient_date"),
)

digest_items = Table(
    "digest_items",
    metadata,
    Column("digest_id", ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("story_id", ForeignKey("stories.id"), nullable=False),
)
Index("ix_digest_items_story", digest_items.c.story_id)  # migration 0013

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("digest_id", ForeignKey("digests.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("channel", String(16), nullable=False, default="email"),
    # claimed -> sent; failed (permanent), unknown (crash between send and commit)
    Column("status", String(16), nullable=False),
    Column("message_id", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("claimed_at", UTC),
    Column("sent_at", UTC),
    # 0003: retry backoff and the server's last reply code
    Column("next_attempt_at", UTC),
    Column("smtp_code", Integer),
    # 0009: the claiming process, so `reconcile --resend` can refuse a claim still alive
    Column("claimed_host", String(255)),
    Column("claimed_pid", Integer),
)

# 0003: an automatic pause of a channel after repeated temporary failures
send_pauses = Table(
    "send_pauses",
    metadata,
    Column("channel", String(16), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("paused_until", UTC),
    Column("reason", Text),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subscriber_id", ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False),
    Column("story_id", ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("value", Integer, nullable=False),
    Column("created_at", UTC, nullable=False),
)
# one vote per subscriber and story: a newer one replaces it (migration 0011)
Index("uq_feedback_subscriber_story", feedback.c.subscriber_id, feedback.c.story_id, unique=True)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("stage", String(32), nullable=False),
    Column("started_at", UTC, nullable=False),
    Column("finished_at", UTC),
    Column("status", String(16), nullable=False),  # running, done, failed
    Column("counts", JSON, nullable=False, default=dict),
    Column("error", Text),
)
