"""What each stage hands the stages after it: one small frozen record per stage, read by attribute.

The engine saves a stage's result beside its fingerprint and loads it back when the stage is
fresh; pydantic turns it into JSON and back (paths, tuples, nested records), so a later stage
reads `levelled.duration`, never a string key into another stage's dict, and a record saved by
an older version that no longer fits is a stale stage, not a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cache
from pathlib import Path
from typing import Any, Iterator, TypeVar

from pydantic import TypeAdapter, ValidationError

from .records import Chapter, Episode

R = TypeVar("R")


# One per kind: building one reads the whole record's type. mypy takes a class's own __hash__
# for its instances' and calls classes unhashable (python/mypy#11470): hence the ignores below.
@cache
def _adapter(kind: type) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def dump(result: Any) -> dict[str, Any]:
    """A result as JSON-ready data."""
    return _adapter(type(result)).dump_python(result, mode="json")  # type: ignore[arg-type]


def load(kind: type[R], data: Any) -> R | None:
    """The result saved as `data`, or None when it does not fit `kind` (saved by another version)."""
    try:
        return _adapter(kind).validate_python(data)  # type: ignore[arg-type]
    except ValidationError:
        return None


def moved(result: R, moves: dict[Path, Path]) -> R:
    """`result` with each output path written to a temporary (`moves` key) named by its final place."""
    changes: dict[str, Any] = {}
    for f in fields(result):  # type: ignore[arg-type]
        value = getattr(result, f.name)
        if isinstance(value, Path) and value in moves:
            changes[f.name] = moves[value]
        elif isinstance(value, tuple) and any(isinstance(v, Path) for v in value):
            changes[f.name] = tuple(moves.get(v, v) for v in value)
    return replace(result, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class Passage:
    """Words Whisper was unsure of, for the host to check."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class LevelReport:
    """How normalise brought the episode to its level: for the host's report and the gate."""

    target: float  # LUFS aimed at, by the episode's channels
    channels: int
    input_integrated: float  # LUFS of the programme before any gain
    input_true_peak: float  # dBTP, likewise
    gain: float  # dB applied in all (the limiter's make-up included)
    levelled_range: float | None  # LU the programme spanned before the leveller evened it; None: not levelled
    encodes: int  # MP3 encodes it took (1 unless the encoder surprised the plan)
    mp3_quality: int | None  # LAME's -q; None: its default
    trimmed: tuple[float, float]  # seconds of silence cut at the start and at the end


@dataclass(frozen=True)
class Levelled:
    """The normalise stage: the episode levelled, as the MP3 to publish and what Whisper hears."""

    audio: Path  # the levelled MP3, untagged, in the build cache
    speech: Path  # 16 kHz FLAC of the programme, for Whisper and the voice prints
    aac: Path | None  # the AAC copy, when the show asks for one
    tracks: tuple[Path, ...]  # one FLAC per speaker, on multitrack episodes
    speakers: tuple[str, ...]  # whose voice each track is
    duration: float  # seconds, of the MP3 as published: the episode's one duration
    bitrate: str  # "64k"
    integrated: float  # LUFS, measured on the MP3
    true_peak: float  # dBTP
    lra: float  # loudness range, LU
    limited: bool  # a limiter held the peaks
    report: LevelReport  # how it got there


@dataclass(frozen=True)
class Transcribed:
    transcript: Path  # Whisper's words, as JSON (writers.TranscriptJSON)
    segments: int
    words: int
    doubtful: tuple[Passage, ...]


@dataclass(frozen=True)
class Diarized:
    transcript: Path  # every word named after its speaker
    spoken_seconds: dict[str, float]
    note: str


@dataclass(frozen=True)
class Unmatched:
    """A correction that found nothing Whisper heard: a fix is published at its place all the
    same, a phrase to replace changed nothing. The host is told (podcast check, the report)."""

    kind: str  # "fix" or "replace"
    text: str  # the fix's text, or the phrase to replace
    start: float = 0.0  # a fix's times, seconds
    end: float = 0.0
    speaker: str = ""  # whose line a fix became


@dataclass(frozen=True)
class Corrected:
    transcript: Path  # the transcript as published, with the host's corrections
    unmatched: tuple[Unmatched, ...] = ()


@dataclass(frozen=True)
class Chaptered:
    """The chapters stage: the one chapter list of the notes, the MP3's tags, the page and the feed."""

    chapters: tuple[Chapter, ...]  # records.Chapter, start in seconds, first at 0
    automatic: bool  # False when episode.toml gave them
    file: Path  # chapters.json (Podcasting 2.0 JSON chapters) in the build cache


@dataclass(frozen=True)
class Quote:
    start: float
    end: float
    speaker: str
    text: str


@dataclass(frozen=True)
class Quoted:
    """The quotes stage: notable sentences in the order they are said, and the soundbite made from the best."""

    quotes: tuple[Quote, ...]
    soundbite: Quote | None  # start/end of the 15–120 s span, text = its title (the quote)


@dataclass(frozen=True)
class Noted:
    notes: Path  # the show notes, an HTML fragment for the feed and the page
    markdown: Path  # the same notes in Markdown, for a newsletter or a video's description


@dataclass(frozen=True)
class Tagged:
    mp3: Path  # the published MP3, tagged
    mp3_bytes: int
    m4a: Path | None
    m4a_bytes: int | None


@dataclass(frozen=True)
class Written:
    """A show stage (feed, site): the files it wrote under public/."""

    files: tuple[Path, ...]


class Results:
    """The results an episode's stages have handed on so far, found by their type."""

    def __init__(self) -> None:
        self._by_kind: dict[type, Any] = {}

    def add(self, result: Any) -> None:
        self._by_kind[type(result)] = result

    def __getitem__(self, kind: type[R]) -> R:
        return self._by_kind[kind]  # a KeyError here is a stage asking for one that runs after it

    def get(self, kind: type[R]) -> R | None:
        return self._by_kind.get(kind)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._by_kind.values())


@dataclass
class Published:
    """An episode ready for the feed and the site, with the results of its stages."""

    episode: Episode
    results: Results
