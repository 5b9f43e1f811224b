"""`podcast watch`: build an episode once its files have landed, and the whole show when its settings change.

watchdog reports file events (inotify on Linux; polling where there are none, as on a network
share). `Schedule` turns them into builds: an episode is built once the sizes and modification
times of its files have stayed the same for `settle` seconds, looked at by `stat` every tick and
not only by the events (a share may deliver none, and a copy may pause), so a recording still
being copied is never read half-way. Many events on one episode make one build. podcast.toml, a
file or folder beside it (templates/, the artwork and jingles in assets/) changing rebuilds everything.

`Watcher` runs the loop: events in, builds out, errors reported and watching goes on. A stop
(`Watcher.stop`, Ctrl-C) lets the build in progress finish its stage, then the loop ends.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from watchdog import events
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from ..build import BuildReport, build
from ..errors import BuildLocked, PipelineError
from ..files import TEMP_MARK
from ..jobs import Paths

logger = logging.getLogger(__name__)

# Long enough to span the pauses of a copy that is still going: a copy over SMB, NFS or Wi-Fi, or
# from a phone, stalls for a second or two between bursts; short next to any build's own time.
SETTLE_SECONDS = 5.0
LOCK_RETRY_SECONDS = 2.0  # how often to try again while a `podcast build` holds the show's lock
WHOLE_SHOW = ""  # the scope of podcast.toml and what lies beside it: templates/, assets/…
NOT_SOURCES = {"public", "__pycache__"}  # folders beside podcast.toml no build reads (.build/ is hidden)
# Events that change a file; the build's own reads of the recordings raise none of these.
CHANGES = [
    events.FileCreatedEvent,
    events.FileModifiedEvent,
    events.FileMovedEvent,
    events.FileDeletedEvent,
    events.FileClosedEvent,
    events.DirCreatedEvent,
    events.DirDeletedEvent,
    events.DirMovedEvent,
]
# File systems where changes made on another machine raise no inotify event here.
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "fuse.sshfs", "fuse.rclone"}

Signature = frozenset[tuple[str, int, int]]  # (path, size, mtime in ns) of every file in a scope


def ignored(name: str) -> bool:
    """Files that are nobody's source: hidden ones (editors' swap files, rsync's partial copies,
    our own temporaries) and editors' backups."""
    return name.startswith(".") or name.endswith("~") or TEMP_MARK in name or name in NOT_SOURCES


@dataclass(frozen=True)
class Plan:
    """What to build: some episodes, or (no slugs) the whole show."""

    slugs: tuple[str, ...] = ()

    def __str__(self) -> str:
        return ", ".join(self.slugs) if self.slugs else "the whole show"


@dataclass
class Pending:
    signature: Signature
    since: float  # when its files were last seen changing, by an event or by stat


