"""The ``local`` chat model: a GGUF file run in-process by llama.cpp (``cyllama``), offline.

No server and no key: ``podsift models fetch qwen-1.5b`` puts the weights in the models
folder and ``pip install 'podsift[llm-local]'`` the runtime. The weights are loaded once per
process and shared by every :class:`LocalChat`; the tokens of the last system prompt stay in
the KV cache, so the next question under the same system prompt decodes only what differs.
Each :class:`LocalChat` (one per run) has a time budget: once it is spent, questions raise
:class:`~podsift.llm.LLMError` (callers fall back to the no-LLM path) and are counted in
``fallbacks``.

Qwen2.5's chat template (ChatML) is written here, since both pinned models use it; the
sampler is greedy, so the same question gets the same answer.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol

from podsift.config import LLMSettings
from podsift.exceptions import ConfigError
from podsift.llm.base import ChatReply, LLMError
from podsift.llm.weights import GGUF_SOURCES, ModelFileError, model_file, verify_gguf

__all__ = ["LocalChat", "Runtime", "chatml", "load_runtime"]

INSTALL = "pip install 'podsift[llm-local]'"


def chatml(system: str, user: str) -> tuple[str, str]:
    """Return the ChatML prompt as (the fixed prefix of ``system``, the rest).

    >>> prefix, rest = chatml("Be brief.", "Hi")
    >>> prefix.endswith("<|im_end|>\\n") and rest.endswith("<|im_start|>assistant\\n")
    True
    """
    prefix = f"<|im_start|>system\n{system}<|im_end|>\n"
    return prefix, f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"


class Runtime(Protocol):
    """What :class:`LocalChat` needs of the loaded model (tests pass a scripted one)."""

    def generate(
        self, prefix: str, rest: str, *, max_tokens: int, deadline: float
    ) -> tuple[str, int, int]:
        """Return (text, prompt tokens decoded, tokens generated), stopping at ``deadline``."""
        ...

    def choice_logits(self, prefix: str, rest: str, choices: Sequence[str]) -> list[float]:
        """The logit of each one-token ``choices`` as the answer's first token."""
        ...


class _Llama:
    """A GGUF model and one context on cyllama, keeping the last prefix in the KV cache."""

    def __init__(self, path: Path, threads: int, n_ctx: int = 4096) -> None:
        from cyllama.llama import llama_cpp as lc

        lc.disable_logging()
        lc.ggml_backend_load_all()
        self.lc = lc
        self.model = _with_n_vocab(lc)(str(path), lc.LlamaModelParams())
        self.vocab = self.model.get_vocab()
        params = lc.LlamaContextParams()
        params.n_ctx, params.n_threads, params.n_threads_batch = n_ctx, threads, threads
        self.ctx = lc.LlamaContext(self.model, params)
        self.n_ctx, self.n_batch = n_ctx, self.ctx.n_batch
        self.cached: list[int] = []  # the tokens in the KV cache at positions 0..
        self.lock = threading.Lock()

    def generate(
        self, prefix: str, rest: str, *, max_tokens: int, deadline: float
    ) -> tuple[str, int, int]:
        """Decode what differs from the cached tokens, then sample greedily until done."""
        with self.lock:
            tokens, decoded = self._prompt(prefix, rest, max_tokens)
            text, n = self._sample(len(tokens), max_tokens, deadline)
            return text, decoded, n

    def choice_logits(self, prefix: str, rest: str, choices: Sequence[str]) -> list[float]:
        """Decode the prompt, then read the next token's logits of each one-token choice."""
        ids = []
        for choice in choices:
            token = self.vocab.tokenize(choice, add_special=False, parse_special=False)
            if len(token) != 1:
                raise LLMError(f"{choice!r} is not one token of the local model")
            ids.append(token[0])
        with self.lock:
            self._prompt(prefix, rest, 1)
            logits = self.ctx.get_logits_ith(-1)
        if logits is None:
            raise LLMError("the local model gave no logits")
        return [float(logits[i]) for i in ids]

    def _prompt(self, prefix: str, rest: str, max_tokens: int) -> tuple[list[int], int]:
        """Decode what of ``prefix + rest`` differs from the cached tokens (lock held);
        return the prompt's tokens and how many were decoded."""
        tokens = self.vocab.tokenize(prefix + rest, add_special=False, parse_special=True)
        if len(tokens) + max_tokens > self.n_ctx:
            raise LLMError(f"the question is {len(tokens)} tokens, over the local context")
        keep = _common(self.cached, self.vocab.tokenize(prefix, False, True), tokens)
        if keep == len(tokens):  # the whole prompt is cached: decode its last token again
            keep -= 1
        self.ctx.memory_seq_rm(0, keep, -1)
        for start in range(keep, len(tokens), self.n_batch):
            batch = tokens[start : start + self.n_batch]
            self.ctx.decode(self.lc.llama_batch_get_one(batch, start))
        self.cached = list(tokens)
        return tokens, len(tokens) - keep

    def _sample(self, pos: int, max_tokens: int, deadline: float) -> tuple[str, int]:
        """Greedy tokens after ``pos`` until end of turn, ``max_tokens`` or ``deadline``."""
        sampler = self.lc.LlamaSampler(self.lc.LlamaSamplerChainParams())
        sampler.add_greedy()
        pieces = []
        for _ in range(max_tokens):
            token = sampler.sample(self.ctx, -1)
            if self.vocab.is_eog(token) or time.monotonic() > deadline:
                break
            pieces.append(self.vocab.token_to_piece(token, special=False))
            self.ctx.decode(self.lc.llama_batch_get_one([token], pos))
            self.cached.append(token)
            pos += 1
        return "".join(pieces), len(pieces)


