"""The preview server answers byte ranges, so players can seek in the MP3."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest

from pipeline.serve import server


@pytest.fixture
def site(tmp_path):
    (tmp_path / "audio").mkdir()
    body = bytes(range(256)) * 40
    (tmp_path / "audio" / "a.mp3").write_bytes(body)
    preview = server(tmp_path, 0)
    threading.Thread(target=preview.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{preview.server_address[1]}/audio/a.mp3", body
    preview.shutdown()
    preview.server_close()


def get(url, byte_range=None):
    request = urllib.request.Request(url, headers={"Range": byte_range} if byte_range else {})
    with urllib.request.urlopen(request) as response:
        return response.status, dict(response.headers), response.read()


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


def test_unsatisfiable_range(site):
    url, body = site
    with pytest.raises(urllib.error.HTTPError) as error:
        get(url, f"bytes={len(body) + 5}-")
    assert error.value.code == 416


def test_range_ending_past_the_file_is_cut_at_its_end(site):
    """RFC 9110 §14.1.2: a last position past the end means the end; Safari asks for such ranges."""
    url, body = site
    assert len(body) == 10240
    status, headers, data = get(url, "bytes=10000-20000")
    assert status == 206 and data == body[10000:]
    assert headers["Content-Range"] == "bytes 10000-10239/10240"
    assert headers["Content-Length"] == "240"
