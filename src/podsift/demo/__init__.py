"""``podsift demo``: the whole daily job, offline, on real podcasts bundled with podsift."""

from __future__ import annotations

from podsift.demo.run import DEMO_DATA, DemoResult, demo_settings, run_demo, with_local_headlines
from podsift.demo.server import serve

__all__ = ["DEMO_DATA", "DemoResult", "demo_settings", "run_demo", "serve", "with_local_headlines"]
