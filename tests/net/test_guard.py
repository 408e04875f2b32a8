"""The SSRF guard: the resolved address is checked at connect time and on every hop.

The client of ``make_client`` checks through its transport (:class:`GuardedTransport`), so
the guard holds whoever follows the redirects: ``fetch_feed`` by hand, or httpx itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pytest_httpserver import HTTPServer

from podsift.config import load_settings
from podsift.exceptions import ConfigError, FetchError
from podsift.feeds import fetch_feed
from podsift.net import GuardedTransport, NetworkPolicy, check_url, make_client

FEED = b"<rss><channel><title>T</title><item><guid>1</guid></item></channel></rss>"


def _client(allow: str = "") -> httpx.Client:
    return make_client(load_settings(env={"PODSIFT_FEEDS__ALLOW_NETWORKS": allow}))


@pytest.fixture
def allowed() -> Iterator[httpx.Client]:
    with _client("127.0.0.1/32") as c:
        yield c


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.0.0.8", "a private address"),
        ("192.168.1.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("169.254.1.1", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("100.64.0.1", "a carrier-grade nat address"),
        ("224.0.0.1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("fd00:ec2::254", "a cloud metadata address"),
    ],
)
def test_non_public_addresses_are_refused(address: str, why: str) -> None:
    assert NetworkPolicy().refusal(address) == why


def test_public_and_allowed_addresses_pass() -> None:
    assert NetworkPolicy().refusal("151.101.1.1") is None
    assert NetworkPolicy.from_text("10.0.0.0/8, ::1/128").refusal("10.9.9.9") is None
    assert NetworkPolicy.from_text("10.0.0.0/8").refusal("127.0.0.1") == "a loopback address"


def test_bad_allow_networks_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="allow_networks"):
        _client("not-a-network")


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/f", "gopher://x", "http://"]
)
def test_non_http_urls_are_refused(url: str) -> None:
    assert check_url(url) is not None
    with _client() as client, pytest.raises(FetchError, match=r"not an http\(s\) url|no host"):
        fetch_feed(client, url, None)


def test_loopback_is_refused_by_default(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(FEED)
    url = httpserver.url_for("/feed.xml")
    with _client() as client, pytest.raises(FetchError) as info:
        fetch_feed(client, url, None)
    assert "127.0.0.1 is a loopback address" in str(info.value)
    assert "allow_networks" in str(info.value)
    assert len(httpserver.log) == 0  # never connected


def test_hostname_is_resolved_and_checked(httpserver: HTTPServer) -> None:
    url = f"http://localhost:{httpserver.port}/feed.xml"
    with _client() as client, pytest.raises(FetchError, match="loopback address"):
        fetch_feed(client, url, None)


def test_loopback_allowed_by_config(httpserver: HTTPServer, allowed: httpx.Client) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(FEED)
    assert fetch_feed(allowed, httpserver.url_for("/feed.xml"), None).content == FEED


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.2:{port}/feed.xml", "http://169.254.169.254/latest/meta-data/"],
)
def test_every_redirect_hop_is_checked(
    httpserver: HTTPServer, allowed: httpx.Client, target: str
) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        "", status=302, headers={"Location": target.format(port=httpserver.port)}
    )
    with pytest.raises(FetchError, match="refused"):
        fetch_feed(allowed, httpserver.url_for("/feed.xml"), None)


def test_redirect_to_a_file_url_is_refused(httpserver: HTTPServer, allowed: httpx.Client) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        "", status=301, headers={"Location": "file:///etc/passwd"}
    )
    with pytest.raises(FetchError, match=r"redirected to file:///etc/passwd\): not an http"):
        fetch_feed(allowed, httpserver.url_for("/feed.xml"), None)


def test_proxies_from_the_environment_are_ignored(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://10.255.255.1:3128")
    monkeypatch.setenv("ALL_PROXY", "http://10.255.255.1:3128")
    httpserver.expect_request("/feed.xml").respond_with_data(FEED)
    with _client("127.0.0.1/32") as client:
        assert fetch_feed(client, httpserver.url_for("/feed.xml"), None).content == FEED


def test_user_agent_identifies_podsift(httpserver: HTTPServer, allowed: httpx.Client) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(FEED)
    fetch_feed(allowed, httpserver.url_for("/feed.xml"), None)
    agent = httpserver.log[0][0].headers["User-Agent"]
    assert agent.startswith("podsift/") and "+https://" in agent


def test_guarded_transport_refuses_loopback_before_connecting(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(FEED)
    with (
        httpx.Client(transport=GuardedTransport(NetworkPolicy())) as client,
        pytest.raises(httpx.ConnectError, match=r"127\.0\.0\.1 is a loopback address"),
    ):
        client.get(httpserver.url_for("/feed.xml"))
    assert len(httpserver.log) == 0


def test_guarded_transport_streams_what_the_policy_allows(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, headers={"ETag": '"v1"'})
    policy = NetworkPolicy.from_text("127.0.0.1/32")
    with (
        httpx.Client(transport=GuardedTransport(policy)) as client,
        client.stream("GET", httpserver.url_for("/feed.xml")) as response,
    ):
        assert response.status_code == 200
        assert response.headers["ETag"] == '"v1"'
        assert response.reason_phrase == "OK"
        assert b"".join(response.iter_bytes()) == FEED


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("http://127.0.0.2:{port}/feed.xml", "a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
    ],
)
def test_redirects_followed_by_the_client_are_checked_too(
    httpserver: HTTPServer, allowed: httpx.Client, target: str, why: str
) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        "", status=302, headers={"Location": target.format(port=httpserver.port)}
    )
    with pytest.raises(httpx.ConnectError, match=f"refused \\(.* is {why}"):
        allowed.get(httpserver.url_for("/feed.xml"))  # httpx follows this redirect itself
    assert len(httpserver.log) == 1
