"""`podcast watch`: when an episode is built (its files still), debouncing, errors, the lock, Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.audio import ffmpeg
from pipeline.build import Stopped, build
from pipeline.engine import Store
from pipeline.host.watch import WHOLE_SHOW, Plan, Schedule, Watcher
from tests.conftest import REPO, SHOW_TOML, speechlike, write_wav

EPISODE = 'title = "Premier"\npublished = 2026-01-05\n'


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def grow(path: Path, data: bytes, mtime: float) -> None:
    """Append `data` to `path` and give it modification time `mtime`, as a copy in progress does."""
    with path.open("ab") as f:
        f.write(data)
    os.utime(path, (mtime, mtime))


# The schedule alone, on a clock of the test's: no waiting, no watchdog.


@pytest.mark.parametrize(
    "relative, scope",
    [
        ("podcast.toml", WHOLE_SHOW),
        ("artwork.png", WHOLE_SHOW),
        ("templates/episode.html", WHOLE_SHOW),
        ("assets/jingles/intro.wav", WHOLE_SHOW),
        ("assets/__pycache__/x.pyc", None),
        ("episodes/001-a/episode.toml", "001-a"),
        ("episodes/001-a/enregistrement.wav", "001-a"),
        ("episodes/001-a", "001-a"),
        ("episodes/001-a/.enregistrement.wav.Xy12ab", None),  # rsync's partial copy, renamed when whole
        ("episodes/001-a/.episode.toml.swp", None),
        ("episodes/001-a/episode.toml~", None),
        ("episodes/_brouillons/x.wav", None),  # set aside, as the build sets it aside
        ("episodes", None),
        ("public/feed.xml", None),  # what builds write must not make builds
        (".build/episodes/001-a/normalise.json", None),
    ],
)
def test_which_build_a_change_calls_for(tmp_path, relative, scope):
    assert Schedule(tmp_path).scope_of(tmp_path / relative) == scope
    assert Schedule(tmp_path).scope_of(tmp_path.parent / "elsewhere.toml") is None


def test_an_episode_is_built_once_its_files_stay_unchanged_for_the_window(show_root):
    clock = Clock()
    schedule = Schedule(show_root, settle=5, clock=clock)
    folder = show_root / "episodes" / "001-a"
    folder.mkdir()
    (folder / "a.wav").write_bytes(b"x" * 10)
    assert schedule.changed("001-a") is True
    clock.advance(4.9)
    assert schedule.due() is None
    clock.advance(0.1)
    assert schedule.due() == Plan(("001-a",))
    assert schedule.pending == {} and schedule.due() is None  # built once, not again


def test_a_copy_that_grows_without_events_is_waited_for(show_root):
    """A network share raises no event for another machine's writes: sizes and mtimes tell."""
    clock = Clock()
    schedule = Schedule(show_root, settle=5, clock=clock)
    folder = show_root / "episodes" / "001-a"
    folder.mkdir()
    recording = folder / "a.wav"
    recording.write_bytes(b"x")
    schedule.changed("001-a")  # the only event
    for second in range(1, 13):  # a byte a second for 12 s, with no event
        clock.advance(1)
        grow(recording, b"x", mtime=1_700_000_000 + second)
        assert schedule.due() is None, f"built while the copy was still going ({second} s)"
    clock.advance(4.9)
    assert schedule.due() is None  # unchanged for less than the window since the last growth
    clock.advance(0.1)
    assert schedule.due() == Plan(("001-a",))


def test_a_burst_of_events_makes_one_build(show_root):
    clock = Clock()
    schedule = Schedule(show_root, settle=5, clock=clock)
    (show_root / "episodes" / "001-a").mkdir()
    started = [schedule.changed("001-a") for _ in range(3)]
    for _ in range(300):  # 300 events over 3 s
        clock.advance(0.01)
        schedule.changed("001-a")
        assert schedule.due() is None
    assert started == [True, False, False]
    plans = []
    for _ in range(100):
        clock.advance(0.1)
        plans.append(schedule.due())
    assert [p for p in plans if p] == [Plan(("001-a",))]


def test_episodes_due_together_are_built_together(show_root):
    clock = Clock()
    schedule = Schedule(show_root, settle=5, clock=clock)
    for slug in ("002-b", "001-a"):
        (show_root / "episodes" / slug).mkdir()
        schedule.changed(slug)
    clock.advance(5)
    assert schedule.due() == Plan(("001-a", "002-b"))


