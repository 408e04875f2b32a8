"""Tests for podsift.feeds fetching: conditional GET against a real loopback HTTP server."""

from __future__ import annotations

import gzip
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from podsift import __version__
from podsift.exceptions import FetchError, SourceError
from podsift.feeds import (
    FetchResult,
    Validators,
    fetch_feed,
    fetch_url_or_file,
    parse_feed,
)

FEED_PATH = Path(__file__).parents[1] / "data" / "feeds" / "pc20-namespace-example.xml"
FEED = FEED_PATH.read_bytes()
ETAG = '"v1-abc"'
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c


def _conditional_handler(request: Request) -> Response:
    if request.headers.get("If-None-Match") == ETAG:
        return Response(status=304, headers={"ETag": ETAG})
    return Response(
        FEED,
        status=200,
        headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED},
        content_type="application/rss+xml",
    )


def test_first_fetch_returns_content_and_validators(
    httpserver: HTTPServer, client: httpx.Client
) -> None:
    httpserver.expect_request("/feed.xml").respond_with_handler(_conditional_handler)
    url = httpserver.url_for("/feed.xml")
    result = fetch_feed(client, url, None)
    assert result.status == 200
    assert not result.not_modified
    assert result.content == FEED
    assert result.validators.etag == ETAG
    assert result.validators.last_modified == LAST_MODIFIED
    assert result.validators.body_hash and len(result.validators.body_hash) == 64
    assert result.final_url == url
    assert parse_feed(result.content, url).show.title == "Podcasting 2.0 Namespace Example"
    request = httpserver.log[0][0]
    assert request.headers["User-Agent"] == (
        f"podsift/{__version__} (+https://github.com/podsift/podsift)"
    )
    assert "If-None-Match" not in request.headers


def test_second_fetch_with_validators_is_not_modified(
    httpserver: HTTPServer, client: httpx.Client
) -> None:
    httpserver.expect_request("/feed.xml").respond_with_handler(_conditional_handler)
    url = httpserver.url_for("/feed.xml")
    first = fetch_feed(client, url, None)
    second = fetch_feed(client, url, first.validators)
    assert second == FetchResult(url, 304, True, None, first.validators, url)
    request, response = httpserver.log[1]
    assert response.status_code == 304
    assert request.headers["If-None-Match"] == ETAG
    assert request.headers["If-Modified-Since"] == LAST_MODIFIED


def test_same_body_without_etag_support_is_not_modified_by_hash(
    httpserver: HTTPServer, client: httpx.Client
) -> None:
    httpserver.expect_request("/plain.xml").respond_with_data(FEED)
    url = httpserver.url_for("/plain.xml")
    first = fetch_feed(client, url, None)
    assert first.validators.etag is None and first.validators.last_modified is None
    second = fetch_feed(client, url, first.validators)
    assert second.status == 200
    assert second.not_modified
    assert second.content is None
    assert second.validators.body_hash == first.validators.body_hash


def test_changed_body_is_returned(httpserver: HTTPServer, client: httpx.Client) -> None:
    httpserver.expect_request("/plain.xml").respond_with_data(FEED)
    url = httpserver.url_for("/plain.xml")
    stale = Validators(etag=None, last_modified=None, body_hash="0" * 64)
    result = fetch_feed(client, url, stale)
    assert not result.not_modified
    assert result.content == FEED


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_error_status_raises_fetch_error(
    httpserver: HTTPServer, client: httpx.Client, status: int
) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data("nope", status=status)
    url = httpserver.url_for("/feed.xml")
    with pytest.raises(FetchError) as info:
        fetch_feed(client, url, None)
    message = str(info.value)
    assert message.startswith(f"{url}: http {status}")
    assert "\n" not in message


def test_oversized_body_raises_fetch_error(httpserver: HTTPServer, client: httpx.Client) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(FEED)
    url = httpserver.url_for("/feed.xml")
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        fetch_feed(client, url, None, max_bytes=1000)


def test_size_cap_counts_decoded_bytes(httpserver: HTTPServer, client: httpx.Client) -> None:
    packed = gzip.compress(b" " * 5_000_000)
    assert len(packed) < 100_000
    httpserver.expect_request("/bomb.xml").respond_with_data(
        packed, headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(FetchError, match="larger than 1000000 bytes"):
        fetch_feed(client, httpserver.url_for("/bomb.xml"), None, max_bytes=1_000_000)


def test_gzip_encoded_response_is_decoded(httpserver: HTTPServer, client: httpx.Client) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        gzip.compress(FEED), headers={"Content-Encoding": "gzip", "ETag": ETAG}
    )
    result = fetch_feed(client, httpserver.url_for("/feed.xml"), None)
    assert result.content == FEED
    assert len(parse_feed(result.content).episodes) == 3


def test_redirects_are_followed(httpserver: HTTPServer, client: httpx.Client) -> None:
    target = httpserver.url_for("/new.xml")
    httpserver.expect_request("/old.xml").respond_with_data(
        "", status=301, headers={"Location": target}
    )
    httpserver.expect_request("/new.xml").respond_with_data(FEED)
    old = httpserver.url_for("/old.xml")
    result = fetch_feed(client, old, None)
    assert result.url == old
    assert result.final_url == target
    assert result.content == FEED


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_unreachable_port_raises_fetch_error(client: httpx.Client) -> None:
    url = f"http://127.0.0.1:{_free_port()}/feed.xml"
    with pytest.raises(FetchError) as info:
        fetch_feed(client, url, None)
    assert str(info.value).startswith(f"{url}: connect error")
    assert "\n" not in str(info.value)


def test_timeout_raises_fetch_error(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.5)
        return Response(FEED)

    httpserver.expect_request("/slow.xml").respond_with_handler(slow)
    url = httpserver.url_for("/slow.xml")
    with httpx.Client(timeout=0.1) as quick, pytest.raises(FetchError, match="timed out"):
        fetch_feed(quick, url, None)


# --- fetch_url_or_file --------------------------------------------------------------------


def test_fetch_url_or_file_reads_a_local_file(client: httpx.Client) -> None:
    content, name = fetch_url_or_file(str(FEED_PATH), client)
    assert content == FEED
    assert name == str(FEED_PATH)


def test_fetch_url_or_file_fetches_a_url(httpserver: HTTPServer, client: httpx.Client) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(FEED)
    url = httpserver.url_for("/feed.xml")
    assert fetch_url_or_file(url, client) == (FEED, url)


def test_fetch_url_or_file_rejects_a_missing_path(tmp_path: Path, client: httpx.Client) -> None:
    missing = str(tmp_path / "nope.xml")
    with pytest.raises(SourceError, match=r"nope\.xml: no such file$"):
        fetch_url_or_file(missing, client)


def test_fetch_url_or_file_url_errors_are_fetch_errors(
    httpserver: HTTPServer, client: httpx.Client
) -> None:
    httpserver.expect_request("/gone.xml").respond_with_data("", status=404)
    with pytest.raises(FetchError):
        fetch_url_or_file(httpserver.url_for("/gone.xml"), client)
