"""A loopback HTTP server for the demo: serves bundled feeds and transcripts with ETags."""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_PLACEHOLDER = "__BASE__"
TYPES = {
    ".xml": "application/rss+xml",
    ".vtt": "text/vtt",
    ".md": "text/markdown",
    ".srt": "application/x-subrip",
    ".json": "application/json",
    ".txt": "text/plain",
    ".html": "text/html",
    ".ttml": "application/ttml+xml",
}


class _Handler(BaseHTTPRequestHandler):
    roots: Sequence[Path] = ()
    base_url = ""
    started = formatdate(usegmt=True)

    def do_GET(self) -> None:
        path = self._find(unquote(urlsplit(self.path).path).lstrip("/"))
        if path is None:
            self.send_error(404)
            return
        body = path.read_bytes()
        if path.suffix == ".xml":
            body = body.replace(BASE_PLACEHOLDER.encode(), self.base_url.encode())
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "text/plain"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", self.started)
        self.end_headers()
        self.wfile.write(body)

    def _find(self, rel: str) -> Path | None:
        for root in self.roots:
            candidate = (root / rel).resolve()
            if candidate.is_file() and candidate.is_relative_to(root.resolve()):
                return candidate
        return None

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the demo prints its own progress."""


@contextmanager
def serve(roots: Sequence[Path]) -> Iterator[str]:
    """Serve ``roots`` (first match wins) on 127.0.0.1 at a free port; yield the base URL."""
    handler: type[_Handler] = type("DemoHandler", (_Handler,), {"roots": tuple(roots)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
