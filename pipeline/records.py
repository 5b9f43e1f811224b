"""Typed records the stages pass around: the show, its episodes, people, chapters, transcripts.

Times are float seconds. Every record turns into plain JSON-able data with `to_dict` and back
with `from_dict`, so the build cache can keep it and the fingerprints can hash it.

The show's settings (`[loudness]`, `[audio]`, `[transcription]`) are frozen pydantic models:
each setting's name, type, default and allowed values are written once, here, and `config`
checks `podcast.toml` against these very classes.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

# Values returned as they are, by exact type: most of what a record holds.
_AS_IS = frozenset((str, int, float, bool, type(None)))


@functools.cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names, looked up once per class (dataclasses.fields builds a tuple at each call)."""
    if dataclasses.is_dataclass(kind):
        return tuple(f.name for f in dataclasses.fields(kind))
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return tuple(kind.model_fields)
    return None


def _plain(value: Any) -> Any:
    # Every fingerprint turns the show and the episode into plain data: 80,000 calls for a
    # `podcast status` of 200 episodes, so the common cases are decided by type first.
    kind = type(value)
    if kind in _AS_IS:
        return value
    names = _field_names(kind)  # type: ignore[arg-type]  # a class is hashable (python/mypy#11470)
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
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


# XML 1.0 (§2.2, Char) allows no control character but tab, newline and carriage return: one in
# a title would make the feed not well-formed (and a terminal escape is never meant), so any text
# holding one is refused where it is typed, naming its key.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control(value: Any) -> Any:
    texts = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else []
    if isinstance(value, dict):
        texts = [*value, *value.values()]
    for text in texts:
        if isinstance(text, str) and (found := CONTROL.search(text)):
            raise ValueError(f"control character U+{ord(found.group()):04X} in {text!r}: remove it")
    return value


class Checked(BaseModel):
    """What a host types, checked: unknown keys refused (a typo must not pass silently), text
    trimmed and free of control characters."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    _plain_text = field_validator("*")(_no_control)


class Settings(Checked, Record):
    """A table of `podcast.toml`'s settings, as the stages read it: immutable and hashable."""


def _listed(value: Any) -> Any:
    # TOML writes a list where the record keeps a tuple: a mistake reads as about a list.
    if not isinstance(value, (list, tuple)):
        raise ValueError("Input should be a valid list")
    return value


Texts = Annotated[tuple[str, ...], BeforeValidator(_listed)]
Bitrate = Annotated[str, Field(pattern=r"^(32|40|48|56|64|80|96|112|128|160|192|224|256|320)k$")]


@dataclass(frozen=True)
class Person(Record):
    name: str
    role: str = ""
    url: str = ""
    img: str = ""
    bio: str = ""
    email: str = ""
    kind: str = ""  # schema.KINDS: freelance, coworking, portage… (readers browse people by it)


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
class QuotePicks(Record):
    """The host's say over the episode's quotes (episode.toml `[quotes]`): sentences to quote
    first, and sentences never to quote, each named by all or part of its text."""

    pin: tuple[str, ...] = ()
    veto: tuple[str, ...] = ()


STEREO_TARGET = -16.0  # Apple: about -16 LKFS
MONO_TARGET = -19.0  # the mono equivalent (a mono file plays on both speakers, 3 dB louder)


class Loudness(Settings):
    """The show's loudness target. Apple asks for about -16 LKFS and a true peak at or below -1 dBFS."""

    target: float | None = Field(default=None, ge=-31.0, le=-5.0)  # None: by the output's channels, STEREO_TARGET or MONO_TARGET
    true_peak: float = Field(default=-1.0, ge=-9.0, le=0.0)  # dBTP
    lra: float = Field(default=11.0, ge=1.0, le=50.0)  # LU: the widest loudness range left as it is
    tolerance: float = Field(default=0.5, gt=0.0, le=3.0)  # LU the encoded file may land from the target

    def target_for(self, channels: int) -> float:
        if self.target is not None:
            return self.target
        return STEREO_TARGET if channels > 1 else MONO_TARGET


