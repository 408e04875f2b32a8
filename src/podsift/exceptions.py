"""The podsift error tree: every error the user can fix is a ``PodsiftError``."""

from __future__ import annotations


class PodsiftError(Exception):
    """Base of every podsift error; its message is one line naming the input and problem."""


class ConfigError(PodsiftError, ValueError):
    """A bad setting: unknown key, wrong type or value."""


class StoreError(PodsiftError):
    """The store cannot be opened or migrated."""


class SourceError(PodsiftError):
    """A feed could not be fetched or parsed."""


class FetchError(SourceError):
    """An HTTP fetch failed (unreachable host, bad status, too large)."""


class FeedParseError(SourceError, ValueError):
    """A document is not a feed podsift can read."""


class TranscriptError(PodsiftError, ValueError):
    """A transcript is missing, empty, binary or in no format podsift reads."""


class ExtractError(PodsiftError):
    """Insights could not be extracted."""


class UnknownProviderError(PodsiftError, LookupError):
    """A provider name that no registry knows."""


class DeliveryError(PodsiftError):
    """A digest could not be delivered."""


class SearchQueryError(PodsiftError, ValueError):
    """A search the store will not run: too long, or with no word to look for."""
