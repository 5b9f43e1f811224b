"""Lint a built feed: `public/feed.xml` and the files under `public/` it points to.

Each rule is a small function from the feed to findings, listed in RULES with the page its
numbers come from (the README shows the table). A finding is an *error* when Apple's validation
refuses the feed or a spec says "must" or "required", a *warning* when it says "should" or
"recommended", or when something cannot be checked from `public/`.
"""

from __future__ import annotations

import difflib
import json
import re
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Callable, Generator, Iterable, Iterator, Literal
from urllib.parse import urlsplit

from lxml import etree

from ..files import HashCache, package_version, write_atomic
from ..layout import FEED, PublicLayout
from ..times import parse_time
from . import apple
from .podcast_ns import PODCAST_NS
from .podcast_spec import CHAPTERS_TYPE, EPISODE_DISPLAY_LIMIT, LICENSES, MEDIUM_VALUES, PERSON_ROLES, SOUNDBITE_SECONDS, TEXT_LIMIT, TRANSCRIPT_TYPES

Level = Literal["error", "warning"]
ERROR: Level = "error"
WARNING: Level = "warning"
CHANNEL = "channel"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "content": CONTENT_NS}

# The sources, as the README's table names them:
# - podcasters.apple.com/support/823-podcast-requirements, "A Podcaster's Guide to RSS" (archived in
#   Podcastindex-org/podcast-namespace, itunes_reference.md), which says what is required and recommended;
# - podcasters.apple.com/4115-technical-updates-for-hosting-providers (2022): guid required, owner no longer;
# - www.rssboard.org/rss-specification: <link> is a required channel element;
# - github.com/Podcastindex-org/podcast-namespace, docs/tags/<tag>.md (podcastindex.org/namespace/1.0).
APPLE = "Apple, A Podcaster's Guide to RSS"
APPLE_2023 = "Apple, Technical updates for hosting providers (2022-08-22)"
RSS = "RSS 2.0 specification"
P20 = "podcast-namespace docs/tags/"

DURATION_TOLERANCE = 1.0  # seconds: itunes:duration is whole seconds, rounded
EXPLICIT = ("true", "false")  # Apple's guide names only these two values today
SHOW_TYPES = ("episodic", "serial")
EPISODE_TYPES = ("full", "trailer", "bonus")


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


def _find(level: Level, element: Any, tag: str, message: str) -> Finding:
    item = _item(element)
    guid = (item.findtext("guid") or "").strip() if item is not None else ""
    return Finding(level, where(element), tag, message, guid)


def _name(element: Any) -> str:
    """An element's name as the feed writes it: 'item', 'itunes:image', 'podcast:person'."""
    qname = etree.QName(element)
    prefix = {uri: p for p, uri in NS.items()}.get(qname.namespace or "")
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _text(element: Any) -> str:
    return (element.text or "").strip() if element is not None else ""


def _reachable(feed: PublishedFeed, element: Any, tag: str, url: str) -> Generator[Finding, None, Path | None]:
    """The file under `public/` that `url` is served from; a finding when there is none."""
    path = feed.file(url)
    if path is None:
        yield _find(WARNING, element, tag, f"{url} is not under base_url {feed.layout.show.base_url}: not checked")
    elif not path.is_file():
        yield _find(ERROR, element, tag, f"{url} is not reachable: public/{feed.layout.relative(url)} does not exist")
    else:
        return path
    return None


def _seconds(text: str) -> float | None:
    """'3723', '62:03' or '1:02:03' (itunes:duration's forms) in seconds; None if it is none of them."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
        return None
    return parse_time(text.strip())


def _number(text: str | None) -> float | None:
    """'73.0' in seconds; None for anything but a plain non-negative number (no '1e3', 'nan', '-5')."""
    return float(text) if text is not None and re.fullmatch(r"\d+(\.\d+)?", text.strip()) else None


# Apple's tags -----------------------------------------------------------------------------------


def channel_tags(feed: PublishedFeed) -> Iterator[Finding]:
    """The show's tags Apple requires (errors) and recommends (warnings)."""
    channel = feed.channel
    for tag in ("title", "description", "language"):
        if not _text(channel.find(tag)):
            yield Finding(ERROR, CHANNEL, tag, f"<{tag}> is missing or empty; Apple requires it")
    if not _text(channel.find("link")):
        yield Finding(ERROR, CHANNEL, "link", "<link> (the show's website) is missing; RSS 2.0 requires it")
    image = channel.find("itunes:image", NS)
    if image is None or not (image.get("href") or "").strip():
        yield Finding(ERROR, CHANNEL, "itunes:image", "no <itunes:image href=\"…\"> (the show's artwork); Apple requires it")
    if channel.find("itunes:category", NS) is None:
        yield Finding(ERROR, CHANNEL, "itunes:category", "no <itunes:category>; Apple requires one")
    yield from _explicit(channel, ERROR)
    if not _text(channel.find("itunes:author", NS)):
        yield Finding(WARNING, CHANNEL, "itunes:author", "no <itunes:author>; Apple recommends it (shown as the artist)")
    if not _text(channel.find("itunes:owner/itunes:email", NS)):
        yield Finding(WARNING, CHANNEL, "itunes:owner", "no <itunes:owner><itunes:email>: directories other than Apple's"
                      " (Spotify, Podcast Index) email it to confirm who owns the show")


