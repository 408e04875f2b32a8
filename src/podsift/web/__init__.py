"""The web part: a small server-rendered app, ``create_app(settings, store)``.

Served by ``podsift serve`` (uvicorn) or any ASGI server.
"""

from __future__ import annotations

from podsift.web.app import create_app
from podsift.web.feeds import atom_feed, json_feed, rss_feed

__all__ = ["atom_feed", "create_app", "json_feed", "rss_feed"]
