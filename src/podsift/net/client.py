"""The HTTP client every fetch of a run shares: the SSRF guard, timeouts, redirects, identity.

Built once from ``[feeds]`` by the CLI, the web app, the workers or the demo, and passed in
(``RunContext.client``); no stage builds its own.
"""

from __future__ import annotations

import httpx

from podsift.config import FeedSettings, Settings
from podsift.exceptions import ConfigError
from podsift.net.fetch import USER_AGENT
from podsift.net.guard import NetworkPolicy
from podsift.net.transport import GuardedTransport


def network_policy(feeds: FeedSettings) -> NetworkPolicy:
    """The networks ``[feeds] allow_networks`` lets podsift reach although not public.

    >>> network_policy(FeedSettings(allow_networks="127.0.0.0/8")).refusal("127.0.0.1") is None
    True

    Raises:
        ConfigError: ``[feeds] allow_networks`` holds something that is not a network.
    """
    try:
        return NetworkPolicy.from_text(feeds.allow_networks)
    except ValueError as e:
        raise ConfigError(f"[feeds] allow_networks: not a list of networks ({e})") from e


def make_client(settings: Settings) -> httpx.Client:
    """The HTTP client for feeds, transcripts and audio, behind the SSRF guard.

    Every connection (first request and each redirect hop) goes to an address checked
    against ``[feeds] allow_networks``; proxies from the environment are ignored.

    Raises:
        ConfigError: ``[feeds] allow_networks`` holds something that is not a network.
    """
    feeds = settings.feeds
    return httpx.Client(
        transport=GuardedTransport(network_policy(feeds)),
        timeout=httpx.Timeout(feeds.timeout, connect=min(feeds.timeout, feeds.connect_timeout)),
        follow_redirects=True,
        max_redirects=feeds.max_redirects,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )
