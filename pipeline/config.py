"""Read and check `podcast.toml` and `episodes/<slug>/episode.toml` into records.

pydantic does the type checking against `schema` and refuses unknown keys (a typo must not pass
silently); this module turns its findings into one message per problem naming file, line and
key, and the checked values into records without naming each key again.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
import types
import typing
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from . import schema
from .errors import ConfigError
from .feed import apple
from .records import Chapter, Episode, Jingles, Link, QuotePicks, Show, Track
from .text.corrections import Corrections, check_fixes
from .times import parse_time

SHOW_FILE = "podcast.toml"
EPISODE_FILE = "episode.toml"
# What phones, recorders and call apps produce; anything else in an episode folder is not audio.
AUDIO_SUFFIXES = {
    ".wav",
    ".mp3",
    ".m4a",
    ".aac",
    ".flac",
    ".ogg",
    ".oga",
    ".opus",
    ".webm",
    ".mp4",
    ".mov",
    ".aif",
    ".aiff",
    ".wma",
    ".amr",
    ".3gp",
    ".caf",
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_Show = schema.Show  # the schema of podcast.toml, as tests/test_cli.py walks it


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
    places = [(item, _place(model, item["loc"])) for item in error.errors()]
    # pydantic reports each member of a union (a file name or a { file = ... } table; a URL or "").
    # Where the value has one member's shape, what is wrong inside it is the message; where it has
    # none, the first member's message is enough.
    fitted = {place.union for _, place in places if place.union is not None and not place.at_member}
    said: set[tuple[str, ...]] = set()
    problems = []
    for item, place in places:
        if place.at_member and (place.union in fitted or place.union in said):
            continue
        said.add(place.key)
        # "guests[2].name": the second [[guests]] table, counted from 1 as a host counts them.
        key = "".join(f"[{int(p) + 1}]" if p.isdigit() else f".{p}" for p in place.key).lstrip(".") or "(file)"
        names = [p for p in place.key if not p.isdigit()]
        missing = item["type"] == "missing"
        # A key of an inline table, { file = ..., offset = ... }, is on its parent's line; a missing
        # key on no line, its table's header or parent's if any.
        line = _table_line(text, place.key) if missing else None
        line = line or next((n for name in reversed(names[:-1] if missing else names) if (n := _line_of(text, name))), None)
        where = f"{path}:{line}" if line else str(path)
        if item["type"] == "extra_forbidden":
            known = list(place.table.model_fields) if _is_model(place.table) else []
            hint = difflib.get_close_matches(names[-1], known, n=1)
            message = f"unknown key '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
        elif missing:
            message = f"missing required key '{key}'"
        else:
            message = f"'{key}': {item['msg']}".replace("Value error, ", "")
        problems.append(f"{where}: {message}")
    return ConfigError("\n".join(dict.fromkeys(problems)))


@dataclass(frozen=True)
class _Place:
    """Where in the host's file a pydantic location points."""

    key: tuple[str, ...]  # as the host wrote it: ("guests", "1", "name")
    table: Any  # the type holding its last key, whose keys "did you mean" offers
    union: tuple[str, ...] | None  # the key of the union the location goes through, if any
    at_member: bool  # it ends at a union's member: the value does not have that member's shape


def _place(model: type[BaseModel], loc: tuple[int | str, ...]) -> _Place:
    # pydantic names a union's member in the location ("Track", "constrained-str", "literal['']"):
    # the host never wrote that step, and the keys after it are the member's.
    kind: Any = model
    table: Any = model
    key: list[str] = []
    union: tuple[str, ...] | None = None
    at_member = False
    for part in map(str, loc):
        members = [a for a in typing.get_args(kind) if a is not type(None)]
        if union is None and typing.get_origin(kind) in (typing.Union, types.UnionType) and len(members) > 1:
            union, at_member = tuple(key), True
            kind = next((m for m in members if getattr(m, "__name__", None) == part), None)
            continue
        at_member = False
        key.append(part)
        table, kind = kind, _inside(kind, part)
    return _Place(tuple(key), table, union, at_member)


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _table_line(text: str, loc: tuple[str, ...]) -> int | None:
    """The line of the `[[table]]` a missing key belongs in (its n-th occurrence), if any."""
    for name, index in zip(loc, loc[1:]):
        if index.isdigit():
            headers = [m for m in re.finditer(rf"^[ \t]*\[\[\s*{re.escape(name)}\s*\]\]", text, re.MULTILINE)]
            if int(index) < len(headers):
                return text.count("\n", 0, headers[int(index)].start()) + 1
    return None


def _inside(kind: Any, part: str) -> Any:
    """The type at `part` of a value of type `kind`: a model's field, a list's item, a dict's value
    (its key is the host's, a speaker's name in [tracks]), or a field of an optional table."""
    if _is_model(kind):
        field = kind.model_fields.get(part)
        return field.annotation if field else None
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (list, tuple):
        return args[0] if part.isdigit() else None
    if origin is dict:
        return args[1]
    if args:  # `Channels | None`: the key is inside its member
        return next((inner for a in args if a is not type(None) and (inner := _inside(a, part)) is not None), None)
    return None


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


