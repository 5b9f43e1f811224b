"""One build at a time in a show's folder (issue 13): a second refuses, naming the process that
holds the lock, or waits for it with --wait; a lock left by a killed build is no obstacle."""

from __future__ import annotations

import fcntl
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.engine import Store
from pipeline.errors import BuildLocked, PipelineError
from tests.conftest import REPO
from tests.scenarios.test_crash import KILLED, make_show, podcast, start

HOLD = """\
import sys, time
from pathlib import Path
from pipeline.engine import Store
with Store(Path(sys.argv[1])).lock():
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(root: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the show's build lock for `seconds`, as a running build does."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root / ".build"), str(seconds)], env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


@pytest.mark.timeout(60)  # a build that waits instead of refusing fails here, not after the suite's 10 minutes
def test_a_second_build_is_refused_with_the_holder_named(tmp_path: Path, no_whisper) -> None:
    root = make_show(tmp_path / "show")
    holder = hold_lock(root, 60)
    try:
        with pytest.raises(PipelineError, match=rf"another build is running in this folder \(process {holder.pid}, started .*--wait"):
            build(root)
        assert not (root / "public").exists()
    finally:
        holder.kill()
        holder.wait()
    report = build(root)  # the holder died by SIGKILL: the kernel released its lock
    assert report.ok and len(report.published) == 2
    assert (root / ".build" / "lock").read_text() == ""  # a build that ended names no holder


def test_build_wait_waits_for_the_other_build_to_end(tmp_path: Path, no_whisper, caplog: pytest.LogCaptureFixture) -> None:
    root = make_show(tmp_path / "show")
    holder = hold_lock(root, 1.5)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="pipeline.engine"):
        report = build(root, wait=True)
    assert holder.wait() == 0 and time.monotonic() - started > 1.0
    assert report.ok and len(report.published) == 2
    assert f"waiting for the other build (process {holder.pid}, started" in caplog.text


def test_a_killed_build_leaves_its_pid_but_no_lock(tmp_path: Path) -> None:
    """The lock file still names the dead build; the next one takes the lock and says who it is."""
    root = make_show(tmp_path / "show")
    build_process = start(root, crash_at="run@transcribe")
    build_process.communicate()
    assert build_process.returncode == KILLED
    assert (root / ".build" / "lock").read_text().startswith(f"process {build_process.pid}, started ")
    again = podcast(root)
    assert again.returncode == 0, again.stderr
    assert "another build" not in again.stderr


def test_the_cli_refusal_says_which_process_and_exits_1(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show")
    holder = hold_lock(root, 60)
    try:
        done = podcast(root)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert done.returncode == 1
    assert f"Error: another build is running in this folder (process {holder.pid}, started" in done.stderr
    assert str(root / ".build" / "lock") in done.stderr


def test_podcast_build_wait_waits_for_the_other_build(tmp_path: Path, no_whisper, caplog: pytest.LogCaptureFixture) -> None:
    """README, "Commands": `podcast build --wait` "waits for another build running in the folder
    to end instead of refusing" (the command line, not only build(wait=True))."""
    from click.testing import CliRunner

    from pipeline.cli import cli

    root = make_show(tmp_path / "show")
    holder = hold_lock(root, 1.5)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="pipeline.engine"):
        result = CliRunner().invoke(cli, ["build", "--wait", "--root", str(root)], catch_exceptions=False)
    assert holder.wait() == 0 and time.monotonic() - started > 1.0
    assert result.exit_code == 0, result.output
    assert "2 episode(s) published" in result.output
    assert f"waiting for the other build (process {holder.pid}, started" in caplog.text
    assert (root / "public" / "feed.xml").is_file()


def test_the_refusal_quotes_the_holder_line_whole(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with store.lock():
        line = (tmp_path / "lock").read_text()
        assert re.fullmatch(rf"process {os.getpid()}, started \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\n", line)
        with pytest.raises(BuildLocked) as caught, store.lock():
            pass
    assert str(caught.value) == (
        f"another build is running in this folder ({line.strip()}; lock: {tmp_path / 'lock'}): wait for it to end, or run 'podcast build --wait'"
    )


def test_a_holder_that_wrote_no_line_is_an_unknown_process(tmp_path: Path) -> None:
    with (tmp_path / "lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # held, its line not written yet
        with pytest.raises(BuildLocked, match=r"^another build is running in this folder \(process unknown; lock: "), Store(tmp_path).lock():
            pass


def test_a_lock_that_waits_takes_it_once_the_holder_lets_go(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """BuildLock itself, two holders in one process (flock locks an open file, not a process)."""
    import threading

    from pipeline.engine import BuildLock

    path = tmp_path / "lock"
    first = Store(tmp_path).lock()
    assert first.wait is False and Store(tmp_path).lock(wait=True).wait is True and BuildLock(path).wait is False
    first.__enter__()
    line = path.read_text(encoding="utf-8")
    assert re.fullmatch(rf"process {os.getpid()}, started \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\n", line)
    took = threading.Event()

    def second() -> None:
        with BuildLock(path, wait=True):
            took.set()

    with caplog.at_level(logging.WARNING, logger="pipeline.engine"):
        waiting = threading.Thread(target=second, daemon=True)  # a lock never let go must not hang the run
        waiting.start()
        time.sleep(0.5)
        assert not took.is_set()
        assert caplog.messages == [f"waiting for the other build ({line.strip()}) to end (lock: {path})"]
        first.__exit__(None, None, None)
        waiting.join(5)
    assert took.is_set()
    assert path.read_text(encoding="utf-8") == ""  # the last holder's line cleared as it let go


def test_a_lock_read_outside_its_with_block_says_so(tmp_path: Path) -> None:
    from pipeline.engine import BuildLock

    with pytest.raises(RuntimeError) as caught:
        BuildLock(tmp_path / "lock").holder()
    assert str(caught.value) == f"{tmp_path / 'lock'}: the build lock is used outside its `with` block"


def test_the_lock_file_is_read_and_written_by_its_owner_read_by_others(tmp_path: Path) -> None:
    from pipeline.engine import BuildLock

    mask = os.umask(0o022)
    try:
        with BuildLock(tmp_path / "lock"):
            pass
    finally:
        os.umask(mask)
    assert (tmp_path / "lock").stat().st_mode & 0o777 == 0o644


def test_a_full_disk_as_the_lock_is_let_go_leaves_its_line_and_lets_go_all_the_same(tmp_path: Path, monkeypatch) -> None:
    import errno

    from pipeline.engine import BuildLock

    lock = BuildLock(tmp_path / "lock")
    lock.__enter__()
    line = (tmp_path / "lock").read_text(encoding="utf-8")

    def full(text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(lock, "_write", full)
    lock.__exit__(None, None, None)
    assert (tmp_path / "lock").read_text(encoding="utf-8") == line
    with BuildLock(tmp_path / "lock"):  # not held any more
        pass


def test_the_holder_line_gives_the_local_time_it_started(tmp_path: Path, monkeypatch) -> None:
    from pipeline.engine import BuildLock

    monkeypatch.setattr(time, "localtime", lambda *seconds: time.struct_time((2026, 12, 7, 21, 5, 9, 0, 341, 0)))
    with BuildLock(tmp_path / "lock"):
        assert (tmp_path / "lock").read_text(encoding="utf-8") == f"process {os.getpid()}, started 2026-12-07 21:05:09\n"
