"""Fetch many feeds at once: conditional GETs on aiohttp, polite per host, behind the SSRF guard.

The sequential path (:func:`podsift.net.fetch.fetch_feed` on httpx) tops out at a few
hundred feeds a second; this one runs an asyncio loop in a helper thread and hands each
answer back to the calling thread as soon as it is in, so parsing and store writes stay
where the store lives. It keeps the sequential path's rules and result shape: the same
headers (identifying User-Agent, validators), redirects followed by podsift itself with
each hop checked, the same leading-301/308 rule for ``permanent_url`` (one rule set:
:mod:`.redirects`), a cap on the *decoded* body and a deadline over all hops. Every address
passes the SSRF guard at resolution and at connect time (:mod:`.aio`).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast
from urllib.parse import urlsplit

import aiohttp

from podsift.config import FeedSettings
from podsift.net.aio import guard_refusal, guarded_session
from podsift.net.client import network_policy
from podsift.net.fetch import (
    FetchResult,
    PollError,
    Validators,
    body_hash,
    request_headers,
    status_error,
)
from podsift.net.guard import NetworkPolicy, check_url
from podsift.net.headers import (
    ErrorClass,
    Freshness,
    parse_expires,
    parse_max_age,
    parse_retry_after,
)
from podsift.net.redirects import REDIRECTS, Hops, RedirectRefused, next_hop

_CHUNK = 64 * 1024


class HostCooling(PollError):
    """Not asked: the feed's host answered 429/503 earlier in this run."""

    def __init__(self, url: str) -> None:
        super().__init__(
            "host cooling down after 429/503; not asked this time", ErrorClass.THROTTLED
        )
        self.url = url


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """One feed to fetch: the caller's ``key`` comes back with its answer."""

    key: int
    url: str
    validators: Validators | None = None


@dataclass(frozen=True, slots=True)
class BulkOptions:
    """Limits of a bulk fetch (see :meth:`from_settings` for ``[feeds]``)."""

    concurrency: int = 8
    per_host: int = 2
    max_bytes: int = 20_000_000
    max_redirects: int = 5
    timeout: float = 20.0
    connect_timeout: float = 10.0
    policy: NetworkPolicy = field(default_factory=NetworkPolicy)

    @classmethod
    def from_settings(cls, feeds: FeedSettings) -> BulkOptions:
        """The limits of ``[feeds]``.

        Raises:
            ConfigError: ``[feeds] allow_networks`` holds something that is not a network.
        """
        return cls(
            concurrency=max(1, feeds.concurrency),
            per_host=max(1, feeds.per_host),
            max_bytes=feeds.max_bytes,
            max_redirects=feeds.max_redirects,
            timeout=feeds.timeout,
            connect_timeout=min(feeds.timeout, feeds.connect_timeout),
            policy=network_policy(feeds),
        )


Answer = FetchResult | PollError


def host_of(url: str) -> str:
    """The lower-case host name of ``url`` ("" when it has none).

    >>> host_of("https://Feeds.Example.com:8443/a.xml")
    'feeds.example.com'
    """
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def interleave_by_host(requests: Sequence[FeedRequest]) -> list[FeedRequest]:
    """Round-robin ``requests`` over their hosts, so one busy host cannot block the rest.

    >>> reqs = [FeedRequest(i, f"http://{h}/{i}") for i, h in enumerate("aaab")]
    >>> [r.key for r in interleave_by_host(reqs)]
    [0, 3, 1, 2]
    """
    by_host: dict[str, list[FeedRequest]] = defaultdict(list)
    for r in requests:
        by_host[host_of(r.url)].append(r)
    out: list[FeedRequest] = []
    lanes = [iter(v) for v in by_host.values()]
    while lanes:
        still: list[Iterator[FeedRequest]] = []
        for lane in lanes:
            nxt = next(lane, None)
            if nxt is not None:
                out.append(nxt)
                still.append(lane)
        lanes = still
    return out


