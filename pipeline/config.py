"""Read and check `podcast.toml` and `episodes/<slug>/episode.toml` into records.

pydantic does the type checking and refuses unknown keys (a typo must not pass silently);
this module turns its findings into one message per problem naming file, line and key.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from .errors import ConfigError
from .feed import apple
from .feed.podcast_spec import LICENSES, MEDIUMS, TEXT_LIMIT
from .records import AudioSettings, Chapter, Episode, Jingles, Link, Loudness, Person, QuotePicks, Show, Track, Transcription
from .times import TIME_PATTERN, parse_time

SHOW_FILE = "podcast.toml"
EPISODE_FILE = "episode.toml"
# What phones, recorders and call apps produce; anything else in an episode folder is not audio.
AUDIO_SUFFIXES = {
    ".wav", ".mp3", ".m4a", ".aac", ".flac", ".ogg", ".oga", ".opus", ".webm",
    ".mp4", ".mov", ".aif", ".aiff", ".wma", ".amr", ".3gp", ".caf",
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
Url = Annotated[str, Field(pattern=r"^https?://\S+$")]


# XML 1.0 (§2.2, Char) allows no control character but tab, newline and carriage return: one in
# a title would make the feed not well-formed (and a terminal escape is never meant), so any text
# holding one is refused where it is typed, naming its key.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control(value: Any) -> Any:
    texts = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else [*value, *value.values()] if isinstance(value, dict) else []
    for text in texts:
        if isinstance(text, str) and (found := CONTROL.search(text)):
            raise ValueError(f"control character U+{ord(found.group()):04X} in {text!r}: remove it")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _plain_text = field_validator("*")(_no_control)


# What a person is to the freelancing world the show is about: readers browse people by it.
KINDS = ("freelance", "collectif", "coworking", "portage", "startup", "entreprise", "autre")


class _Person(_Strict):
    name: str = Field(min_length=1)
    role: str = ""
    kind: Literal[("", *KINDS)] = ""  # type: ignore[valid-type]
    url: Url | Literal[""] = ""
    img: Url | Literal[""] = ""
    bio: str = ""
    email: str = ""


class _Subscribe(_Strict):
    """Where else listeners find the show: each is a link beside the feed's address on the home page."""

    apple: Url | Literal[""] = ""
    spotify: Url | Literal[""] = ""
    deezer: Url | Literal[""] = ""
    youtube: Url | Literal[""] = ""


class _Owner(_Strict):
    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Funding(_Strict):
    url: Url
    text: str = Field("", max_length=TEXT_LIMIT)




class _Loudness(_Strict):
    target: float | None = Field(None, ge=-31.0, le=-5.0)
    true_peak: float = Field(-1.0, ge=-9.0, le=0.0)
    lra: float = Field(11.0, ge=1.0, le=50.0)
    tolerance: float = Field(0.5, gt=0.0, le=3.0)


Bitrate = Annotated[str, Field(pattern=r"^(32|40|48|56|64|80|96|112|128|160|192|224|256|320)k$")]


class _Audio(_Strict):
    highpass: float = Field(80.0, ge=0.0, le=300.0)
    denoise: bool = False
    trim_silence: bool = True
    silence_threshold: float = Field(-50.0, ge=-90.0, le=-20.0)
    silence_min: float = Field(0.5, gt=0.0, le=30.0)
    channels: Literal[1, 2] | None = None
    bitrate_mono: Bitrate = "64k"
    bitrate_stereo: Bitrate = "128k"
    aac: bool = False
    id3_version: Literal[3, 4] = 4


class _Jingles(_Strict):
    intro: str = ""
    outro: str = ""
    crossfade: float = Field(1.0, ge=0.0, le=10.0)


class _Transcription(_Strict):
    engine: Literal["faster-whisper", "openai-whisper"] = "faster-whisper"
    model: str = "base"
    beam_size: int = Field(5, ge=1, le=16)
    compute_type: Literal["auto", "int8", "int8_float32", "float32"] = "auto"
    vad: bool = True
    glossary: list[str] = []


def _whisper_language(value: str) -> str:
    from .speech.transcriber import whisper_language

    whisper_language(value)  # raises ValueError, which pydantic reports with the file and key
    return value


