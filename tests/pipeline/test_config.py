"""Settings: file, environment and flags, validated strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from podsift.config import load_settings
from podsift.exceptions import ConfigError


def test_defaults_without_file_or_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings(env={})
    assert s.rank.top == 5
    assert s.insights.provider == "local"
    assert s.cluster.threshold is None


def test_precedence_flag_over_env_over_file(tmp_path: Path) -> None:
    cfg = tmp_path / "podsift.toml"
    cfg.write_text('[store]\ndb = "from-file.db"\n[rank]\ntop = 3\n[feeds]\ntimeout = 5\n')
    s = load_settings(cfg, env={"PODSIFT_DB": "from-env.db", "PODSIFT_RANK__TOP": "4"})
    assert s.store.db == "from-env.db"
    assert s.rank.top == 4
    assert s.feeds.timeout == 5.0
    s = load_settings(
        cfg, env={"PODSIFT_DB": "from-env.db"}, overrides={"store": {"db": "from-flag.db"}}
    )
    assert s.store.db == "from-flag.db"


def test_config_env_var_names_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "other.toml"
    cfg.write_text("[insights]\ntop_n = 3\n")
    assert load_settings(env={"PODSIFT_CONFIG": str(cfg)}).insights.top_n == 3


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[rank]\ntopp = 3\n", "unknown key 'topp' in [rank]"),
        ("[ranking]\ntop = 3\n", "unknown section [ranking]"),
        ('[rank]\ntop = "five"\n', "[rank] top: expected int"),
        ("[rank]\ntop = -1\n", "must not be negative"),
        ("[rank]\ntop = 2.5\n", "expected int"),
        ("[rank\ntop = 1\n", "not valid TOML"),
    ],
)
def test_bad_file_values_name_the_file_and_key(tmp_path: Path, toml: str, message: str) -> None:
    cfg = tmp_path / "podsift.toml"
    cfg.write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg, env={})
    assert message in str(err.value)
    assert str(cfg) in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_env_values_are_errors() -> None:
    with pytest.raises(ConfigError, match="environment: \\[feeds\\] timeout: expected float"):
        load_settings(env={"PODSIFT_FEEDS__TIMEOUT": "soon"})
    with pytest.raises(ConfigError, match="PODSIFT_NOPE: unknown setting"):
        load_settings(env={"PODSIFT_NOPE": "1"})


def test_optional_float_accepts_empty_as_unset() -> None:
    assert load_settings(env={"PODSIFT_CLUSTER__THRESHOLD": ""}).cluster.threshold is None
    assert load_settings(env={"PODSIFT_CLUSTER__THRESHOLD": "0.6"}).cluster.threshold == 0.6


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "absent.toml", env={})


def test_every_key_is_documented() -> None:
    import dataclasses

    from podsift.config import Settings

    doc = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    for section in dataclasses.fields(Settings):
        for key in dataclasses.fields(section.default_factory()):  # type: ignore[misc]
            assert f"| {section.name} | {key.name} |" in doc, (section.name, key.name)
