"""Loudness per EBU R128 / ITU-R BS.1770, measured by ffmpeg's `ebur128` filter.

`ebur128=peak=true` reports integrated loudness (LUFS), loudness range (LU) and true peak
(dBTP, from 4x oversampling). Several named instances (`ebur128@name`) can run in one ffmpeg
command; each prints its own summary, which `summaries` tells apart by name. With a frame log,
an instance also prints a line every 100 ms, which `FrameLog` reads: the loudness of the 400 ms
block ending there and the true peak of the last 100 ms.
"""

from __future__ import annotations

import math
import re
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import ffmpeg

if TYPE_CHECKING:  # numpy is imported where it runs: 0.1 s of every `podcast status` otherwise
    import numpy as np

SILENT = -70.0  # LUFS: BS.1770's absolute gate; below it a programme has no measurable loudness
RELATIVE_GATE = -10.0  # LU: BS.1770-4's relative gate for integrated loudness
STEP = 0.1  # seconds between two lines of ebur128's frame log
BLOCK_STEPS = 4  # a gating block (400 ms) spans four steps: consecutive blocks overlap by 75 %

_SUMMARY = re.compile(r"^\[(\S+) @ 0x[0-9a-f]+\] Summary:", re.MULTILINE)
_SILENCE = re.compile(r"silence_(start|end): (-?[\d.]+)")
_TIME = re.compile(r"time=(\d+):(\d+):(\d+(?:\.\d+)?)")


def meter(name: str, framelog: bool = False) -> str:
    """An ebur128 filter whose summary `summaries` will find under `name`; with `framelog`,
    also the 100 ms lines a `FrameLog(name)` reads."""
    return f"ebur128@{name}=peak=true:framelog={'info' if framelog else 'quiet'}"


_NUMBER = r"-?(?:inf|nan|[\d.]+)"
_MOMENTARY = re.compile(rf" t: *[\d.]+ .*? M: *({_NUMBER}) ")
_FRAME_PEAK = re.compile(rf" FTPK: *((?:{_NUMBER} +)+)dBFS")  # one value a channel; only with peak=true


class FrameLog:
    """The 100 ms lines of one named meter (`meter(name, framelog=True)`), taken from ffmpeg's
    log as it is written (`ffmpeg.run_logged(..., take=log.take)`), kept as two float arrays.

    `momentary[i]` is the loudness (LUFS) of the 400 ms block ending at (i + 1) * STEP seconds:
    BS.1770's gating blocks themselves. `true_peak[i]` is the highest true peak (dBTP, over the
    channels) of the 100 ms ending there, NaN from a meter without peak=true.
    """

    def __init__(self, name: str) -> None:
        self._prefix = f"[ebur128@{name} @"
        self._momentary = array("d")
        self._true_peak = array("d")

    def take(self, line: str) -> bool:
        if not line.startswith(self._prefix):
            return False
        found = _MOMENTARY.search(line)
        if not found:
            return False
        self._momentary.append(float(found.group(1)))
        peak = _FRAME_PEAK.search(line, found.end())
        self._true_peak.append(max(float(value) for value in peak.group(1).split()) if peak else math.nan)
        return True

    @property
    def momentary(self) -> np.ndarray:
        import numpy as np

        return np.array(self._momentary)

    @property
    def true_peak(self) -> np.ndarray:
        import numpy as np

        return np.array(self._true_peak)


def integrated(blocks: np.ndarray) -> float:
    """Integrated loudness (LUFS) from the loudness of 400 ms blocks overlapping by 75 %, gated
    as BS.1770-4 does: blocks under -70 LUFS, then blocks 10 LU under the mean of the rest, left out."""
    import numpy as np

    heard = blocks[blocks > SILENT]
    if not heard.size:
        return -math.inf
    relative = 10 * math.log10(np.mean(10 ** (heard / 10))) + RELATIVE_GATE
    return 10 * math.log10(np.mean(10 ** (heard[heard > relative] / 10)))


def _number(summary: str, label: str) -> float:
    """A value of the summary; NaN where the meter did not compute it (true peak without peak=true)."""
    match = re.search(rf"{label}:\s+(-?(?:inf|[\d.]+))", summary)
    return float(match.group(1)) if match else math.nan


@dataclass(frozen=True)
class Measurement:
    """EBU R128's three figures of a piece of audio."""

    integrated: float  # LUFS
    lra: float  # loudness range, LU
    true_peak: float  # dBTP; NaN where the meter did not compute it


def summaries(stderr: str) -> dict[str, Measurement]:
    """Each meter's figures, by its instance name, from ffmpeg's log."""
    found = {}
    marks = list(_SUMMARY.finditer(stderr))
    for mark, following in zip(marks, [*marks[1:], None]):
        text = stderr[mark.end() : following.start() if following else len(stderr)]
        name = mark.group(1).split("@", 1)[-1]
        found[name] = Measurement(_number(text, "I"), _number(text, "LRA"), _number(text, "Peak"))
    return found


def silences(stderr: str) -> list[tuple[float, float | None]]:
    """(start, end) of each silence `silencedetect` reported; end is None when it ran to the end."""
    spans: list[tuple[float, float | None]] = []
    for kind, value in _SILENCE.findall(stderr):
        if kind == "start":
            spans.append((max(float(value), 0.0), None))
        elif spans and spans[-1][1] is None:
            spans[-1] = (spans[-1][0], float(value))
    return spans


def elapsed(stderr: str) -> float | None:
    """The duration ffmpeg processed, from its last progress line (run without -nostats)."""
    found = _TIME.findall(stderr)
    if not found:
        return None
    hours, minutes, seconds = found[-1]
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def measure(path: Path) -> Measurement:
    """Integrated loudness (LUFS), loudness range (LU) and true peak (dBTP) of a file."""
    result = ffmpeg.run(["-nostats", "-i", str(path), "-filter_complex", meter("file"), "-f", "null", "-"], about=path)
    return summaries(result.stderr)["file"]


def off_target(measured: float, target: float) -> float:
    """LU between a loudness and its target, to the thousandth: ebur128 measures to the tenth, and
    -15.6 against -16 is 0.4 LU off, not the 0.4000000000000004 a float subtraction gives."""
    return round(abs(measured - target), 3)


def is_silent(integrated: float) -> bool:
    return not math.isfinite(integrated) or integrated <= SILENT
