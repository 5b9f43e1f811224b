"""Loudness per EBU R128 / ITU-R BS.1770, measured by ffmpeg's `ebur128` filter.

`ebur128=peak=true` reports integrated loudness (LUFS), loudness range (LU) and true peak
(dBTP, from 4x oversampling). Several named instances (`ebur128@name`) can run in one ffmpeg
command; each prints its own summary, which `summaries` tells apart by name.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from . import ffmpeg

SILENT = -70.0  # LUFS: BS.1770's absolute gate; below it a programme has no measurable loudness

_SUMMARY = re.compile(r"^\[(\S+) @ 0x[0-9a-f]+\] Summary:", re.MULTILINE)
_SILENCE = re.compile(r"silence_(start|end): (-?[\d.]+)")
_TIME = re.compile(r"time=(\d+):(\d+):(\d+(?:\.\d+)?)")


def meter(name: str) -> str:
    """An ebur128 filter whose summary `summaries` will find under `name`."""
    return f"ebur128@{name}=peak=true:framelog=quiet"


def _number(summary: str, label: str) -> float:
    """A value of the summary; NaN where the meter did not compute it (true peak without peak=true)."""
    match = re.search(rf"{label}:\s+(-?(?:inf|[\d.]+))", summary)
    return float(match.group(1)) if match else math.nan


def summaries(stderr: str) -> dict[str, dict[str, float]]:
    """{instance name: {"integrated", "lra", "true_peak"}} from ffmpeg's log."""
    found = {}
    marks = list(_SUMMARY.finditer(stderr))
    for mark, following in zip(marks, [*marks[1:], None]):
        text = stderr[mark.end() : following.start() if following else len(stderr)]
        name = mark.group(1).split("@", 1)[-1]
        found[name] = {"integrated": _number(text, "I"), "lra": _number(text, "LRA"), "true_peak": _number(text, "Peak")}
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


def measure(path: Path) -> dict[str, float]:
    """Integrated loudness (LUFS), loudness range (LU) and true peak (dBTP) of a file."""
    result = ffmpeg.run(["-nostats", "-i", str(path), "-filter_complex", meter("file"), "-f", "null", "-"], about=path)
    return summaries(result.stderr)["file"]


def is_silent(integrated: float) -> bool:
    return not math.isfinite(integrated) or integrated <= SILENT
