"""The public site in a real headless Chromium: a story's audio plays from its timestamp.

The enclosure is a real FLAC file (tests/data/audio/jfk.flac, 11 s) served with Range support
by a second loopback server; axe-core (axe-playwright-python)
checks every page for serious or critical violations.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from podsift.config import load_settings
from podsift.store import Store
from podsift.web import create_app
from tests.conftest import DATA
from tests.web.site_data import NOW, seed

pytestmark = pytest.mark.browser


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


@pytest.fixture
def site(store: Store) -> Iterator[tuple[str, dict[str, int]]]:
    audio = Starlette()
    audio.mount("/", StaticFiles(directory=DATA / "audio"))
    with serving(audio) as audio_base:
        shows = seed(store, audio_url=f"{audio_base}/jfk.flac")
        settings = load_settings(env={"PODSIFT_SECRET_KEY": "k", "PODSIFT_BASE_URL": "x"})
        with serving(create_app(settings, store, clock=lambda: NOW)) as base:
            yield base, shows


@pytest.fixture
def browser(chromium: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--autoplay-policy=no-user-gesture-required"])  # fmt: skip
        yield b
        b.close()


PLAY = """async () => {
  const audio = document.querySelector('audio');
  if (audio.readyState < 1) await new Promise(ok => audio.addEventListener('loadedmetadata', ok));
  const before = audio.currentTime;
  await audio.play();
  await new Promise(ok => setTimeout(ok, 400));
  audio.pause();
  return [before, audio.currentTime, audio.duration];
}"""


def test_a_story_plays_its_audio_from_the_timestamp(
    site: tuple[str, dict[str, int]], browser: object
) -> None:
    base, _ = site
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/s/s1")
    before, after, duration = page.evaluate(PLAY)
    assert duration > 5  # the real file loaded
    assert before == pytest.approx(3.0, abs=0.05)  # the media fragment's start
    assert 3.0 < after < 4.5  # and it played on from there
    assert errors == []  # no CSP violation either


def test_no_serious_accessibility_violations(
    site: tuple[str, dict[str, int]], browser: object
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    base, shows = site
    page = browser.new_page()  # type: ignore[attr-defined]
    axe = Axe()
    for path in ("/", "/d/2024-04-02", "/s/s1", "/s/s2", f"/shows/{shows['Show B']}", "/nope"):
        page.goto(base + path)
        result = axe.run(page).response
        assert result["passes"], path  # axe really ran on the page
        found = result["violations"]
        bad = [(v["id"], v["impact"]) for v in found if v["impact"] in ("serious", "critical")]
        assert bad == [], path
