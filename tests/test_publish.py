"""`podcast publish --to DIR`: order of the passes, only changed files, stale files removed, atomic copies."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from pipeline import publish as publish_module
from pipeline.cli import cli
from pipeline.config import load_show
from pipeline.layout import PublicLayout
from pipeline.publish import publish

FILES = {
    "audio/001-a.mp3": b"mp3 one",
    "audio/002-b.mp3": b"mp3 two",
    "episodes/001-a/index.html": b"<p>a</p>",
    "episodes/001-a/transcript.vtt": b"WEBVTT",
    "index.html": b"<p>home</p>",
    "style.css": b"body{}",
    "feed.xml": b"<rss/>",
}


def _public(show_root: Path, files: dict[str, bytes] = FILES) -> PublicLayout:
    layout = PublicLayout(load_show(show_root))
    for relative, data in files.items():
        layout.file(relative).parent.mkdir(parents=True, exist_ok=True)
        layout.file(relative).write_bytes(data)
    return layout


def test_audio_first_then_pages_then_the_feed(show_root, tmp_path, monkeypatch):
    layout = _public(show_root)
    order: list[str] = []
    real = publish_module.copy_file
    monkeypatch.setattr(publish_module, "copy_file", lambda s, t: (order.append(t.relative_to(tmp_path / "www").as_posix()), real(s, t)))
    publish(layout, tmp_path / "www")
    assert sorted(order) == sorted(FILES)
    audio = [i for i, r in enumerate(order) if r.endswith(".mp3")]
    pages = [i for i, r in enumerate(order) if not r.endswith(".mp3") and r != "feed.xml"]
    assert max(audio) < min(pages) and order[-1] == "feed.xml"
    for relative, data in FILES.items():
        assert (tmp_path / "www" / relative).read_bytes() == data


def test_a_second_publish_copies_only_what_changed(show_root, tmp_path):
    layout = _public(show_root)
    www = tmp_path / "www"
    publish(layout, www)
    again = publish(layout, www)
    assert again.copied == [] and again.removed == [] and again.unchanged == len(FILES)
    layout.file("index.html").write_bytes(b"<p>home, again</p>")  # same name, other bytes
    os.utime(layout.file("style.css"), (0, 0))  # other mtime, same bytes: not copied
    assert publish(layout, www).copied == ["index.html"]


def test_files_gone_from_public_are_removed_after_the_feed(show_root, tmp_path, monkeypatch):
    layout = _public(show_root)
    www = tmp_path / "www"
    publish(layout, www)
    layout.file("audio/002-b.mp3").unlink()
    layout.file("feed.xml").write_bytes(b"<rss>without b</rss>")
    seen_at_feed: list[bool] = []
    real = publish_module.copy_file

    def copy(source, target):
        if target.name == "feed.xml":
            seen_at_feed.append((www / "audio/002-b.mp3").exists())
        real(source, target)

    monkeypatch.setattr(publish_module, "copy_file", copy)
    done = publish(layout, www)
    assert seen_at_feed == [True]  # the old feed still named it while the new one was on its way
    assert done.removed == ["audio/002-b.mp3"] and not (www / "audio/002-b.mp3").exists()


def test_a_copy_is_never_seen_half_written(show_root, tmp_path, monkeypatch):
    layout = _public(show_root)
    www = tmp_path / "www"
    publish(layout, www)
    layout.file("audio/001-a.mp3").write_bytes(b"a new, longer mp3")

    def failing(source, destination):  # the disk fills half-way through the copy
        Path(destination).write_bytes(b"a new")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish_module.shutil, "copyfile", failing)
    result = CliRunner().invoke(cli, ["publish", "--to", str(www), "--root", str(show_root)])
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert (www / "audio/001-a.mp3").read_bytes() == b"mp3 one"
    assert sorted(p.name for p in (www / "audio").iterdir()) == ["001-a.mp3", "002-b.mp3"]  # no temporary left


def test_publish_command(show_root, tmp_path):
    _public(show_root)
    result = CliRunner().invoke(cli, ["publish", "--to", str(tmp_path / "www"), "--root", str(show_root)], catch_exceptions=False)
    assert result.exit_code == 0 and f"{len(FILES)} file(s) copied" in result.output
    inside = CliRunner().invoke(cli, ["publish", "--to", str(show_root / "public" / "www"), "--root", str(show_root)])
    assert inside.exit_code == 1 and "outside" in inside.output
