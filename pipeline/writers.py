"""Transcript file formats, one small class each, chosen by name (as whisper's `utils.py` does)."""

from __future__ import annotations

import json
import textwrap
from typing import Iterator

from .records import Segment, Transcript, Word

CUE_CHARS = 84  # two lines of 42 characters, the usual subtitle limit
LINE_CHARS = 42


def timestamp(seconds: float, separator: str = ".") -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def cues(transcript: Transcript) -> Iterator[tuple[float, float, str, str]]:
    """(start, end, text, speaker), segments cut at word boundaries into readable cues."""
    for segment in transcript.segments:
        yield from _split(segment)


def _split(segment: Segment) -> Iterator[tuple[float, float, str, str]]:
    if len(segment.text) <= CUE_CHARS or not segment.words:
        yield segment.start, segment.end, segment.text, segment.speaker
        return
    words: list[Word] = []
    for word in segment.words:
        if words and len(_join([*words, word])) > CUE_CHARS:
            yield words[0].start, words[-1].end, _join(words), segment.speaker
            words = []
        words.append(word)
    if words:
        yield words[0].start, words[-1].end, _join(words), segment.speaker


def _join(words: list[Word]) -> str:
    return "".join(w.text for w in words).strip()


class Writer:
    extension: str

    def write(self, transcript: Transcript) -> str:
        raise NotImplementedError


class WriteVTT(Writer):
    extension = "vtt"

    def write(self, transcript: Transcript) -> str:
        blocks = ["WEBVTT"]
        for start, end, text, speaker in cues(transcript):
            body = "\n".join(textwrap.wrap(text, LINE_CHARS)) or text
            if speaker:
                body = f"<v {speaker}>{body}"
            blocks.append(f"{timestamp(start)} --> {timestamp(end)}\n{body}")
        return "\n\n".join(blocks) + "\n"


class WriteJSON(Writer):
    """The full internal transcript with words, as the build cache keeps it."""

    extension = "json"

    def write(self, transcript: Transcript) -> str:
        return json.dumps(transcript.to_dict(), ensure_ascii=False, indent=1)


WRITERS: dict[str, type[Writer]] = {w.extension: w for w in (WriteVTT, WriteJSON)}


def get_writer(name: str) -> Writer:
    try:
        return WRITERS[name]()
    except KeyError:
        raise ValueError(f"unknown transcript format {name!r}; choose from {', '.join(WRITERS)}") from None
