"""`podcast serve`: preview public/ on localhost, with the byte ranges players need to seek.

http.server answers every request with the whole file; a browser's <audio> then cannot jump
to a timestamp. Podcast hosts and CDNs honour `Range` (RFC 9110 §14), so the preview does too.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
from pathlib import Path

from ..layout import NOT_FOUND

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):
        wanted = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not wanted or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        match = _RANGE.match(wanted.strip())
        if not match or not any(match.groups()):
            return super().send_head()
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:  # "bytes=-N": the last N bytes
            start, end = max(size - int(last), 0), size - 1
        if start >= size or start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        f = path.open("rb")
        f.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self._remaining = end - start + 1
        return f

    def copyfile(self, source, outputfile) -> None:
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            return super().copyfile(source, outputfile)
        self._remaining = None
        while remaining > 0:
            chunk = source.read(min(remaining, 1 << 16))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The site's own 404 page, as static hosts serve it (its links are absolute, so it works at any path).
        page = Path(self.directory) / NOT_FOUND
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self) -> None:
        if self.command in ("GET", "HEAD") and "Range" not in self.headers:
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()


def server(public: Path, port: int, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    """A preview server for `public` (port 0 picks a free one); call `serve_forever` on it."""
    handler = functools.partial(PreviewHandler, directory=os.fspath(public))
    return http.server.ThreadingHTTPServer((host, port), handler)
