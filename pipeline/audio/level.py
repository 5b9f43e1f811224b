"""The leveller, which evens out a programme's loudness range, and the limiter, which holds its
peaks: their gains planned from the programme's measurements, before anything is encoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import ffmpeg
from .loudness import BLOCK_STEPS, SILENT, STEP, FrameLog, integrated
from .programme import SAMPLE_RATE, Programme, shaped

if TYPE_CHECKING:  # numpy is imported where it runs: 0.1 s of every `podcast status` otherwise
    import numpy as np

# The leveller: at each moment, the gain that brings the voice heard around it to the loudness
# of the programme's speech. "Around it": 400 ms blocks weighed by a gaussian of 1.5 s (about
# 6 s wide, a speaker's turn); a block is speech when its true peak is over the show's silence
# threshold, so pauses and room noise are never raised for themselves. Where the window holds
# too little speech to judge (a long pause), the gain moves in a straight line between its
# neighbours. Measured on bench/montage.py's readers (fr-read, 26 LU between the quietest and
# the loudest audible one), the published range is 6 LU; on a host and a guest 20 dB apart
# taking 5 s turns, the turns come out within 0.6 LU of one another. ffmpeg's dynaudnorm, a peak
# normaliser, left the readers at 19 LU: its 18 dB of gain at most left the quiet ones 10-17 dB
# under, and with 40 dB its peak-based gain still left 12 LU. A gaussian-weighted mean of the
# blocks' loudness evened out the readers but left the 5 s turns 20 LU apart, ruled by the
# louder voice: hence the median (`_voice_loudness`).
LEVEL_SIGMA = 1.5  # seconds
LEVEL_MIN_SPEECH = 0.15  # share of the (weighed) window that must be speech for its loudness to count
LEVEL_VOICE_BAND = 10.0  # LU either side of the median: BS.1770's relative gate, both ways
LEVEL_MAX_GAIN = 24.0  # dB either way; the montage's quietest audible reader needed +22.4
LEVEL_CHUNK = 1024  # steps whose windows are sorted at once (1024 x 91 values)
LEVEL_PAD = 10.0  # seconds of gain written past the end: amultiply stops with the shorter input
LIMITER_ATTACK_MS = 5
LIMITER_RELEASE_MS = 50
# dB under the peak wanted where the limiter is measured: between two of them, the loudness it
# takes back is close to a straight line (on speech, the threshold read off it lands within
# 0.05 LU), so the threshold is found, not tried. Recordings with hot peaks (SPPAS readers at
# 0 dBFS) need 5-7 dB more than the peak wanted; beyond the last, a line drawn from two
# thresholds 2 dB apart missed by 0.3 LU.
LIMITS = (0.0, -2.0, -6.0)


@dataclass(frozen=True)
class Plan:
    """The gains and the limiter of one encode."""

    gain: float  # dB on the programme, before the jingles join it
    limit: float | None = None  # dBFS the limiter holds peaks at; None: no limiter
    makeup: float = 0.0  # dB after the limiter: the loudness it took, given back


@dataclass(frozen=True)
class Levelling:
    """The programme as the leveller will make it, predicted from the measurements."""

    gains: np.ndarray  # dB at each STEP from the start
    integrated: float  # LUFS
    true_peak: float  # dBTP


def leveller(momentary: np.ndarray, true_peak: np.ndarray, floor: float) -> Levelling:
    """The leveller's gain at each STEP, from the programme's 100 ms measurements (`FrameLog`).

    Args:
        momentary: loudness (LUFS) of the 400 ms block ending at each step.
        true_peak: true peak (dBTP) of the 100 ms ending at each step.
        floor: dBFS under which a block's peak is silence (the show's silence threshold).
    """
    import numpy as np

    steps = len(momentary)
    # A block is speech when it is loud enough to gate and its peak is over the silence floor.
    block_peak = np.maximum.reduce([np.concatenate([np.full(k, -np.inf), true_peak[: steps - k]]) for k in range(BLOCK_STEPS)])
    speech = (momentary > SILENT) & (block_peak > floor)
    if not speech.any():
        return Levelling(np.zeros(steps), integrated(momentary), float(np.nanmax(true_peak)))
    reach = round(3 * LEVEL_SIGMA / STEP)
    window = np.exp(-0.5 * (np.arange(-reach, reach + 1) * STEP / LEVEL_SIGMA) ** 2)
    # Each step's row holds the blocks around it (NaN where not speech); rows are taken a chunk at
    # a time, so memory does not grow with the programme.
    padded = np.pad(np.where(speech, momentary, np.nan), reach, constant_values=np.nan)
    voice = np.empty(steps)
    for start in range(0, steps, LEVEL_CHUNK):
        rows = np.lib.stride_tricks.sliding_window_view(padded[start : min(start + LEVEL_CHUNK, steps) + 2 * reach], 2 * reach + 1)
        voice[start : start + len(rows)] = _voice_loudness(rows, window)
    judged = ~np.isnan(voice)
    if not judged.any():  # too little speech anywhere to tell loud from quiet: leave it as it is
        gains = np.zeros(steps)
    else:
        own = integrated(momentary[speech])  # the loudness of all the programme's speech
        index = np.arange(steps)
        gains = np.clip(own - np.interp(index, index[judged], voice[judged]), -LEVEL_MAX_GAIN, LEVEL_MAX_GAIN)
    # Block i ends at (i + 1) * STEP: its middle, where its gain applies, is (i - 1) * STEP.
    at_steps = np.concatenate([gains[1:], gains[-1:]])
    # Step j's peak lies in the 100 ms ending at (j + 1) * STEP, between two gain steps.
    peaks = true_peak + np.maximum(at_steps, np.concatenate([at_steps[1:], at_steps[-1:]]))
    return Levelling(at_steps, integrated(momentary + gains), float(np.nanmax(peaks)))


def _voice_loudness(rows: np.ndarray, window: np.ndarray) -> np.ndarray:
    """The loudness (LUFS) of the voice around each step, NaN where too little speech is heard.

    `rows[i]` holds the loudness of the blocks around step i, NaN for those that are not speech,
    weighed by `window`. Their weighted median is the voice that holds most of the window: in a
    conversation, a mean is ruled by the louder voice. The blocks within
    LEVEL_VOICE_BAND of it are then averaged as BS.1770 averages them (their power); the faded
    ends of words and the other voice are left out.
    """
    import numpy as np

    weights = np.where(np.isnan(rows), 0.0, window)
    total = weights.sum(axis=1)
    order = np.argsort(np.where(np.isnan(rows), np.inf, rows), axis=1)
    ranked = np.take_along_axis(rows, order, axis=1)
    cumulative = np.cumsum(np.take_along_axis(weights, order, axis=1), axis=1)
    median = np.take_along_axis(ranked, np.argmax(cumulative >= total[:, None] / 2, axis=1)[:, None], axis=1)[:, 0]
    near = np.where(np.abs(rows - median[:, None]) <= LEVEL_VOICE_BAND, weights, 0.0)
    power = np.where(near > 0, 10 ** (np.nan_to_num(rows, nan=SILENT) / 10), 0.0)
    heard = total >= LEVEL_MIN_SPEECH * window.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(heard, 10 * np.log10((near * power).sum(axis=1) / near.sum(axis=1)), np.nan)


def limiter(limit: float) -> str:
    # A target out of reach (peaks far under the loudness asked for) reads a threshold off the
    # curve below the lowest alimiter takes (0.0625, -24 dBFS), which ffmpeg refuses with an
    # error about the recording; held there, the encode misses and is refused for what it is.
    level = max(10 ** (limit / 20), 0.0625)
    return f"alimiter=limit={level:.5f}:attack={LIMITER_ATTACK_MS}:release={LIMITER_RELEASE_MS}:level=false:latency=true"


def limiter_curve(
    show: Programme,
    gain: float,
    span: tuple[float, float],
    ready: dict[str, Path],
    fade: float,
    limits: tuple[float, ...],
    about: str,
) -> list[tuple[float, float]]:
    """(threshold dBFS, integrated LUFS) of the programme at `gain`, limited at each of `limits`:
    what the limiter takes back, measured in one pass before anything is encoded.

    No true-peak meter: what the limiter lets through between samples (up to 0.7 dB on the
    montage's hour) is in the margin kept under the ceiling, with what MP3 adds, and a meter
    with 4x oversampling on each threshold would cost as much as the rest of the pass.
    """
    inputs, graph, current, _ = shaped(show, gain, span, ready, fade, speakers=False)
    graph.append("[unlevelled]anullsink")
    graph.append(f"[{current}]aresample={SAMPLE_RATE},asplit={len(limits)}" + "".join(f"[l{i}]" for i in range(len(limits))))
    outputs = []
    logs = [FrameLog(f"limited{i}") for i in range(len(limits))]
    for i, limit in enumerate(limits):
        # Its blocks, not its summary: the summary's one decimal is too coarse to draw a line through.
        graph.append(f"[l{i}]{limiter(limit)},ebur128@limited{i}=framelog=info[m{i}]")
        outputs += ["-map", f"[m{i}]", "-f", "null", "-"]
    args = ["-nostats", *inputs, "-filter_complex", ";".join(graph), *outputs]
    ffmpeg.run_logged(args, about, lambda line: any(log.take(line) for log in logs))
    return [(limit, integrated(log.momentary)) for limit, log in zip(limits, logs)]


def limiter_plan(curve: list[tuple[float, float]], gain: float, level: float, peak: float) -> Plan:
    """The threshold and make-up gain that bring the limited programme to `level` LUFS with its
    peaks at `peak` dBFS.

    Limited at T, the programme measures I(T) and peaks at T; the make-up gain (level - I(T))
    lifts both, so the peaks land at T - I(T) + level. T - I(T) falls with T, close to a
    straight line between two measured thresholds: the T where it equals peak - level is read
    off the line between the two around it (beyond the lowest, the last line is followed).
    """
    wanted = peak - level
    (high, loud_high), *_ = curve
    if high - loud_high <= wanted:  # held at the ceiling itself, the peaks leave room: nothing to find
        return Plan(gain, high, level - loud_high)
    for (high, loud_high), (low, loud_low) in zip(curve, curve[1:]):
        if low - loud_low <= wanted:
            break
    slope = min(max(((high - loud_high) - (low - loud_low)) / (high - low), 0.2), 1.0)
    limit = low + (wanted - (low - loud_low)) / slope
    loudness_at = loud_low + (limit - low) * (loud_high - loud_low) / (high - low)
    return Plan(gain, limit, level - loudness_at)
