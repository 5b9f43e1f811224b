"""`podcast watch` piece by piece: which folders are followed and how, which files a scope holds,
and the loop with a build that only records what it was asked (no stage runs), so each runs in
well under a second."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Callable

import pytest
from watchdog.observers.polling import PollingObserver

from pipeline.build import BuildReport, Failure
from pipeline.errors import BuildLocked, ConfigError, PipelineError
from pipeline.host import watch
from pipeline.host.watch import WHOLE_SHOW, Plan, Schedule, Watcher


@pytest.fixture
def show(tmp_path: Path) -> Path:
    """A show folder as a host has it, with what no build reads beside it."""
    root = tmp_path / "show"
    for folder in ("episodes/premier", "episodes/second", "templates", "assets", "public", ".build", "__pycache__", "notes~"):
        (root / folder).mkdir(parents=True)
    for file in ("podcast.toml", "episodes/premier/voix.wav", "episodes/second/voix.wav", "templates/episode.html", "public/feed.xml"):
        (root / file).write_bytes(b"x")
    return root


def test_the_show_folders_are_templates_and_assets_not_episodes_nor_what_no_build_reads(show):
    assert Schedule(show).show_folders() == [show / "assets", show / "templates"]


def test_the_whole_show_holds_every_source_file_and_an_episode_only_its_own(show):
    schedule = Schedule(show)
    assert set(schedule.files(WHOLE_SHOW)) == {
        show / "podcast.toml",
        show / "templates/episode.html",
        show / "episodes/premier/voix.wav",
        show / "episodes/second/voix.wav",
    }
    assert set(schedule.files("premier")) == {show / "episodes/premier/voix.wav"}


class Listed(Schedule):
    """A schedule whose files come in the order the test gives."""

    def __init__(self, root: Path, listed: list[Path]):
        super().__init__(root)
        self.listed = listed

    def files(self, scope: str):
        return iter(self.listed)


def test_a_hidden_file_listed_first_does_not_hide_the_files_after_it(show):
    swap = show / "episodes/premier/.voix.wav.swp"
    swap.write_bytes(b"x")
    recording = show / "episodes/premier/voix.wav"
    signature = Listed(show, [swap, recording]).signature("premier")
    assert [path for path, _, _ in signature] == [str(recording)]


def test_a_file_removed_while_looked_at_does_not_hide_the_files_after_it(show):
    recording = show / "episodes/premier/voix.wav"
    signature = Listed(show, [show / "episodes/premier/gone.wav", recording]).signature("premier")
    assert [path for path, _, _ in signature] == [str(recording)]


class Recording:
    """An observer that records what it is asked to follow (watchdog's own would start a thread)."""

    def __init__(self, fails: OSError | None = None):
        self.followed: dict[str, bool] = {}
        self.handlers: set = set()
        self.filters: list = []
        self.fails = fails

    def schedule(self, handler, path, recursive=False, event_filter=None):
        self.followed[path] = recursive
        self.handlers.add(handler)
        self.filters.append(event_filter)

    def start(self):
        if self.fails:
            raise self.fails

    def stop(self):
        pass

    def join(self, timeout=None):
        pass


def test_a_local_show_is_followed_by_file_events_the_show_folder_alone_and_each_source_folder_deep(show, monkeypatch):
    observer = Recording()
    monkeypatch.setattr(watch, "Observer", lambda: observer)
    said: list[str] = []
    watcher = Watcher(show, say=said.append)
    assert watcher.start_observer() is observer
    assert observer.followed == {str(show): False, str(show / "episodes"): True, str(show / "assets"): True, str(show / "templates"): True}
    assert observer.handlers == {watcher.handler}
    assert said == []


def test_reading_a_recording_raises_no_event_and_writing_one_does(show, monkeypatch):
    # The build reads every recording: were opening or reading one an event, each build would
    # call for the next, forever.
    observer = Recording()
    monkeypatch.setattr(watch, "Observer", lambda: observer)
    Watcher(show).start_observer()
    for kinds in observer.filters:
        names = {kind.__name__ for kind in kinds}
        assert {"FileOpenedEvent", "FileClosedNoWriteEvent", "DirModifiedEvent"}.isdisjoint(names)
        assert {"FileCreatedEvent", "FileModifiedEvent", "FileClosedEvent", "FileMovedEvent", "FileDeletedEvent"} <= names


def polled(show: Path, **options) -> list[str]:
    """What the host is told when the watch starts by polling (it must poll)."""
    said: list[str] = []
    observer = Watcher(show, say=said.append, **options).start_observer()
    observer.stop()
    assert isinstance(observer, PollingObserver)
    return said


def test_a_show_on_a_network_share_is_polled_and_the_host_told_why(show, monkeypatch):
    monkeypatch.setattr(watch, "on_network_share", lambda path: True)
    assert polled(show) == [f"{show / 'episodes'} is on a network share, where others' writes raise no file event here: polling it"]


def test_polling_asked_for_says_nothing_of_a_network_share(show):
    assert polled(show, polling=True) == []


def test_without_file_events_left_the_show_is_polled_and_the_host_told_why(show, monkeypatch):
    monkeypatch.setattr(watch, "Observer", lambda: Recording(fails=OSError(24, "inotify instance limit reached")))
    assert polled(show) == [f"no file events ([Errno 24] inotify instance limit reached): polling {show / 'episodes'} instead"]


def test_a_folder_without_episodes_is_refused_with_its_name(tmp_path):
    with pytest.raises(PipelineError) as caught:
        Watcher(tmp_path).start_observer()
    assert str(caught.value) == f"{tmp_path / 'episodes'}: no such folder to watch; is {tmp_path} a show (podcast init)?"


def test_the_loop_builds_the_show_then_what_changed_with_the_options_given(show, monkeypatch):
    asked: list[tuple] = []

    def build(root, slugs, stop, **options):
        asked.append((root, slugs, options))
        return BuildReport(published=list(slugs))

    monkeypatch.setattr(watch, "build", build)
    said: list[str] = []
    reports: list[BuildReport] = []
    watcher = Watcher(show, settle=0.2, say=said.append, on_report=lambda report, seconds: reports.append(report), build_options={"progress": "bar"})
    thread = threading.Thread(target=watcher.run)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while len(asked) < 1 and time.monotonic() < deadline:  # the catch-up build of everything
            time.sleep(0.05)
        (show / "episodes/premier/voix.wav").write_bytes(b"xy")
        while len(asked) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        watcher.stop()
        thread.join(10)
    assert asked == [(show, (), {"progress": "bar"}), (show, ("premier",), {"progress": "bar"})]
    assert [report.published for report in reports] == [[], ["premier"]]
    assert said[0] == f"watching {show / 'episodes'} (file events); an episode is built once its files stay unchanged for 0.2 s"
    assert said[-1] == "stopped after 2 build(s)"


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export /mnt/nas nfs4 rw 0 0
tmpfs /mnt/nas/scratch tmpfs rw 0 0
//nas/podcast /mnt/smb\\040share cifs rw 0 0
tmpfs /mnt/over tmpfs rw 0 0
server:/over /mnt/over nfs rw 0 0
cut short
"""


@pytest.mark.parametrize(
    ("path", "network"),
    [
        ("/mnt/nas/show/episodes", True),  # under the NFS mount
        ("/mnt/nas/scratch/show", False),  # a local mount inside it: the longest mount point wins
        ("/mnt/smb share/show", True),  # "\\040" in /proc/self/mounts is a space
        ("/home/camille/show", False),
        ("/mnt/over/show", True),  # mounted twice: the last mount is the one the folder is on
    ],
)
def test_a_network_share_is_told_by_the_mount_holding_the_folder(monkeypatch, path, network):
    read = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: MOUNTS if str(self) == "/proc/self/mounts" else read(self, *a, **k))
    assert watch.on_network_share(Path(path)) is network


@pytest.mark.parametrize(
    "mounts",
    [
        "cut short\nserver:/root / nfs rw 0 0\n",  # a short line read on; a diskless machine's root over NFS, the shortest point
        "/dev/sda1 / ext4 rw 0 0\nserver:/show /home/camille nfs\n",  # only the three fields read
    ],
)
def test_a_network_root_and_a_line_of_three_fields(monkeypatch, mounts):
    read = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: mounts if str(self) == "/proc/self/mounts" else read(self, *a, **k))
    assert watch.on_network_share(Path("/home/camille/show")) is True


def test_without_proc_mounts_a_folder_is_taken_as_local(monkeypatch):
    def unreadable(self, *args, **kwargs):
        raise PermissionError("/proc/self/mounts")

    monkeypatch.setattr(Path, "read_text", unreadable)
    assert watch.on_network_share(Path("/mnt/nas/show")) is False


@pytest.fixture
def watcher(show, monkeypatch):
    said: list[str] = []
    watcher = Watcher(show, say=said.append)
    watcher.said = said
    retried: list[tuple[Plan, float]] = []
    monkeypatch.setattr(watcher.schedule, "retry", lambda plan, after: retried.append((plan, after)))
    watcher.retried = retried
    return watcher


def building(monkeypatch, outcome):
    def build(root, slugs, stop, **options):
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    monkeypatch.setattr(watch, "build", build)


def test_a_build_that_publishes_says_how_many(watcher, monkeypatch):
    building(monkeypatch, BuildReport(published=["001-a", "002-b"]))
    watcher._build(Plan(("001-a", "002-b")))
    assert watcher.said[0] == "building 001-a, 002-b"
    assert re.fullmatch(r"built 001-a, 002-b in \d+\.\d s: 2 episode\(s\) published", watcher.said[1])
    assert watcher.builds == 1


def test_a_build_that_fails_names_where(watcher, monkeypatch):
    failures = [Failure("002-b", "normalise", "x"), Failure("001-a", "transcribe", "y"), Failure("002-b", "tag", "z")]
    building(monkeypatch, BuildReport(failures=failures))
    watcher._build(Plan())
    assert watcher.said[0] == "building the whole show"
    assert re.fullmatch(r"built the whole show in \d+\.\d s: failed: 001-a, 002-b", watcher.said[1])


def test_a_locked_folder_is_tried_again_in_2_s(watcher, monkeypatch):
    building(monkeypatch, BuildLocked("another build (process 12)"))
    watcher._build(Plan(("001-a",)))
    assert watcher.said[1] == "another build is running in this folder: waiting for it to end, trying again every 2 s"
    assert watcher.retried == [(Plan(("001-a",)), 2.0)] and watcher.builds == 0


def test_an_unusable_show_or_a_crash_is_said_and_the_watch_goes_on(watcher, monkeypatch):
    building(monkeypatch, ConfigError("podcast.toml:3: 'title': missing"))
    watcher._build(Plan())
    building(monkeypatch, ZeroDivisionError("bug"))
    watcher._build(Plan(("001-a",)))
    assert watcher.said[1] == "could not build the whole show: podcast.toml:3: 'title': missing"
    assert watcher.said[3] == "could not build 001-a: ZeroDivisionError: bug (run 'podcast -v watch' for the traceback)"
    assert watcher.builds == 0


def test_a_stopped_build_says_it_goes_on_next_time(watcher, monkeypatch):
    building(monkeypatch, BuildReport(stopped=True))
    watcher._build(Plan(("001-a",)))
    assert re.fullmatch(r"stopped building 001-a between two stages \(\d+\.\d s\); the next build goes on from there", watcher.said[1])
    assert watcher.builds == 1


def test_a_folder_made_beside_podcast_toml_is_followed_and_said(watcher, show):
    observer = Recording()
    (show / "jingles").mkdir()
    watcher._saw(show / "jingles", observer)
    assert observer.followed == {str(show / "jingles"): True}
    assert watcher.said == ["the show: jingles changed; building once its files stay unchanged for 5 s"]
    watcher._saw(show / "episodes" / "premier" / "voix.wav", observer)
    assert watcher.said[1] == "premier: episodes/premier/voix.wav changed; building once its files stay unchanged for 5 s"
    watcher._saw(show / "episodes" / "premier" / "voix.wav", observer)  # already waiting: said once
    assert len(watcher.said) == 2 and observer.followed == {str(show / "jingles"): True}


def test_only_a_folder_made_beside_podcast_toml_is_followed_anew(watcher, show):
    """Episodes' folders are followed deep already, and a file is no folder to follow."""
    observer = Recording()
    (show / "episodes" / "troisieme").mkdir()
    watcher._saw(show / "episodes" / "troisieme", observer)
    watcher._saw(show / "podcast.toml", observer)
    assert observer.followed == {}


def test_a_build_can_be_stopped_and_its_time_is_reported(watcher, monkeypatch):
    stops: list = []
    reported: list[float] = []

    def build(root, slugs, stop, **options):
        stops.append(stop)
        time.sleep(0.3)
        return BuildReport(published=list(slugs))

    monkeypatch.setattr(watch, "build", build)
    watcher.on_report = lambda report, seconds: reported.append(seconds)
    watcher._build(Plan(("001-a",)))
    assert stops == [watcher.stopping]
    [seconds] = reported
    assert 0.3 <= seconds < 5
    watcher.on_report = None
    watcher._build(Plan(("001-a",)))
    assert 0.3 <= float(re.fullmatch(r"built 001-a in (\d+\.\d) s: 1 episode\(s\) published", watcher.said[-1]).group(1)) < 5


def test_files_are_looked_at_every_second_or_five_times_in_a_shorter_settle(tmp_path):
    """README: watch looks at the files every second while an episode is pending; a settle
    shorter than 5 s is looked at five times in it."""
    assert Schedule(tmp_path).tick == 1.0
    assert Schedule(tmp_path, settle=10).tick == 1.0
    assert Schedule(tmp_path, settle=0.2).tick == pytest.approx(0.04)


def running(watcher: Watcher, until: Callable[[], bool]) -> None:
    """Run the watch loop in a thread until `until()` holds (10 s at most), then stop it."""
    thread = threading.Thread(target=watcher.run)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not until() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        watcher.stop()
        thread.join(10)


def test_the_loop_follows_a_folder_made_while_it_runs(show, monkeypatch):
    observer = Recording()
    monkeypatch.setattr(watch, "Observer", lambda: observer)
    built: list = []
    monkeypatch.setattr(watch, "build", lambda root, slugs, stop, **options: built.append(slugs) or BuildReport())
    watcher = Watcher(show, settle=0.2)

    def made_and_followed() -> bool:
        if built and not (show / "jingles").exists():  # after the catch-up build
            (show / "jingles").mkdir()
            watcher.events.put(show / "jingles")  # as the observer's handler queues it
        return str(show / "jingles") in observer.followed

    running(watcher, made_and_followed)
    assert observer.followed[str(show / "jingles")] is True


def test_the_loop_says_it_polls_when_it_does(show, monkeypatch):
    built: list = []
    monkeypatch.setattr(watch, "build", lambda root, slugs, stop, **options: built.append(slugs) or BuildReport())
    said: list[str] = []
    running(Watcher(show, settle=0.2, polling=True, say=said.append), lambda: bool(built))
    assert said[0] == f"watching {show / 'episodes'} (polling); an episode is built once its files stay unchanged for 0.2 s"
