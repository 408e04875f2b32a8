"""The web part: a small server-rendered app, ``create_app(settings, store)``.

Served by ``podsift serve`` (uvicorn) or any ASGI server. Its rate limits are
``create_app(..., limits=RateLimits(...))``.
"""

from __future__ import annotations

from podsift.web.app import create_app
from podsift.web.feeds import atom_feed, json_feed, rss_feed
from podsift.web.limits import Rate, RateLimits

__all__ = ["Rate", "RateLimits", "atom_feed", "create_app", "json_feed", "rss_feed"]