def test_the_whole_show_waits_for_an_episode_still_copying_and_covers_it(show_root):
    clock = Clock()
    schedule = Schedule(show_root, settle=5, clock=clock)
    folder = show_root / "episodes" / "001-a"
    folder.mkdir()
    (folder / "a.wav").write_bytes(b"x")
    schedule.changed("001-a")
    schedule.changed(WHOLE_SHOW)  # podcast.toml edited meanwhile
    for second in range(1, 8):
        clock.advance(1)
        grow(folder / "a.wav", b"x", mtime=1_700_000_000 + second)
        assert schedule.due() is None
    clock.advance(6)
    assert schedule.due() == Plan()  # everything, that episode included
    assert schedule.pending == {}


def test_a_removed_episode_rebuilds_everything(show_root):
    """build() takes a removed episode out of public/ only when it builds everything."""
    clock = Clock()
    schedule = Schedule(show_root, settle=5, clock=clock)
    schedule.changed("001-gone")
    clock.advance(5)
    assert schedule.due() == Plan()


def test_a_locked_build_is_tried_again_after_the_delay(show_root):
    clock = Clock()
    schedule = Schedule(show_root, settle=5, clock=clock)
    (show_root / "episodes" / "001-a").mkdir()
    schedule.retry(Plan(("001-a",)), after=2)
    clock.advance(1.9)
    assert schedule.due() is None
    clock.advance(0.1)
    assert schedule.due() == Plan(("001-a",))


# A build asked to stop.


def test_a_stop_ends_the_build_between_two_stages(show_root, add_episode, no_whisper):
    add_episode("001-a", EPISODE)
    stop = threading.Event()
    started = []

    def progress(scope, stage, state, outcome):
        if state == "start":
            started.append(stage)
        if stage == "normalise" and state == "ran":
            stop.set()  # Ctrl-C while normalise runs

    report = build(show_root, progress=progress, stop=stop)
    assert report.stopped and report.failures == []
    assert started == ["normalise"]  # transcribe never started
    cache = show_root / ".build" / "episodes" / "001-a"
    assert (cache / "normalise.json").is_file() and not (cache / "transcribe.json").exists()
    assert not (cache / "normalise.failed.json").exists()
    assert [p for p in show_root.rglob("*") if ".tmp-" in p.name] == []
    assert not (show_root / "public" / "feed.xml").exists()  # the show stages did not run either
    again = build(show_root, progress=lambda *a: started.append(a[1]) if a[2] == "start" else None)
    assert again.ok and not again.stopped and "normalise" not in started[1:]  # goes on from there


def test_stopped_is_not_a_pipeline_error():
    """A stop must not be reported as a failed stage by the `except PipelineError` handlers."""
    from pipeline.errors import PipelineError

    assert not issubclass(Stopped, PipelineError)


# The watcher with a real watchdog observer, on files written in tmp_path.