def _explicit(parent: Any, missing: Level) -> Iterator[Finding]:
    explicit = parent.find("itunes:explicit", NS)
    if explicit is None:
        need = "Apple requires it" if missing == ERROR else "Apple recommends it"
        yield _find(missing, parent, "itunes:explicit", f"no <itunes:explicit>; {need} (true or false)")
    elif _text(explicit) not in EXPLICIT:
        yield _find(ERROR, parent, "itunes:explicit", f"is {_text(explicit)!r}; Apple takes true or false")


def item_tags(feed: PublishedFeed) -> Iterator[Finding]:
    """Each episode's tags Apple requires (errors) and recommends (warnings)."""
    for item in feed.items:
        if not _text(item.find("title")):
            yield _find(ERROR, item, "title", "<title> is missing or empty; Apple requires it")
        enclosure = item.find("enclosure")
        if enclosure is None:
            yield _find(ERROR, item, "enclosure", "no <enclosure> (the audio file); Apple requires it")
        else:
            missing = [a for a in ("url", "length", "type") if not (enclosure.get(a) or "").strip()]
            if missing:
                yield _find(ERROR, item, "enclosure", f"has no {', '.join(missing)}; Apple requires url, length and type")
            elif not enclosure.get("length").strip().isdigit():
                yield _find(ERROR, item, "enclosure", f"length {enclosure.get('length')!r} is not a number of bytes")
        if not _text(item.find("guid")):
            yield _find(ERROR, item, "guid", "no <guid>; Apple requires one per episode since 2023")
        published = _text(item.find("pubDate"))
        if not published:
            yield _find(WARNING, item, "pubDate", "no <pubDate>; Apple recommends it (the date shown)")
        elif not _rfc2822(published):
            yield _find(ERROR, item, "pubDate", f"{published!r} is not an RFC 2822 date (Wed, 15 Jun 2019 19:00:00 GMT)")
        if not _text(item.find("description")):
            yield _find(WARNING, item, "description", "no <description>; Apple recommends it (the show notes)")
        duration = item.find("itunes:duration", NS)
        if duration is None:
            yield _find(WARNING, item, "itunes:duration", "no <itunes:duration>; Apple recommends it, in seconds")
        elif _seconds(_text(duration)) is None:
            yield _find(ERROR, item, "itunes:duration", f"{_text(duration)!r} is not a duration (seconds, or [h:]mm:ss)")
        yield from _explicit(item, WARNING)


def situational_tags(feed: PublishedFeed) -> Iterator[Finding]:
    """`itunes:type`, `itunes:episodeType`, `itunes:episode` and `itunes:season` take Apple's values."""
    show_type = _text(feed.channel.find("itunes:type", NS))
    if show_type and show_type not in SHOW_TYPES:
        yield Finding(ERROR, CHANNEL, "itunes:type", f"is {show_type!r}; Apple takes {' or '.join(SHOW_TYPES)}")
    for item in feed.items:
        kind = _text(item.find("itunes:episodeType", NS))
        if kind and kind not in EPISODE_TYPES:
            yield _find(ERROR, item, "itunes:episodeType", f"is {kind!r}; Apple takes {', '.join(EPISODE_TYPES)}")
        for tag in ("itunes:episode", "itunes:season"):
            value = _text(item.find(tag, NS))
            if item.find(tag, NS) is not None and not re.fullmatch(r"[1-9]\d*", value):
                yield _find(ERROR, item, tag, f"is {value!r}; Apple wants a non-zero integer (1, 2, 3…)")
        # "Episode numbers are optional for episodic shows, but are mandatory for serial shows";
        # a trailer or a bonus without a number is the show's own.
        if show_type == "serial" and kind in ("", "full") and item.find("itunes:episode", NS) is None:
            yield _find(ERROR, item, "itunes:episode", "missing: Apple requires an episode number in a serial show")


