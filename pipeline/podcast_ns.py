"""Podcasting 2.0 tags (the `podcast:` namespace) as a feedgen extension.

Tag meanings from podcastindex.org's namespace documentation: `podcast:guid` names the show
for good, `podcast:person` credits hosts and guests, `podcast:transcript` links a transcript,
`podcast:alternateEnclosure` offers the same episode in another format.
"""

from __future__ import annotations

from typing import Any

import lxml.etree  # noqa: F401  feedgen.util uses lxml.etree without importing it
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

PODCAST_NS = "https://podcastindex.org/namespace/1.0"


def _person_elements(parent: Any, people: list[dict[str, str]]) -> None:
    for person in people:
        element = xml_elem(f"{{{PODCAST_NS}}}person", parent)
        element.text = person["name"]
        for key in ("role", "href", "img"):
            if person.get(key):
                element.attrib[key] = person[key]


class _People:
    def __init__(self) -> None:
        self._people: list[dict[str, str]] = []

    def person(self, name: str, role: str = "", href: str = "", img: str = "") -> None:
        self._people.append({"name": name, "role": role, "href": href, "img": img})


class PodcastIndexExtension(_People, BaseExtension):
    def __init__(self) -> None:
        super().__init__()
        self._guid = ""

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def guid(self, value: str) -> None:
        self._guid = value

    def extend_rss(self, rss_feed: Any) -> Any:
        channel = rss_feed[0]
        if self._guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self._guid
        _person_elements(channel, self._people)
        return rss_feed


class PodcastIndexEntryExtension(_People, BaseEntryExtension):
    def __init__(self) -> None:
        super().__init__()
        self._transcripts: list[dict[str, str]] = []
        self._alternates: list[dict[str, str]] = []

    def transcript(self, url: str, mime: str, language: str = "") -> None:
        self._transcripts.append({"url": url, "type": mime, "language": language})

    def alternate_enclosure(self, url: str, mime: str, length: int, bitrate: int, title: str = "") -> None:
        self._alternates.append({"url": url, "type": mime, "length": str(length), "bitrate": str(bitrate), "title": title})

    def extend_rss(self, entry: Any) -> Any:
        for transcript in self._transcripts:
            element = xml_elem(f"{{{PODCAST_NS}}}transcript", entry)
            for key, value in transcript.items():
                if value:
                    element.attrib[key] = value
        for alternate in self._alternates:
            element = xml_elem(f"{{{PODCAST_NS}}}alternateEnclosure", entry)
            for key in ("type", "length", "bitrate", "title"):
                if alternate[key]:
                    element.attrib[key] = alternate[key]
            xml_elem(f"{{{PODCAST_NS}}}source", element).attrib["uri"] = alternate["url"]
        _person_elements(entry, self._people)
        return entry
