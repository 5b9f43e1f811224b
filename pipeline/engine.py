"""The build engine: fingerprinted stages whose outputs land atomically.

A stage declares its name and version, the settings that change its output, the files it
reads and the files it writes. Its fingerprint is a hash of all of these (input files by
content). A stage is skipped only when the fingerprint of its last success matches *and* its
outputs are still there unchanged. `run` writes temporary paths beside the final ones; the
runner renames them into place after success and writes the stage's record last, so a build
killed at any moment leaves either the old record (and the stage runs again) or the new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import logging
import os
import time
import traceback
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Callable, ClassVar, TextIO

from . import results
from .errors import BuildLocked, PipelineError, StageError, StorageError, storage_error
from .files import HashCache, file_sha256, remove_temporary, temp_path, write_atomic

logger = logging.getLogger(__name__)


class Stage:
    """One step of the pipeline. Subclasses set `name`, `version`, the type of their `result`
    (pipeline.results) and implement the four methods."""

    name: ClassVar[str]
    version: ClassVar[int]
    result: ClassVar[type]

    def settings(self, job: Any) -> dict[str, Any]:
        """Values (and tool identities) that change the output."""
        return {}

    def inputs(self, job: Any) -> dict[str, Path]:
        """Files whose content changes the output."""
        return {}

    def outputs(self, job: Any) -> dict[str, Path]:
        """Where the outputs end up."""
        raise NotImplementedError

    def run(self, job: Any, out: dict[str, Path]) -> Any:
        """Write every output to its path in `out` (temporary) and return the stage's result,
        naming its outputs by those paths (the engine renames both into place)."""
        raise NotImplementedError


class State(StrEnum):
    STARTED = "start"  # told to progress reports only
    FRESH = "fresh"  # done, and nothing it depends on changed
    RAN = "ran"  # done in this build
    STALE = "stale"  # to run
    FAILED = "failed"  # failed on these very inputs
    WAITING = "waiting"  # a stage before it has not run yet
    DRAFT = "draft"  # an episode kept out of the feed by the host
    SCHEDULED = "scheduled"  # an episode to publish later
    HELD = "held"  # built, but kept out until the host fixes or approves it (gate.py)


@dataclass
class StageRecord:
    """What a stage's last success left: its fingerprint, outputs with hashes, and its result."""

    fingerprint: str
    outputs: dict[str, dict[str, Any]]
    result: Any
    seconds: float = 0.0


@dataclass
class Outcome:
    state: State  # RAN, FRESH or FAILED
    record: StageRecord | None = None
    error: str = ""
    seconds: float = 0.0


@dataclass
class Store:
    """Where stage records live: `.build/<scope>/<stage>.json`, plus a hash cache and a lock."""

    folder: Path
    hashes: HashCache = field(init=False)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.hashes = HashCache(self.folder / "hashes.json")

    def _file(self, scope: str, stage: str, suffix: str = "json") -> Path:
        return self.folder / scope / f"{stage}.{suffix}"

    def load(self, scope: str, stage: Stage) -> StageRecord | None:
        """The stage's last record, or None (never run, or saved in a form this version does not read)."""
        try:
            saved = json.loads(self._file(scope, stage.name).read_text())
            result = results.load(stage.result, saved["result"])
            if result is None:
                return None
            return StageRecord(saved["fingerprint"], saved["outputs"], result, saved.get("seconds", 0.0))
        except (FileNotFoundError, ValueError, TypeError, KeyError):
            return None

    def failure(self, scope: str, stage: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._file(scope, stage, "failed.json").read_text())
        except (FileNotFoundError, ValueError):
            return None

    def save(self, scope: str, stage: str, record: StageRecord) -> None:
        saved = {"fingerprint": record.fingerprint, "outputs": record.outputs, "result": results.dump(record.result), "seconds": record.seconds}
        write_atomic(self._file(scope, stage), json.dumps(saved, indent=1, sort_keys=True))
        self._file(scope, stage, "failed.json").unlink(missing_ok=True)

    def save_failure(self, scope: str, stage: str, fingerprint: str, error: str) -> None:
        write_atomic(self._file(scope, stage, "failed.json"), json.dumps({"fingerprint": fingerprint, "error": error}))

    def lock(self, wait: bool = False) -> "BuildLock":
        return BuildLock(self.folder / "lock", wait)


