"""Large downloads (the enclosure audio): streamed to disk, capped, resumable, timed.

The client is passed in (see :func:`~podsift.net.client.make_client`), so the download
goes through the SSRF guard and the client's redirect limit like every other request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from podsift.exceptions import FetchError

_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class DownloadLimits:
    """How much a download may bring, and for how long."""

    max_bytes: int = 600_000_000
    timeout: float = 1_800.0


class DownloadError(FetchError):
    """A download that failed; ``permanent`` ones (too large) are not worth retrying."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def download_file(
    client: httpx.Client,
    url: str,
    dest: Path,
    limits: DownloadLimits,
    *,
    what: str = "file",
    refuse_types: tuple[str, ...] = (),
    clock: Callable[[], float] | None = None,
) -> Path:
    """Stream ``url`` into ``dest``, resuming a partial ``dest.part`` with a Range request.

    ``what`` names the thing in error messages ("audio"); a response whose content type
    starts with one of ``refuse_types`` (an HTML page instead of audio) is refused.
    ``clock`` (``time.monotonic`` by default) measures ``limits.timeout``.

    Raises:
        DownloadError: HTTP error, a refused content type, too large, too slow.
    """
    clock = clock or time.monotonic
    if dest.is_file():
        return dest
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    deadline = clock() + limits.timeout
    try:
        with client.stream("GET", url, headers=headers) as resp:
            if resp.status_code == 416 and have:  # the part is already whole
                part.replace(dest)
                return dest
            _check_response(resp, url, limits.max_bytes, what, refuse_types)
            resumed = resp.status_code == 206
            total = have if resumed else 0
            with open(part, "ab" if resumed else "wb") as out:
                for chunk in resp.iter_bytes(_CHUNK):
                    total += len(chunk)
                    if total > limits.max_bytes:
                        raise DownloadError(
                            f"{url}: {what} larger than {limits.max_bytes} bytes", permanent=True
                        )
                    if clock() > deadline:
                        raise DownloadError(f"{url}: download took over {limits.timeout:.0f} s")
                    out.write(chunk)
    except httpx.HTTPError as e:
        raise DownloadError(f"{url}: download failed ({type(e).__name__}: {e})") from e
    part.replace(dest)
    return dest


def _check_response(
    resp: httpx.Response, url: str, max_bytes: int, what: str, refuse_types: tuple[str, ...]
) -> None:
    if resp.status_code in (404, 410):
        raise DownloadError(f"{url}: {what} not found (HTTP {resp.status_code})")
    if resp.status_code >= 400:
        raise DownloadError(f"{url}: HTTP {resp.status_code}")
    declared = int(resp.headers.get("content-length") or 0)
    if resp.status_code == 200 and declared > max_bytes:
        raise DownloadError(
            f"{url}: {what} of {declared} bytes is over the size limit", permanent=True
        )
    ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype.startswith(refuse_types):
        raise DownloadError(f"{url}: not {what} (content-type {ctype})")
