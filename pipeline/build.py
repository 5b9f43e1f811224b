"""Order the stages: per episode normalise → transcribe → diarize → correct → chapters → quotes → notes
→ tag, then feed, site and search.

One episode's failure is recorded and reported; the other episodes still build, and the feed
and the site list the episodes that are ready. The feed written is then linted (`feed/lint.py`): an
episode whose item has an error is held (gate.py) and the feed, site and search made again
without it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

from .config import EPISODE_FILE, load_episode, load_show
from .engine import Outcome, Stage, State, Store, check, checked, run_stage
from .errors import ConfigError, PipelineError, storage_error
from .feed.lint import LINTED, Finding, errors, lint_built
from .files import HashCache, clean_temporaries
from .host.gate import feed_hold, hold_reasons, save_feed_hold
from .jobs import EpisodeJob, Paths, Resources, ShowJob
from .layout import PublicLayout
from .records import Episode, Show
from .results import Published, Results, Tagged
from .speech.executors import Executor, Request
from .stages.chapters import Chapters
from .stages.corrections import Correct
from .stages.diarize import Diarize
from .stages.feed import Feed
from .stages.normalise import Normalise
from .stages.notes import Notes
from .stages.quotes import Quotes
from .stages.search import Search
from .stages.site import Site
from .stages.tag import Tag
from .stages.transcribe import Transcribe

logger = logging.getLogger(__name__)

EPISODE_STAGES: tuple[Stage, ...] = (Normalise(), Transcribe(), Diarize(), Correct(), Chapters(), Quotes(), Notes(), Tag())
SHOW_STAGES: tuple[Stage, ...] = (Feed(), Site(), Search())
STAGE_NAMES = tuple(s.name for s in EPISODE_STAGES + SHOW_STAGES)
PUBLISH_STAGES = {"tag"}  # what drafts, scheduled and held episodes skip: nothing of theirs lands in public/
SHOW_SCOPE = "show"


class Stopped(Exception):
    """A stop was asked for (Ctrl-C in `podcast watch`): the build ends before its next stage."""


class Progress(Protocol):
    def __call__(self, scope: str, stage: str, state: State, outcome: Outcome | None) -> None:
        """Told when a stage starts (STARTED) and how it ended; `scope` is an episode's slug or "show"."""


@dataclass
class Failure:
    where: str  # an episode's slug, or "show"
    stage: str  # a stage's name, or "config"
    message: str


@dataclass
class EpisodeState:
    slug: str
    states: dict[str, State] = field(default_factory=dict)  # stage name -> its state
    episode: Episode | None = None
    results: Results = field(default_factory=Results)
    failure: Failure | None = None
    note: State | None = None  # DRAFT, SCHEDULED or HELD: kept out of public/
    held: list[str] = field(default_factory=list)  # why the publish gate holds it (gate.py)
    ready: bool = False  # every stage fresh, and published


@dataclass
class BuildReport:
    episodes: list[EpisodeState] = field(default_factory=list)
    show: dict[str, State] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # the linter's, on the feed as built
    stopped: bool = False  # asked to stop: the stages after the last one done were not run

    @property
    def ok(self) -> bool:
        return not self.failures and not errors(self.findings)