class BuildLock:
    """One build at a time in a folder (two would race on outputs).

    An flock: the kernel releases it when its holder dies, even by SIGKILL, so a killed build
    never leaves the folder locked. The file only says who holds it (pid and start time), for
    the message a second build gives; a dead holder's line is overwritten by the next build.
    """

    def __init__(self, path: Path, wait: bool = False):
        self.path = path
        self.wait = wait
        self.handle: TextIO | None = None

    def __enter__(self) -> "BuildLock":
        # Opened without truncating ("w" would erase the holder's line before knowing it holds the lock).
        handle = self.handle = os.fdopen(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644), "r+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self.holder()
            if not self.wait:
                handle.close()
                raise BuildLocked(
                    f"another build is running in this folder ({holder}; lock: {self.path}): wait for it to end, or run 'podcast build --wait'"
                ) from None
            logger.warning("waiting for the other build (%s) to end (lock: %s)", holder, self.path)
            fcntl.flock(handle, fcntl.LOCK_EX)
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
        self._write(f"process {os.getpid()}, started {started}\n")
        return self

    def holder(self) -> str:
        """Who holds the lock, as its file says."""
        handle = self._opened()
        handle.seek(0)
        return handle.read().strip() or "process unknown"

    def _opened(self) -> TextIO:
        if self.handle is None:
            raise RuntimeError(f"{self.path}: the build lock is used outside its `with` block")
        return self.handle

    def _write(self, line: str) -> None:
        handle = self._opened()
        handle.seek(0)
        handle.truncate()
        handle.write(line)
        handle.flush()

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):  # a full disk: the line stays, the lock goes all the same
            self._write("")
        handle = self._opened()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def fingerprint(stage: Stage, job: Any, hashes: HashCache) -> str:
    """sha256 over stage version, settings and the content of each input file."""
    inputs = {}
    for name, path in stage.inputs(job).items():
        try:
            inputs[name] = hashes.sha256(path)
        except FileNotFoundError:
            raise StageError(f"{path}: input '{name}' of stage {stage.name} is missing") from None
    payload = {"stage": stage.name, "version": stage.version, "settings": stage.settings(job), "inputs": inputs}
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def outputs_intact(record: StageRecord, hashes: HashCache) -> bool:
    for output in record.outputs.values():
        path = Path(output["path"])
        if not path.is_file() or hashes.sha256(path) != output["sha256"]:
            return False
    return True


def check(stage: Stage, job: Any, store: Store, scope: str) -> State:
    """The stage's state without running it: FRESH, STALE or FAILED (for these inputs)."""
    return checked(stage, job, store, scope).state


def checked(stage: Stage, job: Any, store: Store, scope: str) -> Outcome:
    """The stage's state without running it, with its record when FRESH and its error when FAILED
    (read once: `podcast status` reads every record of a catalogue)."""
    try:
        print_ = fingerprint(stage, job, store.hashes)
    except PipelineError:
        return Outcome(State.STALE)  # an input is missing: running the stages before it will make it
    record = store.load(scope, stage)
    if record and record.fingerprint == print_ and outputs_intact(record, store.hashes):
        return Outcome(State.FRESH, record)
    failure = store.failure(scope, stage.name)
    if failure and failure.get("fingerprint") == print_:
        return Outcome(State.FAILED, error=failure.get("error", ""))
    return Outcome(State.STALE)


