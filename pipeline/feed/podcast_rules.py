"""The feed linter's Podcasting 2.0 rules: each `podcast:` tag's place, count, attributes and
values as its page of the namespace describes them (TagSpec, TAGS), https addresses, and the
transcript and chapters files the tags point to."""

from __future__ import annotations

import difflib
import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generator, Iterator
from urllib.parse import urlsplit

from .findings import (
    CHANNEL,
    DURATION_TOLERANCE,
    ERROR,
    NS,
    WARNING,
    Finding,
    PublishedFeed,
    finding,
    parse_duration,
    parse_seconds,
    reachable,
    tag_name,
    text_of,
)
from .podcast_ns import PODCAST_NS
from .podcast_spec import CHAPTERS_TYPE, EPISODE_DISPLAY_LIMIT, LICENSES, MEDIUM_VALUES, PERSON_ROLES, SOUNDBITE_SECONDS, TEXT_LIMIT, TRANSCRIPT_TYPES
from .rules import html_problems


@dataclass(frozen=True)
class TagSpec:
    """A `podcast:` tag as its page describes it: where it goes, how many, its attributes."""

    name: str
    parents: tuple[str, ...]
    single: bool  # the page's "Count: Single"
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def tag(self) -> str:
        return f"podcast:{self.name}"


LIVE_ITEM = "podcast:liveItem"
TAGS = {
    spec.name: spec
    for spec in (
        TagSpec("guid", (CHANNEL,), True),
        TagSpec("locked", (CHANNEL,), True, optional=("owner",)),
        TagSpec("license", (CHANNEL, "item"), True, optional=("url",)),
        TagSpec("medium", (CHANNEL,), True),
        TagSpec("funding", (CHANNEL, "item", LIVE_ITEM), False, required=("url",)),
        TagSpec("person", (CHANNEL, "item"), False, optional=("role", "group", "img", "href")),
        TagSpec("transcript", ("item",), False, required=("url", "type"), optional=("language", "rel")),
        TagSpec("chapters", ("item",), True, required=("url", "type")),
        TagSpec("soundbite", ("item",), False, required=("startTime", "duration")),
        TagSpec("season", ("item",), True, optional=("name",)),
        TagSpec("episode", ("item",), True, optional=("display",)),
        TagSpec(
            "alternateEnclosure", ("item",), False, required=("type",), optional=("length", "bitrate", "height", "lang", "title", "rel", "codecs", "default")
        ),
        TagSpec("source", ("podcast:alternateEnclosure",), False, required=("uri",), optional=("contentType",)),
    )
}


