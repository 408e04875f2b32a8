"""The store: SQLite by default (WAL, busy timeout), PostgreSQL by URL; migrated on open.

Every SQL statement of podsift lives in this package.
"""

from __future__ import annotations

from podsift.store.records import DeliveryRow, EpisodeRow, InsightRow, ShowRow, SubscriberRow
from podsift.store.store import Store, open_store, resolve_db_url

__all__ = [
    "DeliveryRow",
    "EpisodeRow",
    "InsightRow",
    "ShowRow",
    "Store",
    "SubscriberRow",
    "open_store",
    "resolve_db_url",
]
