"""The one way this project runs ffmpeg.

The binary comes from imageio-ffmpeg (a PyPI package, so no system ffmpeg is needed) unless
PODCAST_FFMPEG names another. imageio-ffmpeg ships no ffprobe, so `probe` reads what
`ffmpeg -i` prints instead.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AudioDecodeError, MissingToolError, StorageError, storage_error_in
from ..files import TEMP_MARK

if TYPE_CHECKING:  # numpy is imported where it runs: 0.1 s of every `podcast status` otherwise
    import numpy as np

logger = logging.getLogger(__name__)

STDERR_TAIL = 12  # lines of ffmpeg's complaint worth showing a host


@functools.cache
def executable() -> str:
    override = os.environ.get("PODCAST_FFMPEG")
    if override:
        if not Path(override).is_file():
            raise MissingToolError(f"PODCAST_FFMPEG={override}: no such file")
        return override
    try:
        import imageio_ffmpeg
    except ImportError:
        raise MissingToolError("imageio-ffmpeg is not installed; run 'make build' to install the project") from None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as e:
        raise MissingToolError(f"no ffmpeg binary: {e}") from None


@functools.cache
def version() -> str:
    """ffmpeg's version line: part of the fingerprint of every stage that uses it."""
    result = subprocess.run([executable(), "-hide_banner", "-version"], capture_output=True, text=True)
    return result.stdout.splitlines()[0] if result.stdout else "unknown"


PR_SET_PDEATHSIG = 1  # linux/prctl.h
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def _dies_with(parent: int) -> None:
    """Run in ffmpeg's process before it starts: be killed when the build dies.

    A build killed with SIGKILL cannot stop its children, and an ffmpeg writing to a file or to
    another ffmpeg never notices that it is gone: it would go on writing the temporaries (and
    using a core) while the next build starts. Linux delivers the signal when the thread that
    started ffmpeg ends; every call here waits for ffmpeg in that thread.
    """
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the build died before the line above
            os._exit(1)


def _child() -> dict:
    """What every ffmpeg process is started with (subprocess.Popen's keywords)."""
    return {"preexec_fn": functools.partial(_dies_with, os.getpid())} if _prctl is not None else {}


def _command(args: list[str]) -> list[str]:
    command = [executable(), "-hide_banner", "-y", *args]
    logger.debug("ffmpeg: %s", shlex.join(command))
    return command


def _failed(about: Path | str, stderr: str | bytes, args: list[str]) -> AudioDecodeError | StorageError:
    """The error of a failed ffmpeg: the disk's (naming the folder written to), else the recording's."""
    text = stderr if isinstance(stderr, str) else stderr.decode(errors="replace")
    full = storage_error_in(text, _written(args) or about)
    if full:
        return full
    tail = "\n".join(text.strip().splitlines()[-STDERR_TAIL:])
    return AudioDecodeError(f"{about}: ffmpeg could not process it:\n{tail}")


def _written(args: list[str]) -> Path | None:
    """The folder ffmpeg writes into: its stage's temporaries', else its last argument's (its output)."""
    # The tee muxer's argument is "[f=mp3]FILE|[f=mp3]pipe:1": the file is the part with a temporary.
    temps = [part for a in args for part in a.split("|") if TEMP_MARK in part]
    outputs = temps or [a for a in args[-1:] if a != "-" and not a.startswith("pipe:")]
    return Path(re.sub(r"^\[[^]]*\]", "", outputs[0])).parent if outputs else None


def run(args: list[str], about: Path | str, binary: bool = False) -> subprocess.CompletedProcess:
    """Run ffmpeg with `args`; raise AudioDecodeError naming `about` if it fails."""
    result = subprocess.run(_command(["-nostdin", *args]), capture_output=True, text=not binary, stdin=subprocess.DEVNULL, **_child())
    if result.returncode != 0:
        raise _failed(about, result.stderr, args)
    return result


