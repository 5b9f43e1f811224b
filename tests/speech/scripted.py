"""A Whisper that says what it is told: the code around the model, run without the model.

`ScriptedWhisper` is a real `Transcriber` (the windows, the voice detector, the phantom filter,
the loop cut and the move of early words all run) whose `_decode`, the one method the engines
override, gives back a script instead of decoding. It keeps every piece of audio it was given,
so a test can say what Whisper would have heard: nothing where nobody speaks.

The script is what Whisper is known to write (tests/data/whisper-elsewhere, and the phrases of
pipeline/speech/phantoms.py), laid on the audio it is given the way Whisper lays it: one entry
per stretch of voice in that audio, each entry's segments spread over its stretch, word by word;
entries beyond the last stretch are what Whisper invents after the voice, over the last second.
"""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

from pipeline.records import Segment, Transcription, Word
from pipeline.speech.transcriber import Transcriber

RATE = 16000  # what Whisper is given: 16 kHz mono
FRAME = 0.02  # seconds
VOICE_DBFS = -50.0  # a frame louder than this has voice (or noise) in it
JOIN = 1.0  # stretches of voice closer than this (seconds) are one


def stretches(audio: np.ndarray) -> list[tuple[float, float]]:
    """Where the voice is in `audio`, in seconds: the test's own measure, not the pipeline's."""
    size = round(FRAME * RATE)
    count = len(audio) // size
    if not count:
        return []
    frames = audio[: count * size].reshape(count, size).astype(np.float64)
    loud = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12) > VOICE_DBFS
    spans: list[list[float]] = []
    for i in np.flatnonzero(loud):
        start, end = i * FRAME, (i + 1) * FRAME
        if spans and start - spans[-1][1] < JOIN:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [(round(a, 3), round(b, 3)) for a, b in spans]


def quiet_runs(audio: np.ndarray) -> list[float]:
    """The lengths (seconds) of each run of quiet frames in `audio`."""
    size = round(FRAME * RATE)
    count = len(audio) // size
    frames = audio[: count * size].reshape(count, size).astype(np.float64)
    quiet = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12) <= VOICE_DBFS
    runs, length = [], 0
    for q in quiet:
        if q:
            length += 1
        elif length:
            runs.append(length * FRAME)
            length = 0
    return runs + ([length * FRAME] if length else [])


def spoken(texts: Sequence[str], start: float, end: float, early: float = 0.0) -> list[Segment]:
    """`texts` as segments of evenly timed words over [start, end]; the first word begins `early`
    seconds before `start` (Whisper's first word of a passage, in the pause before it)."""
    tokens = [(i, token) for i, text in enumerate(texts) for token in text.split()]
    step = (end - start) / max(len(tokens), 1)
    words: dict[int, list[Word]] = {}
    for n, (i, token) in enumerate(tokens):
        a, b = round(start + n * step, 3), round(start + (n + 1) * step, 3)
        if n == 0:
            a = round(max(0.0, start - early), 3)
        words.setdefault(i, []).append(Word(a, b, " " + token, 0.9))
    return [Segment(w[0].start, w[-1].end, texts[i], tuple(w)) for i, w in sorted(words.items())]


class ScriptedWhisper(Transcriber):
    """A transcriber whose decoder writes `script`: for the n-th stretch of voice in the audio it
    is given, the segments `script[n]`; entries past the last stretch go over the last second."""

    engine = "faster-whisper"

    def __init__(self, *script: Sequence[str], vad: bool = True, early: float = 0.0) -> None:
        super().__init__(Transcription(vad=vad), threads=1, workers=1)
        self.script = script
        self.early = early
        self.given: list[np.ndarray] = []  # every piece of audio the decoder was handed

    def _decode(self, audio: np.ndarray, language: str, prompt: str) -> Iterator[Segment]:
        self.given.append(np.array(audio, copy=True))
        voice = stretches(audio)
        duration = len(audio) / RATE
        for n, texts in enumerate(self.script):
            if n < len(voice):
                yield from spoken(texts, *voice[n], early=self.early)
            else:  # invented after the voice, where Whisper writes its subtitles' credits
                yield from spoken(texts, max(0.0, duration - 1.0), duration)
