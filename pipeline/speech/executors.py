"""Where the transcribe stage's model runs: in this process (serial) or on a Dask cluster.

A podcast network re-transcribing its back catalogue with a bigger model outgrows one machine.
With `Dask`, the build walks each episode up to transcribe, sends the bytes of each recording's
16 kHz FLAC to a worker (so workers need no shared file system), gets the transcript back as
the build cache's JSON, and the transcribe stage writes it into the cache as usual. Where a
transcript was made is not part of its fingerprint: switching executors redoes nothing, and
each worker checks that its engine and model are the ones the fingerprint names.

Dask is imported only here, and only when asked for: the tool works without the `cluster` extra.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Hashable, Iterator, TypeVar

from ..errors import MissingToolError, PipelineError, StageError
from ..records import Transcript, Transcription
from ..text.writers import get_writer
from .transcriber import PARALLEL_WINDOWS, Transcriber, engine_identity, load

logger = logging.getLogger(__name__)

EXECUTORS = ("serial", "dask")
INSTALL = "pip install 'podcast-pipeline[cluster]'"
CONNECT_SECONDS = 10  # to reach the scheduler: an unreachable address fails the build this soon
WORKER_SECONDS = 60  # for a first worker to join a scheduler that has none yet
TASKS_PER_THREAD = 2  # recordings in flight per worker thread: one running, one queued behind it

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Request:
    """One recording to transcribe, with all a worker needs but the audio's bytes."""

    path: Path  # where the build keeps it: read by the build, named in messages
    settings: Transcription
    root: Path  # the show's folder: a model given by a relative path is found from it
    identity: dict[str, str]  # the engine and model the stage's fingerprint names
    language: str
    prompt: str


@dataclass(frozen=True)
class Heard:
    """What an executor made of an episode's recordings: one transcript per request, or why not."""

    transcripts: tuple[Transcript, ...] = ()
    error: str = ""

    def get(self) -> tuple[Transcript, ...]:
        """The transcripts; raises StageError with the worker's message if they failed."""
        if self.error:
            raise StageError(self.error)
        return self.transcripts


class Executor:
    """Where transcriptions run; `remote` ones are handed the recordings by `transcribe`."""

    remote = False

    def describe(self) -> str:
        return "in this process"

    def transcribe(self, episodes: Iterator[tuple[Key, list[Request]]]) -> Iterator[tuple[Key, Heard]]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Serial(Executor):
    """Today's build: the transcribe stage loads the model and transcribes in this process,
    when the stage walk reaches it (and frees it before diarization)."""


