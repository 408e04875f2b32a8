"""Find shows: the iTunes Search API (no key) and the Podcast Index API (with a key).

The HTTP client and the clock are passed in; the Podcast Index requests are signed as its
documentation says (``Authorization: sha1(key + secret + unix time)``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from podsift.config import FeedSettings
from podsift.exceptions import SourceError
from podsift.net import USER_AGENT, check_url


class SearchError(SourceError):
    """A search service could not be asked or gave an answer podsift cannot read."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One show found: its feed URL, title, author and where it was found."""

    feed_url: str
    title: str
    author: str | None
    source: str


def search_shows(
    client: httpx.Client, term: str, feeds: FeedSettings, now: datetime, limit: int = 20
) -> list[SearchHit]:
    """Search iTunes, and Podcast Index when a key is configured; merge by feed URL."""
    if not term.strip():
        raise SearchError("search: empty search term")
    hits = _itunes(client, term, feeds.itunes_search_url, limit)
    if feeds.podcastindex_key and feeds.podcastindex_secret:
        hits += _podcastindex(client, term, feeds, now, limit)
    seen: set[str] = set()
    unique = []
    for hit in hits:
        if hit.feed_url not in seen and check_url(hit.feed_url) is None:
            seen.add(hit.feed_url)
            unique.append(hit)
    return unique


def podcastindex_headers(key: str, secret: str, now: datetime) -> dict[str, str]:
    """The signed headers of a Podcast Index API request.

    >>> from datetime import UTC
    >>> h = podcastindex_headers("K", "S", datetime(2025, 1, 1, tzinfo=UTC))
    >>> h["X-Auth-Date"], len(h["Authorization"])
    ('1735689600', 40)
    """
    stamp = str(int(now.timestamp()))
    digest = hashlib.sha1((key + secret + stamp).encode()).hexdigest()
    return {
        "User-Agent": USER_AGENT,
        "X-Auth-Key": key,
        "X-Auth-Date": stamp,
        "Authorization": digest,
    }


def _itunes(client: httpx.Client, term: str, url: str, limit: int) -> list[SearchHit]:
    params = {"term": term, "media": "podcast", "entity": "podcast", "limit": str(limit)}
    body = _get_json(client, "itunes", url, params, {"User-Agent": USER_AGENT})
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, list):
        raise SearchError(f"itunes: {url}: answer has no results list")
    return [
        SearchHit(
            str(r["feedUrl"]),
            str(r.get("collectionName") or ""),
            _opt(r.get("artistName")),
            "itunes",
        )
        for r in results
        if isinstance(r, dict) and isinstance(r.get("feedUrl"), str)
    ]


def _podcastindex(
    client: httpx.Client, term: str, feeds: FeedSettings, now: datetime, limit: int
) -> list[SearchHit]:
    url = feeds.podcastindex_url.rstrip("/") + "/search/byterm"
    headers = podcastindex_headers(feeds.podcastindex_key, feeds.podcastindex_secret, now)
    body = _get_json(client, "podcast index", url, {"q": term, "max": str(limit)}, headers)
    found = body.get("feeds") if isinstance(body, dict) else None
    if not isinstance(found, list):
        raise SearchError(f"podcast index: {url}: answer has no feeds list")
    return [
        SearchHit(str(f["url"]), str(f.get("title") or ""), _opt(f.get("author")), "podcastindex")
        for f in found
        if isinstance(f, dict) and isinstance(f.get("url"), str)
    ]


def _get_json(
    client: httpx.Client, service: str, url: str, params: dict[str, str], headers: dict[str, str]
) -> Any:
    try:
        response = client.get(url, params=params, headers=headers)
    except httpx.HTTPError as exc:
        raise SearchError(f"{service}: {url}: {' '.join(str(exc).split())}") from exc
    if response.status_code >= 400:
        raise SearchError(f"{service}: {url}: http {response.status_code}")
    try:
        return response.json()
    except ValueError as exc:
        raise SearchError(f"{service}: {url}: answer is not json") from exc


def _opt(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
