"""The web part: the public site (:mod:`podsift.web.site`), subscribe (double opt-in), confirm,
one-click unsubscribe, preferences, feedback ("more / less like this"), feeds.

Pages are server-rendered; every link carries a signed token (:class:`~podsift.deliver.Tokens`)
whose purpose is fixed by its salt. Every form carries a CSRF token (:mod:`podsift.web.csrf`).
Unsubscribe follows RFC 8058: a POST to the link unsubscribes at once, with no session or CSRF
token; a GET only shows a confirm page. A feedback link's GET also only asks; the POST records.
Subscribe and feedback are rate-limited per client (and subscribe per address too).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.resources import files

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podsift.config import Settings
from podsift.deliver import Sender, TokenError, Tokens
from podsift.deliver.subscribe import (
    Preferences,
    SubscribeError,
    change_preferences,
    confirmation_email,
    subscribe,
)
from podsift.exceptions import DeliveryError
from podsift.rank import best_told_first
from podsift.store import Store
from podsift.web.cache import PageCache
from podsift.web.csrf import CsrfKeys, CsrfProtection, csrf_token
from podsift.web.feeds import atom_feed, json_feed, rss_feed
from podsift.web.headers import SecurityHeaders
from podsift.web.limits import Limiter, RateLimits, wait_text
from podsift.web.render import page
from podsift.web.site import Site


def create_app(
    settings: Settings,
    store: Store,
    *,
    sender: Sender | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    limits: RateLimits | None = None,
) -> Starlette:
    """Build the ASGI app over ``store``; ``sender`` mails confirmation links."""
    tokens = Tokens(settings.email.secret_key)
    limiter = Limiter(limits or RateLimits(), lambda: clock().timestamp())

    def subscriber_of(purpose: str, token: str) -> str:
        address = tokens.read(purpose, token)
        if store.subscriber(address) is None:
            raise TokenError(f"{address}: no longer subscribed")
        return address

    async def subscribe_post(request: Request) -> Response:
        form = await request.form()
        address = str(form.get("email", ""))
        wait = limiter.subscribe(_client(request), address)
        if wait:
            return too_many(wait)
        try:
            hour = int(str(form.get("hour", "7")))
            prefs = Preferences(tz=str(form.get("tz", "UTC")), send_hour=hour)
            subscribe(store, address, clock(), prefs, confirmed=False)
        except (SubscribeError, ValueError) as e:
            return page("Get the daily top 5", form="subscribe", message=_msg(e), status=400,
                        csrf=csrf_token(request))  # fmt: skip
        if sender is None:
            return page("Almost there", message="Confirmation email could not be sent: "
                        "no mail server is configured.", status=503)  # fmt: skip
        try:
            sender.send(confirmation_email(settings, tokens, address.strip(), clock()))
        except DeliveryError:
            return page("Almost there", message="The confirmation email could not be sent; "
                        "please try again later.", status=503)  # fmt: skip
        return page("Check your inbox", message=f"We sent a confirmation link to {address}.")

    async def confirm(request: Request) -> Response:
        form = await request.form() if request.method == "POST" else None
        token = str(form.get("t", "")) if form is not None else _token(request)
        try:
            address = subscriber_of("confirm", token)
        except TokenError as e:
            return page("Link not valid", message=_msg(e), status=400)
        if request.method == "GET":
            return page("Confirm", form="confirm", token=token, email=address,
                        csrf=csrf_token(request))  # fmt: skip
        sub = store.subscriber(address)
        assert sub is not None
        if sub.status in ("pending", "unsubscribed"):
            store.set_subscriber_status(sub.id, "active", clock())
        return page("Subscribed", message=f"{address} will get the digest every day.")

    async def unsubscribe(request: Request) -> Response:
        token = _token(request)
        try:
            address = subscriber_of("unsubscribe", token)
        except TokenError as e:
            return page("Link not valid", message=_msg(e), status=400)
        if request.method == "GET":
            return page("Unsubscribe", form="unsubscribe", token=token, email=address,
                        csrf=csrf_token(request))  # fmt: skip
        sub = store.subscriber(address)
        assert sub is not None
        store.set_subscriber_status(sub.id, "unsubscribed", clock())
        return page("Unsubscribed", message=f"{address} will get no more digests.")

    async def preferences(request: Request) -> Response:
        form = await request.form() if request.method == "POST" else None
        token = str(form.get("t", "")) if form is not None else _token(request)
        try:
            address = subscriber_of("preferences", token)
        except TokenError as e:
            return page("Link not valid", message=_msg(e), status=400)
        message, status = None, 200
        if form is not None:
            try:
                prefs = Preferences(
                    tz=str(form.get("tz", "UTC")),
                    send_hour=int(str(form.get("hour", "7"))),
                    topics=str(form.get("topics", "")),
                )
                change_preferences(store, address, prefs)
                message = "Saved."
            except (SubscribeError, ValueError) as e:
                message, status = _msg(e), 400
        sub = store.subscriber(address)
        return page("Preferences", form="preferences", token=token, email=address, sub=sub,
                    message=message, status=status, csrf=csrf_token(request))  # fmt: skip

    async def feedback(request: Request) -> Response:
        form = await request.form() if request.method == "POST" else None
        if form is not None and (wait := limiter.feedback(_client(request))):
            return too_many(wait)
        token = str(form.get("t", "")) if form is not None else _token(request)
        try:
            vote = tokens.read_vote(token)
            sub = store.subscriber(vote.address)
            if sub is None:
                raise TokenError(f"{vote.address}: no longer subscribed")
        except TokenError as e:
            return page("Link not valid", message=_msg(e), status=400)
        line = _story_line(store, vote.story_id)
        if line is None:
            return page("Story not found", message="This story is no longer kept; nothing was "
                        "recorded.", status=404)  # fmt: skip
        if form is None:  # mail scanners fetch links: a GET only asks
            title = "More like this?" if vote.value > 0 else "Less like this?"
            return page(title, form="feedback", token=token, vote=vote, line=line,
                        csrf=csrf_token(request))  # fmt: skip
        if not store.record_feedback(sub.id, vote.story_id, vote.value, clock()):
            return page("Story not found", message="This story is no longer kept; nothing was "
                        "recorded.", status=404)  # fmt: skip
        more = "more" if vote.value > 0 else "fewer"
        return page("Noted", message=f"Your next digests will have {more} stories like “{line}”.")

    async def feed(request: Request) -> Response:
        try:
            address = subscriber_of("feed", _token(request))
        except TokenError as e:
            return page("Link not valid", message=_msg(e), status=400)
        digests = store.digests_of(address)
        link = str(request.url)
        kind = request.path_params["kind"]
        if kind == "json":
            return JSONResponse(json_feed(address, digests))
        if kind == "rss":
            return Response(rss_feed(address, digests, link), media_type="application/rss+xml")
        return Response(atom_feed(address, digests, link), media_type="application/atom+xml")

    async def metrics(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        from podsift.status import collect, to_prometheus

        snap = await run_in_threadpool(collect, store, settings, clock())
        return Response(to_prometheus(snap), media_type="text/plain; version=0.0.4")

    base_url = settings.email.base_url.rstrip("/")
    site = Site(store, tokens, base_url, PageCache(clock=lambda: clock().timestamp()))
    return Starlette(
        routes=[
            *site.routes(),
            Route("/site.css", stylesheet),
            Route("/favicon.ico", lambda request: Response(status_code=204)),
            Route("/metrics", metrics),
            Route("/subscribe", subscribe_post, methods=["POST"]),
            Route("/confirm", confirm, methods=["GET", "POST"]),
            Route("/unsubscribe", unsubscribe, methods=["GET", "POST"]),
            Route("/preferences", preferences, methods=["GET", "POST"]),
            Route("/feedback", feedback, methods=["GET", "POST"]),
            Route("/feed.{kind:str}", feed),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                CsrfProtection,
                keys=CsrfKeys(settings.email.secret_key),
                secure=base_url.startswith("https://"),
            ),
        ],
        exception_handlers={HTTPException: http_error, 500: server_error},
    )


def stylesheet(request: Request) -> Response:
    """The site's one stylesheet (the CSP allows no inline style)."""
    css = files("podsift.web").joinpath("static/site.css").read_text(encoding="utf-8")
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


