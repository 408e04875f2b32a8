"""Run the daily job as of the bundled episodes' date, into a fresh store, and show the digest."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from podsift.config import Settings
from podsift.context import RunContext
from podsift.demo.server import serve
from podsift.exceptions import SourceError
from podsift.models import Digest
from podsift.net import make_client
from podsift.pipeline import RunReport, run_daily
from podsift.store import Store

DEMO_DATA = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What the demo did: the run's counts, the digest, and the as-of date and window."""

    report: RunReport
    digest: Digest
    as_of: datetime
    window: timedelta


def feed_files(roots: Sequence[Path]) -> list[Path]:
    """Every bundled feed, by name."""
    return sorted((f for r in roots for f in (r / "feeds").glob("*.xml")), key=lambda p: p.name)


def demo_clock(roots: Sequence[Path]) -> tuple[datetime, timedelta]:
    """As-of time (the day after the newest episode) and a window reaching the oldest.

    Raises:
        SourceError: no feed under the folders' ``feeds/`` dates an episode.
    """
    import re
    from email.utils import parsedate_to_datetime

    dates = []
    for feed in feed_files(roots):
        for m in re.findall(r"<pubDate>([^<]+)</pubDate>", feed.read_text("utf-8", "replace")):
            try:
                dates.append(parsedate_to_datetime(m.strip()))
            except (TypeError, ValueError):  # a malformed date: the feed stage says so
                continue
    if not dates:
        folders = ", ".join(str(r) for r in roots)
        raise SourceError(f"{folders}: no feeds/*.xml with an episode's <pubDate> to run as of")
    dates = [d if d.tzinfo else d.replace(tzinfo=UTC) for d in dates]
    newest, oldest = max(dates), min(dates)
    as_of = datetime.combine(newest.date() + timedelta(days=1), datetime.min.time(), UTC)
    return as_of, as_of - oldest + timedelta(days=1)


def demo_settings(settings: Settings, window: timedelta) -> Settings:
    """Soften recency so that years of bundled episodes all count.

    Stories still join only within ``cluster.window_days`` of each other, as in daily runs.
    """
    days = window.total_seconds() / 86400
    # the demo serves its feeds from loopback: allowed by config, the SSRF guard still runs
    feeds = dataclasses.replace(settings.feeds, allow_networks="127.0.0.0/8")
    return dataclasses.replace(
        settings, rank=dataclasses.replace(settings.rank, recency_half_life_days=days), feeds=feeds
    )


def with_local_headlines(settings: Settings) -> Settings | None:
    """``settings`` with headlines by the local chat model, when it can run here; else None.

    It can when no headline writer is configured already (``[insights] headlines`` and an LLM
    ``provider`` both unset), cyllama is installed and ``[insights.local] model`` is a fetched
    model or a GGUF file that exists. Its hash is checked when it loads.
    """
    import importlib.util

    from podsift.llm.weights import model_file
    from podsift.stories import models_dir

    insights = settings.insights
    if insights.headlines or insights.provider != "local":
        return None
    if importlib.util.find_spec("cyllama") is None:
        return None
    if not model_file(insights.local.model, models_dir(settings)).is_file():
        return None
    return dataclasses.replace(settings, insights=dataclasses.replace(insights, headlines="local"))


def run_demo(
    store: Store,
    settings: Settings,
    extra: Sequence[Path] = (),
    progress: Callable[[str], None] = lambda _m: None,
    bundled: bool = True,
) -> DemoResult:
    """Serve the bundled feeds on loopback, add them as shows, and run the daily job.

    With ``bundled=False`` only the ``extra`` folders are served (benchmarks/eval_crowd.py).
    """
    from podsift.digest import OPERATOR, digest_from_json

    roots = [DEMO_DATA, *extra] if bundled else list(extra)
    as_of, window = demo_clock(roots)
    settings = demo_settings(settings, window)
    with serve(roots) as base, make_client(settings) as client:
        for feed in feed_files(roots):
            store.add_show(f"{base}/feeds/{feed.name}", as_of)
        ctx = RunContext(settings, store, client, as_of, lookback=window, progress=progress)
        report = run_daily(ctx)
    row = store.digest_row(OPERATOR, as_of.date())
    assert row is not None  # the daily run always stores the operator's digest
    return DemoResult(report, digest_from_json(row[1]), as_of, window)
