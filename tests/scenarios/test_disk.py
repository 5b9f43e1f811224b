"""A full disk or a read-only output folder (issue 13): the build stops with a clear error
(exit status 1, the path, the cause in plain words), public/ stays as the last build left it,
and no temporary is left behind.

We run as root, which permission bits do not stop. A full disk is made two ways: a file-size
limit (RLIMIT_FSIZE: the kernel refuses writes past it with EFBIG), which any machine allows, and
a small tmpfs filled up (ENOSPC), which needs a private mount namespace (`unshare`). Read-only
is a read-only bind mount in one. The mount variants are skipped, saying why, where mounting
is refused.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.audio import ffmpeg
from pipeline.engine import Stage, State, Store, run_stage
from pipeline.errors import AudioDecodeError, StorageError
from pipeline.files import TEMP_MARK
from tests.conftest import REPO
from tests.scenarios.test_crash import SLUGS, built, edit, files, make_show, podcast, temporaries

MP3_BYTES = 120_000  # an episode's tagged MP3 (4 s and the 1400 px cover): larger than any other file written


def file_size_limit(size: int):
    """For preexec_fn: writes past `size` bytes fail with EFBIG (not the SIGXFSZ that would kill)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return apply


def published_then_edited(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = make_show(tmp_path / "show")
    built(root)
    before = files(root / "public")
    assert any(name.endswith(".mp3") and (root / "public" / name).stat().st_size > MP3_BYTES // 2 for name in before)
    edit(root)
    return root, before


def assert_refused_and_untouched(root: Path, done: subprocess.CompletedProcess, before: dict[str, str], *words: str) -> None:
    assert done.returncode == 1, done.stderr
    message = done.stderr.lower()
    assert "traceback" not in message, done.stderr
    assert any(word in message for word in words), done.stderr
    assert "what was published before is unchanged" in message
    assert TEMP_MARK not in message  # the file a host knows is named, not a temporary
    assert files(root / "public") == before
    assert temporaries(root) == []


def test_a_file_size_limit_stops_the_build_and_leaves_public_as_it_was(tmp_path: Path) -> None:
    root, before = published_then_edited(tmp_path)
    done = podcast(root, preexec_fn=file_size_limit(MP3_BYTES // 4))
    assert_refused_and_untouched(root, done, before, "no space")
    mp3 = root / "public" / "audio" / f"{SLUGS[1]}.mp3"
    assert str(mp3) in done.stderr  # the file the host knows, not its hidden temporary
    built(root)  # room again: the edit is published
    assert "titre corrigé" in (root / "public" / "feed.xml").read_text(encoding="utf-8")


def mounts_refused(folder: Path) -> str | None:
    """Why private mounts cannot be made here, or None when they can."""
    if not shutil.which("unshare"):
        return "no unshare(1) on this machine"
    folder.mkdir(exist_ok=True)
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", f"mount -t tmpfs -o size=1m tmpfs '{folder}'"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        return f"private mounts are refused here ({probe.stderr.strip() or probe.returncode})"
    return None


def in_private_mounts(script: str, **variables: Path) -> subprocess.CompletedProcess:
    """Run a shell script in a mount namespace of its own: its mounts vanish with it, whatever happens."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PODCAST_FAKE_WHISPER": "1", "PY": sys.executable, **{name: str(value) for name, value in variables.items()}}
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "bash", "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True, timeout=300
    )


def test_a_full_disk_stops_the_build_and_leaves_public_as_it_was(tmp_path: Path) -> None:
    reason = mounts_refused(tmp_path / "probe")
    if reason:
        pytest.skip(reason)
    show = make_show(tmp_path / "show")  # built on the small disk below
    edited = make_show(tmp_path / "edited")
    edit(edited)
    out = tmp_path / "out"
    out.mkdir()
    disk = tmp_path / "disk"
    disk.mkdir()
    script = """\
        set -e
        mount -t tmpfs -o size=16m tmpfs "$DISK"
        cp -a "$SHOW" "$DISK/show"
        "$PY" -m tests.crash_runner build --root "$DISK/show"
        cp -a "$DISK/show/public" "$OUT/before"
        cp "$EDITED" "$DISK/show/episodes/002-deux/episode.toml"
        dd if=/dev/zero of="$DISK/filler" bs=64k 2>/dev/null || true  # the disk full to the last page
        truncate -s -32K "$DISK/filler"  # room for the small files, not for an MP3
        set +e
        "$PY" -m tests.crash_runner build --root "$DISK/show" 2> "$OUT/stderr"
        echo $? > "$OUT/status"
        cp -a "$DISK/show/public" "$OUT/after"
        find "$DISK/show" -name "*.tmp-*" > "$OUT/temporaries"
    """
    ran = in_private_mounts(script, DISK=disk, SHOW=show, OUT=out, EDITED=edited / "episodes" / SLUGS[1] / "episode.toml")
    assert ran.returncode == 0, ran.stderr
    stderr = (out / "stderr").read_text()
    assert int((out / "status").read_text()) == 1, stderr
    assert "no space left on the disk (disk full)" in stderr and f"{disk}/show/" in stderr
    assert "traceback" not in stderr.lower()
    assert files(out / "after") == files(out / "before")
    assert (out / "temporaries").read_text() == ""


def test_ffmpeg_on_a_full_disk_stops_the_build_naming_the_folder(tmp_path: Path) -> None:
    """Levelling a minute of audio on a disk with room for the recording only: ffmpeg's write fails."""
    reason = mounts_refused(tmp_path / "probe")
    if reason:
        pytest.skip(reason)
    show = make_show(tmp_path / "show", seconds=60)  # two recordings of 5.3 MB
    disk = tmp_path / "disk"
    disk.mkdir()
    script = """\
        set -e
        mount -t tmpfs -o size=12m tmpfs "$DISK"
        cp -a "$SHOW" "$DISK/show"
        set +e
        "$PY" -m tests.crash_runner build --root "$DISK/show" 2> "$OUT/stderr"
        echo $? > "$OUT/status"
        find "$DISK/show" -name "*.tmp-*" > "$OUT/temporaries"
    """
    ran = in_private_mounts(script, DISK=disk, SHOW=show, OUT=tmp_path)
    assert ran.returncode == 0, ran.stderr
    stderr = (tmp_path / "stderr").read_text()
    assert int((tmp_path / "status").read_text()) == 1, stderr
    assert f"Error: {disk}/show/.build/episodes/" in stderr and "no space left on the disk (disk full)" in stderr
    assert (tmp_path / "temporaries").read_text() == ""


@pytest.mark.parametrize("read_only", ["public", "."], ids=["public", "whole-show"])
def test_a_read_only_output_stops_the_build_and_leaves_public_as_it_was(tmp_path: Path, read_only: str) -> None:
    reason = mounts_refused(tmp_path / "probe")
    if reason:
        pytest.skip(reason)
    root, before = published_then_edited(tmp_path)
    script = """\
        set -e
        mount --bind "$FOLDER" "$FOLDER"
        mount -o remount,bind,ro "$FOLDER"
        set +e
        "$PY" -m tests.crash_runner build --root "$ROOT" 2> "$OUT"
        echo $? >> "$OUT.status"
    """
    out = tmp_path / "stderr"
    ran = in_private_mounts(script, ROOT=root, FOLDER=(root / read_only).resolve(), OUT=out)
    assert ran.returncode == 0, ran.stderr
    done = subprocess.CompletedProcess([], int(Path(f"{out}.status").read_text()), "", out.read_text())
    assert_refused_and_untouched(root, done, before, "read-only")
    assert str(root) in done.stderr
    built(root)


class Writes(Stage):
    """A stage whose write fails with `error` (an errno) after writing part of its output."""

    name = "writes"
    version = 1
    result = dict

    def __init__(self, error: int) -> None:
        self.error = error

    def outputs(self, job: Path) -> dict[str, Path]:
        return {"page": job}

    def run(self, job: Path, out: dict[str, Path]) -> dict:
        out["page"].write_text("half")
        raise OSError(self.error, os.strerror(self.error), str(out["page"]))


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (errno.ENOSPC, "no space left on the disk (disk full)"),
        (errno.EDQUOT, "disk quota exceeded"),
        (errno.EFBIG, "no space for it"),
        (errno.EROFS, "the file system is read-only"),
    ],
)
def test_a_disk_error_in_a_stage_stops_the_build_naming_the_file(tmp_path: Path, error: int, words: str) -> None:
    store = Store(tmp_path / ".build")
    page = tmp_path / "public" / "index.html"
    page.parent.mkdir()
    page.write_text("published")
    with pytest.raises(StorageError) as raised:
        run_stage(Writes(error), page, store, "show")
    assert str(raised.value).startswith(f"{page}: cannot write: {words}")  # the page, not its temporary
    assert page.read_text() == "published" and temporaries(tmp_path) == []
    assert store.failure("show", "writes") is None  # the disk's fault, not these inputs': nothing recorded


def test_a_permission_denied_fails_the_stage_only(tmp_path: Path) -> None:
    store = Store(tmp_path / ".build")
    outcome = run_stage(Writes(errno.EACCES), tmp_path / "page.html", store, "show")
    assert outcome.state == State.FAILED
    assert outcome.error == f"stage writes: {tmp_path / 'page.html'}: permission denied; let this user read and write it, then build again"


@pytest.mark.parametrize(
    "line", ["[out#0/mp3 @ 0x5581] Error writing trailer: No space left on device", "Error opening output file /x/.levelled.mp3.tmp-12: Read-only file system"]
)
def test_ffmpeg_out_of_room_is_the_disk_not_the_recording(tmp_path: Path, line: str) -> None:
    output = tmp_path / f".levelled.mp3{TEMP_MARK}12"
    error = ffmpeg._failed(tmp_path / "enregistrement.wav", f"some log\n{line}\n", ["-i", "in.wav", str(output)])
    assert isinstance(error, StorageError)
    assert str(error).startswith(f"{tmp_path}: cannot write: ")
    other = ffmpeg._failed(tmp_path / "enregistrement.wav", "Invalid data found when processing input", [str(output)])
    assert isinstance(other, AudioDecodeError)


def test_ffmpeg_out_of_room_names_the_folder_it_writes(tmp_path: Path) -> None:
    output = tmp_path / "work" / "decoded.wav"
    error = ffmpeg._failed(tmp_path / "jingle.mp3", "x: No space left on device", ["-i", str(tmp_path / "jingle.mp3"), str(output)])
    assert str(error).startswith(f"{output.parent}: cannot write: no space left on the disk (disk full)")
