"""Settings: one tree of frozen dataclasses loaded from ``podsift.toml`` and ``PODSIFT_*``.

Precedence: CLI flag > environment variable > config file > default. Unknown keys are
errors. No business logic lives here; ``docs/configuration.md`` documents every key.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from podsift.exceptions import ConfigError

APP = "podsift"


def default_db_path() -> Path:
    """Return where the SQLite store lives when nothing says otherwise."""
    return Path(platformdirs.user_data_dir(APP)) / "podsift.db"


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """Where the store is: a SQLite path or a database URL."""

    db: str = ""


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """How feeds and transcripts are fetched."""

    timeout: float = 20.0
    max_bytes: int = 20_000_000
    concurrency: int = 8
    connect_timeout: float = 10.0
    max_redirects: int = 5
    per_host: int = 2
    allow_networks: str = ""
    min_interval_minutes: float = 15.0
    default_interval_minutes: float = 60.0
    max_interval_hours: float = 24.0
    backoff_cap_hours: float = 48.0
    dead_after_days: float = 30.0
    dead_reprobe_days: float = 7.0
    itunes_search_url: str = "https://itunes.apple.com/search"
    podcastindex_url: str = "https://api.podcastindex.org/api/1.0"
    podcastindex_key: str = ""
    podcastindex_secret: str = ""


@dataclass(frozen=True, slots=True)
class RunSettings:
    """The daily job."""

    lookback_days: float = 1.0


@dataclass(frozen=True, slots=True)
class LLMSettings:
    """An LLM provider of ``[insights.<provider>]``; the API key comes from the environment only.

    ``api_key`` is filled from the variable named by ``api_key_env`` at startup and is
    refused in files and ``PODSIFT_*`` variables.
    """

    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o-mini"
    api_key_env: str = "OPENAI_API_KEY"
    timeout: float = 60.0
    max_retries: int = 4
    chunk_words: int = 1800
    overlap_words: int = 150
    max_output_tokens: int = 1200
    threads: int = 1  # the ``local`` model's CPU threads (1 beat 2 on a busy machine)
    budget_seconds: float = 120.0  # the ``local`` model's time per run; later questions fall back
    api_key: str = field(default="", repr=False)


def _local() -> LLMSettings:
    """The in-process model: ``model`` is a fetched name or a path to a GGUF file."""
    return LLMSettings(base_url="", model="qwen-1.5b", api_key_env="", max_output_tokens=400)


def _anthropic() -> LLMSettings:
    return LLMSettings(
        base_url="https://api.anthropic.com",
        model="claude-3-5-haiku-latest",
        api_key_env="ANTHROPIC_API_KEY",
    )


@dataclass(frozen=True, slots=True)
class InsightSettings:
    """Which extractor runs and how many insights an episode yields.

    ``provider`` names an extractor or a chat model (``podsift.llm.chat_models``); a chat
    model's settings are the ``[insights.<provider>]`` sub-table of that name. ``headlines``
    names the chat model that writes the final five's headlines (``""``: ``provider`` when it
    is a chat model; ``"local"``: the in-process model of ``[insights.local]``, while the
    ``local`` extractor keeps extracting).
    """

    provider: str = "local"
    top_n: int = 8
    token_budget: int = 500_000
    grounding_threshold: float = 0.85
    headlines: str = ""
    openai: LLMSettings = field(default_factory=LLMSettings)
    anthropic: LLMSettings = field(default_factory=_anthropic)
    local: LLMSettings = field(default_factory=_local)

    def llm(self, name: str) -> LLMSettings:
        """Return the settings of chat model ``name``: its ``[insights.<name>]`` sub-table.

        A chat model from another package has no sub-table here: it gets no base URL, model
        or key variable, and brings its own defaults.

        >>> InsightSettings().llm("anthropic").api_key_env
        'ANTHROPIC_API_KEY'
        >>> InsightSettings().llm("mistral").api_key_env
        ''
        """
        section = getattr(self, name, None)
        return section if isinstance(section, LLMSettings) else _PLUGIN_LLM


_PLUGIN_LLM = LLMSettings(base_url="", model="", api_key_env="")


def _llm_sections(insights: InsightSettings) -> list[str]:
    """Return the names of the ``[insights.<name>]`` chat model sub-tables."""
    return [
        f.name
        for f in dataclasses.fields(insights)
        if isinstance(getattr(insights, f.name), LLMSettings)
    ]


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """How insights are embedded and grouped into stories.

    ``verifier`` names the chat model (``"local"``) asked about the pairs of two shows that
    the anchor rule turns down narrowly, with the settings of its ``[insights.<verifier>]``
    sub-table (its ``budget_seconds`` bounds the run's questions); ``""``: none.
    """

    embedder: str = "minilm-l6-int8"
    threshold: float | None = None
    window_days: float = 30.0
    models_dir: str = ""
    verifier: str = ""


@dataclass(frozen=True, slots=True)
class RankSettings:
    """How stories are ordered.

    ``judge`` names the chat model (``"local"``) that scores the day's ``judge_candidates``
    best stories once a run, with the settings of its ``[insights.<judge>]`` sub-table;
    ``""``: no judge. ``worth`` weighs each story by the score blind readers would give it,
    read from its centroid by the worth model bundled for ``[cluster] embedder``
    (:mod:`podsift.rank.worth`; ``false``: every story's worth is 1).
    """

    top: int = 5
    recency_half_life_days: float = 7.0
    update_weight: float = 0.6
    diversity: float = 0.3
    judge: str = ""
    judge_candidates: int = 20
    worth: bool = True


@dataclass(frozen=True, slots=True)
class EmailSettings:
    """Where digests are sent from and through."""

    smtp_url: str = ""
    sender: str = "podsift@localhost"
    base_url: str = "http://localhost:8000"
    secret_key: str = ""


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How digests are scheduled and sent: cut-off, retries, bounces, rate limits, pauses."""

    cutoff_hour: int = 22
    max_attempts: int = 8
    retry_base_seconds: float = 60.0
    bounce_threshold: int = 3
    per_second: float = 0.0
    per_hour: int = 0
    pause_after_failures: int = 5
    pause_minutes: float = 30.0
    claim_timeout_seconds: float = 600.0


@dataclass(frozen=True, slots=True)
class AsrSettings:
    """Speech-to-text for episodes without a publisher transcript (``[asr]``)."""

    provider: str = "whisper-local"
    model_dir: str = ""
    cache_dir: str = ""
    compute_type: str = "int8"
    beam_size: int = 5
    batch_size: int = 4
    vad: bool = True
    threads: int = 2
    language: str = ""
    max_bytes: int = 600_000_000
    max_duration: float = 14_400.0
    window_seconds: float = 600.0
    download_timeout: float = 1_800.0
    keep_audio: bool = False
    audio_dir: str = ""
    in_daily_run: bool = True
    workers: int = 1
    lease_seconds: float = 3_600.0
    max_attempts: int = 3
    retry_after: float = 3_600.0


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """Celery workers on Redis for `podsift worker` and `podsift run --distributed`."""

    broker_url: str = "redis://127.0.0.1:6379/0"
    visibility_timeout: float = 3_600.0
    task_time_limit: float = 7_200.0
    wait_timeout: float = 21_600.0


@dataclass(frozen=True, slots=True)
class Settings:
    """Every podsift setting."""

    store: StoreSettings = field(default_factory=StoreSettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)
    run: RunSettings = field(default_factory=RunSettings)
    insights: InsightSettings = field(default_factory=InsightSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    rank: RankSettings = field(default_factory=RankSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    asr: AsrSettings = field(default_factory=AsrSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    queue: QueueSettings = field(default_factory=QueueSettings)


# The short names docs/design.md promises, beside PODSIFT_<SECTION>__<KEY>.
ENV_ALIASES = {
    "PODSIFT_DB": ("store", "db"),
    "PODSIFT_SMTP_URL": ("email", "smtp_url"),
    "PODSIFT_FROM": ("email", "sender"),
    "PODSIFT_BASE_URL": ("email", "base_url"),
    "PODSIFT_SECRET_KEY": ("email", "secret_key"),
}
IGNORED_ENV = {"PODSIFT_CONFIG", "PODSIFT_REGEN_GOLDEN", "PODSIFT_UPDATE_SNAPSHOTS"}


def load_settings(
    config_path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Load settings from a TOML file, the environment and explicit overrides.

    Args:
        config_path: the TOML file; ``None`` means ``$PODSIFT_CONFIG`` or ``./podsift.toml``
            when it exists.
        env: the environment (defaults to ``os.environ``).
        overrides: ``{section: {key: value}}`` from CLI flags, applied last.

    Raises:
        ConfigError: unreadable file, unknown section or key, or a value of the wrong type.
    """
    env = os.environ if env is None else env
    layers: dict[str, dict[str, Any]] = {}
    path = _config_path(config_path, env)
    if path is not None:
        _merge(layers, _read_toml(path), origin=str(path))
    _merge(layers, _env_layer(env), origin="environment")
    if overrides:
        _merge(layers, {k: dict(v) for k, v in overrides.items()}, origin="command line")
    return _with_api_keys(_build(layers), env)


def _config_path(explicit: str | Path | None, env: Mapping[str, str]) -> Path | None:
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        return path
    if env.get("PODSIFT_CONFIG"):
        return _config_path(env["PODSIFT_CONFIG"], env={})
    local = Path("podsift.toml")
    return local if local.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from e


def _env_layer(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    layer: dict[str, dict[str, Any]] = {}
    for name, value in env.items():
        if (
            not name.startswith("PODSIFT_")
            or name in IGNORED_ENV
            or name.startswith("PODSIFT_TEST")
        ):
            continue
        if name in ENV_ALIASES:
            section, key = ENV_ALIASES[name]
        elif "__" in name:
            section, _, key = name[len("PODSIFT_") :].lower().partition("__")
        else:
            raise ConfigError(f"{name}: unknown setting (use PODSIFT_<SECTION>__<KEY>)")
        layer.setdefault(section, {})[key] = value
    return layer


def _merge(into: dict[str, dict[str, Any]], layer: Mapping[str, Any], origin: str) -> None:
    sections = {f.name: f.type for f in dataclasses.fields(Settings)}
    for section, values in layer.items():
        if section not in sections:
            known = ", ".join(sorted(sections))
            raise ConfigError(f"{origin}: unknown section [{section}] (known: {known})")
        if not isinstance(values, Mapping):
            raise ConfigError(f"{origin}: [{section}] must be a table")
        target = into.setdefault(section, {})
        for key, value in _flatten(values):
            target[key] = (value, origin)


def _flatten(values: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Turn sub-tables (``[insights.openai]``) into ``openai__model`` keys, like the env."""
    out: list[tuple[str, Any]] = []
    for key, value in values.items():
        if isinstance(value, Mapping):
            out.extend(_flatten(value, f"{prefix}{key}__"))
        else:
            out.append((f"{prefix}{key}", value))
    return out


def _build(layers: dict[str, dict[str, Any]]) -> Settings:
    hints = typing.get_type_hints(Settings)
    built: dict[str, Any] = {}
    for section, cls in hints.items():
        built[section] = _build_section(cls, layers.get(section, {}), section)
    return Settings(**built)


def _build_section(cls: Any, values: Mapping[str, tuple[Any, str]], section: str) -> Any:
    """Build one section; a dataclass-typed field is a sub-table (``[insights.openai]``)."""
    fields = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    nested: dict[str, dict[str, tuple[Any, str]]] = {}
    for key, (value, origin) in values.items():
        head, sub, rest = key.partition("__")
        if head not in fields or (sub and not dataclasses.is_dataclass(fields[head])):
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{origin}: unknown key '{key}' in [{section}] (known: {known})")
        if dataclasses.is_dataclass(fields[head]):
            if not sub:
                raise ConfigError(f"{origin}: [{section}] {head} must be a table")
            nested.setdefault(head, {})[rest] = (value, origin)
            continue
        if key == "api_key" and "api_key_env" in fields:
            raise ConfigError(
                f"{origin}: [{section}] api_key is read from the environment only "
                "(set the variable named by api_key_env)"
            )
        kwargs[key] = _coerce(value, fields[key], f"{origin}: [{section}] {key}")
    for head, sub_values in nested.items():
        base = dataclasses.asdict(cls.__dataclass_fields__[head].default_factory())
        defaults = {k: (v, "default") for k, v in base.items() if k != "api_key"}
        kwargs[head] = _build_section(fields[head], {**defaults, **sub_values}, f"{section}.{head}")
    return cls(**kwargs)


def _with_api_keys(settings: Settings, env: Mapping[str, str]) -> Settings:
    """Fill each LLM provider's ``api_key`` from the variable its ``api_key_env`` names."""
    insights = settings.insights
    keyed: dict[str, Any] = {
        name: dataclasses.replace(llm, api_key=env.get(llm.api_key_env, ""))
        for name in _llm_sections(insights)
        if (llm := insights.llm(name)).api_key_env
    }
    return dataclasses.replace(settings, insights=dataclasses.replace(insights, **keyed))


def _coerce(value: Any, annotation: Any, where: str) -> Any:
    """Turn a TOML or environment value into the field's type, or raise ConfigError."""
    allowed = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    if allowed and type(None) in allowed:
        if value in ("", None):
            return None
        annotation = next(a for a in allowed if a is not type(None))
    try:
        if annotation is bool:
            return _to_bool(value)
        if annotation in (int, float) and isinstance(value, bool):
            raise ValueError
        if annotation is int and isinstance(value, float):
            raise ValueError
        result = annotation(value)
    except (TypeError, ValueError):
        name = getattr(annotation, "__name__", str(annotation))
        raise ConfigError(f"{where}: expected {name}, got {value!r}") from None
    if annotation in (int, float) and result < 0:
        raise ConfigError(f"{where}: must not be negative, got {value!r}")
    return result


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)