class Schedule:
    """Which scopes (an episode's slug, or WHOLE_SHOW) changed, and when each is still enough to build.

    Fed paths by `changed`; `due` says what to build now. `clock` is injectable for tests.
    """

    def __init__(self, root: Path, settle: float = SETTLE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.paths = Paths(root)
        self.settle = settle
        self.clock = clock
        self.tick = min(1.0, settle / 5)  # how often files are looked at while something is pending
        self.pending: dict[str, Pending] = {}
        self.looked = float("-inf")

    def scope_of(self, path: Path) -> str | None:
        """The scope a changed path calls for, or None when it is no source of the show."""
        try:
            parts = Path(path).relative_to(self.paths.root).parts
        except ValueError:
            return None
        if not parts or any(ignored(part) for part in parts):
            return None
        if parts[0] == self.paths.episodes.name:
            # episodes/ itself says nothing; a folder named _something is set aside (build.episode_folders)
            return parts[1] if len(parts) > 1 and not parts[1].startswith("_") else None
        return WHOLE_SHOW  # podcast.toml, templates/, assets/

    def show_folders(self) -> list[Path]:
        """The folders beside podcast.toml a build may read from (templates/, assets/), episodes/ aside."""
        return [p for p in sorted(self.paths.root.iterdir()) if p.is_dir() and not ignored(p.name) and p != self.paths.episodes]

    def files(self, scope: str) -> Iterator[Path]:
        if scope == WHOLE_SHOW:
            folders = [*self.show_folders(), self.paths.episodes]
            yield from (p for p in self.paths.root.iterdir() if p.is_file())
        else:
            folders = [self.paths.episodes / scope]
        for folder in folders:
            if folder.is_dir():
                yield from (p for p in folder.rglob("*") if p.is_file())

    def signature(self, scope: str) -> Signature:
        seen = set()
        for file in self.files(scope):
            if any(ignored(part) for part in file.relative_to(self.paths.root).parts):
                continue
            try:
                stat = file.stat()
            except FileNotFoundError:  # removed while we looked: the next look sees it gone
                continue
            seen.add((str(file), stat.st_size, stat.st_mtime_ns))
        return frozenset(seen)

    def changed(self, scope: str) -> bool:
        """Note that `scope` changed now; True when this starts a new wait (not already pending)."""
        now = self.clock()
        if scope in self.pending:
            self.pending[scope].since = now
            return False
        self.pending[scope] = Pending(self.signature(scope), now)
        return True

    def retry(self, plan: Plan, after: float) -> None:
        """Build `plan` again in `after` seconds (another build held the lock)."""
        for scope in plan.slugs or (WHOLE_SHOW,):
            if scope not in self.pending:
                self.pending[scope] = Pending(self.signature(scope), self.clock() - self.settle + after)

    def wait(self) -> float | None:
        """Seconds until `due` should be asked again; None: nothing pending, wait for an event."""
        return self.tick if self.pending else None

    def due(self) -> Plan | None:
        """What is ready to build now, taken out of the pending scopes; None if nothing is.

        While the whole show waits, it waits for every episode too (its files include them all),
        and one build of everything then covers them.
        """
        now = self.clock()
        if now - self.looked >= self.tick:  # stat at most once a tick, however many events come
            self.looked = now
            for scope, pending in self.pending.items():
                signature = self.signature(scope)
                if signature != pending.signature:
                    pending.signature, pending.since = signature, now
        ready = [scope for scope, pending in self.pending.items() if now - pending.since >= self.settle]
        if WHOLE_SHOW in self.pending:
            if WHOLE_SHOW not in ready:
                return None
            self.pending.clear()
            return Plan()
        if not ready:
            return None
        for scope in ready:
            del self.pending[scope]
        gone = [slug for slug in ready if not (self.paths.episodes / slug).is_dir()]
        # A folder removed or renamed: only a build of everything takes its episode out of public/.
        return Plan() if gone else Plan(tuple(sorted(ready)))


class _Queue(events.FileSystemEventHandler):
    """Hands watchdog's events (from its thread) to the loop."""

    def __init__(self, changed: queue.Queue):
        self.changed = changed

    def on_any_event(self, event: events.FileSystemEvent) -> None:
        for path in (event.src_path, event.dest_path):
            if path:
                self.changed.put(Path(os.fsdecode(path)))


def on_network_share(path: Path) -> bool:
    """Whether `path` lies on a network file system (/proc/self/mounts), where inotify misses others' writes."""
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return False
    path = path.resolve()
    best, kind = "", ""
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[1])  # "\040": a space
        if path.is_relative_to(point) and len(point) >= len(best):  # a point mounted again: the last hides the others
            best, kind = point, fields[2]
    return kind in NETWORK_FILESYSTEMS


Say = Callable[[str], None]