def _same_bytes(temp: Path, final: Path, hashes: HashCache) -> bool:
    """Whether a stage rewrote `final` with exactly the bytes it already holds."""
    try:
        if temp.stat().st_size != final.stat().st_size:
            return False
    except FileNotFoundError:
        return False
    return file_sha256(temp) == hashes.sha256(final)


def give_back_memory() -> None:
    """Return the heap a stage freed to the system. glibc keeps it for the process otherwise, so
    diarization (torch) would stack its peak on what Whisper used: 1.32 GB on an hour, 0.9 without."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: its allocator decides alone
        pass


def run_stage(
    stage: Stage,
    job: Any,
    store: Store,
    scope: str,
    force: bool = False,
    on_start: Callable[[], None] | None = None,
) -> Outcome:
    """Run `stage` for `job` unless it is fresh; returns a PipelineError as a failed Outcome.

    Raises:
        StorageError: the disk is full or read-only (every stage would fail alike).
    """
    try:
        print_ = fingerprint(stage, job, store.hashes)
        record = store.load(scope, stage)
        if not force and record and record.fingerprint == print_ and outputs_intact(record, store.hashes):
            return Outcome(State.FRESH, record)
    except PipelineError as e:
        return Outcome(State.FAILED, error=str(e))

    if on_start:
        on_start()
    finals = stage.outputs(job)
    temps = {name: temp_path(path) for name, path in finals.items()}
    started = time.monotonic()
    try:
        for temp in temps.values():
            temp.parent.mkdir(parents=True, exist_ok=True)
        result = stage.run(job, temps)
        missing = [name for name, temp in temps.items() if not temp.is_file()]
        if missing:
            raise StageError(f"stage {stage.name} did not write {', '.join(missing)}")
        outputs = {}
        for name, final in finals.items():
            # A file rewritten with the bytes it holds is kept as it was, mtime too: an upload of
            # public/ or a browser's cache sees no change.
            if not _same_bytes(temps[name], final, store.hashes):
                os.replace(temps[name], final)
            outputs[name] = {"path": str(final), "sha256": store.hashes.sha256(final), "size": final.stat().st_size}
        seconds = round(time.monotonic() - started, 3)
        result = results.moved(result, {temps[name]: final for name, final in finals.items()})
        record = StageRecord(fingerprint=print_, outputs=outputs, result=result, seconds=seconds)
        store.save(scope, stage.name, record)
        return Outcome(State.RAN, record, seconds=seconds)
    except StorageError:
        raise  # the disk, not these inputs: nothing to record (there may be no room to), the build stops
    except OSError as e:
        finals_of = {str(temp): finals[name] for name, temp in temps.items()}
        written = e.filename2 or e.filename  # shutil.copyfile and os.replace name the source first
        mapped = storage_error(e, finals_of.get(str(written), written))  # the file a host knows, not its temporary
        if mapped is None:
            return _crashed(stage, store, scope, print_, e, started)
        if isinstance(mapped, StorageError):
            raise mapped from e
        return Outcome(State.FAILED, error=f"stage {stage.name}: {mapped}", seconds=time.monotonic() - started)
    except PipelineError as e:
        store.save_failure(scope, stage.name, print_, str(e))
        return Outcome(State.FAILED, error=str(e), seconds=time.monotonic() - started)
    except Exception as e:  # a bug in a stage must not stop the other episodes
        return _crashed(stage, store, scope, print_, e, started)
    finally:
        for temp in temps.values():
            remove_temporary(temp)
        give_back_memory()


def _crashed(stage: Stage, store: Store, scope: str, print_: str, e: Exception, started: float) -> Outcome:
    """A bug in a stage, recorded with its traceback."""
    logger.debug("stage %s crashed", stage.name, exc_info=True)
    message = f"stage {stage.name} crashed: {type(e).__name__}: {e}"
    store.save_failure(scope, stage.name, print_, message + "\n" + traceback.format_exc())
    return Outcome(State.FAILED, error=message, seconds=time.monotonic() - started)
