"""Redirects followed by podsift itself: one rule set for the httpx and aiohttp fetchers.

A fetch keeps the URLs it has asked (:class:`Hops`); :func:`next_hop` decides, from a
redirect answer, where to ask next, whether the leading hops were all permanent (only
then may the show move, see ``FetchResult.permanent_url``), and refuses loops and long
chains. Pure: no network.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from podsift.net.headers import ErrorClass

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})


class RedirectRefused(ValueError):
    """A redirect podsift does not follow; ``kind`` is its error class for backoff."""

    def __init__(self, message: str, kind: ErrorClass) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Hops:
    """The URLs one fetch has asked, first to last, and where its leading 301/308s led."""

    seen: tuple[str, ...]
    permanent: str | None = None
    leading: bool = True

    @property
    def current(self) -> str:
        """The URL to ask next."""
        return self.seen[-1]


def next_hop(hops: Hops, status: int, location: str | None, max_redirects: int) -> Hops:
    """The hops after a ``status`` redirect to ``location`` (relative to the current URL).

    >>> h = next_hop(Hops(("http://a/f",)), 301, "/g", 5)
    >>> h.current, h.permanent
    ('http://a/g', 'http://a/g')
    >>> next_hop(h, 302, "http://b/f", 5).permanent
    'http://a/g'

    Raises:
        RedirectRefused: no location, a loop, or more than ``max_redirects`` hops.
    """
    first = hops.seen[0]
    target = (location or "").strip()
    if not target:
        raise RedirectRefused(
            f"{first}: http {status} redirect without a location", ErrorClass.CLIENT
        )
    target = urljoin(hops.current, target)
    leading = hops.leading and status in PERMANENT
    permanent = target if leading else hops.permanent
    if target in hops.seen:
        raise RedirectRefused(f"{first}: redirect loop at {target}", ErrorClass.REFUSED)
    if len(hops.seen) > max_redirects:
        raise RedirectRefused(f"{first}: more than {max_redirects} redirects", ErrorClass.REFUSED)
    return Hops((*hops.seen, target), permanent, leading)
