"""The digest email rendered in real headless Chromium: phone width, light and dark mode."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest

from podsift.digest import render_html
from tests.deliver.test_ledger import digest

pytestmark = pytest.mark.browser
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio"]


def run(chromium: str, *args: str) -> bytes:
    result = subprocess.run([chromium, *FLAGS, *args], capture_output=True, timeout=120, check=True)
    return result.stdout


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_email_html_renders_on_a_phone_in_light_and_dark_mode(
    chromium: str, tmp_path: Path
) -> None:
    html = render_html(
        digest(),
        unsubscribe_url="https://podsift.example/unsubscribe?t=abc",
        preferences_url="https://podsift.example/preferences?t=def",
    )
    page = tmp_path / "digest.html"
    page.write_text(html, encoding="utf-8")
    url = page.as_uri()
    light, dark = tmp_path / "light.png", tmp_path / "dark.png"
    run(chromium, "--window-size=390,1400", f"--screenshot={light}", url)
    run(chromium, "--force-dark-mode", "--window-size=390,1400", f"--screenshot={dark}", url)
    assert png_size(light) == png_size(dark) == (390, 1400)
    assert light.read_bytes() != dark.read_bytes()  # the dark-mode rules took effect
    dom = run(chromium, "--dump-dom", url).decode()
    for n in range(1, 6):
        assert f"Story {n}" in dom
        assert f"https://show{n}.example/ep.mp3#t={n * 60}" in dom
    assert 'href="https://podsift.example/unsubscribe?t=abc"' in dom
    assert "Change shows, topics or send time" in dom
