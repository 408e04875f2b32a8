"""Fetch feeds over HTTP: conditional GET, redirects followed by hand, capped bodies.

The HTTP client is passed in (callers choose timeouts, transports and the SSRF guard, see
:func:`podsift.net.make_client`); this module decides which headers to send, follows
redirects itself (a few hops, each checked), and reads the answer within a size cap and an
overall deadline.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from podsift import __version__
from podsift.exceptions import FetchError, SourceError
from podsift.net.guard import check_url, refused_by_guard
from podsift.net.headers import (
    ErrorClass,
    Freshness,
    parse_expires,
    parse_max_age,
    parse_retry_after,
)
from podsift.net.redirects import REDIRECTS, Hops, RedirectRefused, next_hop

USER_AGENT = f"podsift/{__version__} (+https://github.com/podsift/podsift)"
DEFAULT_MAX_BYTES = 20_000_000
MAX_REDIRECTS = 5


class PollError(FetchError):
    """A fetch that failed, with its error class and what the server asked for."""

    def __init__(
        self,
        message: str,
        kind: ErrorClass,
        status: int | None = None,
        retry_after: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server told us last time, to ask "has it changed?" next time."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The answer to one fetch: ``content`` is ``None`` when nothing changed.

    ``permanent_url`` is where the leading 301/308 hops pointed (``None`` without them);
    the caller moves the show there only when that URL gave a valid feed.
    """

    url: str
    status: int
    not_modified: bool
    content: bytes | None
    validators: Validators
    final_url: str
    permanent_url: str | None = None
    freshness: Freshness = field(default_factory=Freshness)


def body_hash(content: bytes) -> str:
    """Return the sha256 hex digest used to spot an unchanged 200 body."""
    return hashlib.sha256(content).hexdigest()


def request_headers(validators: Validators | None) -> dict[str, str]:
    """Headers for a conditional GET given the last ``validators`` (may be ``None``)."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if validators is not None:
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
    return headers


def fetch_feed(
    client: httpx.Client,
    url: str,
    validators: Validators | None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    deadline_s: float | None = None,
    now: datetime | None = None,
) -> FetchResult:
    """GET ``url`` conditionally, following up to ``max_redirects`` hops by hand.

    A 304, or a 200 whose body hashes to ``validators.body_hash``, is ``not_modified``.
    ``deadline_s`` bounds the whole fetch (all hops and the body). Raises :class:`PollError`
    (a :class:`FetchError`) on a refused URL or address, network errors, timeouts, a
    redirect loop, 4xx/5xx or a body over ``max_bytes`` after decompression.
    """
    started = time.monotonic()
    hops = Hops((url,))
    while True:
        current = hops.current
        _check(url, current)
        response, content = _get(client, url, current, validators, max_bytes, started, deadline_s)
        if response.status_code not in REDIRECTS:
            break
        location = response.headers.get("Location")
        try:
            hops = next_hop(hops, response.status_code, location, max_redirects)
        except RedirectRefused as e:
            raise PollError(str(e), e.kind) from e
    permanent = hops.permanent
    fresh = _freshness(response, now or datetime.now(UTC))
    if response.status_code == 304:
        return _not_modified(url, current, response, validators, permanent, fresh)
    return _changed_or_not(url, current, response, content, validators, permanent, fresh)


def _check(url: str, current: str) -> None:
    why = check_url(current)
    if why is not None:
        where = url if current == url else f"{url} (redirected to {current})"
        raise PollError(f"{where}: {why}", ErrorClass.REFUSED)


def _get(
    client: httpx.Client,
    url: str,
    current: str,
    validators: Validators | None,
    max_bytes: int,
    started: float,
    deadline_s: float | None,
) -> tuple[httpx.Response, bytes]:
    try:
        with client.stream(
            "GET", current, headers=request_headers(validators), follow_redirects=False
        ) as response:
            if response.status_code in REDIRECTS or response.status_code == 304:
                return response, b""
            if response.status_code >= 400:
                raise _status_error(url, response)
            return response, _read_capped(response, url, max_bytes, started, deadline_s)
    except httpx.TimeoutException as exc:
        raise PollError(f"{url}: timed out ({type(exc).__name__})", ErrorClass.TIMEOUT) from exc
    except httpx.HTTPError as exc:
        refused = refused_by_guard(exc)
        if refused is not None:
            raise PollError(f"{url}: {refused}", ErrorClass.REFUSED) from exc
        raise PollError(f"{url}: {_reason(exc)}", ErrorClass.NETWORK) from exc


def _status_error(url: str, response: httpx.Response) -> PollError:
    return status_error(
        url, response.status_code, response.reason_phrase, response.headers.get("Retry-After")
    )


def status_error(url: str, status: int, reason: str, retry_after: str | None) -> PollError:
    """The error of an HTTP status, classed for backoff (gone, throttled, server, client)."""
    if status == 410:
        kind = ErrorClass.GONE
    elif status in (429, 503):
        kind = ErrorClass.THROTTLED
    elif status >= 500:
        kind = ErrorClass.SERVER
    else:
        kind = ErrorClass.CLIENT
    return PollError(f"{url}: http {status} {reason}".rstrip(), kind, status, retry_after)


def _read_capped(
    response: httpx.Response, url: str, max_bytes: int, started: float, deadline_s: float | None
) -> bytes:
    """Read the decoded body; stop at ``max_bytes`` (gzip bombs too) or at the deadline."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise PollError(f"{url}: body larger than {max_bytes} bytes", ErrorClass.REFUSED)
        if deadline_s is not None and time.monotonic() - started > deadline_s:
            raise PollError(f"{url}: timed out (over {deadline_s:g} s)", ErrorClass.TIMEOUT)
        chunks.append(chunk)
    return b"".join(chunks)


