"""`podcast watch` piece by piece: which folders are followed and how, which files a scope holds,
and the loop with a build that only records what it was asked (no stage runs), so each runs in
well under a second."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from watchdog.observers.polling import PollingObserver

from pipeline.build import BuildReport
from pipeline.errors import PipelineError
from pipeline.host import watch
from pipeline.host.watch import WHOLE_SHOW, Schedule, Watcher


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


def test_a_show_on_a_network_share_is_polled_and_the_host_told_why(show, monkeypatch):
    monkeypatch.setattr(watch, "on_network_share", lambda path: True)
    said: list[str] = []
    observer = Watcher(show, say=said.append).start_observer()
    observer.stop()
    assert isinstance(observer, PollingObserver)
    assert said == [f"{show / 'episodes'} is on a network share, where others' writes raise no file event here: polling it"]


def test_polling_asked_for_says_nothing_of_a_network_share(show):
    said: list[str] = []
    observer = Watcher(show, polling=True, say=said.append).start_observer()
    observer.stop()
    assert isinstance(observer, PollingObserver)
    assert said == []


def test_without_file_events_left_the_show_is_polled_and_the_host_told_why(show, monkeypatch):
    monkeypatch.setattr(watch, "Observer", lambda: Recording(fails=OSError(24, "inotify instance limit reached")))
    said: list[str] = []
    observer = Watcher(show, say=said.append).start_observer()
    observer.stop()
    assert isinstance(observer, PollingObserver)
    assert said == [f"no file events ([Errno 24] inotify instance limit reached): polling {show / 'episodes'} instead"]


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
