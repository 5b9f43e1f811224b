"""Typed records the stages pass around: the show, its episodes, people, chapters, transcripts.

Times are float seconds. Every record turns into plain JSON-able data with `to_dict` and back
with `from_dict`, so the build cache can keep it and the fingerprints can hash it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class Record:
    """Mixin: `to_dict` for the cache and for fingerprints."""

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True)
class Person(Record):
    name: str
    role: str = ""
    url: str = ""
    img: str = ""
    bio: str = ""
    email: str = ""


@dataclass(frozen=True)
class Link(Record):
    title: str
    url: str


@dataclass(frozen=True)
class Chapter(Record):
    start: float
    title: str
    url: str = ""


@dataclass(frozen=True)
class Loudness(Record):
    """The show's loudness target. Apple asks for about -16 LKFS and a true peak at or below -1 dBFS."""

    target: float = -16.0
    true_peak: float = -1.0
    lra: float = 11.0
    tolerance: float = 1.0


@dataclass(frozen=True)
class Transcription(Record):
    engine: str = "faster-whisper"
    model: str = "base"
    beam_size: int = 5
    vad: bool = True


@dataclass(frozen=True)
class Show(Record):
    root: Path
    title: str
    description: str
    language: str
    author: str
    owner: Person
    base_url: str
    categories: tuple[tuple[str, ...], ...]
    artwork: Path
    subtitle: str = ""
    explicit: bool = False
    type: str = "episodic"
    hosts: tuple[Person, ...] = ()
    copyright: str = ""
    guid: str = ""
    timezone: str = "Europe/Paris"
    loudness: Loudness = field(default_factory=Loudness)
    transcription: Transcription = field(default_factory=Transcription)

    @property
    def feed_url(self) -> str:
        return self.base_url + "feed.xml"


@dataclass(frozen=True)
class Episode(Record):
    slug: str
    folder: Path
    title: str
    published: datetime
    audio: tuple[Path, ...]
    number: int | None = None
    season: int | None = None
    type: str = "full"
    description: str = ""
    guests: tuple[Person, ...] = ()
    links: tuple[Link, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    explicit: bool | None = None
    draft: bool = False

    def metadata(self) -> dict[str, Any]:
        """What a reader sees of the episode, without where its files lie."""
        data = self.to_dict()
        del data["folder"], data["audio"]
        return data


@dataclass(frozen=True)
class Word(Record):
    """A word as Whisper gives it: `text` keeps its leading space, so joining words needs no separator."""

    start: float
    end: float
    text: str
    probability: float = 1.0
    speaker: str = ""


@dataclass(frozen=True)
class Segment(Record):
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    speaker: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        words = tuple(Word(**w) for w in data.get("words", ()))
        return cls(**{**data, "words": words})


@dataclass(frozen=True)
class Transcript(Record):
    """A transcript and what produced it, as faster-whisper keeps `TranscriptionInfo` beside its segments."""

    language: str
    duration: float
    segments: tuple[Segment, ...]
    engine: str = ""
    model: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        segments = tuple(Segment.from_dict(s) for s in data["segments"])
        return cls(**{**data, "segments": segments})

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)