class Running:
    """A Watcher in a thread of its own, with what it said and which stages started when."""

    def __init__(self, root: Path, settle: float = 1.0, polling: bool = False):
        self.lines: list[tuple[float, str]] = []
        self.started: list[tuple[float, str, str]] = []  # (time, episode, stage)
        self.watcher = Watcher(
            root, settle=settle, polling=polling, say=lambda line: self.lines.append((time.monotonic(), line)), build_options={"progress": self.progress}
        )
        self.thread = threading.Thread(target=self.watcher.run)

    def progress(self, scope, stage, state, outcome):
        if state == "start":
            self.started.append((time.monotonic(), scope, stage))

    def __enter__(self) -> "Running":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.watcher.stop()
        self.thread.join(30)
        assert not self.thread.is_alive()

    def wait_for(self, text: str, after: int = 0, timeout: float = 30) -> float:
        """When a line containing `text` was said (among the lines from number `after` on)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, line in self.lines[after:]:
                if text in line:
                    return at
            time.sleep(0.02)
        raise AssertionError(f"never said {text!r}; said: {[line for _, line in self.lines]}")


def wav_bytes(path: Path, seconds: float) -> bytes:
    write_wav(path, speechlike(seconds, -20, noise=0.0))
    data = path.read_bytes()
    path.unlink()
    return data


@pytest.mark.parametrize("polling", [False, True], ids=["events", "polling"])
def test_a_recording_copied_in_pieces_is_built_only_once_whole(show_root, add_episode, no_whisper, tmp_path, polling):
    add_episode("001-a", EPISODE)
    folder = show_root / "episodes" / "002-b"
    folder.mkdir()
    (folder / "episode.toml").write_text('title = "Second"\npublished = 2026-01-12\n', encoding="utf-8")
    recording = wav_bytes(tmp_path / "b.wav", seconds=6)
    with Running(show_root, settle=1.0, polling=polling) as running:
        running.wait_for("built the whole show")  # the first build, catching up
        seen = len(running.lines)
        pieces = [recording[i : i + len(recording) // 8] for i in range(0, len(recording), len(recording) // 8)]
        with (folder / "enregistrement.wav").open("wb") as copy:
            for piece in pieces[:-1]:  # 8 pieces 0.4 s apart: longer than the window in all, each pause shorter
                copy.write(piece)
                copy.flush()
                time.sleep(0.4)
            assert not [s for s in running.started if s[1] == "002-b"], "built a recording still being copied"
            copy.write(pieces[-1])
        copied = time.monotonic()
        building = running.wait_for("building 002-b", after=seen)
        running.wait_for("built 002-b", after=seen)
        time.sleep(1.5)  # a build set off by the build's own reads would start by now
    assert 0.9 <= building - copied < 3.0  # the window (less the instant between the last write and the clock read), plus a look or two
    assert [s[2] for s in running.started if s[1] == "002-b"].count("normalise") == 1  # one build for the whole burst
    published = show_root / "public" / "audio" / "002-b.mp3"
    assert ffmpeg.probe(published).duration == pytest.approx(6, abs=0.3)  # the whole recording, not half
    assert running.watcher.builds == 2  # its own reads of the recordings set off no build


def test_a_bad_episode_toml_is_reported_and_watching_goes_on(show_root, add_episode, no_whisper):
    folder = add_episode("001-a", EPISODE)
    with Running(show_root, settle=0.5) as running:
        running.wait_for("built the whole show")
        seen = len(running.lines)
        (folder / "episode.toml").write_text('title = "Premier\n', encoding="utf-8")  # unterminated string
        running.wait_for("built 001-a in", after=seen)
        assert "failed: 001-a" in running.lines[-1][1]
        seen = len(running.lines)
        (show_root / "podcast.toml").write_text("title = [", encoding="utf-8")
        running.wait_for("could not build the whole show", after=seen)
        assert "podcast.toml" in running.lines[-1][1]
        seen = len(running.lines)
        (show_root / "podcast.toml").write_text(SHOW_TOML, encoding="utf-8")
        (folder / "episode.toml").write_text('title = "Premier, corrigé"\npublished = 2026-01-05\n', encoding="utf-8")
        running.wait_for("built the whole show in", after=seen)
        assert running.lines[-1][1].endswith("1 episode(s) published")
    assert "Premier, corrigé" in (show_root / "public" / "feed.xml").read_text(encoding="utf-8")


def test_a_build_crashing_does_not_end_the_watch(show_root, add_episode, no_whisper, monkeypatch):
    from pipeline.host import watch

    folder = add_episode("001-a", EPISODE)
    calls = []

    def crashing(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return build(*args, **kwargs)

    monkeypatch.setattr(watch, "build", crashing)
    with Running(show_root, settle=0.5) as running:
        running.wait_for("could not build the whole show: RuntimeError: a bug")
        (folder / "corrections.toml").write_text('[replace]\n"a" = "b"\n', encoding="utf-8")
        running.wait_for("built 001-a in")
    assert len(calls) == 2


def test_a_running_build_is_waited_for(show_root, add_episode, no_whisper):
    add_episode("001-a", EPISODE)
    lock = Store(show_root / ".build").lock()
    lock.__enter__()  # a `podcast build` running
    try:
        with Running(show_root, settle=0.5) as running:
            running.wait_for("another build is running")
            assert "waiting for it to end, trying again every 2 s" in running.lines[-1][1]
            time.sleep(1)
            assert not (show_root / "public").exists()
            seen = len(running.lines)
            lock.__exit__()
            released = time.monotonic()
            retried = running.wait_for("building the whole show", after=seen)
            running.wait_for("built the whole show", after=seen)
    finally:
        if not lock.handle.closed:
            lock.__exit__()
    assert retried - released < 2.5  # tried again every 2 s
    assert (show_root / "public" / "audio" / "001-a.mp3").is_file()


def test_ctrl_c_stops_between_stages_and_exits_0(show_root, add_episode, tmp_path):
    """SIGINT to the whole process group, as a terminal's Ctrl-C: ffmpeg too gets it."""
    add_episode("001-short", EPISODE)
    recording = tmp_path / "long.wav"
    write_wav(recording, speechlike(90, -20, noise=0.0))
    script = (
        "import sys\n"
        "from tests.conftest import without_whisper\n"
        "from pipeline.cli import cli\n"
        "with without_whisper():\n"
        "    cli.main(sys.argv[1:], prog_name='podcast')\n"
    )
    command = [sys.executable, "-c", script, "watch", "--settle", "0.5", "--root", str(show_root)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    cache = show_root / ".build" / "episodes" / "002-long"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (show_root / "public" / "pagefind").is_dir():
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.05)
        # A whole build has run to its end, search index included (pagefind, ended by SIGTERM).
        assert (show_root / "public" / "pagefind").is_dir(), "the first build never ended"
        time.sleep(1)
        folder = show_root / "episodes" / "002-long"
        folder.mkdir()
        (folder / "episode.toml").write_text('title = "Long"\npublished = 2026-01-12\n', encoding="utf-8")
        shutil.copyfile(recording, folder / "long.wav")
        while time.monotonic() < deadline and not list(cache.glob(".levelled.mp3.tmp-*")):
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.05)
        assert process.poll() is None, "normalise ended before Ctrl-C"
        os.killpg(process.pid, signal.SIGINT)
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # the test failed: leave nothing of it running
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, out
    assert "SIGINT: stopping once the stage in progress is done" in out
    assert "episode(s) published" in out  # the first build, whole
    assert "stopped building 002-long between two stages" in out and "stopped after 2 build(s)" in out
    assert (cache / "normalise.json").is_file(), out  # the stage in progress was finished, not cut
    assert not (cache / "normalise.failed.json").exists()
    assert not (cache / "transcribe.json").exists()  # and none after it started
    assert [p for p in show_root.rglob("*") if ".tmp-" in p.name] == []
    assert "Long" not in (show_root / "public" / "feed.xml").read_text(encoding="utf-8")


