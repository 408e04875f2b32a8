"""The public site: today's five on the home page, the archive, story pages and show pages.

Pages only read the store. Archive and story pages are the same for everyone who asks on a
given date, so they carry an ETag and Last-Modified and answer 304 to a client that has them.
A subscriber's own digest is reached by a signed ``digest`` link (``/d/DATE?t=…``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from podsift.deliver import TokenError, Tokens
from podsift.digest import OPERATOR, digest_from_json
from podsift.models import Digest, Related
from podsift.store import DigestPage, Store
from podsift.web.render import cached, page, render

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Site:
    """The public pages over one store; ``base_url`` makes the links that previews share."""

    store: Store
    tokens: Tokens
    base_url: str

    def routes(self) -> list[Route]:
        """The site's routes, to mount beside the subscription pages."""
        return [
            Route("/", self.home),
            Route("/d/{day}", self.archive),
            Route("/s/{story_id}", self.story),
            Route("/shows/{show_id:int}", self.show),
        ]

    def home(self, request: Request) -> Response:
        """Today's five (the operator's newest digest) with the subscribe form beside it."""
        day = self.store.latest_digest_day(OPERATOR)
        found = self.store.digest_page(OPERATOR, day) if day else None
        if found is None:
            return HTMLResponse(render("digest.html", title="Get the daily top 5", home=True,
                                       d=None, shows={}))  # fmt: skip
        d = digest_from_json(found.payload)
        html = render("digest.html", title="Today's top 5", home=True, d=d, at=found,
                      shows=self._shows_of(d))  # fmt: skip
        return cached(request, html, found.created_at)

    def archive(self, request: Request) -> Response:
        """One stored digest by date: the operator's, or a subscriber's by signed link."""
        token = request.query_params.get("t")
        recipient = OPERATOR
        if token is not None:
            try:
                recipient = self.tokens.read("digest", token)
            except TokenError as e:
                return page("Link not valid", message=_sentence(e), status=400)
        found = self._digest(recipient, request.path_params["day"])
        d = digest_from_json(found.payload)
        html = render("digest.html", title=f"Top 5 of {d.date.isoformat()}", home=False, d=d,
                      at=found, shows=self._shows_of(d), token=token)  # fmt: skip
        return cached(request, html, found.created_at, private=token is not None)

    def story(self, request: Request) -> Response:
        """A story: its line, every show that raised it, a player per quote, related talk."""
        story_id = request.path_params["story_id"]
        found = self.store.story_page(story_id) if len(story_id) <= 64 else None
        if found is None or not found.quotes:
            raise HTTPException(404)
        item = self.store.latest_digest_item(story_id)
        line = str(item["headline"]) if item else found.quotes[0].text
        shows = list(dict.fromkeys(q.show for q in found.quotes))
        html = render("story.html", title=line, story=found, line=line, shows=shows,
                      related=_related(item), url=f"{self.base_url}/s/{story_id}")  # fmt: skip
        return cached(request, html, found.last_seen)

    def show(self, request: Request) -> Response:
        """A show: its feed state, last poll, and recent episodes with their insights."""
        found = self.store.show(request.path_params["show_id"])
        if found is None:
            raise HTTPException(404)
        episodes = self.store.recent_episodes(found.id)
        title = found.title or found.feed_url
        return HTMLResponse(render("show.html", title=title, show=found, episodes=episodes))

    def _digest(self, recipient: str, text: str) -> DigestPage:
        try:
            day = date.fromisoformat(text) if DAY.fullmatch(text) else None
        except ValueError:
            day = None
        found = self.store.digest_page(recipient, day) if day else None
        if found is None:
            raise HTTPException(404)
        return found

    def _shows_of(self, d: Digest) -> dict[str, int | None]:
        """The shows a digest draws from, in order, each with its show page id if known."""
        names = [n for i in d.items for n in (i.show, *(a.show for a in i.also_on))]
        ids = self.store.show_ids(names)
        return {n: ids.get(n) for n in dict.fromkeys(names)}


def _related(item: dict[str, Any] | None) -> tuple[Related, ...]:
    """The related discussions stored with a digest item (older digests have none)."""
    return tuple(
        Related(r["show"], r["episode"], r["speaker"], r["quote"], r["link"], r["start"])
        for r in (item or {}).get("related", [])
    )


def _sentence(e: Exception) -> str:
    text = str(e)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
