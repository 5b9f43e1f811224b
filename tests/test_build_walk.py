"""The walk through an episode's stages (build.py), with stand-in stages that write a line of text:
which stages run, in which order, what stops the walk, what the gate is asked and what a bad
episode folder reports. The real stages' builds are in test_build.py."""

from __future__ import annotations

from dataclasses import make_dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline import build
from pipeline.build import EPISODE_STAGES, EpisodeState, Failure, Run, _close, _episode_pass, _open
from pipeline.config import load_show
from pipeline.engine import Outcome, Stage, State, Store
from pipeline.errors import StageError
from pipeline.jobs import EpisodeJob, Paths, Resources
from tests.conftest import new_show


class Writes(Stage):
    """Writes its name into the episode's cache; `fails` makes it refuse, as a stage does a bad input.
    Each has a result type of its own, as the real stages do (an episode's results are kept by type)."""

    version = 1

    def __init__(self, name: str, fails: bool = False) -> None:
        self.name = name  # type: ignore[misc]
        self.result = make_dataclass(f"Wrote_{name}", [("stage", str), ("path", Path)], frozen=True)  # type: ignore[misc]
        self.fails = fails
        self.runs = 0

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {"text": job.cache / f"{self.name}.txt"}

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> object:
        self.runs += 1
        out["text"].write_text(self.name)
        if self.fails:
            raise StageError(f"{self.name}: the recording is silent")
        return self.result(self.name, out["text"])


class Told:
    """A progress callback that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, scope, stage, state, outcome) -> None:
        self.calls.append((scope, stage, state, outcome))


@pytest.fixture
def job(tmp_path: Path) -> EpisodeJob:
    root = new_show(tmp_path / "show")
    folder = root / "episodes" / "001-coworking"
    folder.mkdir()
    (folder / "episode.toml").write_text('title = "Le coworking"\npublished = 2026-01-05\n', encoding="utf-8")
    (folder / "enregistrement.wav").write_bytes(b"")  # never read: the stages here are stand-ins
    show = load_show(root)
    return EpisodeJob(show=show, episode=build.read_episode(folder, show), paths=Paths(root), resources=Resources())


@pytest.fixture
def store(job: EpisodeJob) -> Store:
    return Store(job.paths.build)


@pytest.fixture
def gate(monkeypatch):
    """The publish gate's two questions, answered by the test and remembered with their arguments."""
    asked: dict[str, list] = {"hold_reasons": [], "feed_hold": []}
    answers = {"hold_reasons": [], "feed_hold": []}

    def hold_reasons(*args):
        asked["hold_reasons"].append(args)
        return list(answers["hold_reasons"])

    def feed_hold(*args):
        asked["feed_hold"].append(args)
        return list(answers["feed_hold"])

    monkeypatch.setattr(build, "hold_reasons", hold_reasons)
    monkeypatch.setattr(build, "feed_hold", feed_hold)
    return asked, answers


def everything(stage: Stage) -> bool:
    return True


def test_the_walk_runs_each_stage_in_order_and_hands_its_result_on(job, store, gate):
    stages = (Writes("first"), Writes("second"), Writes("tag"))
    told = Told()
    state = EpisodeState("001-coworking")
    assert _episode_pass(job, store, state, everything, False, told, stages) is True
    assert state.states == {"first": State.RAN, "second": State.RAN, "tag": State.RAN}
    assert [result.stage for result in job.results] == ["first", "second", "tag"]
    assert [(c[0], c[1], c[2]) for c in told.calls] == [
        ("001-coworking", "first", State.STARTED),
        ("001-coworking", "first", State.RAN),
        ("001-coworking", "second", State.STARTED),
        ("001-coworking", "second", State.RAN),
        ("001-coworking", "tag", State.STARTED),
        ("001-coworking", "tag", State.RAN),
    ]
    assert state.failure is None and state.note is None and state.held == []


def test_may_run_is_asked_about_each_stage_and_a_stage_it_refuses_is_only_checked(job, store, gate):
    stages = (Writes("first"), Writes("second"))
    asked: list[str] = []

    def only_first(stage: Stage) -> bool:
        asked.append(stage.name)
        return stage.name == "first"

    state = EpisodeState("001-coworking")
    assert _episode_pass(job, store, state, only_first, False, None, stages) is False
    assert asked == ["first", "second"]
    assert state.states == {"first": State.RAN, "second": State.STALE}
    assert (stages[0].runs, stages[1].runs) == (1, 0)
    assert state.failure is None


