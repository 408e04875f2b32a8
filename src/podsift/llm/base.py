"""The chat model Protocol, what a model answers, and the registry of chat model providers.

Every LLM use in podsift (the LLM extractors, the headline writer) asks a :class:`ChatModel`
and never a provider's wire format. Providers plug in by name through ``chat_models``; the
built-ins are ``openai`` (any OpenAI-compatible server: OpenAI, Ollama, vLLM, llama.cpp's
server, OpenRouter), ``anthropic`` (the Messages API) and ``local`` (a GGUF model run
in-process, offline; ``podsift models fetch qwen-1.5b``). :func:`connect` builds one and
checks its API key, so every provider gives the same "how to fix" message.

>>> {"anthropic", "local", "openai"} <= set(chat_models.names())
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

from podsift.config import LLMSettings
from podsift.exceptions import ConfigError, PodsiftError
from podsift.plugins import Registry

__all__ = ["ChatModel", "ChatReply", "LLMError", "RatesChoices", "chat_models", "connect"]


class LLMError(PodsiftError):
    """A chat model gave no usable answer (API failure after retries, refusal, bad reply)."""


@dataclass(frozen=True, slots=True)
class ChatReply:
    """What a chat model answered: the text, tokens used, and whether the model refused."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    refused: bool = False


class ChatModel(Protocol):
    """A chat model: a system prompt and one user message in, one reply out.

    ``needs_key`` names the environment variable that conventionally holds the provider's
    API key (``""``: the provider takes no key, e.g. a model running in-process). The core
    reads the key at startup and :func:`connect` refuses to start without it.
    """

    name: ClassVar[str]
    needs_key: ClassVar[str]

    @property
    def model(self) -> str:
        """The model id, as the provider names it."""
        ...

    def complete(self, system: str, user: str, *, max_tokens: int, json: bool = False) -> ChatReply:
        """Ask ``user`` under ``system``; ``json`` asks for a JSON object where supported.

        Raises:
            LLMError: no answer (the API kept failing, or its reply has no text).
        """
        ...


@runtime_checkable
class RatesChoices(Protocol):
    """A chat model that also tells how likely each of a few one-token answers is.

    Asking for a score as text gets the same high digit for nearly everything; the expected
    value over the digits' probabilities separates good from poor (#18). The ``local`` model
    reads them from its logits.
    """

    def choice_probabilities(
        self, system: str, user: str, choices: Sequence[str]
    ) -> dict[str, float]:
        """The probability of each of ``choices`` as the answer, summing to 1.

        Raises:
            LLMError: no answer (out of time, or a choice the model cannot give as one token).
        """
        ...


chat_models: Registry[ChatModel] = Registry("chat model", group="podsift.chat_models")


@chat_models.register("openai")
def _openai(settings: LLMSettings) -> ChatModel:
    """Build the OpenAI-compatible chat model (imported lazily to keep startup fast)."""
    from podsift.llm.providers.openai import OpenAIChat

    return OpenAIChat(settings)


@chat_models.register("anthropic")
def _anthropic(settings: LLMSettings) -> ChatModel:
    """Build the Anthropic Messages API chat model."""
    from podsift.llm.providers.anthropic import AnthropicChat

    return AnthropicChat(settings)


@chat_models.register("local")
def _local(settings: LLMSettings) -> ChatModel:
    """Build the in-process chat model (``podsift[llm-local]`` and a fetched model file)."""
    from podsift.llm.providers.local import LocalChat

    return LocalChat(settings)


def connect(name: str, settings: LLMSettings, *, section: str = "insights") -> ChatModel:
    """Build the chat model ``name`` from its ``[<section>.<name>]`` settings.

    Raises:
        UnknownProviderError: no chat model of that name is registered.
        ConfigError: the provider needs a key and the variable that holds it is unset.
    """
    chat = chat_models.create(name, settings)
    if chat.needs_key and settings.api_key_env and not settings.api_key:
        raise ConfigError(f"no API key for {section} provider '{name}': set {settings.api_key_env}")
    return chat