def test_the_artwork_in_a_folder_of_its_own_is_followed(show_root, add_episode, no_whisper):
    """The bundled show keeps its artwork in assets/: a new one must reach public/."""
    add_episode("001-a", EPISODE)
    (show_root / "assets").mkdir()
    os.replace(show_root / "artwork.png", show_root / "assets" / "artwork.png")
    toml = show_root / "podcast.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('artwork = "artwork.png"', 'artwork = "assets/artwork.png"'), encoding="utf-8")
    with Running(show_root, settle=0.5) as running:
        running.wait_for("built the whole show")
        published = sorted((show_root / "public").rglob("artwork*"))
        before = {p: p.read_bytes() for p in published}
        seen = len(running.lines)
        from PIL import Image

        Image.new("RGB", (1400, 1400), (200, 30, 30)).save(show_root / "assets" / "artwork.png")
        running.wait_for("the show: assets/artwork.png changed", after=seen)
        running.wait_for("built the whole show", after=seen)
    assert published and any(p.read_bytes() != data for p, data in before.items())


def test_templates_made_after_the_start_are_followed(show_root, add_episode, no_whisper):
    add_episode("001-a", EPISODE)
    with Running(show_root, settle=0.5) as running:
        running.wait_for("built the whole show")
        seen = len(running.lines)
        (show_root / "templates").mkdir()
        (show_root / "templates" / "style.css").write_text("body { color: #111; }", encoding="utf-8")
        running.wait_for("built the whole show", after=seen)
        assert (show_root / "public" / "style.css").read_text(encoding="utf-8") == "body { color: #111; }"
        seen = len(running.lines)
        (show_root / "templates" / "style.css").write_text("body { color: #222; }", encoding="utf-8")
        running.wait_for("the show: templates/style.css changed", after=seen)
        running.wait_for("built the whole show", after=seen)
    assert (show_root / "public" / "style.css").read_text(encoding="utf-8") == "body { color: #222; }"


# The README's numbers ("Building as recordings arrive"), written here as the README gives them.


def test_the_window_is_5_s_by_default(show_root):
    """README: "for `--settle` seconds (5 by default)": built at 5 s of stillness, not at 4.99."""
    from pipeline.cli import cli

    clock = Clock()
    schedule = Schedule(show_root, clock=clock)  # the default window
    (show_root / "episodes" / "001-a").mkdir()
    schedule.changed("001-a")
    clock.advance(4.99)
    assert schedule.due() is None
    clock.advance(0.01)
    assert schedule.due() == Plan(("001-a",))
    [settle] = [option for option in cli.commands["watch"].params if option.name == "settle"]
    assert settle.default == 5  # `podcast watch` without --settle: the same 5 s