class _Show(_Strict):
    title: str = Field(min_length=1)
    subtitle: str = ""
    description: str = Field(min_length=1)
    language: str = Field(pattern=r"^[a-z]{2}(-[A-Za-z]{2})?$")
    author: str = Field(min_length=1)
    owner: _Owner
    base_url: Url = "http://localhost:8000/"
    categories: list[str] = Field(min_length=1)
    explicit: bool = False
    type: Literal["episodic", "serial"] = "episodic"
    artwork: str
    hosts: list[_Person] = []
    copyright: str = ""
    guid: str = ""
    license_url: Url | Literal[""] = ""  # before license, whose check reads it
    license: str = Field("", max_length=TEXT_LIMIT)
    locked: bool = True
    medium: Literal[MEDIUMS] = "podcast"  # type: ignore[valid-type]  # without the "L" list forms
    funding: list[_Funding] = []
    subscribe: _Subscribe = _Subscribe()
    new_feed_url: Url | Literal[""] = ""
    timezone: str = "Europe/Paris"
    loudness: _Loudness = _Loudness()
    audio: _Audio = _Audio()
    jingles: _Jingles = _Jingles()
    transcription: _Transcription = _Transcription()

    @field_validator("categories")
    @classmethod
    def _apple_categories(cls, value: list[str]) -> list[str]:
        for name in value:
            apple.parse_category(name)
        return value

    @field_validator("language")
    @classmethod
    def _transcribable(cls, value: str) -> str:
        return _whisper_language(value)

    @field_validator("description")
    @classmethod
    def _apple_length(cls, value: str) -> str:
        size = len(value.encode("utf-8"))
        if size > apple.DESCRIPTION_BYTES:
            raise ValueError(f"{size} bytes long; Apple takes up to {apple.DESCRIPTION_BYTES}: shorten it")
        return value

    @field_validator("license")
    @classmethod
    def _known_or_linked(cls, value: str, info: ValidationInfo) -> str:
        if value and not info.data.get("license_url") and value.upper() not in LICENSES:
            raise ValueError(f"{value!r} is not one of {', '.join(LICENSES)}: give its text's address as license_url")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use a name like 'Europe/Paris')") from None
        return value


class _Link(_Strict):
    title: str = Field(min_length=1)
    url: Url


class _Chapter(_Strict):
    start: str
    title: str = Field(min_length=1)
    url: Url | Literal[""] = ""

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not re.match(TIME_PATTERN, value):
            raise ValueError(f"{value!r} is not a time: write minutes and seconds like \"12:30\", or \"1:02:30\"")
        return value


QuoteText = Annotated[str, Field(min_length=3)]


class _Quotes(_Strict):
    pin: list[QuoteText] = Field([], max_length=4)  # quotes.MAX_QUOTES
    veto: list[QuoteText] = []


class _Track(_Strict):
    file: str = Field(min_length=1)
    offset: float = Field(0.0, ge=0.0)


class _Channels(_Strict):
    left: str = Field(min_length=1)
    right: str = Field(min_length=1)


