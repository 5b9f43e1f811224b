"""What `podcast.toml` and `episodes/<slug>/episode.toml` may hold: each key, its type, its
default and the values it takes, as pydantic models that `config` reads the files against.

The tables of settings (`[loudness]`, `[audio]`, `[transcription]`) are the records themselves
(`records.Loudness`…); the README documents every key here with its default
(`tests/test_settings_doc.py` checks it).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator

from . import records
from .feed import apple
from .feed.podcast_spec import LICENSES, MEDIUMS, TEXT_LIMIT
from .records import AudioSettings, Checked, Loudness, Transcription
from .times import TIME_PATTERN

Url = Annotated[str, Field(pattern=r"^https?://\S+$")]


# What a person is to the freelancing world the show is about: readers browse people by it.
KINDS = ("freelance", "collectif", "coworking", "portage", "startup", "entreprise", "autre")


class Person(Checked):
    name: str = Field(min_length=1)
    role: str = ""
    kind: Literal[("", *KINDS)] = ""  # type: ignore[valid-type]
    url: Url | Literal[""] = ""
    img: Url | Literal[""] = ""
    bio: str = ""
    email: str = ""


class Subscribe(Checked):
    """Where else listeners find the show: each is a link beside the feed's address on the home page."""

    apple: Url | Literal[""] = ""
    spotify: Url | Literal[""] = ""
    deezer: Url | Literal[""] = ""
    youtube: Url | Literal[""] = ""


class Owner(Checked):
    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Funding(Checked):
    url: Url
    text: str = Field(default="", max_length=TEXT_LIMIT)


class Jingles(Checked):
    intro: str = ""
    outro: str = ""
    crossfade: float = Field(default=records.Jingles.crossfade, ge=0.0, le=10.0)  # seconds


def _whisper_language(value: str) -> str:
    from .speech.transcriber import whisper_language

    whisper_language(value)  # raises ValueError, which pydantic reports with the file and key
    return value


class Show(Checked):
    title: str = Field(min_length=1)
    subtitle: str = ""
    description: str = Field(min_length=1)
    language: str = Field(pattern=r"^[a-z]{2}(-[A-Za-z]{2})?$")
    author: str = Field(min_length=1)
    owner: Owner
    base_url: Url = "http://localhost:8000/"
    categories: list[str] = Field(min_length=1)
    explicit: bool = False
    type: Literal["episodic", "serial"] = "episodic"
    artwork: str
    hosts: list[Person] = []
    copyright: str = ""
    guid: str = ""
    license_url: Url | Literal[""] = ""  # before license, whose check reads it
    license: str = Field(default="", max_length=TEXT_LIMIT)
    locked: bool = True
    medium: Literal[MEDIUMS] = "podcast"  # type: ignore[valid-type]  # without the "L" list forms
    funding: list[Funding] = []
    subscribe: Subscribe = Subscribe()
    new_feed_url: Url | Literal[""] = ""
    timezone: str = "Europe/Paris"
    loudness: Loudness = Loudness()
    audio: AudioSettings = AudioSettings()
    jingles: Jingles = Jingles()
    transcription: Transcription = Transcription()

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


class Link(Checked):
    title: str = Field(min_length=1)
    url: Url


class Chapter(Checked):
    start: str
    title: str = Field(min_length=1)
    url: Url | Literal[""] = ""

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not re.match(TIME_PATTERN, value):
            raise ValueError(f'{value!r} is not a time: write minutes and seconds like "12:30", or "1:02:30"')
        return value


QuoteText = Annotated[str, Field(min_length=3)]


class Quotes(Checked):
    pin: list[QuoteText] = Field(default=[], max_length=4)  # quotes.MAX_QUOTES
    veto: list[QuoteText] = []


class Track(Checked):
    file: str = Field(min_length=1)
    offset: float = Field(default=0.0, ge=0.0)


class Channels(Checked):
    left: str = Field(min_length=1)
    right: str = Field(min_length=1)


class Episode(Checked):
    title: str = Field(min_length=1)
    published: datetime | date
    number: int | None = Field(default=None, ge=0)
    season: int | None = Field(default=None, ge=1)
    type: Literal["full", "trailer", "bonus"] = "full"
    description: str = ""
    guests: list[Person] = []
    links: list[Link] = []
    chapters: list[Chapter] = []
    quotes: Quotes = Quotes()
    explicit: bool | None = None
    draft: bool = False
    approved: bool = False
    audio: list[str] | None = None
    tracks: dict[str, str | Track] | None = None
    channels: Channels | None = None
    jingles: bool = True
    image: str = ""
    language: str = Field(default="", pattern=r"^([a-z]{2}(-[A-Za-z]{2})?)?$")
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
