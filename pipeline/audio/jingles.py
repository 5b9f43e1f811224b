"""Intro and outro jingles, made ready with pydub before ffmpeg crossfades them with the episode.

Jingles are seconds long, so pydub (which holds audio in memory) is the right tool here: it
trims their silent edges and sets their level to the episode's target, so music and voice sound
equally loud. The episode itself never goes through pydub: an hour of it would take gigabytes.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from ..errors import AudioDecodeError
from . import ffmpeg
from .loudness import is_silent, measure

with warnings.catch_warnings():  # pydub warns when ffmpeg is not on PATH; we decode for it
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

HEADROOM_DB = 0.1  # pydub works on integers: keep the boosted jingle below full scale


def prepare(source: Path, work: Path, target: float, channels: int, rate: int, silence_threshold: float) -> Path:
    """Write `work/<name>.wav`: `source` trimmed of silent edges and levelled to `target` LUFS.

    Raises:
        AudioDecodeError: `source` is unreadable or silent.
    """
    work.mkdir(parents=True, exist_ok=True)
    decoded = work / f"{source.stem}.decoded.wav"
    ffmpeg.run(["-i", str(source), "-vn", "-ac", str(channels), "-ar", str(rate), "-c:a", "pcm_s32le", str(decoded)], about=source)
    jingle = AudioSegment.from_wav(decoded)
    start = detect_leading_silence(jingle, silence_threshold=silence_threshold)
    end = len(jingle) - detect_leading_silence(jingle.reverse(), silence_threshold=silence_threshold)
    if end - start <= 0:
        raise AudioDecodeError(f"{source}: the jingle is silent")
    jingle = jingle[start:end]
    trimmed = work / f"{source.stem}.trimmed.wav"
    jingle.export(trimmed, format="wav")
    loudness = measure(trimmed).integrated
    if is_silent(loudness):
        raise AudioDecodeError(f"{source}: the jingle is silent")
    gain = min(target - loudness, -jingle.max_dBFS - HEADROOM_DB)
    ready = work / f"{source.stem}.ready.wav"
    jingle.apply_gain(gain).export(ready, format="wav")
    for temporary in (decoded, trimmed):
        temporary.unlink()
    return ready
