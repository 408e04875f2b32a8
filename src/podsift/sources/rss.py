"""Fetch feeds over HTTP with conditional GET (ETag, Last-Modified, body hash).

The HTTP client is passed in (tests and callers choose timeouts, transports and limits);
this module only decides which headers to send and how to read the answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import httpx

from .. import __version__
from ..exceptions import FetchError, SourceError

USER_AGENT = f"podsift/{__version__} (+https://github.com/podsift/podsift)"
DEFAULT_MAX_BYTES = 20_000_000


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server told us last time, to ask "has it changed?" next time."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The answer to one fetch: ``content`` is ``None`` when nothing changed."""

    url: str
    status: int
    not_modified: bool
    content: bytes | None
    validators: Validators
    final_url: str


def body_hash(content: bytes) -> str:
    """Return the sha256 hex digest used to spot an unchanged 200 body."""
    return hashlib.sha256(content).hexdigest()


def request_headers(validators: Validators | None) -> dict[str, str]:
    """Headers for a conditional GET given the last ``validators`` (may be ``None``)."""
    headers = {"User-Agent": USER_AGENT}
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
) -> FetchResult:
    """GET ``url`` conditionally; raise :class:`FetchError` on network errors, 4xx/5xx or size.

    A 304, or a 200 whose body hashes to ``validators.body_hash``, is ``not_modified``.
    """
    try:
        with client.stream(
            "GET", url, headers=request_headers(validators), follow_redirects=True
        ) as response:
            if response.status_code == 304:
                return _not_modified(url, response, validators)
            if response.status_code >= 400:
                raise FetchError(f"{url}: http {response.status_code} {response.reason_phrase}")
            content = _read_capped(response, url, max_bytes)
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {_reason(exc)}") from exc
    return _changed_or_not(url, response, content, validators)


def _read_capped(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{url}: body larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _new_validators(response: httpx.Response, digest: str | None) -> Validators:
    return Validators(
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        body_hash=digest,
    )


def _not_modified(url: str, response: httpx.Response, validators: Validators | None) -> FetchResult:
    old = validators or Validators()
    fresh = Validators(
        etag=response.headers.get("ETag") or old.etag,
        last_modified=response.headers.get("Last-Modified") or old.last_modified,
        body_hash=old.body_hash,
    )
    return FetchResult(url, 304, True, None, fresh, str(response.url))


def _changed_or_not(
    url: str, response: httpx.Response, content: bytes, validators: Validators | None
) -> FetchResult:
    digest = body_hash(content)
    fresh = _new_validators(response, digest)
    unchanged = validators is not None and validators.body_hash == digest
    return FetchResult(
        url=url,
        status=response.status_code,
        not_modified=unchanged,
        content=None if unchanged else content,
        validators=fresh,
        final_url=str(response.url),
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
