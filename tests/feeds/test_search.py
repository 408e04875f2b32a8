"""`podsift search` against a loopback server replaying iTunes / Podcast Index answers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from podsift.cli import cli

DATA = Path(__file__).parents[1] / "data" / "search"


def _env(server: HTTPServer, tmp_path: Path, key: bool) -> dict[str, str]:
    env = {
        "PODSIFT_DB": str(tmp_path / "p.db"),
        "PODSIFT_FEEDS__ALLOW_NETWORKS": "127.0.0.1/32",
        "PODSIFT_FEEDS__ITUNES_SEARCH_URL": server.url_for("/search"),
        "PODSIFT_FEEDS__PODCASTINDEX_URL": server.url_for("/api/1.0"),
    }
    if key:
        env |= {"PODSIFT_FEEDS__PODCASTINDEX_KEY": "K", "PODSIFT_FEEDS__PODCASTINDEX_SECRET": "S"}
    return env


def _serve(server: HTTPServer) -> None:
    server.expect_request(
        "/search",
        query_string={"term": "python", "media": "podcast", "entity": "podcast", "limit": "20"},
    ).respond_with_data((DATA / "itunes-search.json").read_bytes(), content_type="text/javascript")

    def podcastindex(request: Request) -> Response:
        stamp = request.headers["X-Auth-Date"]
        good = hashlib.sha1(f"KS{stamp}".encode()).hexdigest()
        if request.headers.get("Authorization") != good or request.headers["X-Auth-Key"] != "K":
            return Response('{"status":"false"}', status=401)
        return Response((DATA / "podcastindex-byterm.json").read_bytes())

    server.expect_request("/api/1.0/search/byterm").respond_with_handler(podcastindex)


def test_search_itunes_without_a_key(httpserver: HTTPServer, tmp_path: Path) -> None:
    _serve(httpserver)
    result = CliRunner().invoke(
        cli, ["search", "python", "--json"], env=_env(httpserver, tmp_path, False)
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert [h["title"] for h in hits] == ["Talk Python To Me", "Python Bytes"]
    assert all(h["source"] == "itunes" for h in hits)
    assert len(httpserver.log) == 1


def test_search_adds_podcast_index_with_signed_headers_and_merges(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    _serve(httpserver)
    env = _env(httpserver, tmp_path, True)
    result = CliRunner().invoke(cli, ["search", "python", "--add", "3"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # Python Bytes from both services appears once
    assert "Real Python" in lines[2] and "[podcastindex]" in lines[2]
    assert "added: https://realpython.com/podcasts/rpp/feed" in result.stderr
    listed = CliRunner().invoke(cli, ["export-opml"], env=env)
    assert "https://realpython.com/podcasts/rpp/feed" in listed.stdout


def test_search_bad_number_is_a_one_line_error(httpserver: HTTPServer, tmp_path: Path) -> None:
    _serve(httpserver)
    result = CliRunner().invoke(
        cli, ["search", "python", "--add", "9"], env=_env(httpserver, tmp_path, False)
    )
    assert result.exit_code == 1
    assert "--add 9: no such result (there are 2)" in str(result.exception)


def test_search_service_error_is_reported(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/search").respond_with_data("down", status=503)
    result = CliRunner().invoke(cli, ["search", "python"], env=_env(httpserver, tmp_path, False))
    assert result.exit_code == 1
    assert "itunes:" in str(result.exception) and "http 503" in str(result.exception)


def test_status_lists_feeds_by_state(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone.xml").respond_with_data("", status=410)
    env = _env(httpserver, tmp_path, False)
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["add", httpserver.url_for("/gone.xml"), "http://10.0.0.1/f.xml"], env=env
        ).exit_code
        == 0
    )
    runner.invoke(cli, ["run"], env=env)
    out = runner.invoke(cli, ["status", "--json"], env=env)
    body = json.loads(out.stdout)
    assert body["feeds"]["gone"] == 1 and body["feeds"]["failing"] == 1
    states = {t["state"]: t["error"] for t in body["troubled"]}
    assert "http 410" in states["gone"] and "private address" in states["failing"]
    text = runner.invoke(cli, ["status"], env=env).stdout
    assert "gone: " in text and "failing: http://10.0.0.1/f.xml" in text