def test_a_second_walk_finds_the_stages_fresh_unless_forced(job, store, gate):
    stages = (Writes("first"), Writes("second"))
    _episode_pass(job, store, EpisodeState("001-coworking"), everything, False, None, stages)
    again = EpisodeState("001-coworking")
    assert _episode_pass(job, store, again, everything, False, None, stages) is True
    assert again.states == {"first": State.FRESH, "second": State.FRESH}
    assert (stages[0].runs, stages[1].runs) == (1, 1)
    forced = EpisodeState("001-coworking")
    assert _episode_pass(job, store, forced, everything, True, None, stages) is True
    assert forced.states == {"first": State.RAN, "second": State.RAN}
    assert (stages[0].runs, stages[1].runs) == (2, 2)


def test_a_stage_that_fails_stops_the_walk_and_names_itself(job, store, gate):
    stages = (Writes("first"), Writes("second", fails=True), Writes("third"))
    told = Told()
    state = EpisodeState("001-coworking")
    assert _episode_pass(job, store, state, everything, False, told, stages) is False
    assert state.failure == Failure("001-coworking", "second", "second: the recording is silent")
    assert state.states == {"first": State.RAN, "second": State.FAILED}
    assert stages[2].runs == 0
    assert told.calls[-1][:3] == ("001-coworking", "second", State.FAILED)
    assert told.calls[-1][3].error == "second: the recording is silent"


def test_the_gate_is_asked_once_before_publishing_with_what_the_stages_made(job, store, gate):
    asked, _ = gate
    stages = (Writes("first"), Writes("second"), Writes("tag"))
    _episode_pass(job, store, EpisodeState("001-coworking"), everything, False, None, stages)
    assert len(asked["hold_reasons"]) == 1 and len(asked["feed_hold"]) == 1
    show, episode, results, hashes = asked["hold_reasons"][0]
    assert (show, episode, results, hashes) == (job.show, job.episode, job.results, store.hashes)
    assert hashes is store.hashes
    cache, show, episode, results, hashes = asked["feed_hold"][0]
    assert (cache, show, episode) == (job.cache, job.show, job.episode)
    assert results is job.results and hashes is store.hashes


def test_an_episode_the_gate_holds_is_walked_up_to_publishing_and_not_published(job, store, gate):
    _, answers = gate
    answers["hold_reasons"] = ["loudness: -19.2 LUFS, 3.2 LU from the aim"]
    answers["feed_hold"] = ["the feed's enclosure: no length"]
    stages = (Writes("first"), Writes("tag"))
    state = EpisodeState("001-coworking")
    assert _episode_pass(job, store, state, everything, False, None, stages) is True
    assert state.held == ["loudness: -19.2 LUFS, 3.2 LU from the aim", "the feed's enclosure: no length"]
    assert state.note == State.HELD
    assert state.states == {"first": State.RAN, "tag": State.HELD}
    assert stages[1].runs == 0


@pytest.mark.parametrize("which", ["hold_reasons", "feed_hold"])
def test_either_of_the_gate_s_reasons_alone_holds(job, store, gate, which):
    _, answers = gate
    answers[which] = ["a reason"]
    state = EpisodeState("001-coworking")
    _episode_pass(job, store, state, everything, False, None, (Writes("tag"),))
    assert state.held == ["a reason"] and state.states == {"tag": State.HELD}


def test_a_draft_skips_publishing_without_asking_the_gate(job, store, gate):
    asked, _ = gate
    stages = (Writes("first"), Writes("tag"))
    state = EpisodeState("001-coworking", note=State.DRAFT)
    assert _episode_pass(job, store, state, everything, False, None, stages) is True
    assert state.states == {"first": State.RAN, "tag": State.DRAFT}
    assert asked["hold_reasons"] == [] and stages[1].runs == 0


def test_a_folder_without_episode_toml_fails_as_config_and_says_so(tmp_path):
    root = new_show(tmp_path / "show")
    folder = root / "episodes" / "002-portage"
    folder.mkdir()
    told = Told()
    run = Run(set(), None, False, False, told, datetime(2026, 12, 7, tzinfo=timezone.utc))
    state, job = _open(folder, load_show(root), Paths(root), Resources(), run)
    assert job is None
    message = f"{folder}: no episode.toml; create one with 'podcast new' or copy another episode's"
    assert state.failure == Failure("002-portage", "config", message)
    assert told.calls == [("002-portage", "config", State.FAILED, Outcome(State.FAILED, error=message))]


def test_close_marks_the_stages_the_walk_did_not_reach_as_waiting():
    state = EpisodeState("001-coworking", states={"normalise": State.RAN, "transcribe": State.FAILED})
    _close(state, None)
    assert list(state.states) == ["normalise", "transcribe", "diarize", "correct", "chapters", "quotes", "notes", "tag"]
    assert state.states["normalise"] == State.RAN and state.states["transcribe"] == State.FAILED
    assert all(state.states[s.name] == State.WAITING for s in EPISODE_STAGES[2:])
    assert state.ready is False


