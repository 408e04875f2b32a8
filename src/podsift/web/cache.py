"""Rendered public pages kept for a short while, so a busy page is read from the store once.

The home page, the archive and story pages are the same for every anonymous visitor until the
next run changes the store: each is rendered once, kept for :data:`PAGE_SECONDS`, and served
from memory (with its ETag, so a client that has it still gets a 304). Pages of a subscriber
(a signed ``?t=``) are never kept. The home page's subscribe form carries a per-browser CSRF
token: it is kept with :data:`FORM_TOKEN` in its place, filled in per request.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

PAGE_SECONDS = 60.0
"""How long a rendered page is served before it is rendered again from the store."""

PAGE_COUNT = 2048
"""The most pages kept (the least recently served go first)."""

FORM_TOKEN = "\x00csrf\x00"
"""What a kept page holds where each visitor's CSRF token goes (never valid in a form)."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """A page's HTML and when what it shows last changed (its Last-Modified)."""

    html: str
    modified: datetime


class PageCache:
    """Rendered pages by address, each for ``seconds``, at most ``size`` of them (thread-safe).

    >>> now = [0.0]
    >>> cache = PageCache(seconds=60, size=2, clock=lambda: now[0])
    >>> page = Rendered("<p>hi</p>", datetime(2024, 4, 3))
    >>> cache.put("/s/1", page); cache.get("/s/1") is page
    True
    >>> now[0] = 61.0; cache.get("/s/1") is None
    True
    """

    def __init__(
        self,
        seconds: float = PAGE_SECONDS,
        size: int = PAGE_COUNT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds, self.size, self.clock = seconds, size, clock
        self._pages: OrderedDict[str, tuple[float, Rendered]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Rendered | None:
        """The page kept under ``key``, unless it is older than ``seconds``."""
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if self.clock() - found[0] >= self.seconds:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return found[1]

    def put(self, key: str, page: Rendered) -> None:
        """Keep ``page`` under ``key`` from now on, forgetting the least recently served."""
        with self._lock:
            self._pages[key] = (self.clock(), page)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
