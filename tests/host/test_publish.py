"""`podcast publish --to DIR`: order of the passes, only changed files, stale files removed, atomic copies."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.host import publish as publish_module
from pipeline.cli import cli
from pipeline.config import load_show
from pipeline.layout import PublicLayout
from pipeline.errors import PipelineError
from pipeline.host.publish import is_remote, publish, publish_to

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


# To a server, with the system's rsync (a folder with --rsync; a `host:path` through a stand-in for ssh).


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else {}


def test_rsync_passes_run_in_order_and_delete_last(show_root, tmp_path, monkeypatch):
    layout = _public(show_root)
    www = tmp_path / "www"
    publish_to(layout, str(www), rsync=True)
    layout.file("audio/002-b.mp3").unlink()
    layout.file("audio/003-c.mp3").write_bytes(b"mp3 three")
    layout.file("episodes/001-a/index.html").write_bytes(b"<p>a, with c</p>")
    layout.file("feed.xml").write_bytes(b"<rss>a and c</rss>")
    seen: list[tuple[str, dict[str, bytes]]] = []  # what the web root held as each rsync began
    real = publish_module._run_rsync
    monkeypatch.setattr(
        publish_module, "_run_rsync", lambda rsync, args, files, about: (seen.append((about, _snapshot(www))), real(rsync, args, files, about))[1]
    )
    done = publish_to(layout, str(www), rsync=True)
    assert [about for about, _ in seen] == ["the audio pass", "the pages pass", "the feed pass", "the pass that deletes"]
    assert done.copied == ["audio/003-c.mp3", "episodes/001-a/index.html", "feed.xml"]  # in that order, nothing unchanged
    at_pages, at_feed, at_delete = (held for _, held in seen[1:])
    assert "audio/003-c.mp3" in at_pages and at_pages["feed.xml"] == b"<rss/>"  # the new MP3 before the page naming it
    assert at_feed["episodes/001-a/index.html"] == b"<p>a, with c</p>" and at_feed["feed.xml"] == b"<rss/>"
    assert at_delete["feed.xml"] == b"<rss>a and c</rss>" and "audio/002-b.mp3" in at_delete  # the old MP3 while the old feed was up
    assert done.removed == ["audio/002-b.mp3"] and _snapshot(www) == _snapshot(layout.root)


def test_rsync_copies_only_what_changed_by_checksum(show_root, tmp_path):
    layout = _public(show_root)
    www = tmp_path / "www"
    first = publish_to(layout, str(www), rsync=True)
    assert sorted(first.copied) == sorted(FILES) and first.unchanged == 0
    again = publish_to(layout, str(www), rsync=True)
    assert again.copied == [] and again.removed == [] and again.unchanged == len(FILES)
    os.utime(layout.file("style.css"), (0, 0))  # other mtime, same bytes: not copied
    mtime = layout.file("index.html").stat().st_mtime
    layout.file("index.html").write_bytes(b"<p>HOME</p>")  # other bytes, same size and mtime: copied
    os.utime(layout.file("index.html"), (mtime, mtime))
    assert publish_to(layout, str(www), rsync=True).copied == ["index.html"]
    assert (www / "index.html").read_bytes() == b"<p>HOME</p>"
    assert [p.name for p in www.rglob("*") if p.name.startswith(".")] == []  # no partial file or .~tmp~ left


@pytest.fixture
def fake_ssh(tmp_path, monkeypatch) -> Path:
    """RSYNC_RSH standing in for ssh: runs the remote rsync here, so `host:path` is tested without a network."""
    rsh = tmp_path / "fake-ssh"
    rsh.write_text('#!/bin/sh\n# called as: fake-ssh [-l user] host rsync --server ...\n[ "$1" = "-l" ] && shift 2\nshift\nexec "$@"\n')
    rsh.chmod(0o755)
    monkeypatch.setenv("RSYNC_RSH", str(rsh))
    return rsh


def test_rsync_to_a_server(show_root, tmp_path, fake_ssh):
    layout = _public(show_root)
    www = tmp_path / "www"
    www.mkdir()
    result = CliRunner().invoke(cli, ["publish", "--to", f"camille@example.org:{www}", "--root", str(show_root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"{len(FILES)} file(s) copied, 0 unchanged, 0 removed" in result.output
    assert _snapshot(www) == FILES
    again = publish_to(layout, f"example.org:{www}")
    assert again.copied == [] and again.unchanged == len(FILES)


@pytest.mark.parametrize(
    "destination, remote",
    [
        ("user@host:/var/www", True),
        ("host:www", True),
        ("host::module/www", True),
        ("rsync://host/module", True),
        ("/var/www", False),
        ("www", False),
        ("./a:b", False),
        ("/srv/a:b", False),
        ("./a:b/site", False),  # a colon in a middle part: still a folder
        ("/srv/a:b/site", False),
    ],
)
def test_what_rsync_reads_as_a_server(destination, remote):
    assert is_remote(destination) is remote


def test_rsync_missing_or_failing_says_what_to_do(show_root, tmp_path, monkeypatch):
    _public(show_root)
    monkeypatch.setattr(publish_module.shutil, "which", lambda name: None)
    result = CliRunner().invoke(cli, ["publish", "--to", "host:/var/www", "--root", str(show_root)])
    assert result.exit_code == 1 and "rsync is not installed" in result.output and "apt-get install rsync" in result.output
    monkeypatch.undo()
    refused = tmp_path / "refused-ssh"
    refused.write_text("#!/bin/sh\necho 'ssh: connect to host nowhere port 22: Connection refused' >&2\nexit 255\n")
    refused.chmod(0o755)
    monkeypatch.setenv("RSYNC_RSH", str(refused))
    result = CliRunner().invoke(cli, ["publish", "--to", "nowhere:/var/www", "--root", str(show_root)])
    assert result.exit_code == 1 and "rsync failed in the audio pass" in result.output
    assert "Connection refused" in result.output


def test_a_failing_rsync_shows_the_last_ten_lines_of_its_complaint(show_root, tmp_path, monkeypatch):
    # ssh and rsync say why at the end, after their warnings: that end is what the host needs.
    layout = _public(show_root)
    talkative = tmp_path / "talkative-ssh"
    talkative.write_text('#!/bin/sh\nfor i in $(seq 1 14); do echo "warning $i" >&2; done\necho "Permission denied (publickey)." >&2\nexit 255\n')
    talkative.chmod(0o755)
    monkeypatch.setenv("RSYNC_RSH", str(talkative))
    with pytest.raises(PipelineError) as caught:
        publish_to(layout, "nowhere:/var/www")
    # The last ten lines: ssh's reason after its warnings, then rsync's own two lines.
    shown = str(caught.value).splitlines()
    assert shown[0].startswith("nowhere:/var/www/: rsync failed in the audio pass (exit status ")
    assert shown[1:9] == [*(f"warning {i}" for i in range(8, 15)), "Permission denied (publickey)."]
    assert len(shown) == 11 and shown[10].startswith("rsync error: ")


def test_same_size_and_mtime_other_bytes_is_copied(show_root, tmp_path):
    """README: a file is copied when its size or its SHA-256 differs; mtimes are not compared.
    Same size, same mtime, other bytes: only the hash tells, and it is copied."""
    layout = _public(show_root)
    www = tmp_path / "www"
    publish(layout, www)
    source, target = layout.file("index.html"), www / "index.html"
    os.utime(target, (1_000_000, 1_000_000))
    source.write_bytes(b"<p>HOME</p>")  # as many bytes as "<p>home</p>"
    os.utime(source, (1_000_000, 1_000_000))
    assert source.stat().st_size == target.stat().st_size and source.stat().st_mtime == target.stat().st_mtime
    done = publish(layout, www)
    assert done.copied == ["index.html"] and done.unchanged == len(FILES) - 1
    assert target.read_bytes() == b"<p>HOME</p>"


def test_same_bytes_other_mtime_is_not_copied_and_other_size_is(show_root, tmp_path):
    """Other mtimes and the same bytes: nothing copied; a file one byte longer: copied."""
    layout = _public(show_root)
    www = tmp_path / "www"
    publish(layout, www)
    for path in www.rglob("*"):
        if path.is_file():
            os.utime(path, (0, 0))
    assert publish(layout, www).copied == []
    layout.file("style.css").write_bytes(b"body{} ")
    assert publish(layout, www).copied == ["style.css"]


@pytest.mark.parametrize("name", ["public2", "public-www", "publi"])
def test_a_web_root_beside_public_whose_name_starts_alike_is_outside(show_root, tmp_path, name):
    """DIR must be outside public/: a sibling such as public2/ shares public's name as a string
    prefix, not as a folder, and is a web root like any other."""
    layout = _public(show_root)
    done = publish(layout, show_root / name)
    assert sorted(done.copied) == sorted(FILES)
    assert (show_root / name / "feed.xml").read_bytes() == b"<rss/>"


@pytest.mark.parametrize("where", ["public", "public/www", "public/audio/www", ".", ".."])
def test_a_web_root_that_is_public_inside_it_or_holding_it_is_refused(show_root, where):
    """README: DIR must be outside public/ (and may not hold it: publishing would copy public/ into itself)."""
    from pipeline.errors import PipelineError

    layout = _public(show_root)
    with pytest.raises(PipelineError, match="the web root must be outside"):
        publish(layout, show_root / where)
    assert sorted(p.relative_to(layout.root).as_posix() for p in layout.root.rglob("*") if p.is_file()) == sorted(FILES)


def test_a_file_of_another_size_is_copied_without_reading_it(show_root, tmp_path, monkeypatch):
    """Sizes first, a cheap no: a file whose size changed (a re-encoded hour of MP3) is not hashed."""
    layout = _public(show_root)
    www = tmp_path / "www"
    publish(layout, www)
    layout.file("audio/001-a.mp3").write_bytes(b"mp3 one, longer")
    hashed: list[str] = []
    real = publish_module.file_sha256
    monkeypatch.setattr(publish_module, "file_sha256", lambda path: (hashed.append(Path(path).name), real(path))[1])
    assert publish(layout, www).copied == ["audio/001-a.mp3"]
    assert "001-a.mp3" not in hashed


# What a host would notice of rsync and of the copy, each pinned by an expected value (bench/mutation.md).

PAGES_AND_FEED = {relative: data for relative, data in FILES.items() if not relative.startswith("audio/")}


def test_a_public_without_audio_still_sends_its_pages_and_feed(show_root, tmp_path):
    """No episode has audio yet: the audio pass has nothing to send, and the pages and the feed go all the same."""
    layout = _public(show_root, PAGES_AND_FEED)
    www = tmp_path / "www"
    done = publish_to(layout, str(www), rsync=True)
    assert sorted(done.copied[:-1]) == ["episodes/001-a/index.html", "episodes/001-a/transcript.vtt", "index.html", "style.css"]
    assert done.copied[-1] == "feed.xml"
    assert _snapshot(www) == PAGES_AND_FEED


def test_a_name_with_a_space_is_listed_whole_by_rsync(show_root, tmp_path):
    """An artwork named "cover art.jpg": copied and, once gone from public/, removed under its whole name."""
    layout = _public(show_root, {**FILES, "images/cover art.jpg": b"jpeg"})
    www = tmp_path / "www"
    assert "images/cover art.jpg" in publish_to(layout, str(www), rsync=True).copied
    assert (www / "images" / "cover art.jpg").read_bytes() == b"jpeg"
    layout.file("images/cover art.jpg").unlink()
    done = publish_to(layout, str(www), rsync=True)
    assert done.copied == [] and done.removed == ["images/cover art.jpg"]
    assert not (www / "images" / "cover art.jpg").exists()


def test_rsync_lists_the_files_of_a_removed_folder_not_the_folder(show_root, tmp_path):
    """An episode gone from public/: its page and transcript are removed, and the folder with them,
    which is not a file removed."""
    layout = _public(show_root)
    www = tmp_path / "www"
    publish_to(layout, str(www), rsync=True)
    for name in ("index.html", "transcript.vtt"):
        layout.file(f"episodes/001-a/{name}").unlink()
    layout.file("episodes/001-a").rmdir()
    done = publish_to(layout, str(www), rsync=True)
    assert sorted(done.removed) == ["episodes/001-a/index.html", "episodes/001-a/transcript.vtt"]
    assert not (www / "episodes" / "001-a").exists()


def test_a_stale_folder_holding_only_an_empty_folder_is_removed(show_root, tmp_path):
    """An episode whose only file lay one folder deeper (episodes/002-b/images/cover.jpg): once it
    is gone from public/, neither episodes/002-b/images nor episodes/002-b is left behind, empty."""
    layout = _public(show_root, {**FILES, "episodes/002-b/images/cover.jpg": b"jpeg"})
    www = tmp_path / "www"
    publish(layout, www)
    layout.file("episodes/002-b/images/cover.jpg").unlink()
    layout.file("episodes/002-b/images").rmdir()
    layout.file("episodes/002-b").rmdir()
    assert publish(layout, www).removed == ["episodes/002-b/images/cover.jpg"]
    assert sorted(p.name for p in (www / "episodes").iterdir()) == ["001-a"]


def test_rsync_to_a_folder_whose_parent_is_not_there_yet(show_root, tmp_path):
    """README: the web root is "a folder (created if missing)", with --rsync too, parents and all."""
    layout = _public(show_root)
    www = tmp_path / "mnt" / "share" / "www"
    done = publish_to(layout, str(www), rsync=True)
    assert sorted(done.copied) == sorted(FILES) and _snapshot(www) == FILES


def test_a_web_root_that_cannot_be_made_is_named(show_root, tmp_path):
    """--rsync to a folder under a file: the message names the folder and why."""
    _public(show_root)
    (tmp_path / "share").write_bytes(b"a file, not a folder")
    www = tmp_path / "share" / "www"
    result = CliRunner().invoke(cli, ["publish", "--to", str(www), "--rsync", "--root", str(show_root)])
    assert result.exit_code == 1
    assert f"{www}: could not make the web root there: " in result.output


def test_publishing_before_any_build_says_to_build(show_root, tmp_path):
    result = CliRunner().invoke(cli, ["publish", "--to", str(tmp_path / "www"), "--root", str(show_root)])
    assert result.exit_code == 1
    assert f"{(show_root / 'public').resolve()}: nothing to publish yet; run 'podcast build' first" in result.output
    assert not (tmp_path / "www").exists()


def test_a_failing_rsync_names_the_server_and_ends_with_what_it_said(show_root, tmp_path, monkeypatch):
    """README: "If rsync fails, the message ends with what it said": the destination first, then
    its last lines, one a line, even when the server answers in Latin-1 rather than UTF-8."""
    _public(show_root)
    refused = tmp_path / "refused-ssh"
    refused.write_bytes(b"#!/bin/sh\nprintf 'ssh: nowhere: Connexion refus\\351e\\nssh: second line\\n' >&2\nexit 255\n")
    refused.chmod(0o755)
    monkeypatch.setenv("RSYNC_RSH", str(refused))
    result = CliRunner().invoke(cli, ["publish", "--to", "nowhere:/var/www", "--root", str(show_root)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert "nowhere:/var/www/: rsync failed in the audio pass (exit status " in result.output
    assert "ssh: nowhere: Connexion refus\ufffde\nssh: second line\n" in result.output
