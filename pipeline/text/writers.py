"""Transcript file formats, one small class each, chosen by name (as whisper's `utils.py` does)."""

from __future__ import annotations

import html
import json
import textwrap
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, Iterator

from ..records import Segment, Transcript, Word
from ..times import clock, cue_time


def cues(transcript: Transcript, width: int, reserve: int = 0) -> Iterator[tuple[float, float, str, str]]:
    """(start, end, text, speaker): segments cut at word boundaries into cues that wrap into two
    lines of `width` characters, `reserve` characters kept free on the first (for a name)."""

    def fits(text: str) -> bool:
        return len(textwrap.wrap("x" * reserve + " " + text if reserve else text, width, break_long_words=False, break_on_hyphens=False)) <= 2

    for segment in transcript.segments:
        yield from _split(segment, fits)


def _split(segment: Segment, fits: Callable[[str], bool]) -> Iterator[tuple[float, float, str, str]]:
    if fits(segment.text):
        yield segment.start, segment.end, segment.text, segment.speaker
        return
    words: list[Word] = []
    for word in segment.words or spread(segment):
        # Cut only before a word that starts one ("l'" + "effort" is one word to a reader).
        starts_word = word.text.startswith(" ")
        if words and starts_word and not fits(_join([*words, word])):
            yield words[0].start, words[-1].end, _join(words), segment.speaker
            words = []
        words.append(word)
    if words:
        yield words[0].start, words[-1].end, _join(words), segment.speaker


def spread(segment: Segment) -> tuple[Word, ...]:
    """The words of a segment without word timings (a text a host retyped, a transcript made
    without them), timed in proportion to their length."""
    tokens = segment.text.split()
    total = sum(len(t) + 1 for t in tokens)
    words, at = [], segment.start
    for i, token in enumerate(tokens):
        length = (segment.end - segment.start) * (len(token) + 1) / total
        words.append(Word(round(at, 3), round(at + length, 3), (" " if i else "") + token))
        at += length
    return tuple(words)


def _join(words: list[Word]) -> str:
    return "".join(w.text for w in words).strip()


def _lines(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


@dataclass(frozen=True)
class Turn:
    speaker: str
    start: float
    text: str


def turns(transcript: Transcript) -> list[Turn]:
    """A paragraph per speaker's turn (or per segment without speakers)."""
    grouped: list[tuple[str, float, list[str]]] = []
    for segment in transcript.segments:
        if grouped and segment.speaker and grouped[-1][0] == segment.speaker:
            grouped[-1][2].append(segment.text)
        else:
            grouped.append((segment.speaker, segment.start, [segment.text]))
    return [Turn(speaker, start, " ".join(texts)) for speaker, start, texts in grouped]


class Writer:
    extension: str
    media_type: str

    def write(self, transcript: Transcript) -> str:
        raise NotImplementedError


class WriteVTT(Writer):
    """WebVTT with `<v Name>` voice spans, lines of 65 characters at most."""

    extension = "vtt"
    media_type = "text/vtt"
    LINE = 65

    def write(self, transcript: Transcript) -> str:
        blocks = ["WEBVTT"]
        for start, end, text, speaker in cues(transcript, self.LINE):
            # WebVTT cue text is markup: "R&D" or "<" must be escaped (W3C WebVTT, 4.2.2).
            body = html.escape(_lines(text, self.LINE), quote=False)
            if speaker:
                body = f"<v {html.escape(speaker, quote=False)}>{body}</v>"
            blocks.append(f"{cue_time(start)} --> {cue_time(end)}\n{body}")
        return "\n\n".join(blocks) + "\n"


class WriteSRT(Writer):
    """SubRip: at most two lines of 42 characters, `Name:` where the speaker changes."""

    extension = "srt"
    media_type = "application/x-subrip"
    LINE = 42  # the usual subtitle line
    NAME_ROOM = 10  # characters kept on a cue's first line for "Name:"

    def write(self, transcript: Transcript) -> str:
        import srt

        subtitles = []
        previous = None
        for start, end, text, speaker in cues(transcript, self.LINE, self.NAME_ROOM):
            if speaker and speaker != previous:
                text = f"{speaker}: {text}"
            previous = speaker or previous
            lines = textwrap.wrap(text, self.LINE, break_long_words=False, break_on_hyphens=False)
            while len(lines) > 2:  # a long name pushed a third line: give the cue its own two lines
                subtitles.append(srt.Subtitle(0, timedelta(seconds=start), timedelta(seconds=end), "\n".join(lines[:2])))
                lines = lines[2:]
            subtitles.append(srt.Subtitle(0, timedelta(seconds=start), timedelta(seconds=end), "\n".join(lines)))
        return srt.compose(subtitles)


class WritePodcastJSON(Writer):
    """The Podcasting 2.0 transcript JSON (podcastindex.org's transcript format, version 1.0.0)."""

    extension = "p20.json"
    media_type = "application/json"

    def write(self, transcript: Transcript) -> str:
        segments = [
            {"speaker": s.speaker, "startTime": round(s.start, 3), "endTime": round(s.end, 3), "body": s.text}
            if s.speaker
            else {"startTime": round(s.start, 3), "endTime": round(s.end, 3), "body": s.text}
            for s in transcript.segments
        ]
        return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False, indent=1)


class WriteText(Writer):
    """Plain text, a paragraph per speaker's turn (or per segment without speakers)."""

    extension = "txt"
    media_type = "text/plain"

    def write(self, transcript: Transcript) -> str:
        blocks = [(f"{turn.speaker}: " if turn.speaker else "") + turn.text for turn in turns(transcript)]
        # A word longer than a line (an address a host retyped) stays whole, as in the cues.
        return "\n\n".join(textwrap.fill(block, 80, break_long_words=False, break_on_hyphens=False) for block in blocks) + "\n"


class WriteHTML(Writer):
    """The Podcasting 2.0 HTML transcript: per turn, `<cite>` the speaker, `<time>` its start, `<p>` the words.

    From the namespace's transcripts.md ("HTML"): a low-fidelity transcript for accessibility and search.
    """

    extension = "html"
    media_type = "text/html"

    def write(self, transcript: Transcript) -> str:
        blocks = []
        for turn in turns(transcript):
            cite = f"<cite>{html.escape(turn.speaker)}:</cite>\n" if turn.speaker else ""
            blocks.append(f"{cite}<time>{clock(turn.start)}</time>\n<p>{html.escape(turn.text)}</p>")
        return "\n".join(blocks) + "\n"


class WriteJSON(Writer):
    """The full internal transcript with words, as the build cache keeps it."""

    extension = "json"
    media_type = "application/json"

    def write(self, transcript: Transcript) -> str:
        return json.dumps(transcript.to_dict(), ensure_ascii=False, indent=1)


WRITERS: dict[str, type[Writer]] = {w.extension: w for w in (WriteVTT, WriteSRT, WritePodcastJSON, WriteText, WriteHTML, WriteJSON)}
# What the site publishes beside each episode page, and the feed links with podcast:transcript.
PUBLISHED = {
    "vtt": "transcript.vtt",
    "p20.json": "transcript.json",
    "srt": "transcript.srt",
    "txt": "transcript.txt",
    "html": "transcript.html",
}
CAPTIONS = ("vtt", "srt")  # timed cues: podcast:transcript's rel="captions"


def get_writer(name: str) -> Writer:
    try:
        return WRITERS[name]()
    except KeyError:
        raise ValueError(f"unknown transcript format {name!r}; choose from {', '.join(WRITERS)}") from None