def http_error(request: Request, exc: Exception) -> Response:
    """A page for 404 and the other HTTP errors, never a stack trace."""
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    if code == 404:
        return page("Not found", message="There is no page at this address.", status=404)
    return page("Request not accepted", message=f"The request was refused ({code}).", status=code)


def server_error(request: Request, exc: Exception) -> Response:
    """The page for an unexpected error: what happened, without any internals."""
    return page("Something went wrong", message="The page could not be shown; please try "
                "again later.", status=500)  # fmt: skip


def too_many(wait: float) -> Response:
    """The 429 page, with Retry-After in whole seconds."""
    seconds = max(1, math.ceil(wait))
    response = page("Too many requests", message="Too many requests from your network; please "
                    f"try again in {wait_text(seconds)}.", status=429)  # fmt: skip
    response.headers["Retry-After"] = str(seconds)
    return response


def _story_line(store: Store, story_id: str) -> str | None:
    """The line a story is shown with: its newest digest headline, else its lead quote."""
    if len(story_id) > 64:
        return None
    item = store.latest_digest_item(story_id)
    if item is not None:
        return str(item["headline"])
    found = store.story_page(story_id)
    return best_told_first(found.quotes)[0].text if found is not None and found.quotes else None


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _token(request: Request) -> str:
    return request.query_params.get("t", "")


def _msg(e: Exception) -> str:
    text = str(e)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