def _rfc2822(text: str) -> bool:
    try:
        return parsedate_to_datetime(text) is not None
    except (TypeError, ValueError):
        return False


def artwork(feed: PublishedFeed) -> Iterator[Finding]:
    """The show's and each episode's `itunes:image`: a square PNG or JPEG of 1400–3000 px, in RGB."""
    for image in feed.channel.iter(f"{{{ITUNES_NS}}}image"):
        url = (image.get("href") or "").strip()
        if not url:
            continue
        path = yield from _reachable(feed, image, "itunes:image", url)
        if path is None:
            continue
        problem = apple.artwork_problem(path)
        if problem:
            yield _find(ERROR, image, "itunes:image", f"{url} {problem}")
        elif path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            # Apple: "with appropriate file extensions (.jpg, .png)".
            yield _find(ERROR, image, "itunes:image", f"{url}: Apple wants the extension .jpg or .png")


def description_size(feed: PublishedFeed) -> Iterator[Finding]:
    """The show's description within Apple's 4000 bytes (an error); an episode's too (a warning)."""
    show = [(ERROR, feed.channel.find("description"))]
    for level, element in show + [(WARNING, item.find("description")) for item in feed.items]:
        size = len((element.text or "").encode("utf-8")) if element is not None else 0
        if size > apple.DESCRIPTION_BYTES:
            yield _find(level, element, "description", f"is {size} bytes; Apple takes {apple.DESCRIPTION_BYTES} at most")


def html_problems(text: str) -> list[str]:
    """Unclosed and mismatched tags in an HTML fragment, as a reader would say them.

    libxml2's HTML parser (through lxml, already a dependency) reports exactly these two mistakes
    as ERR_TAG_NAME_MISMATCH, and since 2.14 tokenizes as HTML5 does, so <section>, void elements
    and the end tags HTML lets one leave out (</p>, </li>) pass. html5lib would report every
    HTML5 parse error, but is one more package, unmaintained since 2020. The fragment goes
    inside an element of our own, so a tag still open at its end shows as closed by that one.
    """
    wrapper = "lint-fragment"
    parser = etree.HTMLParser(recover=True)
    etree.fromstring(f"<body><{wrapper}>{text}</{wrapper}></body>", parser)
    problems = []
    for error in parser.error_log:
        if error.type_name != "ERR_TAG_NAME_MISMATCH":
            continue
        mismatch = re.match(r"Opening and ending tag mismatch: (\S+) and (\S+)", error.message)
        unexpected = re.match(r"Unexpected end tag : (\S+)", error.message)
        line = f" (line {error.line})" if "\n" in text else ""
        if mismatch and mismatch.group(1) == wrapper:
            problems.append(f"<{mismatch.group(2)}> is never closed")
        elif mismatch:
            problems.append(f"</{mismatch.group(1)}> while <{mismatch.group(2)}> is still open{line}")
        elif unexpected:
            problems.append(f"</{unexpected.group(1)}> closes nothing{line}")
    return problems


def html(feed: PublishedFeed) -> Iterator[Finding]:
    """Descriptions and `content:encoded` are well-formed HTML: every tag closed, in order."""
    elements = [feed.channel.find("description")]
    for item in feed.items:
        elements += [item.find("description"), item.find("content:encoded", NS)]
    for element in elements:
        problems = html_problems(element.text or "") if element is not None else []
        if problems:
            yield _find(WARNING, element, _name(element), "HTML not well-formed, each app will show it its own way: "
                        + "; ".join(problems))


def unique_guids(feed: PublishedFeed) -> Iterator[Finding]:
    """No two episodes share a guid (Apple does not process an episode whose guid is taken)."""
    yield from _unique(feed, "guid", lambda item: _text(item.find("guid")))


def unique_enclosures(feed: PublishedFeed) -> Iterator[Finding]:
    """No two episodes share an enclosure URL (Apple ignores an enclosure URL used before)."""
    yield from _unique(feed, "enclosure", lambda item: (item.find("enclosure").get("url") or "").strip()
                       if item.find("enclosure") is not None else "")