def run_logged(args: list[str], about: Path | str, take: Callable[[str], bool]) -> subprocess.CompletedProcess:
    """Like `run`, but each line of ffmpeg's log goes to `take` as it comes; the lines it takes
    are left out of the returned stderr.

    For logs that grow with the recording (a meter's line every 100 ms is 6 MB an hour):
    memory then stays what `take` keeps of them.
    """
    kept: list[str] = []
    process = subprocess.Popen(
        _command(["-nostdin", *args]), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace", **_child()
    )
    assert process.stderr is not None  # stderr=PIPE
    for line in process.stderr:
        if not take(line):
            kept.append(line)
    process.wait()
    stderr = "".join(kept)
    if process.returncode != 0:
        raise _failed(about, stderr, args)
    return subprocess.CompletedProcess(process.args, process.returncode, "", stderr)


def run_piped(producer: list[str], consumer: list[str], about: Path | str) -> tuple[str, str]:
    """Run two ffmpeg commands at once, the first's standard output feeding the second's input.

    Used to measure an encoded file while it is being written (the producer writes the same
    bytes to its file and to the pipe): on two cores, measuring then costs no extra time.
    Returns both commands' logs.
    """
    with tempfile.TemporaryFile() as producer_log, tempfile.TemporaryFile() as consumer_log:
        second = subprocess.Popen(_command(consumer), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=consumer_log, **_child())
        first = subprocess.Popen(_command(["-nostdin", *producer]), stdin=subprocess.DEVNULL, stdout=second.stdin, stderr=producer_log, **_child())
        assert second.stdin is not None  # stdin=PIPE
        second.stdin.close()  # the producer holds the only writing end now
        first.wait()
        second.wait()
        producer_log.seek(0)
        consumer_log.seek(0)
        logs = producer_log.read().decode(errors="replace"), consumer_log.read().decode(errors="replace")
    if first.returncode != 0:
        raise _failed(about, logs[0], producer)
    if second.returncode != 0:
        raise _failed(about, logs[1], consumer)
    return logs


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    sample_rate: int
    channels: int


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_AUDIO = re.compile(r"Stream #\S+.*?: Audio: [^,]+, (\d+) Hz, ([^,]+),")
_LAYOUT_CHANNELS = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "4.0": 4, "5.0": 5, "5.1": 6, "6.1": 7, "7.1": 8}


def probe(path: Path) -> MediaInfo:
    """Duration, rate and channels of the first audio stream, from `ffmpeg -i`.

    Raises:
        AudioDecodeError: empty, unreadable, or without audio.
    """
    if path.stat().st_size == 0:
        raise AudioDecodeError(f"{path}: the file is empty (0 bytes)")
    command = _command(["-nostdin", "-i", str(path)])  # no output: ffmpeg describes the input and stops
    stderr = subprocess.run(command, capture_output=True, text=True, errors="replace", stdin=subprocess.DEVNULL, **_child()).stderr
    audio = _AUDIO.search(stderr)
    if not audio:
        tail = "\n".join(stderr.strip().splitlines()[-3:])
        raise AudioDecodeError(f"{path}: ffmpeg finds no audio in it:\n{tail}")
    duration = _DURATION.search(stderr)
    seconds = 0.0
    if duration:
        h, m, s = duration.groups()
        seconds = int(h) * 3600 + int(m) * 60 + float(s)
    layout = audio.group(2).strip()
    channels = _LAYOUT_CHANNELS.get(layout)
    if channels is None:
        match = re.match(r"(\d+) channels", layout)
        channels = int(match.group(1)) if match else 2
    return MediaInfo(duration=seconds, sample_rate=int(audio.group(1)), channels=channels)


def decode(path: Path, sample_rate: int = 16000, start: float | None = None, end: float | None = None) -> np.ndarray:
    """The file (or the part from `start` to `end` seconds) as mono float32 samples at `sample_rate`."""
    import numpy as np

    span = (["-ss", f"{start:.3f}"] if start else []) + (["-to", f"{end:.3f}"] if end is not None else [])
    result = run(
        [*span, "-i", str(path), "-vn", "-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "-"],
        about=path,
        binary=True,
    )
    return np.frombuffer(result.stdout, dtype=np.float32)
