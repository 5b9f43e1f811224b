"""Podcasting 2.0 tags (the `podcast:` namespace) as a feedgen extension.

Tag meanings, attribute names and values from the namespace's tag pages
(github.com/Podcastindex-org/podcast-namespace, docs/tags/*.md). Channel: `guid` names the show
for good, `locked` forbids importing the feed elsewhere, `license`, `medium`, `funding`, `trailer`,
`person`. Item: `transcript`, `chapters` (a JSON chapters file), `soundbite`, `season`,
`episode`, `alternateEnclosure` (the same episode in another format), `person`.
"""

from __future__ import annotations

from typing import Any

import lxml.etree  # noqa: F401  feedgen.util uses lxml.etree without importing it
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

from .podcast_spec import CHAPTERS_TYPE, LICENSES

PODCAST_NS = "https://podcastindex.org/namespace/1.0"


def _element(parent: Any, tag: str, text: str = "", **attributes: str) -> Any:
    """A `podcast:` element with its text and the attributes that have a value."""
    element = xml_elem(f"{{{PODCAST_NS}}}{tag}", parent)
    if text:
        element.text = text
    for key, value in attributes.items():
        if value:
            element.attrib[key] = value
    return element


def _seconds(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.1f}"


def _person_elements(parent: Any, people: list[dict[str, str]]) -> None:
    for person in people:
        _element(parent, "person", person["name"], role=person["role"], href=person["href"], img=person["img"])


class _People:
    def __init__(self) -> None:
        self._people: list[dict[str, str]] = []

    def person(self, name: str, role: str = "", href: str = "", img: str = "") -> None:
        self._people.append({"name": name, "role": role, "href": href, "img": img})


class PodcastIndexExtension(_People, BaseExtension):
    def __init__(self) -> None:
        super().__init__()
        self._guid = ""
        self._locked: tuple[bool, str] | None = None
        self._license: tuple[str, str] | None = None
        self._medium = ""
        self._funding: list[tuple[str, str]] = []
        self._trailers: list[dict[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def guid(self, value: str) -> None:
        self._guid = value

    def locked(self, locked: bool, owner: str = "") -> None:
        self._locked = (locked, owner)

    def license(self, name: str, url: str = "") -> None:
        """A well-known license's identifier, or a custom license's name with the URL of its text."""
        known = name.upper() in LICENSES  # a well-known one is written lower-cased (license.md)
        if not known and not url:
            raise ValueError(f"license {name!r} is not one of {', '.join(LICENSES)}: a custom license needs a url")
        self._license = (name.lower() if known else name, url)

    def medium(self, value: str) -> None:
        self._medium = value

    def funding(self, url: str, text: str = "") -> None:
        self._funding.append((url, text))

    def trailer(self, title: str, url: str, pubdate: str, length: int, mime: str, season: int | None = None) -> None:
        self._trailers.append({"title": title, "url": url, "pubdate": pubdate, "length": str(length), "type": mime, "season": str(season) if season else ""})

    def extend_rss(self, rss_feed: Any) -> Any:
        channel = rss_feed[0]
        if self._guid:
            _element(channel, "guid", self._guid)
        if self._locked:
            _element(channel, "locked", "yes" if self._locked[0] else "no", owner=self._locked[1])
        if self._license:
            _element(channel, "license", self._license[0], url=self._license[1])
        if self._medium:
            _element(channel, "medium", self._medium)
        for url, text in self._funding:
            _element(channel, "funding", text, url=url)
        for trailer in self._trailers:  # kept whole: a feed may be rendered more than once
            _element(channel, "trailer", trailer["title"], **{k: v for k, v in trailer.items() if k != "title"})
        _person_elements(channel, self._people)
        return rss_feed


class PodcastIndexEntryExtension(_People, BaseEntryExtension):
    def __init__(self) -> None:
        super().__init__()
        self._transcripts: list[dict[str, str]] = []
        self._alternates: list[dict[str, str]] = []
        self._chapters = ""
        self._soundbites: list[tuple[float, float, str]] = []
        self._season: int | None = None
        self._episode: int | None = None

    def transcript(self, url: str, mime: str, language: str = "", rel: str = "") -> None:
        self._transcripts.append({"url": url, "type": mime, "language": language, "rel": rel})

    def alternate_enclosure(self, url: str, mime: str, length: int, bitrate: int, title: str = "") -> None:
        self._alternates.append({"url": url, "type": mime, "length": str(length), "bitrate": str(bitrate), "title": title})

    def chapters(self, url: str) -> None:
        self._chapters = url

    def soundbite(self, start: float, duration: float, title: str = "") -> None:
        self._soundbites.append((start, duration, title))

    def season(self, number: int) -> None:
        self._season = number

    def episode(self, number: int) -> None:
        self._episode = number

    def extend_rss(self, entry: Any) -> Any:
        if self._season is not None:
            _element(entry, "season", str(self._season))
        if self._episode is not None:
            _element(entry, "episode", str(self._episode))
        if self._chapters:
            _element(entry, "chapters", url=self._chapters, type=CHAPTERS_TYPE)
        for start, duration, title in self._soundbites:
            _element(entry, "soundbite", title, startTime=_seconds(start), duration=_seconds(duration))
        for transcript in self._transcripts:
            _element(entry, "transcript", **transcript)
        for alternate in self._alternates:
            element = _element(
                entry, "alternateEnclosure", type=alternate["type"], length=alternate["length"], bitrate=alternate["bitrate"], title=alternate["title"]
            )
            _element(element, "source", uri=alternate["url"])
        _person_elements(entry, self._people)
        return entry
