"""The wire formats of the LLM providers: OpenAI-compatible chat completions, Anthropic Messages.

Plain ``httpx`` JSON, no SDKs. ``openai`` covers every server that speaks the OpenAI chat
completions API (OpenAI, Ollama, vLLM, llama.cpp's server, OpenRouter).
"""

from __future__ import annotations

from typing import Any, ClassVar

from podsift.config import LLMSettings
from podsift.insights.llm import ChatReply, LLMError, LLMExtractor, TokenBudget

__all__ = ["AnthropicAPI", "AnthropicExtractor", "OpenAIAPI", "OpenAIExtractor", "build"]

ANTHROPIC_VERSION = "2023-06-01"


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class OpenAIAPI:
    """``POST {base_url}/chat/completions`` with a bearer key and a JSON-object reply."""

    name: ClassVar[str] = "openai"

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings

    def request(self, system: str, user: str) -> tuple[str, dict[str, str], dict[str, Any]]:
        """Build the chat completions request."""
        headers = {"content-type": "application/json"}
        if self.settings.api_key:
            headers["authorization"] = f"Bearer {self.settings.api_key}"
        body = {
            "model": self.settings.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "temperature": 0,
            "max_tokens": self.settings.max_output_tokens,
            "response_format": {"type": "json_object"},
        }
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
            _int(usage.get("prompt_tokens")),
            _int(usage.get("completion_tokens")),
            refused,
        )


class AnthropicAPI:
    """``POST {base_url}/v1/messages`` with ``x-api-key`` and ``anthropic-version``."""

    name: ClassVar[str] = "anthropic"

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings

    def request(self, system: str, user: str) -> tuple[str, dict[str, str], dict[str, Any]]:
        """Build the Messages API request."""
        headers = {
            "content-type": "application/json",
            "x-api-key": self.settings.api_key,
            "anthropic-version": ANTHROPIC_VERSION,
        }
        body = {
            "model": self.settings.model,
            "max_tokens": self.settings.max_output_tokens,
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
            _int(usage.get("input_tokens")),
            _int(usage.get("output_tokens")),
            body.get("stop_reason") == "refusal",
        )


class OpenAIExtractor(LLMExtractor):
    """The ``openai`` extractor: any OpenAI-compatible chat completions server."""

    name: ClassVar[str] = "openai"


class AnthropicExtractor(LLMExtractor):
    """The ``anthropic`` extractor: the Anthropic Messages API."""

    name: ClassVar[str] = "anthropic"


def build(kind: str, settings: Any) -> LLMExtractor:
    """Build the ``openai`` or ``anthropic`` extractor from ``InsightSettings``.

    Raises:
        ConfigError: the provider's key variable is unset.
    """
    from podsift.config import InsightSettings
    from podsift.exceptions import ConfigError
    from podsift.insights import LocalExtractorSettings
    from podsift.insights.local import LocalExtractor

    cfg = settings if isinstance(settings, InsightSettings) else InsightSettings()
    llm: LLMSettings = getattr(cfg, kind)
    if llm.api_key_env and not llm.api_key:
        raise ConfigError(f"no API key for insights provider '{kind}': set {llm.api_key_env}")
    api: OpenAIAPI | AnthropicAPI = OpenAIAPI(llm) if kind == "openai" else AnthropicAPI(llm)
    cls = OpenAIExtractor if kind == "openai" else AnthropicExtractor
    return cls(
        api,
        llm,
        top_n=cfg.top_n,
        budget=TokenBudget(cfg.token_budget),
        fallback=LocalExtractor(LocalExtractorSettings(top_n=cfg.top_n)),
        threshold=cfg.grounding_threshold,
    )
