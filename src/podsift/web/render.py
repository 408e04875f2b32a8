"""Render the site's pages: one Jinja environment (autoescaped), filters, and the HTTP caching.

Transcript text is hostile input: every value goes through autoescaping, and a URL from a feed
is only ever linked or played when it is absolute http(s) (:func:`public_url`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime
from functools import cache
from urllib.parse import urlsplit

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from podsift.digest import format_clock

CACHE_SECONDS = 300
"""How long a browser or proxy may reuse a public page before asking again (ETag: 304)."""


def page(
    title: str, *, status: int = 200, message: str | None = None, **values: object
) -> Response:
    """Render the plain message-and-form page."""
    return HTMLResponse(render("page.html", title=title, message=message, status=status,
                               **values), status_code=status)  # fmt: skip


def render(template: str, **values: object) -> str:
    """Render one of the site's templates; ``error`` is set from ``status``."""
    status = values.get("status", 200)
    error = isinstance(status, int) and status >= 400
    return _env().get_template(template).render(error=error, **values)


def cached(request: Request, html: str, modified: datetime, *, private: bool = False) -> Response:
    """Answer with ``html`` and its ETag and Last-Modified, or 304 when the client has it."""
    etag = '"' + hashlib.sha256(html.encode()).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(modified.replace(microsecond=0), usegmt=True),
        "Cache-Control": f"{'private' if private else 'public'}, max-age={CACHE_SECONDS}",
    }
    if etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return HTMLResponse(html, headers=headers)


def _etags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header, weak ones compared as strong (RFC 9110).

    >>> sorted(_etags('W/"a", "b"'))
    ['"a"', '"b"']
    """
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def public_url(url: str | None) -> str | None:
    """Return ``url`` when it is an absolute http(s) URL, else ``None``.

    >>> public_url("javascript:alert(1)") is None
    True
    >>> public_url("https://cdn.example/ep.mp3")
    'https://cdn.example/ep.mp3'
    """
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def media_at(url: str | None, start: float | None) -> str | None:
    """The enclosure URL with a media fragment that starts playback at ``start`` seconds.

    >>> media_at("https://cdn.example/ep.mp3#old", 75.25)
    'https://cdn.example/ep.mp3#t=75.25'
    >>> media_at("https://cdn.example/ep.mp3", None)
    'https://cdn.example/ep.mp3'
    """
    safe = public_url(url)
    if safe is None:
        return None
    bare = safe.split("#", 1)[0]
    return bare if start is None else f"{bare}#t={max(start, 0.0):g}"


def day_time(value: datetime | None) -> str:
    """Format a UTC time as ``2024-04-03 09:00 UTC`` (empty when unknown)."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("podsift.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(clock=format_clock, url=public_url, media=media_at, when=day_time)
    return env