def _with_n_vocab(lc: Any) -> Any:
    """cyllama's model class with the ``n_vocab`` its ``get_logits_ith`` reads (0.2.18 lacks it)."""

    class Model(lc.LlamaModel):  # type: ignore[misc]
        @property
        def n_vocab(self) -> int:
            return int(self.get_vocab().n_vocab)

    return Model


def _common(cached: list[int], prefix: list[int], tokens: list[int]) -> int:
    """How many cached tokens to keep: the shared start, at most the prefix's length."""
    n = 0
    limit = min(len(cached), len(prefix), len(tokens))
    while n < limit and cached[n] == tokens[n]:
        n += 1
    return n


_LOADED: dict[tuple[Path, int], Runtime] = {}
_LOAD_LOCK = threading.Lock()


def load_runtime(settings: LLMSettings, models_dir: Path) -> Runtime:
    """Return the model ``settings.model`` names, loaded once per process (and per threads).

    Raises:
        ConfigError: no cyllama, no model file, or a file that is not the pinned one; the
            message says how to get them.
    """
    path = _model_path(settings.model, models_dir)
    key = (path, max(settings.threads, 1))
    with _LOAD_LOCK:
        if key not in _LOADED:
            try:
                import cyllama  # noqa: F401
            except ImportError:
                raise ConfigError(f"the local chat model needs cyllama: {INSTALL}") from None
            _LOADED[key] = _Llama(path, key[1])
        return _LOADED[key]


def _model_path(model: str, models_dir: Path) -> Path:
    """Resolve a fetched model's name (verified once) or a GGUF path."""
    path = model_file(model, models_dir)
    if model in GGUF_SOURCES:
        if not path.is_file():
            raise ConfigError(
                f"no local model {model} in {models_dir}: run `podsift models fetch {model}`"
            )
        try:
            verify_gguf(path, GGUF_SOURCES[model], name=model)
        except ModelFileError as e:
            raise ConfigError(str(e)) from None
        return path
    if not path.is_file():
        raise ConfigError(
            f"no local model file {path}: run `podsift models fetch qwen-1.5b` "
            "or set [insights.local] model to a GGUF file"
        )
    return path


class LocalChat:
    """A :class:`~podsift.llm.ChatModel` on an in-process model, with a time budget per run.

    Args:
        settings: ``[insights.local]`` (model, threads, budget_seconds).
        runtime: the loaded model (default: :func:`load_runtime`, once per process).
        clock: monotonic seconds (tests pass a fake).
    """

    name: ClassVar[str] = "local"
    needs_key: ClassVar[str] = ""

    def __init__(
        self,
        settings: LLMSettings,
        runtime: Runtime | None = None,
        *,
        models_dir: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if runtime is None:
            from podsift.stories import models_dir as default_dir

            runtime = load_runtime(settings, models_dir or default_dir())
        self.settings, self.runtime, self.clock = settings, runtime, clock
        self.spent = 0.0
        self.fallbacks = 0

    @property
    def model(self) -> str:
        """The model's name or path, as configured."""
        return self.settings.model

    def complete(self, system: str, user: str, *, max_tokens: int, json: bool = False) -> ChatReply:
        """Answer within what is left of the run's budget.

        Raises:
            LLMError: the budget is spent (counted in ``fallbacks``), the answer ran out of
                time (counted too), or the question does not fit the context.
        """
        left = self.settings.budget_seconds - self.spent
        if left <= 0:
            self.fallbacks += 1
            raise LLMError(f"the local model's {self.settings.budget_seconds:g} s budget is spent")
        prefix, rest = chatml(system, user)
        start = self.clock()
        try:
            text, prompt, completion = self.runtime.generate(
                prefix, rest, max_tokens=max_tokens, deadline=start + left
            )
        finally:
            self.spent += self.clock() - start
        if self.spent > self.settings.budget_seconds:
            self.fallbacks += 1
            raise LLMError("the local model ran out of time on this answer")
        return ChatReply(text.strip(), prompt, completion)

    def choice_probabilities(
        self, system: str, user: str, choices: Sequence[str]
    ) -> dict[str, float]:
        """How likely the model answers each of ``choices`` (one token each), summing to 1.

        Raises:
            LLMError: the budget is spent (counted in ``fallbacks``), or a choice is not one
                token of the model.
        """
        if self.spent >= self.settings.budget_seconds:
            self.fallbacks += 1
            raise LLMError(f"the local model's {self.settings.budget_seconds:g} s budget is spent")
        start = self.clock()
        try:
            logits = self.runtime.choice_logits(*chatml(system, user), choices)
        finally:
            self.spent += self.clock() - start
        top = max(logits)
        weights = [math.exp(x - top) for x in logits]
        total = sum(weights)
        return {c: w / total for c, w in zip(choices, weights, strict=True)}