def fetch_many(
    requests: Sequence[FeedRequest], options: BulkOptions, now: datetime
) -> Iterator[tuple[FeedRequest, Answer]]:
    """Fetch ``requests`` concurrently; yield ``(request, FetchResult or PollError)``.

    Answers come in completion order, in the calling thread. At most ``concurrency``
    requests (``per_host`` per host name) are in flight, and a bounded number of answers
    wait for the caller, so memory does not grow with the number of feeds. One failing
    feed never stops the others: its :class:`PollError` is yielded like any answer.
    """
    out: queue.Queue[object] = queue.Queue()
    loop = asyncio.new_event_loop()
    slots = _Slots(max(4 * options.concurrency, 32))
    thread = threading.Thread(target=loop.run_forever, name="podsift-bulk", daemon=True)
    thread.start()
    job = asyncio.run_coroutine_threadsafe(
        _fetch_all(interleave_by_host(requests), options, now, out, slots), loop
    )
    taken = 0
    try:
        while True:
            item = out.get()
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            taken += 1
            # waking the loop costs a syscall: free slots in batches, or when none wait
            if taken >= _RELEASE_EVERY or out.empty():
                loop.call_soon_threadsafe(slots.release, taken)
                taken = 0
            yield cast(tuple[FeedRequest, Answer], item)
    finally:
        job.cancel()
        with contextlib.suppress(BaseException):
            job.result(timeout=options.timeout + 5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


_DONE = object()
_RELEASE_EVERY = 16


class _Slots:
    """Answers in flight or waiting for the caller; the caller frees one per answer taken."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.sem: asyncio.Semaphore | None = None

    async def acquire(self) -> None:
        if self.sem is None:
            self.sem = asyncio.Semaphore(self.n)
        await self.sem.acquire()

    def release(self, count: int = 1) -> None:
        if self.sem is not None:
            for _ in range(count):
                self.sem.release()


async def _fetch_all(
    requests: list[FeedRequest],
    options: BulkOptions,
    now: datetime,
    out: queue.Queue[object],
    slots: _Slots,
) -> None:
    try:
        limits = _Limits(options)
        async with guarded_session(
            options.policy,
            options.concurrency,
            options.per_host,
            options.connect_timeout,
            options.timeout,
        ) as session:
            pending: set[asyncio.Task[None]] = set()
            for req in requests:
                await slots.acquire()
                task = asyncio.create_task(_one(session, req, options, limits, now, out))
                pending.add(task)
                task.add_done_callback(pending.discard)
            if pending:
                await asyncio.gather(*pending)
        out.put(_DONE)
    except asyncio.CancelledError:
        out.put(_DONE)
        raise
    except BaseException as exc:  # a bug, not a feed: hand it to the caller
        out.put(exc)
        raise


async def _one(
    session: aiohttp.ClientSession,
    req: FeedRequest,
    options: BulkOptions,
    limits: _Limits,
    now: datetime,
    out: queue.Queue[object],
) -> None:
    try:
        answer: Answer = await _fetch(session, req, options, limits, now)
    except PollError as e:
        answer = e
    out.put((req, answer))


class _Limits:
    """Global and per-host-name concurrency, and hosts cooling down after 429/503."""

    def __init__(self, options: BulkOptions) -> None:
        self.all = asyncio.Semaphore(options.concurrency)
        self.per_host = options.per_host
        self.hosts: dict[str, asyncio.Semaphore] = {}
        self.cooling: set[str] = set()

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        sem = self.hosts.get(host)
        if sem is None:
            sem = self.hosts[host] = asyncio.Semaphore(self.per_host)
        async with sem, self.all:
            yield


async def _fetch(
    session: aiohttp.ClientSession,
    req: FeedRequest,
    options: BulkOptions,
    limits: _Limits,
    now: datetime,
) -> FetchResult:
    """One feed, redirects followed by hand with the rules of :func:`.fetch.fetch_feed`."""
    url = req.url
    hops = Hops((url,))
    budget = options.timeout  # seconds of fetching (not of waiting for a slot) left
    while True:
        current = hops.current
        _check(url, current)
        host = host_of(current)
        async with limits.slot(host):
            if host in limits.cooling:
                raise HostCooling(url)
            started = asyncio.get_running_loop().time()
            status, headers, content = await _get(session, url, current, req, options, budget)
            budget -= asyncio.get_running_loop().time() - started
        if status in (429, 503):
            limits.cooling.add(host)
        if status >= 400:
            raise _status_error(url, status, headers)
        if status not in REDIRECTS:
            break
        try:
            hops = next_hop(hops, status, headers.get("Location"), options.max_redirects)
        except RedirectRefused as e:
            raise PollError(str(e), e.kind) from e
    return _result(url, current, status, headers, content, req.validators, hops.permanent, now)


def _check(url: str, current: str) -> None:
    why = check_url(current)
    if why is not None:
        where = url if current == url else f"{url} (redirected to {current})"
        raise PollError(f"{where}: {why}", ErrorClass.REFUSED)


async def _get(
    session: aiohttp.ClientSession,
    url: str,
    current: str,
    req: FeedRequest,
    options: BulkOptions,
    budget: float,
) -> tuple[int, Mapping[str, str], bytes]:
    if budget <= 0:
        raise PollError(f"{url}: timed out (over {options.timeout:g} s)", ErrorClass.TIMEOUT)
    try:
        async with asyncio.timeout(budget):
            async with session.get(
                current, headers=request_headers(req.validators), allow_redirects=False
            ) as response:
                headers: Mapping[str, str] = response.headers
                if response.status >= 300:
                    return response.status, _with_reason(headers, response.reason), b""
                content = await _read_capped(response, url, options.max_bytes)
                return response.status, headers, content
    except TimeoutError as exc:
        raise PollError(
            f"{url}: timed out (over {options.timeout:g} s)", ErrorClass.TIMEOUT
        ) from exc
    except aiohttp.ClientError as exc:
        refused = guard_refusal(exc)
        if refused is not None:
            raise PollError(f"{url}: {refused}", ErrorClass.REFUSED) from exc
        raise PollError(f"{url}: {_reason(exc)}", ErrorClass.NETWORK) from exc
    except (OSError, ValueError) as exc:
        raise PollError(f"{url}: {_reason(exc)}", ErrorClass.NETWORK) from exc


def _with_reason(headers: Mapping[str, str], reason: str | None) -> Mapping[str, str]:
    merged = dict(headers)
    merged[":reason"] = reason or ""
    return merged


async def _read_capped(response: aiohttp.ClientResponse, url: str, max_bytes: int) -> bytes:
    """Read the decoded body; stop at ``max_bytes`` (gzip bombs too)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise PollError(f"{url}: body larger than {max_bytes} bytes", ErrorClass.REFUSED)
        chunks.append(chunk)
    return b"".join(chunks)


def _status_error(url: str, status: int, headers: Mapping[str, str]) -> PollError:
    return status_error(url, status, headers.get(":reason", ""), headers.get("Retry-After"))


def _result(
    url: str,
    final: str,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    validators: Validators | None,
    permanent: str | None,
    now: datetime,
) -> FetchResult:
    fresh = Freshness(
        retry_after=parse_retry_after(headers.get("Retry-After"), now),
        max_age=parse_max_age(headers.get("Cache-Control")),
        expires_in=parse_expires(headers.get("Expires"), now),
    )
    old = validators or Validators()
    if status == 304:
        kept = Validators(
            headers.get("ETag") or old.etag,
            headers.get("Last-Modified") or old.last_modified,
            old.body_hash,
        )
        return FetchResult(url, 304, True, None, kept, final, permanent, fresh)
    digest = body_hash(content)
    new = Validators(headers.get("ETag"), headers.get("Last-Modified"), digest)
    # some hosts send 200 with the same validators or the same body instead of a 304
    same = old.body_hash == digest or (bool(old.etag) and old.etag == new.etag)
    return FetchResult(url, status, same, None if same else content, new, final, permanent, fresh)


def _reason(exc: BaseException) -> str:
    detail = " ".join(str(exc).split())
    kind = type(exc).__name__.lower().replace("error", " error").strip()
    return f"{kind}: {detail}" if detail else kind
