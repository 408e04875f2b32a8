"""The HTTP chat client: one JSON POST per question, retried on 429/5xx and timeouts.

A provider that speaks JSON over HTTP subclasses :class:`HTTPChatModel` and only builds the
request and reads the reply (``providers/``). Retries honour ``Retry-After`` and otherwise
back off exponentially; the HTTP client and the sleep are injected so tests never wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

import httpx

from podsift.config import LLMSettings
from podsift.llm.base import ChatReply, LLMError

__all__ = ["MAX_RETRY_AFTER", "RETRY_STATUS", "HTTPChatModel", "token_count"]

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
MAX_RETRY_AFTER = 120.0


class HTTPChatModel:
    """A :class:`~podsift.llm.ChatModel` over HTTP; subclasses supply the wire format.

    Args:
        settings: the provider's settings (key already resolved).
        client: the HTTP client (tests pass one bound to a loopback server).
        sleep: how to wait between retries (tests pass a recorder).
    """

    name: ClassVar[str] = "http"
    needs_key: ClassVar[str] = ""

    def __init__(
        self,
        settings: LLMSettings,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.client = client or httpx.Client(timeout=settings.timeout)
        self.sleep = sleep
        self.attempts = 0

    @property
    def model(self) -> str:
        """The model id of the settings."""
        return self.settings.model

    def request(
        self, system: str, user: str, *, max_tokens: int, json: bool
    ) -> tuple[str, dict[str, str], dict[str, Any]]:
        """Return ``(url, headers, json body)`` asking the model ``user`` under ``system``."""
        raise NotImplementedError

    def read(self, body: Any) -> ChatReply:
        """Read a 200 reply's JSON body; raise ``LLMError`` if it has no answer."""
        raise NotImplementedError

    def complete(self, system: str, user: str, *, max_tokens: int, json: bool = False) -> ChatReply:
        """Send one question, retrying 429/5xx and timeouts with backoff.

        Raises:
            LLMError: an error status, a reply that is not JSON, or retries exhausted.
        """
        url, headers, body = self.request(system, user, max_tokens=max_tokens, json=json)
        attempt = 0
        while True:
            self.attempts += 1
            try:
                response = self.client.post(url, headers=headers, json=body)
            except httpx.TransportError as e:  # timeouts, refused connections
                why, wait = f"{type(e).__name__}", None
            else:
                if response.status_code == 200:
                    try:
                        payload = response.json()
                    except ValueError:
                        raise LLMError(
                            "the API answered 200 with a body that is not JSON"
                        ) from None
                    return self.read(payload)
                if response.status_code not in RETRY_STATUS:
                    raise LLMError(f"the API answered {response.status_code}: {_brief(response)}")
                why, wait = f"HTTP {response.status_code}", _retry_after(response)
            if attempt >= self.settings.max_retries:
                raise LLMError(f"{why} after {attempt + 1} tries")
            self.sleep(min(wait if wait is not None else 2.0**attempt, MAX_RETRY_AFTER))
            attempt += 1


def token_count(value: Any) -> int:
    """Return a reply's token count, or 0 when the API gave none (or not a number).

    >>> token_count(12), token_count(None), token_count(True)
    (12, 0, 0)
    """
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _retry_after(response: httpx.Response) -> float | None:
    """Return the Retry-After seconds of a response (delta form), if it has them."""
    value = response.headers.get("retry-after", "")
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def _brief(response: httpx.Response) -> str:
    """Return a short, single-line account of an error response."""
    return " ".join(response.text.split())[:160] or response.reason_phrase
