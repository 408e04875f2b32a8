"""The store: SQLite by default (WAL, busy timeout), PostgreSQL by URL; migrated on open.

Every SQL statement of podsift lives in this package. It decides nothing about the domain:
the rules it applies (which episodes repeat, which GUID names a show) come from its callers.
"""

from __future__ import annotations

from podsift.store.records import (
    AsrJob,
    Claimer,
    DeliveryRow,
    DigestDraft,
    DigestPage,
    EpisodeBatch,
    EpisodeRow,
    FeedbackRow,
    InsightRow,
    LedgerRow,
    NewSubscriber,
    PageQuote,
    Pause,
    PendingDigest,
    PollOutcome,
    PollRow,
    RepublishedRule,
    SearchHit,
    ShowRow,
    StoryPage,
    Subscriber,
    SubscriberRow,
    SubscribersAdded,
)
from podsift.store.store import Store, open_store, resolve_db_url

__all__ = [
    "AsrJob",
    "Claimer",
    "DeliveryRow",
    "DigestDraft",
    "DigestPage",
    "EpisodeBatch",
    "EpisodeRow",
    "FeedbackRow",
    "InsightRow",
    "LedgerRow",
    "NewSubscriber",
    "PageQuote",
    "Pause",
    "PendingDigest",
    "PollOutcome",
    "PollRow",
    "RepublishedRule",
    "SearchHit",
    "ShowRow",
    "Store",
    "StoryPage",
    "Subscriber",
    "SubscriberRow",
    "SubscribersAdded",
    "open_store",
    "resolve_db_url",
]
