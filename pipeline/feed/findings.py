"""What the feed linter's rules share: a finding, the published feed they read, and the helpers
that find a tag's episode, its text, and the file under `public/` a URL is served from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generator, Literal

from lxml import etree

from ..layout import PublicLayout
from ..times import parse_time
from .podcast_ns import PODCAST_NS

Level = Literal["error", "warning"]
ERROR: Level = "error"
WARNING: Level = "warning"
CHANNEL = "channel"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "content": CONTENT_NS}

DURATION_TOLERANCE = 1.0  # seconds: itunes:duration is whole seconds, rounded


@dataclass(frozen=True)
class Finding:
    level: Level
    where: str  # "channel", or the episode: its item's title (its guid when it has none)
    tag: str  # "enclosure", "itunes:duration", "podcast:person"…
    message: str
    guid: str = ""  # the item's guid: which episode it is about ("" for the channel)


@dataclass(frozen=True)
class PublishedFeed:
    """The parsed feed, and where the files it names are under `public/`."""

    layout: PublicLayout
    channel: Any  # lxml's <channel> element
    named: set[Path] = field(default_factory=set)  # every file a rule looked for: what the findings depend on

    @property
    def items(self) -> list[Any]:
        return self.channel.findall("item")

    def file(self, url: str) -> Path | None:
        relative = self.layout.relative(url)
        path = self.layout.file(relative) if relative else None
        if path:
            self.named.add(path)
        return path


def _item(element: Any) -> Any:
    """The <item> `element` is in, or None in the channel."""
    return next((node for node in (element, *element.iterancestors()) if node.tag == "item"), None)


def where(element: Any) -> str:
    """'channel', or the title of the item `element` is in (its guid, or its place, without one)."""
    node = _item(element)
    if node is None:
        return CHANNEL
    title, guid = (node.findtext("title") or "").strip(), (node.findtext("guid") or "").strip()
    return title or guid or f"item {sum(1 for _ in node.itersiblings('item', preceding=True)) + 1}"


def finding(level: Level, element: Any, tag: str, message: str) -> Finding:
    """A finding about `element`, named by the episode it is in (or the channel)."""
    item = _item(element)
    guid = (item.findtext("guid") or "").strip() if item is not None else ""
    return Finding(level, where(element), tag, message, guid)


def tag_name(element: Any) -> str:
    """An element's name as the feed writes it: 'item', 'itunes:image', 'podcast:person'."""
    qname = etree.QName(element)
    prefix = {uri: p for p, uri in NS.items()}.get(qname.namespace or "")
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def text_of(element: Any) -> str:
    """An element's text, stripped; "" when it is missing."""
    return (element.text or "").strip() if element is not None else ""


def reachable(feed: PublishedFeed, element: Any, tag: str, url: str) -> Generator[Finding, None, Path | None]:
    """The file under `public/` that `url` is served from; a finding when there is none."""
    path = feed.file(url)
    if path is None:
        yield finding(WARNING, element, tag, f"{url} is not under base_url {feed.layout.show.base_url}: not checked")
    elif not path.is_file():
        yield finding(ERROR, element, tag, f"{url} is not reachable: public/{feed.layout.relative(url)} does not exist")
    else:
        return path
    return None


def parse_duration(text: str) -> float | None:
    """'3723', '62:03' or '1:02:03' (itunes:duration's forms) in seconds; None if it is none of them."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
        return None
    return parse_time(text.strip())


def parse_seconds(text: str | None) -> float | None:
    """'73.0' in seconds; None for anything but a plain non-negative number (no '1e3', 'nan', '-5')."""
    return float(text) if text is not None and re.fullmatch(r"\d+(\.\d+)?", text.strip()) else None
