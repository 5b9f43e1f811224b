"""The preview server answers byte ranges, so players can seek in the MP3."""

from __future__ import annotations

import socket
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.conftest import serving


@pytest.fixture
def site(tmp_path):
    (tmp_path / "audio").mkdir()
    body = bytes(range(256)) * 40
    (tmp_path / "audio" / "a.mp3").write_bytes(body)
    (tmp_path / "audio" / "long.mp3").write_bytes(bytes(range(251)) * 1000)  # 251 kB: several reads of 64 KiB
    with serving(tmp_path) as url:
        yield url + "audio/a.mp3", body


def get(url, byte_range=None, method="GET"):
    request = urllib.request.Request(url, headers={"Range": byte_range} if byte_range else {}, method=method)
    with urllib.request.urlopen(request) as response:
        return response.status, response.headers, response.read()


def raw(url, byte_range=None, method="GET"):
    """Everything the server sends until it closes (HTTP/1.0), not just the bytes it announced:
    a client reads Content-Length bytes and would never see what comes after."""
    parts = urllib.parse.urlsplit(url)
    asked = f"Range: {byte_range}\r\n" if byte_range else ""
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(f"{method} {parts.path} HTTP/1.0\r\n{asked}\r\n".encode())
        received = b""
        while chunk := connection.recv(1 << 16):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return head.decode("latin-1"), body


def test_whole_file_says_it_accepts_ranges(site):
    url, body = site
    status, headers, data = get(url)
    assert status == 200 and data == body and headers["Accept-Ranges"] == "bytes"
    assert headers["Content-type"] == "audio/mpeg"


def test_range(site):
    url, body = site
    status, headers, data = get(url, "bytes=1000-1999")
    assert status == 206 and data == body[1000:2000]
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(body)}"


def test_open_and_suffix_ranges(site):
    url, body = site
    assert get(url, "bytes=10000-")[2] == body[10000:]
    assert get(url, "bytes=-100")[2] == body[-100:]


@pytest.mark.parametrize("past", [0, 5])
def test_unsatisfiable_range(site, past):
    # The last byte is size - 1: a range starting at the size itself is past the file.
    url, body = site
    with pytest.raises(urllib.error.HTTPError) as error:
        get(url, f"bytes={len(body) + past}-")
    assert error.value.code == 416 and error.value.headers["Content-Range"] == f"bytes */{len(body)}"


def test_range_ending_past_the_file_is_cut_at_its_end(site):
    """RFC 9110 §14.1.2: a last position past the end means the end; Safari asks for such ranges."""
    url, body = site
    assert len(body) == 10240
    status, headers, data = get(url, "bytes=10000-20000")
    assert status == 206 and data == body[10000:]
    assert headers["Content-Range"] == "bytes 10000-10239/10240"
    assert headers["Content-Length"] == "240"


def test_a_range_response_sends_exactly_the_range(site):
    url, body = site
    head, sent = raw(url, "bytes=1000-1999")
    assert head.startswith("HTTP/1.0 206") and sent == body[1000:2000]
    long = bytes(range(251)) * 1000
    for first, last in ((0, 65536), (10, 65546), (1000, 200_000), (0, len(long) - 1)):  # across 64 KiB reads
        head, sent = raw(url.replace("a.mp3", "long.mp3"), f"bytes={first}-{last}")
        assert sent == long[first : last + 1], (first, last)


def test_range_response_headers(site):
    url, body = site
    status, headers, data = get(url, "bytes=5-5")  # one byte
    assert status == 206 and data == body[5:6] and headers["Content-Range"] == f"bytes 5-5/{len(body)}"
    assert headers["Content-Type"] == "audio/mpeg" and headers.get_all("Accept-Ranges") == ["bytes"]


def test_suffix_longer_than_the_file_is_the_whole_file(site):
    url, body = site
    status, headers, data = get(url, "bytes=-20000")
    assert status == 206 and data == body and headers["Content-Range"] == f"bytes 0-10239/{len(body)}"


def test_reversed_range_is_refused_and_says_the_size(site):
    url, body = site
    with pytest.raises(urllib.error.HTTPError) as error:
        get(url, "bytes=500-100")
    assert error.value.code == 416 and error.value.headers["Content-Range"] == f"bytes */{len(body)}"


@pytest.mark.parametrize("byte_range", ["bytes=abc", "items=0-10", "bytes=-", "bytes=0-10,20-30"])
def test_a_range_it_does_not_read_gets_the_whole_file(site, byte_range):
    url, body = site
    status, headers, data = get(url, byte_range)
    assert status == 200 and data == body


def test_head_says_it_accepts_ranges(site):
    url, body = site
    status, headers, data = get(url, method="HEAD")
    assert status == 200 and data == b"" and headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Length"] == str(len(body))


def test_the_site_s_files_with_their_types_and_its_404_page(tmp_path):
    (tmp_path / "people" / "zoe").mkdir(parents=True)
    (tmp_path / "people" / "zoe" / "index.html").write_text("<h1>Zoé</h1>", encoding="utf-8")
    (tmp_path / "404.html").write_text("<h1>Page introuvable</h1>", encoding="utf-8")
    for name in ("player.js", "style.css", "sitemap.xml", "robots.txt", "transcript.vtt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    with serving(tmp_path) as base:
        types = {
            name: urllib.request.urlopen(base + name).headers["Content-Type"]
            for name in ("player.js", "style.css", "sitemap.xml", "robots.txt", "transcript.vtt")
        }
        assert types == {
            "player.js": "text/javascript",
            "style.css": "text/css",
            "sitemap.xml": "application/xml",
            "robots.txt": "text/plain",
            "transcript.vtt": "text/vtt",
        }
        assert urllib.request.urlopen(base + "people/zoe/").read().decode() == "<h1>Zoé</h1>"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "nulle/part/")
        assert missing.value.code == 404 and b"Page introuvable" in missing.value.read()


def test_the_404_page_is_utf8_html_with_its_length_and_a_head_gets_no_body(tmp_path):
    page = "<h1>Page introuvable</h1>"
    (tmp_path / "404.html").write_text(page, encoding="utf-8")
    with serving(tmp_path) as base:
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "nulle/part/")
        assert missing.value.headers["Content-Type"] == "text/html; charset=utf-8"
        assert missing.value.headers["Content-Length"] == str(len(page.encode()))
        # What a HEAD gets on the wire: the headers and nothing after (a client would stop reading anyway).
        head, body = raw(base + "nulle/part/", method="HEAD")
        assert head.startswith("HTTP/1.0 404 ") and body == b""
        # Another error is the server's own page, not the site's 404.
        with pytest.raises(urllib.error.HTTPError) as other:
            urllib.request.urlopen(urllib.request.Request(base + "index.html", data=b"x", method="POST"))
        assert other.value.code == 501 and b"Page introuvable" not in other.value.read()
        # http.server's words for either, on the status line, as it sends them without the site's page.
        assert other.value.reason == "Unsupported method ('POST')" and missing.value.reason == "File not found"
