"""The public site: today's five on the home page, the archive, story pages and show pages.

Pages only read the store. Archive and story pages are the same for everyone who asks on a
given date, so they carry an ETag and Last-Modified and answer 304 to a client that has them.
A subscriber's own digest is reached by a signed ``digest`` link (``/d/DATE?t=…``); there, and on
the story pages it links to (with the same token), each story gets "More like this" / "Less
like this" buttons, whose forms carry signed ``feedback`` tokens. Anonymous visitors get no
buttons: a vote needs to know whose digest it changes. Pages with a form are private to the
browser (their CSRF token is bound to its cookie).
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

from podsift.deliver import TokenError, Tokens, Vote
from podsift.digest import OPERATOR, digest_from_json
from podsift.models import Digest, Related
from podsift.store import DigestPage, Store
from podsift.web.csrf import csrf_token
from podsift.web.render import cached, page, render
from podsift.web.search import search_page

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
            Route("/search", self.search),
        ]

    def home(self, request: Request) -> Response:
        """Today's five (the operator's newest digest) with the subscribe form beside it."""
        day = self.store.latest_digest_day(OPERATOR)
        found = self.store.digest_page(OPERATOR, day) if day else None
        csrf = csrf_token(request)  # the subscribe form
        if found is None:
            return HTMLResponse(render("digest.html", title="Get the daily top 5", home=True,
                                       d=None, shows={}, csrf=csrf))  # fmt: skip
        d = digest_from_json(found.payload)
        html = render("digest.html", title="Today's top 5", home=True, d=d, at=found,
                      shows=self._shows_of(d), csrf=csrf)  # fmt: skip
        return cached(request, html, found.created_at, private=True)

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
        votes = {i.story_id: self._votes(recipient, i.story_id) for i in d.items} if token else {}
        html = render("digest.html", title=f"Top 5 of {d.date.isoformat()}", home=False, d=d,
                      at=found, shows=self._shows_of(d), token=token, votes=votes,
                      csrf=csrf_token(request) if votes else None)  # fmt: skip
        return cached(request, html, found.created_at, private=token is not None)

    def story(self, request: Request) -> Response:
        """A story: its line, every show that raised it, a player per quote, related talk.

        With a subscriber's ``digest`` token (``?t=``, from their digest page) it also has
        their "more / less like this" buttons.
        """
        token = request.query_params.get("t")
        reader = None
        if token is not None:
            try:
                reader = self.tokens.read("digest", token)
            except TokenError as e:
                return page("Link not valid", message=_sentence(e), status=400)
        story_id = request.path_params["story_id"]
        found = self.store.story_page(story_id) if len(story_id) <= 64 else None
        if found is None or not found.quotes:
            raise HTTPException(404)
        item = self.store.latest_digest_item(story_id)
        line = str(item["headline"]) if item else found.quotes[0].text
        shows = list(dict.fromkeys(q.show for q in found.quotes))
        votes = self._votes(reader, story_id) if reader else None
        html = render("story.html", title=line, story=found, line=line, shows=shows,
                      related=_related(item), url=f"{self.base_url}/s/{story_id}", votes=votes,
                      csrf=csrf_token(request) if votes else None)  # fmt: skip
        return cached(request, html, found.last_seen, private=reader is not None)

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
        return search_page(self.store, request)

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
