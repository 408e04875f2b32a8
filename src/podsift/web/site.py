"""The public site: today's five on the home page, the archive, story pages and show pages.

Pages only read the store. Home, archive and story pages are the same for every anonymous
visitor on a given date: they are rendered once a minute at most (:mod:`podsift.web.cache`) and
carry an ETag and Last-Modified, answering 304 to a client that has them.
A subscriber's own digest is reached by a signed ``digest`` link (``/d/DATE?t=…``); there, and on
the story pages it links to (with the same token), each story gets "More like this" / "Less
like this" buttons, whose forms carry signed ``feedback`` tokens. Anonymous visitors get no
buttons: a vote needs to know whose digest it changes. Pages with a form are private to the
browser (their CSRF token is bound to its cookie).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from podsift.deliver import TokenError, Tokens, Vote
from podsift.digest import OPERATOR, digest_from_json
from podsift.models import Digest, Related
from podsift.rank import best_told_first
from podsift.store import DigestPage, Store
from podsift.web.cache import FORM_TOKEN, PageCache, Rendered
from podsift.web.csrf import csrf_token
from podsift.web.render import cached, page, render
from podsift.web.search import search_page, show_options

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Site:
    """The public pages over one store; ``base_url`` makes the links that previews share."""

    store: Store
    tokens: Tokens
    base_url: str
    pages: PageCache = field(default_factory=PageCache)

    def routes(self) -> list[Route]:
        """The site's routes, to mount beside the subscription pages."""
        return [
            Route("/", self.home),
            Route("/d/{day}", self.archive),
            Route("/s/{story_id}", self.story),
            Route("/shows/{show_id:int}", self.show),
            Route("/search", self.search),
        ]

    async def home(self, request: Request) -> Response:
        """Today's five (the operator's newest digest) with the subscribe form beside it."""
        kept = await self._kept("/", self._home)
        html = kept.html.replace(FORM_TOKEN, csrf_token(request))  # the subscribe form's
        return cached(request, html, kept.modified, private=True)

    def _home(self) -> Rendered:
        day = self.store.latest_digest_day(OPERATOR)
        found = self.store.digest_page(OPERATOR, day) if day else None
        if found is None:
            html = render("digest.html", title="Get the daily top 5", home=True, d=None,
                          shows={}, csrf=FORM_TOKEN)  # fmt: skip
            return Rendered(html, datetime.now(UTC))
        d = digest_from_json(found.payload)
        html = render("digest.html", title="Today's top 5", home=True, d=d, at=found,
                      shows=self._shows_of(d), csrf=FORM_TOKEN)  # fmt: skip
        return Rendered(html, found.created_at)

    async def archive(self, request: Request) -> Response:
        """One stored digest by date: the operator's, or a subscriber's by signed link."""
        token = request.query_params.get("t")
        day = request.path_params["day"]
        if token is None:
            kept = await self._kept(request.url.path, lambda: self._archive(OPERATOR, day))
            return cached(request, kept.html, kept.modified)
        try:
            recipient = self.tokens.read("digest", token)
        except TokenError as e:
            return page("Link not valid", message=_sentence(e), status=400)
        mine = await run_in_threadpool(self._archive, recipient, day, token, request)
        return cached(request, mine.html, mine.modified, private=True)

    def _archive(
        self, recipient: str, day: str, token: str | None = None, request: Request | None = None
    ) -> Rendered:
        found = self._digest(recipient, day)
        d = digest_from_json(found.payload)
        votes = {i.story_id: self._votes(recipient, i.story_id) for i in d.items} if token else {}
        html = render("digest.html", title=f"Top 5 of {d.date.isoformat()}", home=False, d=d,
                      at=found, shows=self._shows_of(d), token=token, votes=votes,
                      csrf=csrf_token(request) if votes and request else None)  # fmt: skip
        return Rendered(html, found.created_at)

    async def story(self, request: Request) -> Response:
        """A story: its line, every show that raised it, a player per quote, related talk.

        With a subscriber's ``digest`` token (``?t=``, from their digest page) it also has
        their "more / less like this" buttons.
        """
        token = request.query_params.get("t")
        story_id = request.path_params["story_id"]
        if token is None:
            kept = await self._kept(request.url.path, lambda: self._story(story_id))
            return cached(request, kept.html, kept.modified)
        try:
            reader = self.tokens.read("digest", token)
        except TokenError as e:
            return page("Link not valid", message=_sentence(e), status=400)
        mine = await run_in_threadpool(self._story, story_id, reader, request)
        return cached(request, mine.html, mine.modified, private=True)

    def _story(
        self, story_id: str, reader: str | None = None, request: Request | None = None
    ) -> Rendered:
        found = self.store.story_page(story_id) if len(story_id) <= 64 else None
        if found is None or not found.quotes:
            raise HTTPException(404)
        found = replace(found, quotes=best_told_first(found.quotes))  # led as digests are
        item = self.store.latest_digest_item(story_id)
        line = str(item["headline"]) if item else found.quotes[0].text
        shows = list(dict.fromkeys(q.show for q in found.quotes))
        votes = self._votes(reader, story_id) if reader else None
        html = render("story.html", title=line, story=found, line=line, shows=shows,
                      related=_related(item), url=f"{self.base_url}/s/{story_id}", votes=votes,
                      csrf=csrf_token(request) if votes and request else None)  # fmt: skip
        return Rendered(html, found.last_seen)

    async def _kept(self, key: str, build: Callable[[], Rendered]) -> Rendered:
        """The page kept under ``key``, or ``build`` it (off the event loop) and keep it."""
        kept = self.pages.get(key)
        if kept is None:
            kept = await run_in_threadpool(build)
            self.pages.put(key, kept)
        return kept

    def show(self, request: Request) -> Response:
        """A show: its feed state, last poll, and recent episodes with their insights."""
        found = self.store.show(request.path_params["show_id"])
        if found is None:
            raise HTTPException(404)
        episodes = self.store.recent_episodes(found.id)
        title = found.title or found.feed_url
        return HTMLResponse(render("show.html", title=title, show=found, episodes=episodes))

    def search(self, request: Request) -> Response:
        """Quotes that hold every word searched for, best first (:mod:`podsift.web.search`)."""
        kept = self.pages.get("search:shows")
        if kept is None:  # the filter's list of every show, rendered once a minute at most
            kept = Rendered(show_options(self.store.show_names()), datetime.now(UTC))
            self.pages.put("search:shows", kept)
        return search_page(self.store, request, Markup(kept.html))

    def _votes(self, address: str, story_id: str) -> tuple[str, str]:
        """The signed tokens of "more like this" and "less like this" for one story."""
        return (
            self.tokens.make_vote(Vote(address, story_id, 1)),
            self.tokens.make_vote(Vote(address, story_id, -1)),
        )

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