def _squashed(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def _tags(feed: PublishedFeed, spec: TagSpec) -> Generator[Finding, None, list[Any]]:
    """Every `spec` tag in the feed, after checking its place, count and attribute names."""
    elements = list(feed.channel.iter(f"{{{PODCAST_NS}}}{spec.name}"))
    counts: Counter[Any] = Counter()
    for element in elements:
        parent = element.getparent()
        if tag_name(parent) not in spec.parents:
            places = " or ".join(f"<{p}>" for p in spec.parents)
            yield finding(ERROR, element, spec.tag, f"is inside <{tag_name(parent)}>; the spec puts it in {places}")
        counts[parent] += 1
        if spec.single and counts[parent] == 2:
            yield finding(ERROR, element, spec.tag, f"appears more than once in <{tag_name(parent)}>; the spec allows one")
        present = [a for a in element.attrib if not a.startswith("{")]
        near_misses = set()
        for name in spec.required:
            if (element.get(name) or "").strip():
                continue
            # Attribute names are case-sensitive: start_time or starttime is not startTime.
            miss = next((a for a in present if a != name and _squashed(a) == _squashed(name)), None)
            near_misses.add(miss)
            said = f" (it has {miss!r}: attribute names are case-sensitive)" if miss else ""
            yield finding(ERROR, element, spec.tag, f"has no {name} attribute, which the spec requires{said}")
        for name in present:
            if name not in spec.required + spec.optional and name not in near_misses:
                close = difflib.get_close_matches(name, spec.required + spec.optional, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                yield finding(WARNING, element, spec.tag, f"has an attribute {name!r} the spec does not define{hint}; apps ignore it")
    return elements


def _long(element: Any, tag: str, value: str, what: str = "text", limit: int = TEXT_LIMIT) -> Iterator[Finding]:
    if len(value) > limit:
        yield finding(WARNING, element, tag, f"its {what} has {len(value)} characters; the spec asks for {limit} at most (aggregators may cut it)")


def podcast_guid(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:guid`: one, in the channel, a UUIDv5."""
    spec = TAGS["guid"]
    for element in (yield from _tags(feed, spec)):
        text = text_of(element)
        try:
            version = uuid.UUID(text).version if re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", text) else None
        except ValueError:
            version = None
        if version != 5:
            yield finding(ERROR, element, spec.tag, f"{text!r} is not a UUIDv5 (36 characters, four hyphens, version 5)")


def podcast_locked(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:locked`: yes or no; its optional `owner` an email address."""
    spec = TAGS["locked"]
    for element in (yield from _tags(feed, spec)):
        if text_of(element) not in ("yes", "no"):
            yield finding(ERROR, element, spec.tag, f"is {text_of(element)!r}; the spec takes yes or no")
        owner = element.get("owner")
        if owner is not None and "@" not in owner:
            yield finding(WARNING, element, spec.tag, f"owner {owner!r} is not an email address")


def podcast_license(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:license`: a license of the spec's list, or a custom one with its `url`."""
    spec = TAGS["license"]
    known = {name.lower() for name in LICENSES}
    for element in (yield from _tags(feed, spec)):
        text = text_of(element)
        if not text:
            yield finding(ERROR, element, spec.tag, "is empty; name the license")
        elif text.lower() not in known and not (element.get("url") or "").strip():
            yield finding(
                ERROR, element, spec.tag, f"{text!r} is not on the spec's list ({', '.join(LICENSES)}): a custom license needs a url attribute to its full text"
            )
        yield from _long(element, spec.tag, text)


def podcast_medium(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:medium`: one of the spec's values."""
    spec = TAGS["medium"]
    for element in (yield from _tags(feed, spec)):
        if text_of(element) not in MEDIUM_VALUES:
            yield finding(ERROR, element, spec.tag, f"{text_of(element)!r} is not a medium of the spec ({', '.join(sorted(MEDIUM_VALUES))})")


def podcast_funding(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:funding`: a `url`, and a short text to show beside it."""
    spec = TAGS["funding"]
    for element in (yield from _tags(feed, spec)):
        yield from _long(element, spec.tag, text_of(element))


def podcast_person(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:person`: a name, and a role and group of the Podcast Taxonomy Project."""
    spec = TAGS["person"]
    groups = {g.lower(): {r.lower() for r in roles} for g, roles in PERSON_ROLES.items()}
    roles = set().union(*groups.values())
    for element in (yield from _tags(feed, spec)):
        name = text_of(element)
        if not name:
            yield finding(ERROR, element, spec.tag, "has no name; the spec says it cannot be blank")
        yield from _long(element, spec.tag, name, "name")
        role, group = (element.get("role") or "host").strip().lower(), (element.get("group") or "cast").strip().lower()
        label = f"{name or 'a person'}: "
        if group not in groups:
            yield finding(WARNING, element, spec.tag, f"{label}group {group!r} is not in the Podcast Taxonomy Project's list")
        elif role not in roles:
            yield finding(WARNING, element, spec.tag, f"{label}role {role!r} is not in the Podcast Taxonomy Project's list")
        elif role not in groups[group]:
            yield finding(WARNING, element, spec.tag, f"{label}role {role!r} is not in the group {group!r}")


def podcast_transcript(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:transcript`: a `url` and a `type` among those the spec names."""
    spec = TAGS["transcript"]
    for element in (yield from _tags(feed, spec)):
        kind = (element.get("type") or "").strip()
        if kind and kind not in TRANSCRIPT_TYPES:
            yield finding(WARNING, element, spec.tag, f"type {kind!r} is none of the spec's ({', '.join(TRANSCRIPT_TYPES)})")


def podcast_chapters(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:chapters`: one per episode, with a `url` and the type application/json+chapters."""
    spec = TAGS["chapters"]
    for element in (yield from _tags(feed, spec)):
        kind = (element.get("type") or "").strip()
        if kind and kind != CHAPTERS_TYPE:
            yield finding(WARNING, element, spec.tag, f"type {kind!r}; the spec's JSON chapters are {CHAPTERS_TYPE!r}")


def podcast_soundbite(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:soundbite`: `startTime` and `duration` in seconds, 15 to 120 s long."""
    spec = TAGS["soundbite"]
    low, high = SOUNDBITE_SECONDS
    for element in (yield from _tags(feed, spec)):
        start, length = element.get("startTime"), element.get("duration")
        for name, value in (("startTime", start), ("duration", length)):
            if value is not None and value.strip() and parse_seconds(value) is None:
                yield finding(ERROR, element, spec.tag, f"{name} {value!r} is not a number of seconds")
        seconds = parse_seconds(length)
        if seconds is not None and not low <= seconds <= high:
            yield finding(WARNING, element, spec.tag, f"lasts {seconds:g} s; the spec recommends {low:g} to {high:g} s")
        episode = parse_duration(text_of(element.getparent().find("itunes:duration", NS)))
        if episode is not None and seconds is not None and (parse_seconds(start) or 0) + seconds > episode + DURATION_TOLERANCE:
            yield finding(WARNING, element, spec.tag, f"ends at {(parse_seconds(start) or 0) + seconds:g} s, after the episode ({episode:g} s)")
        yield from _long(element, spec.tag, text_of(element), "title")


def podcast_season(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:season`: an integer, with an optional `name`."""
    spec = TAGS["season"]
    for element in (yield from _tags(feed, spec)):
        if not re.fullmatch(r"\d+", text_of(element)):
            yield finding(ERROR, element, spec.tag, f"{text_of(element)!r} is not a season number (an integer)")
        yield from _long(element, spec.tag, element.get("name") or "", "name")


def podcast_episode(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:episode`: a decimal number, with an optional `display` of 32 characters at most."""
    spec = TAGS["episode"]
    for element in (yield from _tags(feed, spec)):
        if not re.fullmatch(r"\d+(\.\d+)?", text_of(element)):
            yield finding(ERROR, element, spec.tag, f"{text_of(element)!r} is not an episode number (a decimal number)")
        yield from _long(element, spec.tag, element.get("display") or "", "display", EPISODE_DISPLAY_LIMIT)


def podcast_alternate_enclosure(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:alternateEnclosure`: a `type`, its `length`, and a `podcast:source` with a `uri` for each copy."""
    spec, source = TAGS["alternateEnclosure"], TAGS["source"]
    for element in (yield from _tags(feed, spec)):
        length = (element.get("length") or "").strip()
        if not length:
            yield finding(WARNING, element, spec.tag, "has no length; the spec recommends the file's size in bytes")
        elif not length.isdigit():
            yield finding(ERROR, element, spec.tag, f"length {length!r} is not a number of bytes")
        for name, pattern in (("bitrate", r"\d+(\.\d+)?"), ("height", r"\d+")):
            value = element.get(name)
            if value is not None and not re.fullmatch(pattern, value.strip()):
                yield finding(ERROR, element, spec.tag, f"{name} {value!r} is not a number")
        if element.find("podcast:source", NS) is None:
            yield finding(ERROR, element, spec.tag, 'has no <podcast:source uri="…">; the spec requires at least one')
    for element in (yield from _tags(feed, source)):
        uri, length = (element.get("uri") or "").strip(), (element.getparent().get("length") or "").strip()
        if not uri.startswith(("http://", "https://")):
            continue  # ipfs://, a torrent…: nothing of public/
        path = yield from reachable(feed, element, source.tag, uri)
        if path and length.isdigit() and int(length) != path.stat().st_size:
            yield finding(ERROR, element, source.tag, f"its alternateEnclosure's length is {length} but {path.name} has {path.stat().st_size} bytes")


# Files the podcast: tags point to ---------------------------------------------------------------


URL_ATTRIBUTES = ("url", "href", "img", "uri")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")  # a preview with `podcast serve`, not a published feed


def https(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:` tags' addresses use https: (1.0.md: "must be given as https: and not http:")."""
    for element in feed.channel.iter(f"{{{PODCAST_NS}}}*"):
        for key in URL_ATTRIBUTES:
            url = urlsplit(element.get(key, ""))
            if url.scheme == "http" and url.hostname not in LOCAL_HOSTS:
                yield finding(ERROR, element, tag_name(element), f"{key} {url.geturl()} must use https:, not http:")


def transcript_files(feed: PublishedFeed) -> Iterator[Finding]:
    """Each transcript is in `public/` and reads as its type: WebVTT, SubRip, Podcasting 2.0 JSON, HTML or text."""
    for element in feed.channel.iterfind("item/podcast:transcript", NS):
        url, kind = (element.get("url") or "").strip(), (element.get("type") or "").strip()
        path = (yield from reachable(feed, element, "podcast:transcript", url)) if url else None
        if path is None:
            continue
        problem = _transcript_problem(path, kind)
        if problem:
            yield finding(ERROR, element, "podcast:transcript", f"{path.name} ({kind}): {problem}")


# WebVTT cue timings: "00:01.000 --> 00:04.000", hours optional (w3.org/TR/webvtt1 §4.1).
VTT_TIMING = re.compile(r"(\d{2,}:)?\d{2}:\d{2}\.\d{3}[ \t]+-->[ \t]+(\d{2,}:)?\d{2}:\d{2}\.\d{3}([ \t].*)?")


def _transcript_problem(path: Path, kind: str) -> str:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return "is not UTF-8 text"
    if kind == "text/vtt":
        # The spec's header: "WEBVTT", then a space, a tab or a line break, or the end.
        if not re.match(r"WEBVTT([ \t\r\n]|$)", text):
            return "does not start with the WEBVTT header"
        bad = next((n for n, line in enumerate(text.splitlines(), 1) if "-->" in line and not VTT_TIMING.fullmatch(line.strip())), None)
        return f"line {bad} is not a cue timing (00:00:01.000 --> 00:00:04.000)" if bad else ""
    if kind == "application/x-subrip":
        import srt

        try:
            list(srt.parse(text))
        except srt.SRTParseError as e:
            return f"is not SubRip: {e}"
        return ""
    if kind == "application/json":
        return _json_problem(text, "segments", "a Podcasting 2.0 JSON transcript")
    if kind == "text/html":
        problems = html_problems(text)
        return "; ".join(problems)
    return ""


def _json_problem(text: str, key: str, what: str) -> str:
    """What keeps `text` from being `what`: an object with a string `version` and a list `key`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return f"is not JSON: {e}"
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        return f'has no "version" (a string), which {what} needs'
    if not isinstance(data.get(key), list):
        return f'has no "{key}" list, which {what} needs'
    for n, entry in enumerate(data[key], 1):
        start = entry.get("startTime") if isinstance(entry, dict) else None
        if isinstance(start, bool) or not isinstance(start, (int, float)):
            return f"{key} #{n} has no numeric startTime"
    return ""


def chapters_file(feed: PublishedFeed) -> Iterator[Finding]:
    """The chapters file is in `public/`, with `version` and `chapters`, each with a numeric `startTime`."""
    for element in feed.channel.iterfind("item/podcast:chapters", NS):
        url, kind = (element.get("url") or "").strip(), (element.get("type") or "").strip()
        path = (yield from reachable(feed, element, "podcast:chapters", url)) if url else None
        if path is None or kind not in (CHAPTERS_TYPE, "application/json"):
            continue  # podcast_chapters warns of another type: its format is not the spec's
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            yield finding(ERROR, element, "podcast:chapters", f"{path.name} is not UTF-8 text")
            continue
        problem = _json_problem(text, "chapters", "a JSON chapters file")
        if problem:
            yield finding(ERROR, element, "podcast:chapters", f"{path.name}: {problem}")
            continue
        starts = [c["startTime"] for c in json.loads(text)["chapters"]]
        if starts != sorted(starts):
            yield finding(WARNING, element, "podcast:chapters", f"{path.name}: chapters are not in the order of their startTime")