@pytest.mark.parametrize("settle", [5, 30])
def test_files_are_looked_at_every_second_while_an_episode_waits(show_root, settle):
    """README: "The files are looked at every second while an episode waits", with the default
    window and with `--settle 30`: a change no event reported is seen one second later."""
    clock = Clock()
    schedule = Schedule(show_root, settle=settle, clock=clock)
    assert schedule.wait() is None  # nothing waits: no looking, only events
    folder = show_root / "episodes" / "001-a"
    folder.mkdir()
    recording = folder / "a.wav"
    recording.write_bytes(b"x" * 100)
    schedule.changed("001-a")
    assert schedule.wait() == 1.0  # the loop comes back every second
    assert schedule.due() is None  # a look now
    os.utime(recording, (1_700_000_000, 1_700_000_000))  # another machine's write, no event
    clock.advance(1.0)
    assert schedule.due() is None
    assert schedule.pending["001-a"].since == clock.now  # seen at the next second's look
    clock.advance(settle - 0.01)
    assert schedule.due() is None
    clock.advance(0.01)
    assert schedule.due() == Plan(("001-a",))


def test_polling_looks_every_second(show_root):
    """README: "`--polling` looks every second instead"."""
    from watchdog.observers.polling import PollingObserver

    watcher = Watcher(show_root, polling=True, say=lambda line: None)
    observer = watcher.start_observer()
    try:
        assert isinstance(observer, PollingObserver) and observer.timeout == 1.0
    finally:
        observer.stop()
        observer.join()


def test_a_copy_that_keeps_its_size_and_changes_its_mtime_is_waited_for(show_root):
    """A preallocating copy over SMB writes the file at its full size first, then fills it in:
    only the modification time moves. README: built once no file "has changed size or
    modification time for `--settle` seconds"."""
    clock = Clock()
    schedule = Schedule(show_root, clock=clock)
    folder = show_root / "episodes" / "001-a"
    folder.mkdir()
    recording = folder / "a.wav"
    recording.write_bytes(bytes(1000))  # preallocated: its final size from the start
    os.utime(recording, (1_700_000_000, 1_700_000_000))
    schedule.changed("001-a")  # the only event
    for second in range(1, 13):  # filled in for 12 s: same size, a new mtime each second
        clock.advance(1)
        with recording.open("r+b") as f:
            f.seek(second * 10)
            f.write(b"y" * 10)
        os.utime(recording, (1_700_000_000 + second, 1_700_000_000 + second))
        assert recording.stat().st_size == 1000
        assert schedule.due() is None, f"built while the copy was still going ({second} s)"
    clock.advance(4.99)
    assert schedule.due() is None
    clock.advance(0.01)
    assert schedule.due() == Plan(("001-a",))


class Waiting:
    """A watcher that waits to be stopped, noting what it was told and what it saw."""

    def __init__(self, fails: BaseException | None = None) -> None:
        self.said: list[str] = []
        self.stopped = threading.Event()
        self.fails = fails
        self.blocked: set[signal.Signals] = set()

    def say(self, text: str) -> None:
        self.said.append(text)

    def stop(self) -> None:
        self.stopped.set()

    def run(self) -> None:
        self.blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
        if self.fails:
            raise self.fails
        assert self.stopped.wait(10)


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_the_watch_between_stages_and_the_handlers_come_back(number):
    from pipeline.host.watch import run_until_signalled

    before = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    watcher = Waiting()
    threading.Timer(0.3, os.kill, (os.getpid(), number)).start()
    run_until_signalled(watcher)
    assert watcher.stopped.is_set()
    assert watcher.said == [f"{number.name}: stopping once the stage in progress is done"]
    # The builds' ffmpeg processes, started from the watch's thread, inherit its block of SIGINT.
    assert signal.SIGINT in watcher.blocked and signal.SIGTERM not in watcher.blocked
    assert {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)} == before


def test_a_watch_that_crashes_raises_in_the_command():
    from pipeline.host.watch import run_until_signalled

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(OSError, match="disk full"):
        run_until_signalled(Waiting(fails=OSError("disk full")))
    assert signal.getsignal(signal.SIGINT) is before
