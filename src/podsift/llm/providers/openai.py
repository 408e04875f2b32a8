"""The ``openai`` chat model: ``POST {base_url}/chat/completions``, plain ``httpx`` JSON.

It covers every server that speaks the OpenAI chat completions API (OpenAI, Ollama, vLLM,
llama.cpp's server, OpenRouter).
"""

from __future__ import annotations

from typing import Any, ClassVar

from podsift.llm.base import ChatReply, LLMError
from podsift.llm.client import HTTPChatModel, token_count

__all__ = ["OpenAIChat"]


class OpenAIChat(HTTPChatModel):
    """Chat completions with a bearer key; ``json`` asks for a JSON-object reply."""

    name: ClassVar[str] = "openai"
    needs_key: ClassVar[str] = "OPENAI_API_KEY"

    def request(
        self, system: str, user: str, *, max_tokens: int, json: bool
    ) -> tuple[str, dict[str, str], dict[str, Any]]:
        """Build the chat completions request."""
        headers = {"content-type": "application/json"}
        if self.settings.api_key:
            headers["authorization"] = f"Bearer {self.settings.api_key}"
        body: dict[str, Any] = {
            "model": self.settings.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "temperature": 0,
            "max_tokens": max_tokens,
        }
        if json:
            body["response_format"] = {"type": "json_object"}
        return f"{self.settings.base_url.rstrip('/')}/chat/completions", headers, body

    def read(self, body: Any) -> ChatReply:
        """Read ``choices[0].message`` and ``usage``; a refusal or content filter is a refusal."""
        try:
            choice = body["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError):
            raise LLMError("the API reply has no choices[0].message") from None
        usage = body.get("usage") or {}
        refused = bool(message.get("refusal")) or choice.get("finish_reason") == "content_filter"
        content = message.get("content")
        return ChatReply(
            content if isinstance(content, str) else "",
            token_count(usage.get("prompt_tokens")),
            token_count(usage.get("completion_tokens")),
            refused,
        )
