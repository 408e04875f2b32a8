"""Signed links (itsdangerous): one salt per purpose, several keys for rotation.

``secret_key`` is a comma-separated list, newest first: links are signed with the first key
and every key still verifies, so a key can be rotated without breaking links in old emails.
Most purposes carry an address; a ``feedback`` token carries a :class:`Vote` (address, story,
+1 or -1), so an email's "more like this" link names exactly one story and one answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from podsift.exceptions import ConfigError, PodsiftError

PURPOSES: dict[str, int | None] = {
    "confirm": 7 * 24 * 3600,  # a confirmation link lasts a week
    "unsubscribe": None,  # unsubscribe links in old emails must keep working
    "preferences": 30 * 24 * 3600,
    "feed": None,
    "digest": 365 * 24 * 3600,  # "view in browser": a subscriber's own archived digests
    "feedback": 90 * 24 * 3600,  # "more / less like this" on an email item or a digest page
}
"""Each purpose and how long its links last, in seconds (None: for good)."""


class TokenError(PodsiftError, ValueError):
    """A link's token was tampered with, is for another purpose, or has expired."""


@dataclass(frozen=True, slots=True)
class Vote:
    """What a ``feedback`` link says: ``address`` wants more (+1) or less (-1) like a story."""

    address: str
    story_id: str
    value: int


class Tokens:
    """Make and read signed tokens that carry a subscriber's address."""

    def __init__(self, secret_key: str, clock: Callable[[], float] = time.time) -> None:
        """Use the comma-separated ``secret_key`` (newest first) and ``clock`` (for tests).

        Raises:
            ConfigError: no key is configured.
        """
        keys = [k.strip() for k in secret_key.split(",") if k.strip()]
        if not keys:
            raise ConfigError("no secret key for signed links: set PODSIFT_SECRET_KEY")

        class _Signer(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock())

        # itsdangerous signs with the last key and verifies with all of them
        self._serializers = {
            purpose: URLSafeTimedSerializer(
                list(reversed(keys)), salt=f"podsift.{purpose}", signer=_Signer
            )
            for purpose in PURPOSES
        }

    def make(self, purpose: str, email: str) -> str:
        """Return a token for ``email`` valid only for ``purpose``."""
        return str(self._serializers[purpose].dumps(email.lower()))

    def read(self, purpose: str, token: str) -> str:
        """Return the address in ``token``.

        Raises:
            TokenError: tampered, for another purpose, or past its purpose's lifetime.
        """
        email = self._load(purpose, token)
        if not isinstance(email, str):
            raise TokenError(f"this {purpose} link is not valid (changed or incomplete)")
        return email

    def make_vote(self, vote: Vote) -> str:
        """Return a ``feedback`` token that carries ``vote``.

        Raises:
            ValueError: the vote's value is not +1 or -1.
        """
        if vote.value not in (1, -1):
            raise ValueError(f"a vote is +1 or -1, not {vote.value}")
        payload = [vote.address.lower(), vote.story_id, vote.value]
        return str(self._serializers["feedback"].dumps(payload))

    def read_vote(self, token: str) -> Vote:
        """Return the vote in a ``feedback`` token.

        Raises:
            TokenError: tampered, for another purpose, or expired.
        """
        payload = self._load("feedback", token)
        match payload:
            case [str(address), str(story_id), 1 | -1 as value]:
                return Vote(address, story_id, value)
        raise TokenError("this feedback link is not valid (changed or incomplete)")

    def _load(self, purpose: str, token: str) -> Any:
        try:
            return self._serializers[purpose].loads(token, max_age=PURPOSES[purpose])
        except SignatureExpired:
            raise TokenError(f"this {purpose} link has expired; ask for a new one") from None
        except BadSignature:
            raise TokenError(f"this {purpose} link is not valid (changed or incomplete)") from None

    def url(self, base_url: str, purpose: str, email: str) -> str:
        """Return the page URL of ``purpose`` for ``email``, e.g. ``…/unsubscribe?t=…``."""
        query = urlencode({"t": self.make(purpose, email)})
        return f"{base_url.rstrip('/')}/{purpose}?{query}"

    def vote_url(self, base_url: str, vote: Vote) -> str:
        """Return the ``…/feedback?t=…`` link of ``vote`` (its page asks before it records)."""
        query = urlencode({"t": self.make_vote(vote)})
        return f"{base_url.rstrip('/')}/feedback?{query}"