R = TypeVar("R")


def _record(kind: type[R], raw: BaseModel, **given: Any) -> R:
    """A record of `kind` from `raw`'s values for the fields they share, and from `given`.

    A list becomes a tuple, and a table inside the record a record of its field's type (a host's
    table a `Person`): a key added to the schema and the record reaches the stages unnamed here.
    """
    names = [f.name for f in dataclasses.fields(kind)]  # type: ignore[arg-type]
    hints = typing.get_type_hints(kind)
    shared = {name: _value(hints[name], getattr(raw, name)) for name in names if name in type(raw).model_fields and name not in given}
    return kind(**shared, **given)


def _value(hint: Any, value: Any) -> Any:
    if isinstance(value, list):
        inner = typing.get_args(hint)[0]  # tuple[Person, ...] holds Persons
        return tuple(_value(inner, v) for v in value)
    if isinstance(value, BaseModel) and dataclasses.is_dataclass(hint):
        return _record(hint, value)  # type: ignore[arg-type]
    return value  # already the record: the show's settings are checked as they are kept


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
    raw, text = read_checked(path, schema.Show)
    artwork = _inside_show(root, path, text, "artwork", raw.artwork)
    problem = apple.artwork_problem(artwork)
    if problem:
        raise ConfigError(f"{path}:{_line_of(text, 'artwork')}: 'artwork': {raw.artwork} {problem}")
    base_url = raw.base_url if raw.base_url.endswith("/") else raw.base_url + "/"
    return _record(
        Show,
        raw,
        root=root.resolve(),
        base_url=base_url,
        categories=tuple(apple.parse_category(c) for c in raw.categories),
        artwork=artwork,
        funding=tuple(Link(title=f.text, url=f.url) for f in raw.funding),
        subscribe=tuple(Link(title=name, url=url) for name, url in raw.subscribe.model_dump().items() if url),
        jingles=_record(
            Jingles,
            raw.jingles,
            intro=_show_file(root, path, text, "intro", raw.jingles.intro),
            outro=_show_file(root, path, text, "outro", raw.jingles.outro),
        ),
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


def _recordings(raw: schema.Episode, toml: _EpisodeToml) -> tuple[list[Path], list[Track]]:
    """The recordings to join in order, or the speakers' tracks to mix (one of the two is empty)."""
    tracks: list[Track] = []
    audio: list[Path] = []
    if raw.tracks is not None:
        if raw.audio is not None or raw.channels is not None:
            raise ConfigError(f"{toml.where('tracks')}: 'tracks' replaces 'audio' and 'channels'; keep one of them")
        if not raw.tracks:
            raise ConfigError(f"{toml.where('tracks')}: 'tracks' is empty")
        for speaker, value in raw.tracks.items():
            entry = value if isinstance(value, schema.Track) else schema.Track(file=value)
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


def _chapters(raw: schema.Episode, toml: _EpisodeToml) -> tuple[Chapter, ...]:
    chapters = tuple(Chapter(start=parse_time(c.start), title=c.title, url=c.url) for c in raw.chapters)
    starts = [c.start for c in chapters]
    if starts != sorted(set(starts)):
        raise ConfigError(f"{toml.path}:{_line_of(toml.text, 'chapters')}: 'chapters': starts must increase")
    return chapters


def _quote_picks(raw: schema.Episode, toml: _EpisodeToml) -> QuotePicks:
    both = [p for p in raw.quotes.pin if p.lower() in {v.lower() for v in raw.quotes.veto}]
    if both:
        raise ConfigError(f"{toml.where('veto')}: 'quotes.veto': {both[0]!r} is also pinned; keep it in one of 'pin' and 'veto'")
    return _record(QuotePicks, raw.quotes)


def load_corrections(path: Path) -> Corrections:
    """Read and check an episode's corrections.toml (an absent file corrects nothing).

    Raises:
        ConfigError: the file is not TOML, holds an unknown key or a bad value, or its fixes overlap.
    """
    if not path.is_file():
        return Corrections()
    corrections, _ = read_checked(path, Corrections)
    return check_fixes(corrections, path)


def load_episode(folder: Path, show: Show) -> Episode:
    """Read `<folder>/episode.toml` and find its recordings.

    Raises:
        ConfigError: naming the file, the line where known, and the key.
    """
    path = folder / EPISODE_FILE
    slug = folder.name
    if not SLUG.match(slug):
        raise ConfigError(
            f"{folder}: '{slug}' is not a safe episode folder name: use lower-case letters, digits and single dashes, like '012-portage-salarial'"
        )
    raw, text = read_checked(path, schema.Episode)
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
            raise ConfigError(
                f"{toml.where('speaking_order')}: 'speaking_order': {name!r} is neither a host nor a guest ({', '.join(people) or 'nobody is listed'})"
            )
    chapters = _chapters(raw, toml)

    return _record(
        Episode,
        raw,
        slug=slug,
        folder=folder.resolve(),
        published=published,
        audio=tuple(audio),
        chapters=chapters,
        quotes=_quote_picks(raw, toml),
        tracks=tuple(tracks),
        image=image,
    )
