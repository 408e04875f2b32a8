"""Streamed downloads through the guarded client: resumed, capped, timed, typed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

from podsift.config import FeedSettings, Settings
from podsift.net import DownloadError, DownloadLimits, download_file, make_client

BODY = b"ID3" + bytes(range(256)) * 40


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client(Settings(feeds=FeedSettings(allow_networks="127.0.0.0/8"))) as c:
        yield c


def test_a_whole_part_answered_416_becomes_the_file(
    httpserver: HTTPServer, client: httpx.Client, tmp_path: Path
) -> None:
    httpserver.expect_request("/f.bin").respond_with_data("", status=416)
    dest = tmp_path / "f.bin"
    dest.with_name("f.bin.part").write_bytes(BODY)
    assert download_file(client, httpserver.url_for("/f.bin"), dest, DownloadLimits()) == dest
    assert dest.read_bytes() == BODY
    assert httpserver.log[0][0].headers["Range"] == f"bytes={len(BODY)}-"


def test_a_download_past_its_deadline_stops_and_keeps_the_part(
    httpserver: HTTPServer, client: httpx.Client, tmp_path: Path
) -> None:
    httpserver.expect_request("/f.bin").respond_with_data(BODY, content_type="audio/mpeg")
    ticks = iter([0.0, 5.0])
    limits = DownloadLimits(timeout=1.0)
    dest = tmp_path / "f.bin"
    with pytest.raises(DownloadError, match="download took over 1 s") as e:
        download_file(client, httpserver.url_for("/f.bin"), dest, limits, clock=lambda: next(ticks))
    assert not e.value.permanent
    assert not dest.exists() and dest.with_name("f.bin.part").exists()


def test_errors_name_what_is_downloaded_and_refuse_only_listed_types(
    httpserver: HTTPServer, client: httpx.Client, tmp_path: Path
) -> None:
    httpserver.expect_request("/page").respond_with_data("<html/>", content_type="text/html")
    httpserver.expect_request("/gone").respond_with_data("", status=410)
    page, gone = httpserver.url_for("/page"), httpserver.url_for("/gone")
    assert download_file(client, page, tmp_path / "page", DownloadLimits()).read_bytes()
    with pytest.raises(DownloadError, match=r"not audio \(content-type text/html\)"):
        download_file(
            client, page, tmp_path / "a", DownloadLimits(), what="audio", refuse_types=("text/",)
        )
    with pytest.raises(DownloadError, match=r"file not found \(HTTP 410\)"):
        download_file(client, gone, tmp_path / "g", DownloadLimits())
