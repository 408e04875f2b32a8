"""The ``anthropic`` chat model: ``POST {base_url}/v1/messages``, plain ``httpx`` JSON."""

from __future__ import annotations

from typing import Any, ClassVar

from podsift.llm.base import ChatReply, LLMError
from podsift.llm.client import HTTPChatModel, token_count

__all__ = ["ANTHROPIC_VERSION", "AnthropicChat"]

ANTHROPIC_VERSION = "2023-06-01"


class AnthropicChat(HTTPChatModel):
    """The Messages API with ``x-api-key`` and ``anthropic-version``.

    It has no JSON mode: ``json`` is left to the prompt, which asks for JSON.
    """

    name: ClassVar[str] = "anthropic"
    needs_key: ClassVar[str] = "ANTHROPIC_API_KEY"

    def request(
        self, system: str, user: str, *, max_tokens: int, json: bool
    ) -> tuple[str, dict[str, str], dict[str, Any]]:
        """Build the Messages API request."""
        headers = {
            "content-type": "application/json",
            "x-api-key": self.settings.api_key,
            "anthropic-version": ANTHROPIC_VERSION,
        }
        body = {
            "model": self.settings.model,
            "max_tokens": max_tokens,
            "temperature": 0,
            "system": system,
            "messages": [{"role": "user", "content": user}],
        }
        return f"{self.settings.base_url.rstrip('/')}/v1/messages", headers, body

    def read(self, body: Any) -> ChatReply:
        """Join the reply's text blocks; ``stop_reason: refusal`` is a refusal."""
        if not isinstance(body, dict) or not isinstance(body.get("content"), list):
            raise LLMError("the API reply has no content list")
        text = "".join(
            b.get("text", "")
            for b in body["content"]
            if isinstance(b, dict) and b.get("type") == "text"
        )
        usage = body.get("usage") or {}
        return ChatReply(
            text,
            token_count(usage.get("input_tokens")),
            token_count(usage.get("output_tokens")),
            body.get("stop_reason") == "refusal",
        )
