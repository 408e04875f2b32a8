"""Language models: one chat client for every LLM use in podsift, providers by name.

A :class:`ChatModel` answers one question (``complete``); providers register in
``chat_models`` (entry-point group ``podsift.chat_models``) and :func:`connect` builds one
from its settings. :class:`HTTPChatModel` is the shared HTTP client (retries, backoff) the
built-in ``openai`` and ``anthropic`` providers build on.
"""

from __future__ import annotations

from podsift.llm.base import ChatModel, ChatReply, LLMError, RatesChoices, chat_models, connect
from podsift.llm.client import HTTPChatModel
from podsift.llm.weights import GGUF_SOURCES, ModelFileError, fetch_gguf, gguf_path

__all__ = [
    "GGUF_SOURCES",
    "ChatModel",
    "ChatReply",
    "HTTPChatModel",
    "LLMError",
    "ModelFileError",
    "RatesChoices",
    "chat_models",
    "connect",
    "fetch_gguf",
    "gguf_path",
]