class Dask(Executor):
    """Transcriptions on a Dask cluster: the scheduler at `scheduler`, or a local one when None."""

    remote = True

    def __init__(self, scheduler: str | None = None, local_workers: int = 0):
        try:
            import distributed
        except ImportError as e:
            raise MissingToolError(f"--executor dask needs Dask's distributed scheduler: {INSTALL}") from e
        # Dask logs every connection, worker and nanny at INFO: shown at -vv only, not at the build's -v.
        verbose = logging.getLogger().getEffectiveLevel() <= logging.DEBUG
        logging.getLogger("distributed").setLevel(logging.INFO if verbose else logging.WARNING)
        self.cluster = None
        self.address = scheduler
        if scheduler is None:
            # Processes, so the model runs beside the build's own stages without sharing a GIL; one
            # per PARALLEL_WINDOWS cores, which each transcriber keeps busy.
            workers = local_workers or max(1, (os.cpu_count() or 1) // PARALLEL_WINDOWS)
            cluster = self.cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
            self.address = cluster.scheduler_address
        try:
            self.client = distributed.Client(self.cluster or scheduler, timeout=CONNECT_SECONDS)
        except Exception as e:  # OSError on a timeout, ValueError on an address it cannot parse, …
            self._close_cluster()
            raise PipelineError(
                f"could not reach the Dask scheduler at {scheduler} within {CONNECT_SECONDS} s ({type(e).__name__}: {e}); "
                "check the address (tcp://HOST:8786) and that 'dask scheduler' runs there"
            ) from None
        try:
            self.client.wait_for_workers(1, timeout=WORKER_SECONDS)
        except TimeoutError:
            self.close()
            raise PipelineError(
                f"no worker joined the Dask scheduler at {scheduler} within {WORKER_SECONDS} s; "
                f"start one with 'dask worker {scheduler}' on a machine with podcast-pipeline installed"
            ) from None

    def describe(self) -> str:
        threads = self._threads()
        where = "a local Dask cluster" if self.cluster else f"the Dask cluster at {self.address}"
        return f"on {where} ({threads} worker thread(s))"

    def _threads(self) -> int:
        """Worker threads the cluster has now (workers may come and go during a build)."""
        try:
            return sum(self.client.nthreads().values())
        except Exception as e:  # the scheduler went away: nothing more can be sent
            raise PipelineError(f"lost the Dask scheduler at {self.address}: {type(e).__name__}: {e}") from None

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        self._close_cluster()

    def _close_cluster(self) -> None:
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def transcribe(self, episodes: Iterator[tuple[Key, list[Request]]]) -> Iterator[tuple[Key, Heard]]:
        """Each episode's transcripts, as soon as all its recordings are back from the workers.

        `episodes` is read only as workers have room: its audio is held in memory until done, and
        the build prepares the next episodes (normalise) while the cluster transcribes.
        """
        from distributed import wait

        running: dict[Any, tuple[Key, int, Path]] = {}  # future -> (episode, which recording, its file)
        parts: dict[Key, list[Transcript | None]] = {}
        more = True
        while True:
            room = TASKS_PER_THREAD * max(1, self._threads())
            while more and len(running) < room:
                item = next(episodes, None)
                if item is None:
                    more = False
                    break
                key, requests = item
                try:
                    futures = [self._submit(request) for request in requests]
                except OSError as e:
                    yield key, Heard(error=f"{e.filename}: could not read it to send it to the cluster: {e.strerror}")
                    continue
                parts[key] = [None] * len(requests)
                running.update({future: (key, i, r.path) for i, (future, r) in enumerate(zip(futures, requests))})
            if not running:
                return
            done, _ = wait(list(running), return_when="FIRST_COMPLETED")
            for future in done:
                if future not in running:  # dropped with a recording of its episode that failed
                    continue
                key, i, path = running.pop(future)
                try:
                    parts[key][i] = Transcript.from_dict(json.loads(future.result()))
                except Exception as e:
                    # The worker's own message (a PipelineError names the file); anything else by its type
                    # (a worker without the project: ModuleNotFoundError; one that died: KilledWorker).
                    message = str(e) if isinstance(e, PipelineError) else f"{path}: transcription on the cluster failed: {type(e).__name__}: {e}"
                    del parts[key]
                    for other in [f for f, (k, *_) in running.items() if k == key]:
                        del running[other]
                        other.cancel()
                    yield key, Heard(error=message)
                    continue
                heard = [part for part in parts[key] if part is not None]
                if len(heard) == len(parts[key]):
                    del parts[key]
                    yield key, Heard(tuple(heard))

    def _submit(self, request: Request) -> Any:
        # Scattered rather than passed in the task: the scheduler then forwards a reference, not
        # an hour of audio (about 60 MB of FLAC) inside the task graph.
        audio = self.client.scatter(request.path.read_bytes(), hash=False)
        key = f"transcribe-{request.path.parent.name}-{request.path.stem}-{uuid.uuid4().hex[:8]}"
        return self.client.submit(transcribe_bytes, request, audio, key=key, pure=False, retries=0)


def connect(executor: str, scheduler: str | None) -> Executor:
    """The executor named on the command line."""
    if executor == "dask":
        return Dask(scheduler)
    if scheduler:
        raise PipelineError("--scheduler needs --executor dask")
    return Serial()


# On a worker: the model loaded once per process and kept for the next recordings. A worker
# transcribes one recording at a time: the transcriber already uses every core (two windows at
# once), and openai-whisper's model cannot be shared by two threads.
_models: dict[str, Transcriber] = {}
_lock = threading.Lock()
loads = 0  # models this process loaded, and recordings it transcribed: the tests ask each worker
transcribed = 0


def _model(request: Request) -> Transcriber:
    global loads
    key = json.dumps([request.settings.to_dict(), str(request.root)], sort_keys=True, default=str)
    if key not in _models:
        _models.clear()  # one model held at a time: a worker's memory is for one
        _models[key] = load(request.settings, request.root)
        loads += 1
    return _models[key]


def _where() -> str:
    """The worker running this, for messages."""
    try:
        from distributed import get_worker

        return f"worker {get_worker().address}"
    except (ImportError, ValueError):  # called outside a worker
        return "this process"


def transcribe_bytes(request: Request, audio: bytes) -> str:
    """On a worker: the transcript of one recording given as bytes, as the build cache's JSON.

    Raises:
        StageError: the worker's engine or model is not the one the build fingerprints, or the
            recording could not be transcribed (the message names the build's path).
    """
    global transcribed
    with _lock:
        here = engine_identity(request.settings, request.root)
        if here != request.identity:
            differ = ", ".join(f"{k} {here.get(k)!r} here, {v!r} in the build" for k, v in request.identity.items() if here.get(k) != v)
            raise StageError(
                f"{request.path}: {_where()} has another engine or model ({differ}); install the same versions of podcast-pipeline and the model everywhere"
            )
        with tempfile.TemporaryDirectory(prefix="podcast-transcribe-") as folder:
            temp = Path(folder) / request.path.name
            temp.write_bytes(audio)
            try:
                transcript = _model(request).transcribe(temp, request.language, request.prompt)
            except PipelineError as e:
                message = str(e).replace(str(temp), str(request.path))
                raise StageError(f"{message} (transcribed on {_where()})") from None
        transcribed += 1
    return get_writer("json").write(transcript)