def unique_numbers(feed: PublishedFeed) -> Iterator[Finding]:
    """Two full episodes of one season with the same number: a warning (Apple accepts it; likely a typo)."""
    # A warning, not an error: Apple's guide lets numbers repeat (each season starts again at 1,
    # and nothing forbids a repeat within one); apps then order the two by date. A typo is the
    # likely cause, but refusing would unpublish an episode over its number.
    first: dict[tuple[str, str], Any] = {}
    for item in feed.items:
        number = _text(item.find("itunes:episode", NS))
        if not number or _text(item.find("itunes:episodeType", NS)) not in ("", "full"):
            continue
        season = _text(item.find("itunes:season", NS))
        if (season, number) in first:
            yield _find(WARNING, item, "itunes:episode", f"{number} is also the number of {where(first[season, number])!r}"
                        + (f" in season {season}" if season else "") + "; apps order the two by date")
        first.setdefault((season, number), item)


def _unique(feed: PublishedFeed, tag: str, key: Callable[[Any], str]) -> Iterator[Finding]:
    first: dict[str, Any] = {}
    for item in feed.items:
        value = key(item)
        if value and value in first:
            yield _find(ERROR, item, tag, f"{value} is also the {tag} of {where(first[value])!r}; each episode needs its own")
        first.setdefault(value, item)


def enclosure_file(feed: PublishedFeed) -> Iterator[Finding]:
    """The enclosure's file is in `public/` and `length` is its size in bytes."""
    for item in feed.items:
        enclosure = item.find("enclosure")
        url = (enclosure.get("url") or "").strip() if enclosure is not None else ""
        if not url:
            continue
        path = yield from _reachable(feed, enclosure, "enclosure", url)
        length = (enclosure.get("length") or "").strip()
        if path and length.isdigit() and int(length) != path.stat().st_size:
            yield _find(ERROR, enclosure, "enclosure", f"length is {length} but {path.name} has {path.stat().st_size}"
                        " bytes; apps may stop playing early or refuse the download")


def duration(feed: PublishedFeed) -> Iterator[Finding]:
    """`itunes:duration` is the enclosure's duration as mutagen measures it, within a second."""
    import mutagen

    for item in feed.items:
        said = _seconds(_text(item.find("itunes:duration", NS)))
        enclosure = item.find("enclosure")
        path = feed.file(enclosure.get("url") or "") if enclosure is not None and said is not None else None
        if path is None or not path.is_file():
            continue  # no duration, or no file: item_tags and enclosure_file say so
        try:
            audio = mutagen.File(path)
        except (mutagen.MutagenError, OSError):
            audio = None
        if audio is None or not audio.info.length:
            yield _find(ERROR, enclosure, "enclosure", f"{path.name}: mutagen cannot read it as audio")
        elif abs(audio.info.length - said) > DURATION_TOLERANCE:
            yield _find(ERROR, item, "itunes:duration", f"says {said:g} s but {path.name} lasts {audio.info.length:.1f} s")