class AudioSettings(Settings):
    """How recordings are cleaned and encoded."""

    highpass: float = Field(default=80.0, ge=0.0, le=300.0)  # Hz; removes handling noise and rumble below the voice; 0 turns it off
    denoise: bool = False
    trim_silence: bool = True
    silence_threshold: float = Field(default=-50.0, ge=-90.0, le=-20.0)  # dBFS under which sound counts as silence
    silence_min: float = Field(default=0.5, gt=0.0, le=30.0)  # seconds: shorter gaps are not silence
    channels: Literal[1, 2] | None = None  # None: mono when every recording is mono, else stereo
    bitrate_mono: Bitrate = "64k"
    bitrate_stereo: Bitrate = "128k"
    aac: bool = False  # also publish an AAC .m4a as an alternate enclosure
    id3_version: Literal[3, 4] = 4  # 3 for old players that read only ID3v2.3


@dataclass(frozen=True)
class Jingles(Record):
    intro: Path | None = None
    outro: Path | None = None
    crossfade: float = 1.0  # seconds


@dataclass(frozen=True)
class Track(Record):
    """One speaker's recording: a file of its own, or one channel of a shared stereo file."""

    speaker: str
    file: Path
    offset: float = 0.0  # seconds this track starts after the episode's start
    channel: int | None = None  # 0 = left, 1 = right; None = the whole file


Engine = Literal["faster-whisper", "openai-whisper"]


class Transcription(Settings):
    engine: Engine = "faster-whisper"
    model: str = "base"
    # bench/transcribe.py, French read speech, int8: beam 8 made 6 fewer word errors than 5 with
    # AVX-512 kernels and 2 more with AVX2 ones, in the same time: no clear gain, 5 stays.
    beam_size: int = Field(default=5, ge=1, le=16)
    # faster-whisper on the CPU: "auto" takes int8 where CTranslate2 runs it (the fastest with
    # AVX2 and AVX-512 kernels alike, measured), else float32.
    compute_type: Literal["auto", "int8", "int8_float32", "float32"] = "auto"
    vad: bool = True
    glossary: Texts = ()  # names and jargon Whisper should spell right


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
    license: str = ""  # an SPDX identifier ("CC-BY-4.0"), or a name with license_url
    license_url: str = ""
    locked: bool = True  # podcast:locked: other platforms may not import the feed
    medium: str = "podcast"
    funding: tuple[Link, ...] = ()  # where listeners can support the show
    subscribe: tuple[Link, ...] = ()  # [subscribe]: the title is the key (apple, spotify…), labelled by templates
    new_feed_url: str = ""  # set once the show moves: apps follow it
    timezone: str = "Europe/Paris"
    loudness: Loudness = field(default_factory=Loudness)
    audio: AudioSettings = field(default_factory=AudioSettings)
    jingles: Jingles = field(default_factory=Jingles)
    transcription: Transcription = field(default_factory=Transcription)


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
    quotes: QuotePicks = field(default_factory=QuotePicks)
    explicit: bool | None = None
    draft: bool = False
    approved: bool = False  # the host has heard it: the publish gate (gate.py) lets it through
    tracks: tuple[Track, ...] = ()
    jingles: bool = True
    image: Path | None = None
    language: str = ""  # when the episode is not in the show's language
    speaking_order: tuple[str, ...] = ()  # who speaks first, second…, when not hosts then guests

    def spoken_language(self, show: Show) -> str:
        """The language spoken in it ("fr-CA"): its own when set, else the show's."""
        return self.language or show.language

    @property
    def recordings(self) -> tuple[Path, ...]:
        """Every file the episode's audio is made from."""
        return tuple(dict.fromkeys([*self.audio, *(t.file for t in self.tracks)]))

    def metadata(self) -> dict[str, Any]:
        """What a reader sees of the episode, without where its files lie."""
        data = self.to_dict()
        # The host's pins and vetoes reach readers through the quotes stage's result, which the
        # stages after it depend on: a veto must not re-tag the MP3.
        # Approval only opens the gate: it must not re-tag the MP3 or re-render the notes.
        for key in ("folder", "audio", "tracks", "jingles", "quotes", "approved"):
            del data[key]
        data["image"] = self.image.name if self.image else ""
        return data


@dataclass(frozen=True)
class Word(Record):
    """A word as Whisper gives it: `text` keeps its leading space, so joining words needs no separator."""

    start: float
    end: float
    text: str
    probability: float = 1.0
    speaker: str = ""

    @property
    def is_mark(self) -> bool:
        """Punctuation alone, like the " ?" French spacing gives: it belongs to the word before."""
        return not any(c.isalnum() for c in self.text)


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

    @classmethod
    def load(cls, path: Path) -> Transcript:
        """A transcript as the JSON writer wrote it (writers.TranscriptJSON)."""
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)
