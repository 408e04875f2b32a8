"""The built-in chat model providers: OpenAI-compatible chat completions, Anthropic Messages."""

from __future__ import annotations

from podsift.llm.providers.anthropic import AnthropicChat
from podsift.llm.providers.openai import OpenAIChat

__all__ = ["AnthropicChat", "OpenAIChat"]