def _freshness(response: httpx.Response, now: datetime) -> Freshness:
    h = response.headers
    return Freshness(
        retry_after=parse_retry_after(h.get("Retry-After"), now),
        max_age=parse_max_age(h.get("Cache-Control")),
        expires_in=parse_expires(h.get("Expires"), now),
    )


def _not_modified(
    url: str,
    final: str,
    response: httpx.Response,
    validators: Validators | None,
    permanent: str | None,
    fresh: Freshness,
) -> FetchResult:
    old = validators or Validators()
    kept = Validators(
        etag=response.headers.get("ETag") or old.etag,
        last_modified=response.headers.get("Last-Modified") or old.last_modified,
        body_hash=old.body_hash,
    )
    return FetchResult(url, 304, True, None, kept, final, permanent, fresh)


def _changed_or_not(
    url: str,
    final: str,
    response: httpx.Response,
    content: bytes,
    validators: Validators | None,
    permanent: str | None,
    fresh: Freshness,
) -> FetchResult:
    digest = body_hash(content)
    new = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"), digest)
    old = validators or Validators()
    # some hosts send 200 with the same validators or the same body instead of a 304
    unchanged = old.body_hash == digest or (bool(old.etag) and old.etag == new.etag)
    return FetchResult(
        url=url,
        status=response.status_code,
        not_modified=unchanged,
        content=None if unchanged else content,
        validators=new,
        final_url=final,
        permanent_url=permanent,
        freshness=fresh,
    )


def _reason(exc: httpx.HTTPError) -> str:
    detail = " ".join(str(exc).split())
    kind = type(exc).__name__.lower().replace("error", " error").strip()
    return f"{kind}: {detail}" if detail else kind


def fetch_url_or_file(target: str, client: httpx.Client) -> tuple[bytes, str]:
    """Read ``target`` from a local path or an http(s) URL; return its bytes and final name.

    Raises :class:`SourceError` when ``target`` is neither an existing file nor a URL.
    """
    if target.startswith(("http://", "https://")):
        result = fetch_feed(client, target, None)
        return result.content or b"", result.final_url
    path = Path(target)
    if path.is_file():
        try:
            return path.read_bytes(), target
        except OSError as exc:
            raise SourceError(f"{target}: cannot read ({exc.strerror})") from exc
    raise SourceError(f"{target}: no such file")