def test_may_run_follows_the_slugs_and_the_stage_named():
    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    first, tag = Writes("first"), Writes("tag")
    some = Run({"001-coworking"}, None, False, False, None, now)
    assert some.may_run("001-coworking")(first) is True
    assert some.may_run("002-portage")(first) is False
    only_tag = Run(set(), "tag", False, False, None, now)
    assert only_tag.may_run("002-portage")(tag) is True
    assert only_tag.may_run("002-portage")(first) is False
    assert Run(set(), None, False, True, None, now).may_run("001-coworking")(first) is False


def episode_state(root: Path, slug: str, approved: bool = False) -> EpisodeState:
    folder = root / "episodes" / slug
    folder.mkdir(parents=True)
    (folder / "episode.toml").write_text(f'title = "{slug}"\npublished = 2026-01-05\napproved = {str(approved).lower()}\n', encoding="utf-8")
    (folder / "enregistrement.wav").write_bytes(b"")
    show = load_show(root)
    return EpisodeState(slug, states={"tag": State.RAN}, episode=build.read_episode(folder, show), ready=True)


def test_the_linter_s_errors_hold_their_episode_unless_approved(tmp_path):
    from pipeline.feed.lint import Finding
    from pipeline.host.gate import FEED_HOLD
    from pipeline.layout import PublicLayout

    root = new_show(tmp_path / "show")
    held, approved, clean, failed = (episode_state(root, s, approved=s == "002-ok") for s in ("001-ko", "002-ok", "003-propre", "004-rate"))
    failed.ready = False
    show = load_show(root)
    layout = PublicLayout(show)
    guid = layout.episode_guid
    report = build.BuildReport(
        episodes=[held, approved, clean, failed],
        findings=[
            Finding("error", "001-ko", "enclosure", "no length", guid("001-ko")),
            Finding("warning", "001-ko", "itunes:image", "small", guid("001-ko")),  # a warning holds nothing
            Finding("error", "002-ok", "enclosure", "no length", guid("002-ok")),
            Finding("error", "004-rate", "enclosure", "no length", guid("004-rate")),
        ],
    )
    store = Store(root / ".build")
    assert build.hold_unfit(report, layout, Paths(root), show, store.hashes) is True
    assert (held.held, held.note, held.ready, held.states["tag"]) == (["the feed's enclosure: no length"], State.HELD, False, State.HELD)
    assert (root / ".build" / "episodes" / "001-ko" / FEED_HOLD).is_file()
    for kept in (approved, clean):
        assert (kept.held, kept.note, kept.ready, kept.states["tag"]) == ([], None, True, State.RAN)
    assert failed.held == [] and not (root / ".build" / "episodes" / "004-rate" / FEED_HOLD).exists()
    assert build.hold_unfit(build.BuildReport(episodes=[clean], findings=report.findings), layout, Paths(root), show, store.hashes) is False


def test_prune_removes_what_is_no_longer_published_and_keeps_the_rest(tmp_path):
    from pipeline.layout import PublicLayout
    from pipeline.results import Published, Results, Tagged

    root = new_show(tmp_path / "show")
    state = episode_state(root, "001-a")
    public = root / "public"
    files = {
        name: public / name
        for name in ("audio/001-a.mp3", "audio/001-a.m4a", "audio/002-gone.mp3", "episodes/002-gone/index.html", "people/x/index.html", "feed.xml")
    }
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    results = Results()
    results.add(Tagged(files["audio/001-a.mp3"], 1, files["audio/001-a.m4a"], 1))
    build.prune(PublicLayout(load_show(root)), Store(root / ".build"), [Published(state.episode, results)])
    left = sorted(str(p.relative_to(public)) for p in public.rglob("*"))
    # The site stage's own outputs are kept by its record (none here): its pages go with the rest.
    assert left == ["audio", "audio/001-a.m4a", "audio/001-a.mp3", "episodes", "feed.xml", "people"]  # emptied folders go, not the roots


def test_a_stop_ends_the_build_before_the_next_stage_starts_and_not_otherwise():
    import threading

    from pipeline.build import Stopped, _stoppable

    told, stop = [], threading.Event()
    progress = _stoppable(lambda *said: told.append(said), stop)
    ran = Outcome(State.RAN)
    progress("episodes/001-a", "normalise", State.RAN, ran)
    stop.set()
    progress("episodes/001-a", "normalise", State.FRESH, ran)  # a stage done or skipped: told, not stopped
    with pytest.raises(Stopped) as stopped:
        progress("episodes/001-a", "transcribe", State.STARTED, None)
    assert str(stopped.value) == "stopped before transcribe of episodes/001-a"
    assert told == [("episodes/001-a", "normalise", State.RAN, ran), ("episodes/001-a", "normalise", State.FRESH, ran)]
    _stoppable(None, threading.Event())("show", "feed", State.STARTED, None)  # no progress line asked for