class _Episode(_Strict):
    title: str = Field(min_length=1)
    published: datetime | date
    number: int | None = Field(None, ge=0)
    season: int | None = Field(None, ge=1)
    type: Literal["full", "trailer", "bonus"] = "full"
    description: str = ""
    guests: list[_Person] = []
    links: list[_Link] = []
    chapters: list[_Chapter] = []
    quotes: _Quotes = _Quotes()
    explicit: bool | None = None
    draft: bool = False
    approved: bool = False
    audio: list[str] | None = None
    tracks: dict[str, str | _Track] | None = None
    channels: _Channels | None = None
    jingles: bool = True
    image: str = ""
    language: str = Field("", pattern=r"^([a-z]{2}(-[A-Za-z]{2})?)?$")
    speaking_order: list[str] = []

    @field_validator("language")
    @classmethod
    def _transcribable(cls, value: str) -> str:
        return _whisper_language(value) if value else value

    @field_validator("published", mode="before")
    @classmethod
    def _not_quoted(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError(f"write the date without quotes: published = {value.strip()}")
        if not isinstance(value, date):  # pydantic would read a number as seconds since 1970
            raise ValueError("write a date, 2026-11-20, or a date and time, 2026-11-20T09:00:00+01:00")
        return value

    @field_validator("published")
    @classmethod
    def _zoned(cls, value: datetime | date) -> datetime | date:
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError("a date-time needs a time zone, for example 2026-11-20T09:00:00+01:00")
        return value


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text ({e.reason})") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as e:
        line = re.search(r"line (\d+)", str(e))
        shown = ""
        if line and 0 < int(line.group(1)) <= len(text.splitlines()):
            shown = f"\n    {text.splitlines()[int(line.group(1)) - 1].strip()}"
            shown += "\n    (TOML: quote text, write dates as 2026-11-20 or 2026-11-20T09:00:00+01:00)"
        raise ConfigError(f"{path}: {e}{shown}") from None


def _line_of(text: str, key: str) -> int | None:
    """The first line that assigns `key` (tomllib gives no positions for keys)."""
    # [ \t]*, not \s*: across a blank line above the key, the match would start on the blank line.
    pattern = re.compile(rf"^[ \t]*(\[+\s*)?[\"']?{re.escape(key)}[\"']?\s*(=|\]+)", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _explain(path: Path, text: str, error: ValidationError, model: type[BaseModel]) -> ConfigError:
    problems = []
    errors = error.errors()
    for item in errors:
        if item["type"] == "literal_error" and item["loc"][-1] == "literal['']" and len(errors) > 1:
            continue  # the "or empty" branch of a URL setting: the URL branch's message says more
        loc = [str(p) for p in item["loc"] if not str(p).startswith(("function-", "datetime", "date", "constrained-"))]
        loc = [p for p in loc if p not in ("str", "literal['']", "int", "none")]
        # "guests[2].name": the second [[guests]] table, counted from 1 as a host counts them.
        key = "".join(f"[{int(p) + 1}]" if p.isdigit() else f".{p}" for p in loc).lstrip(".") or "(file)"
        last = next((p for p in reversed(loc) if not p.isdigit()), "")
        if item["type"] == "missing":
            line = _table_line(text, loc)
        else:
            line = _line_of(text, last) if last else None
        where = f"{path}:{line}" if line else str(path)
        if item["type"] == "extra_forbidden":
            known = _known_keys(model, loc[:-1])
            hint = difflib.get_close_matches(last, known, n=1)
            message = f"unknown key '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
        elif item["type"] == "missing":
            message = f"missing required key '{key}'"
        else:
            message = f"'{key}': {item['msg']}".replace("Value error, ", "")
        problems.append(f"{where}: {message}")
    # pydantic reports each branch of a union; one line per key is enough.
    unique = list(dict.fromkeys(problems))
    return ConfigError("\n".join(unique))


def _table_line(text: str, loc: list[str]) -> int | None:
    """The line of the `[[table]]` a missing key belongs in (its n-th occurrence), if any."""
    for name, index in zip(loc, loc[1:]):
        if index.isdigit():
            headers = [m for m in re.finditer(rf"^[ \t]*\[\[\s*{re.escape(name)}\s*\]\]", text, re.MULTILINE)]
            if int(index) < len(headers):
                return text.count("\n", 0, headers[int(index)].start()) + 1
    return None


def _known_keys(model: type[BaseModel], loc: list[str]) -> list[str]:
    for part in loc:
        if part.isdigit():
            continue
        annotation = model.model_fields[part].annotation
        inner = getattr(annotation, "__args__", (annotation,))[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            model = inner
    return list(model.model_fields)


def read_checked(path: Path, model: type[BaseModel]) -> tuple[Any, str]:
    """A TOML file checked against `model`, and its text (for line numbers).

    Raises:
        ConfigError: one line per problem, naming file, line and key.
    """
    data, text = _read_toml(path)
    try:
        return model.model_validate(data), text
    except ValidationError as e:
        raise _explain(path, text, e, model) from None


def _person(p: _Person) -> Person:
    return Person(name=p.name, role=p.role, kind=p.kind, url=p.url, img=p.img, bio=p.bio, email=p.email)


def _inside_show(root: Path, path: Path, text: str, key: str, name: str) -> Path:
    """`name` resolved in the show folder; a path that leads out of it (`..`, absolute, a
    symlink) is refused: what the show publishes is what its folder holds."""
    file = (root / name).resolve()
    if root.resolve() not in file.parents:
        raise ConfigError(f"{path}:{_line_of(text, key)}: '{key}': {name} is outside the show folder")
    return file


def _show_file(root: Path, path: Path, text: str, key: str, name: str) -> Path | None:
    if not name:
        return None
    file = _inside_show(root, path, text, key, name)
    if not file.is_file():
        raise ConfigError(f"{path}:{_line_of(text, key)}: '{key}': no file at {name}")
    return file


def load_show(root: Path) -> Show:
    """Read `<root>/podcast.toml`.

    Raises:
        ConfigError: naming the file, the line where known, and the key.
    """
    path = root / SHOW_FILE
    raw, text = read_checked(path, _Show)
    artwork = _inside_show(root, path, text, "artwork", raw.artwork)
    problem = apple.artwork_problem(artwork)
    if problem:
        raise ConfigError(f"{path}:{_line_of(text, 'artwork')}: 'artwork': {raw.artwork} {problem}")
    base_url = raw.base_url if raw.base_url.endswith("/") else raw.base_url + "/"
    return Show(
        root=root.resolve(),
        title=raw.title,
        subtitle=raw.subtitle,
        description=raw.description,
        language=raw.language,
        author=raw.author,
        owner=Person(name=raw.owner.name, email=raw.owner.email),
        base_url=base_url,
        categories=tuple(apple.parse_category(c) for c in raw.categories),
        explicit=raw.explicit,
        type=raw.type,
        artwork=artwork,
        hosts=tuple(_person(p) for p in raw.hosts),
        copyright=raw.copyright,
        guid=raw.guid,
        license=raw.license,
        license_url=raw.license_url,
        locked=raw.locked,
        medium=raw.medium,
        funding=tuple(Link(title=f.text, url=f.url) for f in raw.funding),
        subscribe=tuple(Link(title=name, url=url) for name, url in raw.subscribe.model_dump().items() if url),
        new_feed_url=raw.new_feed_url,
        timezone=raw.timezone,
        loudness=Loudness(**raw.loudness.model_dump()),
        audio=AudioSettings(**raw.audio.model_dump()),
        jingles=Jingles(
            intro=_show_file(root, path, text, "intro", raw.jingles.intro),
            outro=_show_file(root, path, text, "outro", raw.jingles.outro),
            crossfade=raw.jingles.crossfade,
        ),
        transcription=Transcription(**{**raw.transcription.model_dump(), "glossary": tuple(raw.transcription.glossary)}),
    )


def find_audio(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)


@dataclass(frozen=True)
class _EpisodeToml:
    """An episode.toml being read: says where a key is, and finds the files it names."""

    folder: Path
    path: Path
    text: str

    def where(self, key: str) -> str:
        line = _line_of(self.text, key)
        return f"{self.path}:{line}" if line else str(self.path)

    def file(self, key: str, name: str) -> Path:
        file = (self.folder / name).resolve()
        if self.folder.resolve() not in file.parents:
            raise ConfigError(f"{self.where(key)}: '{key}': {name} is outside the episode folder")
        if not file.is_file():
            raise ConfigError(f"{self.where(key)}: '{key}': no file {name} in {self.folder}")
        return file


def _recordings(raw: _Episode, toml: _EpisodeToml) -> tuple[list[Path], list[Track]]:
    """The recordings to join in order, or the speakers' tracks to mix (one of the two is empty)."""
    tracks: list[Track] = []
    audio: list[Path] = []
    if raw.tracks is not None:
        if raw.audio is not None or raw.channels is not None:
            raise ConfigError(f"{toml.where('tracks')}: 'tracks' replaces 'audio' and 'channels'; keep one of them")
        if not raw.tracks:
            raise ConfigError(f"{toml.where('tracks')}: 'tracks' is empty")
        for speaker, value in raw.tracks.items():
            entry = value if isinstance(value, _Track) else _Track(file=value)
            tracks.append(Track(speaker=speaker, file=toml.file("tracks", entry.file), offset=entry.offset))
    elif raw.audio is None:
        audio = find_audio(toml.folder)
        if not audio:
            raise ConfigError(f"{toml.folder}: no recording found; drop an audio file here or list files in 'audio'")
        if len(audio) > 1:
            names = ", ".join(p.name for p in audio)
            raise ConfigError(f"{toml.path}: several recordings ({names}); list them in order in 'audio = [...]'")
    else:
        if not raw.audio:
            raise ConfigError(f"{toml.where('audio')}: 'audio' is empty")
        audio = [toml.file("audio", name) for name in raw.audio]
    if raw.channels is not None:
        if len(audio) != 1:
            raise ConfigError(f"{toml.where('channels')}: 'channels' needs exactly one stereo recording, not {len(audio)}")
        tracks = [Track(raw.channels.left, audio[0], channel=0), Track(raw.channels.right, audio[0], channel=1)]
        audio = []
    return audio, tracks


def _chapters(raw: _Episode, toml: _EpisodeToml) -> tuple[Chapter, ...]:
    chapters = tuple(Chapter(start=parse_time(c.start), title=c.title, url=c.url) for c in raw.chapters)
    starts = [c.start for c in chapters]
    if starts != sorted(set(starts)):
        raise ConfigError(f"{toml.path}:{_line_of(toml.text, 'chapters')}: 'chapters': starts must increase")
    return chapters


def _quote_picks(raw: _Episode, toml: _EpisodeToml) -> QuotePicks:
    both = [p for p in raw.quotes.pin if p.lower() in {v.lower() for v in raw.quotes.veto}]
    if both:
        raise ConfigError(f"{toml.where('veto')}: 'quotes.veto': {both[0]!r} is also pinned; keep it in one of 'pin' and 'veto'")
    return QuotePicks(pin=tuple(raw.quotes.pin), veto=tuple(raw.quotes.veto))


def load_episode(folder: Path, show: Show) -> Episode:
    """Read `<folder>/episode.toml` and find its recordings.

    Raises:
        ConfigError: naming the file, the line where known, and the key.
    """
    path = folder / EPISODE_FILE
    slug = folder.name
    if not SLUG.match(slug):
        raise ConfigError(
            f"{folder}: '{slug}' is not a safe episode folder name: use lower-case letters,"
            " digits and single dashes, like '012-portage-salarial'"
        )
    raw, text = read_checked(path, _Episode)
    toml = _EpisodeToml(folder, path, text)

    published = raw.published
    if not isinstance(published, datetime):
        published = datetime.combine(published, time(0, 0), tzinfo=ZoneInfo(show.timezone))
    audio, tracks = _recordings(raw, toml)
    image = toml.file("image", raw.image) if raw.image else None
    if image and (problem := apple.artwork_problem(image)):  # feedgen would drop it without a word
        raise ConfigError(f"{toml.where('image')}: 'image': {raw.image} {problem}")
    people = [p.name for p in show.hosts] + [p.name for p in raw.guests]
    for name in raw.speaking_order:
        if name not in people:
            raise ConfigError(f"{toml.where('speaking_order')}: 'speaking_order': {name!r} is neither a host nor a guest"
                              f" ({', '.join(people) or 'nobody is listed'})")
    chapters = _chapters(raw, toml)

    return Episode(
        slug=slug,
        folder=folder.resolve(),
        title=raw.title,
        published=published,
        audio=tuple(audio),
        number=raw.number,
        season=raw.season,
        type=raw.type,
        description=raw.description,
        guests=tuple(_person(p) for p in raw.guests),
        links=tuple(Link(title=link.title, url=link.url) for link in raw.links),
        chapters=chapters,
        quotes=_quote_picks(raw, toml),
        explicit=raw.explicit,
        draft=raw.draft,
        approved=raw.approved,
        tracks=tuple(tracks),
        jingles=raw.jingles,
        image=image,
        language=raw.language,
        speaking_order=tuple(raw.speaking_order),
    )