def language(feed: PublishedFeed) -> Iterator[Finding]:
    """`language` is an ISO 639 code, with a region if any ("fr", "fr-CA"), as Apple requires."""
    from babel import Locale, UnknownLocaleError

    text = _text(feed.channel.find("language"))
    if not text:
        return  # channel_tags says it is missing
    problem = "" if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", text) else "is not written as a language code"
    if not problem:
        try:
            Locale.parse(text.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            problem = "is not a language babel knows"
    if problem:
        yield Finding(ERROR, CHANNEL, "language", f"{text!r} {problem}; Apple wants an ISO 639 code such as fr or fr-CA")


def categories(feed: PublishedFeed) -> Iterator[Finding]:
    """Each `itunes:category` (and subcategory) is on Apple's list, to the letter."""
    for category in feed.channel.findall("itunes:category", NS):
        top = (category.get("text") or "").strip()
        subs = category.findall("itunes:category", NS)
        for name in [top] if not subs else [f"{top} > {(s.get('text') or '').strip()}" for s in subs]:
            try:
                apple.parse_category(name)
            except ValueError as e:
                yield Finding(ERROR, CHANNEL, "itunes:category", str(e))
        if any(s.find("itunes:category", NS) is not None for s in subs):
            yield Finding(ERROR, CHANNEL, "itunes:category", f"{top!r}: Apple's categories go two levels deep at most")


# Podcasting 2.0 tags ----------------------------------------------------------------------------


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
    spec.name: spec for spec in (
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
        TagSpec("alternateEnclosure", ("item",), False, required=("type",),
                optional=("length", "bitrate", "height", "lang", "title", "rel", "codecs", "default")),
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
        if _name(parent) not in spec.parents:
            places = " or ".join(f"<{p}>" for p in spec.parents)
            yield _find(ERROR, element, spec.tag, f"is inside <{_name(parent)}>; the spec puts it in {places}")
        counts[parent] += 1
        if spec.single and counts[parent] == 2:
            yield _find(ERROR, element, spec.tag, f"appears more than once in <{_name(parent)}>; the spec allows one")
        present = [a for a in element.attrib if not a.startswith("{")]
        near_misses = set()
        for name in spec.required:
            if (element.get(name) or "").strip():
                continue
            # Attribute names are case-sensitive: start_time or starttime is not startTime.
            miss = next((a for a in present if a != name and _squashed(a) == _squashed(name)), None)
            near_misses.add(miss)
            said = f" (it has {miss!r}: attribute names are case-sensitive)" if miss else ""
            yield _find(ERROR, element, spec.tag, f"has no {name} attribute, which the spec requires{said}")
        for name in present:
            if name not in spec.required + spec.optional and name not in near_misses:
                close = difflib.get_close_matches(name, spec.required + spec.optional, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                yield _find(WARNING, element, spec.tag, f"has an attribute {name!r} the spec does not define{hint}; apps ignore it")
    return elements


def _long(element: Any, tag: str, value: str, what: str = "text", limit: int = TEXT_LIMIT) -> Iterator[Finding]:
    if len(value) > limit:
        yield _find(WARNING, element, tag, f"its {what} has {len(value)} characters; the spec asks for {limit} at most"
                    " (aggregators may cut it)")


def podcast_guid(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:guid`: one, in the channel, a UUIDv5."""
    spec = TAGS["guid"]
    for element in (yield from _tags(feed, spec)):
        text = _text(element)
        try:
            version = uuid.UUID(text).version if re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", text) else None
        except ValueError:
            version = None
        if version != 5:
            yield _find(ERROR, element, spec.tag, f"{text!r} is not a UUIDv5 (36 characters, four hyphens, version 5)")


def podcast_locked(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:locked`: yes or no; its optional `owner` an email address."""
    spec = TAGS["locked"]
    for element in (yield from _tags(feed, spec)):
        if _text(element) not in ("yes", "no"):
            yield _find(ERROR, element, spec.tag, f"is {_text(element)!r}; the spec takes yes or no")
        owner = element.get("owner")
        if owner is not None and "@" not in owner:
            yield _find(WARNING, element, spec.tag, f"owner {owner!r} is not an email address")


def podcast_license(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:license`: a license of the spec's list, or a custom one with its `url`."""
    spec = TAGS["license"]
    known = {name.lower() for name in LICENSES}
    for element in (yield from _tags(feed, spec)):
        text = _text(element)
        if not text:
            yield _find(ERROR, element, spec.tag, "is empty; name the license")
        elif text.lower() not in known and not (element.get("url") or "").strip():
            yield _find(ERROR, element, spec.tag, f"{text!r} is not on the spec's list ({', '.join(LICENSES)}):"
                        " a custom license needs a url attribute to its full text")
        yield from _long(element, spec.tag, text)


def podcast_medium(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:medium`: one of the spec's values."""
    spec = TAGS["medium"]
    for element in (yield from _tags(feed, spec)):
        if _text(element) not in MEDIUM_VALUES:
            yield _find(ERROR, element, spec.tag, f"{_text(element)!r} is not a medium of the spec"
                        f" ({', '.join(sorted(MEDIUM_VALUES))})")


def podcast_funding(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:funding`: a `url`, and a short text to show beside it."""
    spec = TAGS["funding"]
    for element in (yield from _tags(feed, spec)):
        yield from _long(element, spec.tag, _text(element))


def podcast_person(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:person`: a name, and a role and group of the Podcast Taxonomy Project."""
    spec = TAGS["person"]
    groups = {g.lower(): {r.lower() for r in roles} for g, roles in PERSON_ROLES.items()}
    roles = set().union(*groups.values())
    for element in (yield from _tags(feed, spec)):
        name = _text(element)
        if not name:
            yield _find(ERROR, element, spec.tag, "has no name; the spec says it cannot be blank")
        yield from _long(element, spec.tag, name, "name")
        role, group = (element.get("role") or "host").strip().lower(), (element.get("group") or "cast").strip().lower()
        label = f"{name or 'a person'}: "
        if group not in groups:
            yield _find(WARNING, element, spec.tag, f"{label}group {group!r} is not in the Podcast Taxonomy Project's list")
        elif role not in roles:
            yield _find(WARNING, element, spec.tag, f"{label}role {role!r} is not in the Podcast Taxonomy Project's list")
        elif role not in groups[group]:
            yield _find(WARNING, element, spec.tag, f"{label}role {role!r} is not in the group {group!r}")


def podcast_transcript(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:transcript`: a `url` and a `type` among those the spec names."""
    spec = TAGS["transcript"]
    for element in (yield from _tags(feed, spec)):
        kind = (element.get("type") or "").strip()
        if kind and kind not in TRANSCRIPT_TYPES:
            yield _find(WARNING, element, spec.tag, f"type {kind!r} is none of the spec's ({', '.join(TRANSCRIPT_TYPES)})")


def podcast_chapters(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:chapters`: one per episode, with a `url` and the type application/json+chapters."""
    spec = TAGS["chapters"]
    for element in (yield from _tags(feed, spec)):
        kind = (element.get("type") or "").strip()
        if kind and kind != CHAPTERS_TYPE:
            yield _find(WARNING, element, spec.tag, f"type {kind!r}; the spec's JSON chapters are {CHAPTERS_TYPE!r}")


def podcast_soundbite(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:soundbite`: `startTime` and `duration` in seconds, 15 to 120 s long."""
    spec = TAGS["soundbite"]
    low, high = SOUNDBITE_SECONDS
    for element in (yield from _tags(feed, spec)):
        start, length = element.get("startTime"), element.get("duration")
        for name, value in (("startTime", start), ("duration", length)):
            if value is not None and value.strip() and _number(value) is None:
                yield _find(ERROR, element, spec.tag, f"{name} {value!r} is not a number of seconds")
        seconds = _number(length)
        if seconds is not None and not low <= seconds <= high:
            yield _find(WARNING, element, spec.tag, f"lasts {seconds:g} s; the spec recommends {low:g} to {high:g} s")
        episode = _seconds(_text(element.getparent().find("itunes:duration", NS)))
        if episode is not None and seconds is not None and (_number(start) or 0) + seconds > episode + DURATION_TOLERANCE:
            yield _find(WARNING, element, spec.tag, f"ends at {(_number(start) or 0) + seconds:g} s, after the episode ({episode:g} s)")
        yield from _long(element, spec.tag, _text(element), "title")


def podcast_season(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:season`: an integer, with an optional `name`."""
    spec = TAGS["season"]
    for element in (yield from _tags(feed, spec)):
        if not re.fullmatch(r"\d+", _text(element)):
            yield _find(ERROR, element, spec.tag, f"{_text(element)!r} is not a season number (an integer)")
        yield from _long(element, spec.tag, element.get("name") or "", "name")


def podcast_episode(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:episode`: a decimal number, with an optional `display` of 32 characters at most."""
    spec = TAGS["episode"]
    for element in (yield from _tags(feed, spec)):
        if not re.fullmatch(r"\d+(\.\d+)?", _text(element)):
            yield _find(ERROR, element, spec.tag, f"{_text(element)!r} is not an episode number (a decimal number)")
        yield from _long(element, spec.tag, element.get("display") or "", "display", EPISODE_DISPLAY_LIMIT)


def podcast_alternate_enclosure(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:alternateEnclosure`: a `type`, its `length`, and a `podcast:source` with a `uri` for each copy."""
    spec, source = TAGS["alternateEnclosure"], TAGS["source"]
    for element in (yield from _tags(feed, spec)):
        length = (element.get("length") or "").strip()
        if not length:
            yield _find(WARNING, element, spec.tag, "has no length; the spec recommends the file's size in bytes")
        elif not length.isdigit():
            yield _find(ERROR, element, spec.tag, f"length {length!r} is not a number of bytes")
        for name, pattern in (("bitrate", r"\d+(\.\d+)?"), ("height", r"\d+")):
            value = element.get(name)
            if value is not None and not re.fullmatch(pattern, value.strip()):
                yield _find(ERROR, element, spec.tag, f"{name} {value!r} is not a number")
        if element.find("podcast:source", NS) is None:
            yield _find(ERROR, element, spec.tag, "has no <podcast:source uri=\"…\">; the spec requires at least one")
    for element in (yield from _tags(feed, source)):
        uri, length = (element.get("uri") or "").strip(), (element.getparent().get("length") or "").strip()
        if not uri.startswith(("http://", "https://")):
            continue  # ipfs://, a torrent…: nothing of public/
        path = yield from _reachable(feed, element, source.tag, uri)
        if path and length.isdigit() and int(length) != path.stat().st_size:
            yield _find(ERROR, element, source.tag, f"its alternateEnclosure's length is {length} but {path.name}"
                        f" has {path.stat().st_size} bytes")


# Files the podcast: tags point to ---------------------------------------------------------------


URL_ATTRIBUTES = ("url", "href", "img", "uri")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")  # a preview with `podcast serve`, not a published feed


def https(feed: PublishedFeed) -> Iterator[Finding]:
    """`podcast:` tags' addresses use https: (1.0.md: "must be given as https: and not http:")."""
    for element in feed.channel.iter(f"{{{PODCAST_NS}}}*"):
        for key in URL_ATTRIBUTES:
            url = urlsplit(element.get(key, ""))
            if url.scheme == "http" and url.hostname not in LOCAL_HOSTS:
                yield _find(ERROR, element, _name(element), f"{key} {url.geturl()} must use https:, not http:")


def transcript_files(feed: PublishedFeed) -> Iterator[Finding]:
    """Each transcript is in `public/` and reads as its type: WebVTT, SubRip, Podcasting 2.0 JSON, HTML or text."""
    for element in feed.channel.iterfind("item/podcast:transcript", NS):
        url, kind = (element.get("url") or "").strip(), (element.get("type") or "").strip()
        path = (yield from _reachable(feed, element, "podcast:transcript", url)) if url else None
        if path is None:
            continue
        problem = _transcript_problem(path, kind)
        if problem:
            yield _find(ERROR, element, "podcast:transcript", f"{path.name} ({kind}): {problem}")


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
        return f"has no \"version\" (a string), which {what} needs"
    if not isinstance(data.get(key), list):
        return f"has no \"{key}\" list, which {what} needs"
    for n, entry in enumerate(data[key], 1):
        start = entry.get("startTime") if isinstance(entry, dict) else None
        if isinstance(start, bool) or not isinstance(start, (int, float)):
            return f"{key} #{n} has no numeric startTime"
    return ""


def chapters_file(feed: PublishedFeed) -> Iterator[Finding]:
    """The chapters file is in `public/`, with `version` and `chapters`, each with a numeric `startTime`."""
    for element in feed.channel.iterfind("item/podcast:chapters", NS):
        url, kind = (element.get("url") or "").strip(), (element.get("type") or "").strip()
        path = (yield from _reachable(feed, element, "podcast:chapters", url)) if url else None
        if path is None or kind not in (CHAPTERS_TYPE, "application/json"):
            continue  # podcast_chapters warns of another type: its format is not the spec's
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            yield _find(ERROR, element, "podcast:chapters", f"{path.name} is not UTF-8 text")
            continue
        problem = _json_problem(text, "chapters", "a JSON chapters file")
        if problem:
            yield _find(ERROR, element, "podcast:chapters", f"{path.name}: {problem}")
            continue
        starts = [c["startTime"] for c in json.loads(text)["chapters"]]
        if starts != sorted(starts):
            yield _find(WARNING, element, "podcast:chapters", f"{path.name}: chapters are not in the order of their startTime")


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[[PublishedFeed], Iterable[Finding]]
    levels: str  # what it reports: "error", "warning" or "error, warning"
    source: str  # where its rule comes from

    @property
    def summary(self) -> str:
        return (self.check.__doc__ or "").strip().splitlines()[0]


RULES: tuple[Rule, ...] = (
    Rule("channel_tags", channel_tags, "error, warning", f"{APPLE} (show tags); {RSS} (link)"),
    Rule("item_tags", item_tags, "error, warning", f"{APPLE} (episode tags); {APPLE_2023} (guid)"),
    Rule("situational_tags", situational_tags, "error", f"{APPLE} (situational tags)"),
    Rule("artwork", artwork, "error, warning", f"{APPLE} (itunes:image)"),
    Rule("description_size", description_size, "error, warning", f"{APPLE} (description)"),
    Rule("html", html, "warning", f"{APPLE} (description: HTML in CDATA)"),
    Rule("unique_guids", unique_guids, "error", APPLE_2023),
    Rule("unique_numbers", unique_numbers, "warning", f"{APPLE} (itunes:episode, itunes:season)"),
    Rule("unique_enclosures", unique_enclosures, "error", f"{APPLE} (guid: else the enclosure URL identifies)"),
    Rule("enclosure_file", enclosure_file, "error, warning", f"{APPLE} (enclosure length: the file size in bytes)"),
    Rule("duration", duration, "error", f"{APPLE} (itunes:duration)"),
    Rule("language", language, "error", f"{APPLE} (language: ISO 639)"),
    Rule("categories", categories, "error", "Apple, Podcasts categories (pipeline/feed/apple.py)"),
    Rule("podcast_guid", podcast_guid, "error, warning", P20 + "guid.md"),
    Rule("podcast_locked", podcast_locked, "error, warning", P20 + "locked.md"),
    Rule("podcast_license", podcast_license, "error, warning", P20 + "license.md, docs/examples/license/licenses.json"),
    Rule("podcast_medium", podcast_medium, "error, warning", P20 + "medium.md"),
    Rule("podcast_funding", podcast_funding, "error, warning", P20 + "funding.md"),
    Rule("podcast_person", podcast_person, "error, warning", P20 + "person.md, taxonomy.json"),
    Rule("podcast_transcript", podcast_transcript, "error, warning", P20 + "transcript.md"),
    Rule("podcast_chapters", podcast_chapters, "error, warning", P20 + "chapters.md"),
    Rule("podcast_soundbite", podcast_soundbite, "error, warning", P20 + "soundbite.md"),
    Rule("podcast_season", podcast_season, "error, warning", P20 + "season.md"),
    Rule("podcast_episode", podcast_episode, "error, warning", P20 + "episode.md"),
    Rule("podcast_alternate_enclosure", podcast_alternate_enclosure, "error, warning",
         P20 + "alternate-enclosure.md, source.md"),
    Rule("https", https, "error", "podcast-namespace docs/1.0.md (URLs of hyper-text resources)"),
    Rule("transcript_files", transcript_files, "error, warning", "podcast-namespace docs/examples/transcripts/transcripts.md"),
    Rule("chapters_file", chapters_file, "error, warning", "podcast-namespace docs/examples/chapters/jsonChapters.md"),
)


def lint(layout: PublicLayout, named: set[Path] | None = None) -> list[Finding]:
    """Check `public/feed.xml` of the show and the files it names against every rule of RULES.

    Args:
        named: filled with the files under `public/` the rules looked for (besides the feed).

    Returns:
        The findings, rule by rule, in the feed's order; none for a clean feed.
    """
    path = layout.file(FEED)
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except (OSError, etree.XMLSyntaxError) as e:
        return [Finding(ERROR, CHANNEL, "rss", f"{path}: not readable as XML: {e}")]
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        return [Finding(ERROR, CHANNEL, "rss", f"{path}: not an RSS feed (<rss><channel>…)")]
    feed = PublishedFeed(layout, channel)
    findings = [finding for rule in RULES for finding in rule.check(feed)]
    if named is not None:
        named |= feed.named
    return findings


LINTED = "lint.json"  # in the show's build cache: the last findings and what they were found in
# What the findings are made by besides public/: these modules and the libraries the rules read with.
LINTER_MODULES = ("feed/lint.py", "feed/apple.py", "feed/podcast_spec.py", "feed/podcast_ns.py", "layout.py", "config.py")  # in pipeline/
LINTER_PACKAGES = ("lxml", "mutagen", "srt", "babel")


def lint_built(layout: PublicLayout, cache: Path, hashes: HashCache) -> list[Finding]:
    """`lint`, or its last findings when the feed, every file it names, the show's settings and the
    linter are as they were then (file contents by `hashes`: a stat when unchanged).

    A build with nothing changed otherwise read every published transcript and MP3 again: 0.25 s
    CPU of a no-op build of 200 short episodes, more with long transcripts.
    """
    def state(path: Path) -> str | None:
        return hashes.sha256(path) if path.is_file() else ("folder" if path.is_dir() else None)

    here = Path(__file__).parent.parent  # pipeline/
    show = layout.show.to_dict()
    show.pop("root")
    linter = {"modules": {name: hashes.sha256(here / name) for name in LINTER_MODULES},
              "packages": {name: package_version(name) for name in LINTER_PACKAGES}, "show": show}
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if saved["linter"] == json.loads(json.dumps(linter, default=str)) and all(
            state(Path(path)) == digest for path, digest in saved["files"].items()
        ):
            return [Finding(**finding) for finding in saved["findings"]]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        pass
    named: set[Path] = set()
    findings = lint(layout, named)
    files = {str(path): state(path) for path in sorted({layout.file(FEED), *named})}
    write_atomic(cache, json.dumps({"linter": linter, "files": files, "findings": [asdict(f) for f in findings]},
                                   default=str, ensure_ascii=False))
    return findings


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == ERROR]


def format_findings(findings: list[Finding], colour: bool = False) -> str:
    """The findings for a terminal, a line each, then a count: "feed.xml: 1 error, 2 warnings"."""
    paint = {ERROR: "\x1b[31m", WARNING: "\x1b[33m"} if colour else {}
    reset = "\x1b[0m" if colour else ""
    lines = [f"{paint.get(f.level, '')}{f.level:<8}{reset}{f.where} · {f.tag}: {f.message}" for f in findings]
    count = len(errors(findings))
    warnings = len(findings) - count
    lines.append(f"{FEED}: {count} error{'s' * (count != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    return "\n".join(lines)