def episode_folders(paths: Paths) -> list[Path]:
    if not paths.episodes.is_dir():
        return []
    return sorted(p for p in paths.episodes.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def read_episode(folder: Path, show: Show) -> Episode:
    """The episode in `folder`, or a ConfigError saying what is wrong with it."""
    if not (folder / EPISODE_FILE).is_file():
        raise ConfigError(f"{folder}: no {EPISODE_FILE}; create one with 'podcast new' or copy another episode's")
    return load_episode(folder, show)


def scope_of(slug: str) -> str:
    return f"episodes/{slug}"


def unpublished_note(episode: Episode, now: datetime) -> State | None:
    if episode.draft:
        return State.DRAFT
    if episode.published > now:
        return State.SCHEDULED
    return None


def _run(stage: Stage, job: object, store: Store, scope: str, label: str, force: bool, progress: Progress | None) -> Outcome:
    """Run one stage, telling `progress` when it starts and how it ended."""
    on_start = (lambda: progress(label, stage.name, State.STARTED, None)) if progress else None
    outcome = run_stage(stage, job, store, scope, force=force, on_start=on_start)
    if progress:
        progress(label, stage.name, outcome.state, outcome)
    return outcome


def _episode_pass(
    job: EpisodeJob,
    store: Store,
    state: EpisodeState,
    may_run: Callable[[Stage], bool],
    force: bool,
    progress: Progress | None,
    stages: tuple[Stage, ...] = EPISODE_STAGES,
) -> bool:
    """Walk `stages` in order; stop at the first that is failed or not fresh. True if none stopped it."""
    scope = scope_of(job.episode.slug)
    for stage in stages:
        if not state.note and stage.name in PUBLISH_STAGES:
            # Every stage before publishing is done: the gate reads what they measured.
            state.held = hold_reasons(job.show, job.episode, job.results, store.hashes) + feed_hold(job.cache, job.show, job.episode, job.results, store.hashes)
            state.note = State.HELD if state.held else None
        if state.note and stage.name in PUBLISH_STAGES:
            state.states[stage.name] = state.note
            continue
        if may_run(stage):
            outcome = _run(stage, job, store, scope, job.episode.slug, force, progress)
        else:
            outcome = checked(stage, job, store, scope)
        state.states[stage.name] = outcome.state
        if outcome.state == State.FAILED:
            state.failure = Failure(job.episode.slug, stage.name, outcome.error)
            return False
        if outcome.record is None:
            return False
        job.results.add(outcome.record.result)
    return True


def build(
    root: Path,
    slugs: Iterable[str] = (),
    force: bool = False,
    only: str | None = None,
    progress: Progress | None = None,
    transcription: Callable[[float, float], None] | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    executor: Executor | None = None,
    wait: bool = False,
    stop: threading.Event | None = None,
) -> BuildReport:
    """Build the show in `root` into `root/public`; `dry_run` only reports what is fresh.

    `transcription` is told (seconds done, seconds in all) while an episode is transcribed here.
    `executor` says where transcriptions run (executors.py): here by default, or on a cluster.
    `wait`: wait for another build running in this folder to end, instead of refusing.
    Once `stop` is set, no further stage starts: the report comes back with `stopped`, the
    feed and the site as they were.

    Raises:
        ConfigError: podcast.toml is unusable (nothing can be built without it), or an unknown slug.
        StorageError: the disk is full or `.build/` or `public/` read-only; the build stopped
            there and public/ is as the last build left it.
        PipelineError: another build holds the folder (and `wait` is false).
    """
    paths = Paths(root.resolve())
    show = load_show(paths.root)
    now = now or datetime.now(timezone.utc)
    folders = episode_folders(paths)
    wanted = set(slugs)
    unknown = wanted - {f.name for f in folders}
    if unknown:
        raise ConfigError(f"{paths.episodes}: no episode folder named {', '.join(sorted(unknown))}")
    if only and only not in STAGE_NAMES:
        raise ConfigError(f"unknown stage {only!r}; stages are {', '.join(STAGE_NAMES)}")

    run = Run(wanted, only, force, dry_run, _stoppable(progress, stop) if stop else progress, now)
    try:
        return _build(paths, show, folders, run, Resources(progress=transcription), wait, executor)
    except OSError as e:  # outside a stage: the lock, clearing temporaries, pruning
        mapped = storage_error(e)
        if mapped is None:
            raise
        raise mapped from e


def _build(paths: Paths, show: Show, folders: list[Path], run: Run, resources: Resources, wait: bool, executor: Executor | None) -> BuildReport:
    wanted, only, dry_run = run.wanted, run.only, run.dry_run
    layout = PublicLayout(show)
    store = Store(paths.build)
    report = BuildReport()
    # `status` only reads, so it does not wait for (or block) a build running beside it.
    with store.lock(wait) if not dry_run else contextlib.nullcontext():
        try:
            if not dry_run:
                clean_temporaries(paths.build, layout.root)
            episodes = [_open(folder, show, paths, resources, run) for folder in folders]
            if executor and executor.remote and not dry_run:
                _transcribe_elsewhere(episodes, store, run, executor)
            else:
                for state, job in episodes:
                    if job:
                        _episode_pass(job, store, state, run.may_run(job.episode.slug), run.force, run.progress)
            for state, job in episodes:
                _close(state, job)
                report.episodes.append(state)
                if state.failure:
                    report.failures.append(state.failure)
            # Each pass holds the episodes the linter finds errors in: at most one per episode.
            episode_failures = list(report.failures)
            for _ in range(len(report.episodes) + 1):
                ready = [Published(s.episode, s.results) for s in report.episodes if s.ready and s.episode]
                report.published = [p.episode.slug for p in ready]
                report.failures = list(episode_failures)
                _show_pass(ShowJob(show=show, episodes=ready, paths=paths, resources=resources), store, run, report)
                if not dry_run and not wanted and not only and report.show.get("site") != State.FAILED:
                    prune(layout, store, ready)
                if dry_run or report.show.get("feed") not in (State.RAN, State.FRESH):
                    break
                # What apps will read, checked as it now is in public/. An approved episode's
                # error, or the channel's, fails the build (exit status 1) but removes nothing.
                report.findings = lint_built(layout, paths.build / SHOW_SCOPE / LINTED, store.hashes)
                if not hold_unfit(report, layout, paths, show, store.hashes):
                    break
        except Stopped:
            report.stopped = True
        finally:
            store.hashes.save()
    return report


def _stoppable(progress: Progress | None, stop: threading.Event) -> Progress:
    """`progress`, raising Stopped when a stage is about to start after `stop` was set.

    run_stage tells STARTED before a stage writes anything (a fresh stage is never started), so
    the build ends between two stages, every output before it in place.
    """

    def told(scope: str, stage: str, state: State, outcome: Outcome | None) -> None:
        if state == State.STARTED and stop.is_set():
            raise Stopped(f"stopped before {stage} of {scope}")
        if progress:
            progress(scope, stage, state, outcome)

    return told


@dataclass(frozen=True)
class Run:
    """What this build was asked to do."""

    wanted: set[str]  # slugs named on the command line; empty: all
    only: str | None  # one stage's name
    force: bool
    dry_run: bool
    progress: Progress | None
    now: datetime  # what is scheduled later than this stays out

    def may_run(self, slug: str) -> Callable[[Stage], bool]:
        selected = not self.dry_run and (not self.wanted or slug in self.wanted)
        return lambda stage: selected and (self.only is None or self.only == stage.name)


def _open(folder: Path, show: Show, paths: Paths, resources: Resources, run: Run) -> tuple[EpisodeState, EpisodeJob | None]:
    """Read one episode's folder; a bad episode.toml fails this episode only (and has no job)."""
    state = EpisodeState(folder.name)
    try:
        episode = read_episode(folder, show)
    except PipelineError as e:
        state.failure = Failure(folder.name, "config", str(e))
        if run.progress:
            run.progress(folder.name, "config", State.FAILED, Outcome(State.FAILED, error=str(e)))
        return state, None
    state.episode = episode
    state.note = unpublished_note(episode, run.now)
    return state, EpisodeJob(show=show, episode=episode, paths=paths, resources=resources)


def _close(state: EpisodeState, job: EpisodeJob | None) -> None:
    """What the walk left: the stages it did not reach are waiting, and whether the episode is ready."""
    for stage in EPISODE_STAGES:
        state.states.setdefault(stage.name, State.WAITING)
    if job:
        state.results = job.results
    state.ready = bool(job) and not state.failure and not state.note and all(state.states[s.name] in (State.FRESH, State.RAN) for s in EPISODE_STAGES)


TRANSCRIBE = next(i for i, stage in enumerate(EPISODE_STAGES) if isinstance(stage, Transcribe))


def _transcribe_elsewhere(episodes: list[tuple[EpisodeState, EpisodeJob | None]], store: Store, run: Run, executor: Executor) -> None:
    """The walk with transcriptions on `executor`: each episode walked up to transcribe, its
    recordings sent off if its transcript is due, and the rest of its walk done when they come
    back (in the order they do); an episode with nothing to transcribe is walked through at once."""
    before, after = EPISODE_STAGES[:TRANSCRIBE], EPISODE_STAGES[TRANSCRIBE:]
    transcribe = EPISODE_STAGES[TRANSCRIBE]
    assert isinstance(transcribe, Transcribe)  # for the type checker: TRANSCRIBE is found by this test
    opened = {state.slug: (state, job) for state, job in episodes if job}

    def due() -> Iterator[tuple[str, list[Request]]]:
        for slug, (state, job) in opened.items():
            may_run = run.may_run(slug)
            if not _episode_pass(job, store, state, may_run, run.force, run.progress, before):
                continue
            if may_run(transcribe) and (run.force or check(transcribe, job, store, scope_of(slug)) != State.FRESH):
                logger.info("%s: transcribing %s", slug, executor.describe())
                yield slug, transcribe.requests(job)
            else:
                _episode_pass(job, store, state, may_run, run.force, run.progress, after)

    for slug, heard in executor.transcribe(due()):
        state, job = opened[slug]
        job.transcribed = heard  # the stage writes it, through the engine, like one made here
        _episode_pass(job, store, state, run.may_run(slug), run.force, run.progress, after)
        job.transcribed = None


def _show_pass(job: ShowJob, store: Store, run: Run, report: BuildReport) -> None:
    """The feed, the site and its search index, over the episodes that are ready."""
    # A build of some episodes must not drop the others from the feed because they were
    # not rebuilt (after a change to the show's settings, say): the feed waits for them.
    ready_slugs = {p.episode.slug for p in job.episodes}
    held_back = run.wanted and any(
        state.episode and not state.note and state.slug not in run.wanted and state.slug not in ready_slugs for state in report.episodes
    )
    for stage in SHOW_STAGES:
        if run.dry_run or held_back or (run.only and run.only != stage.name):
            report.show[stage.name] = check(stage, job, store, SHOW_SCOPE)
            continue
        outcome = _run(stage, job, store, SHOW_SCOPE, SHOW_SCOPE, run.force, run.progress)
        report.show[stage.name] = outcome.state
        if outcome.state == State.FAILED:
            report.failures.append(Failure(SHOW_SCOPE, stage.name, outcome.error))


def hold_unfit(report: BuildReport, layout: PublicLayout, paths: Paths, show: Show, hashes: HashCache) -> bool:
    """Hold the published episodes the linter found errors in, unless approved; True if any."""
    wrong = errors(report.findings)
    held = False
    for state in report.episodes:
        if not state.ready or not state.episode or state.episode.approved:
            continue
        guid = layout.episode_guid(state.slug)
        reasons = [f"the feed's {f.tag}: {f.message}" for f in wrong if f.guid == guid]
        if reasons:
            save_feed_hold(paths.cache(state.slug), show, state.episode, state.results, reasons, hashes)
            state.held, state.note, state.ready, held = reasons, State.HELD, False, True
            state.states["tag"] = State.HELD
    return held


def prune(layout: PublicLayout, store: Store, ready: list[Published]) -> None:
    """Remove published files of episodes that are gone, drafts again, or failed this time."""
    keep = set()
    for item in ready:
        tagged = item.results[Tagged]
        keep |= {tagged.mp3, *([tagged.m4a] if tagged.m4a else [])}
    for stage in SHOW_STAGES:
        record = store.load(SHOW_SCOPE, stage)
        if record:
            keep |= {Path(o["path"]) for o in record.outputs.values()}
    for folder in layout.episode_folders:
        if not folder.is_dir():
            continue
        for file in sorted(folder.rglob("*"), reverse=True):
            if file.is_file() and file not in keep:
                logger.info("removing %s (no longer published)", file)
                file.unlink()
            elif file.is_dir() and not any(file.iterdir()):
                file.rmdir()