class Watcher:
    """Watch a show's folder and build what changed; `run` returns once `stop` was called."""

    def __init__(
        self,
        root: Path,
        settle: float = SETTLE_SECONDS,
        polling: bool = False,
        say: Say = logger.info,
        on_report: Callable[[BuildReport, float], None] | None = None,
        build_options: dict | None = None,
    ):
        self.paths = Paths(root.resolve())
        self.schedule = Schedule(self.paths.root, settle)
        self.polling = polling
        self.say = say
        self.on_report = on_report
        self.build_options = build_options or {}  # build()'s progress and transcription callbacks
        self.events: queue.Queue[Path | None] = queue.Queue()
        self.handler = _Queue(self.events)
        self.stopping = threading.Event()
        self.builds = 0  # builds run to their end (or stopped), for tests and the logs

    def stop(self) -> None:
        """Ask the loop to end; a build in progress finishes its current stage first."""
        self.stopping.set()
        self.events.put(None)  # wakes the loop if it waits for an event

    def _follow(self, observer: BaseObserver, folder: Path, recursive: bool = True) -> None:
        observer.schedule(self.handler, str(folder), recursive=recursive, event_filter=CHANGES)

    def start_observer(self) -> BaseObserver:
        """The system's file events where there are, else a poll of the folder every tick."""
        episodes = self.paths.episodes
        if not episodes.is_dir():
            raise PipelineError(f"{episodes}: no such folder to watch; is {self.paths.root} a show (podcast init)?")
        native = not self.polling and not on_network_share(episodes)
        if not self.polling and not native:
            self.say(f"{episodes} is on a network share, where others' writes raise no file event here: polling it")
        for observer in ([Observer()] if native else []) + [PollingObserver(timeout=self.schedule.tick)]:
            try:
                self._follow(observer, self.paths.root, recursive=False)  # podcast.toml, a folder made
                for folder in [episodes, *self.schedule.show_folders()]:
                    self._follow(observer, folder)
                observer.start()
                return observer
            except OSError as e:  # inotify's limits on watches or instances (sysctl fs.inotify.*)
                observer.stop()
                self.say(f"no file events ({e}): polling {episodes} instead")
        raise AssertionError("unreachable: polling needs nothing from the system")

    def run(self) -> None:
        """Build everything once the folder is still (catching up), then what changes, until stopped."""
        observer = self.start_observer()
        kind = "polling" if isinstance(observer, PollingObserver) else "file events"
        self.say(f"watching {self.paths.episodes} ({kind}); an episode is built once its files stay unchanged for {self.schedule.settle:g} s")
        self.schedule.changed(WHOLE_SHOW)  # catch up with what changed while nobody watched
        try:
            while not self.stopping.is_set():
                for path in self._events(self.schedule.wait()):
                    self._saw(path, observer)
                plan = None if self.stopping.is_set() else self.schedule.due()
                if plan:
                    self._build(plan)
        finally:
            observer.stop()
            observer.join()
        self.say(f"stopped after {self.builds} build(s)")

    def _events(self, timeout: float | None) -> list[Path]:
        """The changed paths queued, waiting up to `timeout` seconds (None: until one comes) for the first."""
        try:
            taken = [self.events.get(timeout=timeout)]
        except queue.Empty:
            return []
        while not self.events.empty():
            taken.append(self.events.get_nowait())
        return [path for path in taken if path is not None]

    def _saw(self, path: Path, observer: BaseObserver) -> None:
        scope = self.schedule.scope_of(path)
        if scope is None:
            return
        if path.parent == self.paths.root and path.is_dir():  # made after the watch started: follow it too
            self._follow(observer, path)
        if self.schedule.changed(scope):
            what = "the show" if scope == WHOLE_SHOW else scope
            self.say(f"{what}: {path.relative_to(self.paths.root)} changed; building once its files stay unchanged for {self.schedule.settle:g} s")
        else:
            logger.debug("%s changed", path)

    def _build(self, plan: Plan) -> None:
        self.say(f"building {plan}")
        started = time.monotonic()
        try:
            report = build(self.paths.root, slugs=plan.slugs, stop=self.stopping, **self.build_options)
        except BuildLocked as e:
            logger.debug("%s", e)  # who holds it, and the lock's file
            self.say(f"another build is running in this folder: waiting for it to end, trying again every {LOCK_RETRY_SECONDS:g} s")
            self.schedule.retry(plan, LOCK_RETRY_SECONDS)
            return
        except PipelineError as e:  # podcast.toml unusable, say: once fixed, it builds again
            self.say(f"could not build {plan}: {e}")
            return
        except Exception as e:  # a bug must not end the watch; the next change tries again
            logger.debug("build crashed", exc_info=True)
            self.say(f"could not build {plan}: {type(e).__name__}: {e} (run 'podcast -v watch' for the traceback)")
            return
        self.builds += 1
        seconds = time.monotonic() - started
        if report.stopped:
            self.say(f"stopped building {plan} between two stages ({seconds:.1f} s); the next build goes on from there")
            return
        if self.on_report:  # the command's summary, as `podcast build` prints it
            self.on_report(report, seconds)
            return
        failed = ", ".join(sorted({f.where for f in report.failures}))
        result = f"failed: {failed}" if failed else f"{len(report.published)} episode(s) published"
        self.say(f"built {plan} in {seconds:.1f} s: {result}")


def run_until_signalled(watcher: Watcher) -> None:
    """Run `watcher` until SIGINT (Ctrl-C) or SIGTERM, which stop it between two build stages.

    The watch runs in a thread that blocks SIGINT before it starts anything, so the ffmpeg
    processes of its builds inherit the block: a Ctrl-C at the terminal, sent to the whole process
    group, leaves them to finish their stage and is handled here, in the main thread, alone.
    (SIGTERM stays unblocked: the build ends its helpers with it, pagefind's service for one.)
    """
    failed: list[BaseException] = []

    def watch() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            watcher.run()
        except BaseException as e:  # handed to the main thread, which raises it
            failed.append(e)

    def asked(number: int, frame: object) -> None:
        watcher.say(f"{signal.Signals(number).name}: stopping once the stage in progress is done")
        watcher.stop()

    previous = {number: signal.signal(number, asked) for number in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=watch, name="watch")
    thread.start()
    try:
        thread.join()  # a signal interrupts the wait, runs `asked`, and the wait goes on
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if failed:
        raise failed[0]
