"""The feed linter's rules of RSS 2.0 and Apple Podcasts: the tags Apple requires and recommends,
their values, the artwork, the descriptions' size and HTML, unique guids and enclosures, and the
enclosure's file, length and duration."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterator

from lxml import etree

from . import apple
from .findings import (
    CHANNEL,
    DURATION_TOLERANCE,
    ERROR,
    ITUNES_NS,
    NS,
    WARNING,
    Finding,
    Level,
    PublishedFeed,
    finding,
    parse_duration,
    reachable,
    tag_name,
    text_of,
    where,
)

EXPLICIT = ("true", "false")  # Apple's guide names only these two values today
SHOW_TYPES = ("episodic", "serial")
EPISODE_TYPES = ("full", "trailer", "bonus")


def channel_tags(feed: PublishedFeed) -> Iterator[Finding]:
    """The show's tags Apple requires (errors) and recommends (warnings)."""
    channel = feed.channel
    for tag in ("title", "description", "language"):
        if not text_of(channel.find(tag)):
            yield Finding(ERROR, CHANNEL, tag, f"<{tag}> is missing or empty; Apple requires it")
    if not text_of(channel.find("link")):
        yield Finding(ERROR, CHANNEL, "link", "<link> (the show's website) is missing; RSS 2.0 requires it")
    image = channel.find("itunes:image", NS)
    if image is None or not (image.get("href") or "").strip():
        yield Finding(ERROR, CHANNEL, "itunes:image", 'no <itunes:image href="…"> (the show\'s artwork); Apple requires it')
    if channel.find("itunes:category", NS) is None:
        yield Finding(ERROR, CHANNEL, "itunes:category", "no <itunes:category>; Apple requires one")
    yield from _explicit(channel, ERROR)
    if not text_of(channel.find("itunes:author", NS)):
        yield Finding(WARNING, CHANNEL, "itunes:author", "no <itunes:author>; Apple recommends it (shown as the artist)")
    if not text_of(channel.find("itunes:owner/itunes:email", NS)):
        yield Finding(
            WARNING,
            CHANNEL,
            "itunes:owner",
            "no <itunes:owner><itunes:email>: directories other than Apple's (Spotify, Podcast Index) email it to confirm who owns the show",
        )


def _explicit(parent: Any, missing: Level) -> Iterator[Finding]:
    explicit = parent.find("itunes:explicit", NS)
    if explicit is None:
        need = "Apple requires it" if missing == ERROR else "Apple recommends it"
        yield finding(missing, parent, "itunes:explicit", f"no <itunes:explicit>; {need} (true or false)")
    elif text_of(explicit) not in EXPLICIT:
        yield finding(ERROR, parent, "itunes:explicit", f"is {text_of(explicit)!r}; Apple takes true or false")


def item_tags(feed: PublishedFeed) -> Iterator[Finding]:
    """Each episode's tags Apple requires (errors) and recommends (warnings)."""
    for item in feed.items:
        if not text_of(item.find("title")):
            yield finding(ERROR, item, "title", "<title> is missing or empty; Apple requires it")
        enclosure = item.find("enclosure")
        if enclosure is None:
            yield finding(ERROR, item, "enclosure", "no <enclosure> (the audio file); Apple requires it")
        else:
            missing = [a for a in ("url", "length", "type") if not (enclosure.get(a) or "").strip()]
            if missing:
                yield finding(ERROR, item, "enclosure", f"has no {', '.join(missing)}; Apple requires url, length and type")
            elif not enclosure.get("length").strip().isdigit():
                yield finding(ERROR, item, "enclosure", f"length {enclosure.get('length')!r} is not a number of bytes")
        if not text_of(item.find("guid")):
            yield finding(ERROR, item, "guid", "no <guid>; Apple requires one per episode since 2023")
        published = text_of(item.find("pubDate"))
        if not published:
            yield finding(WARNING, item, "pubDate", "no <pubDate>; Apple recommends it (the date shown)")
        elif not _rfc2822(published):
            yield finding(ERROR, item, "pubDate", f"{published!r} is not an RFC 2822 date (Wed, 15 Jun 2019 19:00:00 GMT)")
        if not text_of(item.find("description")):
            yield finding(WARNING, item, "description", "no <description>; Apple recommends it (the show notes)")
        duration = item.find("itunes:duration", NS)
        if duration is None:
            yield finding(WARNING, item, "itunes:duration", "no <itunes:duration>; Apple recommends it, in seconds")
        elif parse_duration(text_of(duration)) is None:
            yield finding(ERROR, item, "itunes:duration", f"{text_of(duration)!r} is not a duration (seconds, or [h:]mm:ss)")
        yield from _explicit(item, WARNING)


def situational_tags(feed: PublishedFeed) -> Iterator[Finding]:
    """`itunes:type`, `itunes:episodeType`, `itunes:episode` and `itunes:season` take Apple's values."""
    show_type = text_of(feed.channel.find("itunes:type", NS))
    if show_type and show_type not in SHOW_TYPES:
        yield Finding(ERROR, CHANNEL, "itunes:type", f"is {show_type!r}; Apple takes {' or '.join(SHOW_TYPES)}")
    for item in feed.items:
        kind = text_of(item.find("itunes:episodeType", NS))
        if kind and kind not in EPISODE_TYPES:
            yield finding(ERROR, item, "itunes:episodeType", f"is {kind!r}; Apple takes {', '.join(EPISODE_TYPES)}")
        for tag in ("itunes:episode", "itunes:season"):
            value = text_of(item.find(tag, NS))
            if item.find(tag, NS) is not None and not re.fullmatch(r"[1-9]\d*", value):
                yield finding(ERROR, item, tag, f"is {value!r}; Apple wants a non-zero integer (1, 2, 3…)")
        # "Episode numbers are optional for episodic shows, but are mandatory for serial shows";
        # a trailer or a bonus without a number is the show's own.
        if show_type == "serial" and kind in ("", "full") and item.find("itunes:episode", NS) is None:
            yield finding(ERROR, item, "itunes:episode", "missing: Apple requires an episode number in a serial show")


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
        path = yield from reachable(feed, image, "itunes:image", url)
        if path is None:
            continue
        problem = apple.artwork_problem(path)
        if problem:
            yield finding(ERROR, image, "itunes:image", f"{url} {problem}")
        elif path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            # Apple: "with appropriate file extensions (.jpg, .png)".
            yield finding(ERROR, image, "itunes:image", f"{url}: Apple wants the extension .jpg or .png")


def description_size(feed: PublishedFeed) -> Iterator[Finding]:
    """The show's description within Apple's 4000 bytes (an error); an episode's too (a warning)."""
    show = [(ERROR, feed.channel.find("description"))]
    for level, element in show + [(WARNING, item.find("description")) for item in feed.items]:
        size = len((element.text or "").encode("utf-8")) if element is not None else 0
        if size > apple.DESCRIPTION_BYTES:
            yield finding(level, element, "description", f"is {size} bytes; Apple takes {apple.DESCRIPTION_BYTES} at most")


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
            yield finding(WARNING, element, tag_name(element), "HTML not well-formed, each app will show it its own way: " + "; ".join(problems))


def unique_guids(feed: PublishedFeed) -> Iterator[Finding]:
    """No two episodes share a guid (Apple does not process an episode whose guid is taken)."""
    yield from _unique(feed, "guid", lambda item: text_of(item.find("guid")))


def unique_enclosures(feed: PublishedFeed) -> Iterator[Finding]:
    """No two episodes share an enclosure URL (Apple ignores an enclosure URL used before)."""
    yield from _unique(feed, "enclosure", lambda item: (item.find("enclosure").get("url") or "").strip() if item.find("enclosure") is not None else "")


def unique_numbers(feed: PublishedFeed) -> Iterator[Finding]:
    """Two full episodes of one season with the same number: a warning (Apple accepts it; likely a typo)."""
    # A warning, not an error: Apple's guide lets numbers repeat (each season starts again at 1,
    # and nothing forbids a repeat within one); apps then order the two by date. A typo is the
    # likely cause, but refusing would unpublish an episode over its number.
    first: dict[tuple[str, str], Any] = {}
    for item in feed.items:
        number = text_of(item.find("itunes:episode", NS))
        if not number or text_of(item.find("itunes:episodeType", NS)) not in ("", "full"):
            continue
        season = text_of(item.find("itunes:season", NS))
        if (season, number) in first:
            yield finding(
                WARNING,
                item,
                "itunes:episode",
                f"{number} is also the number of {where(first[season, number])!r}"
                + (f" in season {season}" if season else "")
                + "; apps order the two by date",
            )
        first.setdefault((season, number), item)


def _unique(feed: PublishedFeed, tag: str, key: Callable[[Any], str]) -> Iterator[Finding]:
    first: dict[str, Any] = {}
    for item in feed.items:
        value = key(item)
        if value and value in first:
            yield finding(ERROR, item, tag, f"{value} is also the {tag} of {where(first[value])!r}; each episode needs its own")
        first.setdefault(value, item)


def enclosure_file(feed: PublishedFeed) -> Iterator[Finding]:
    """The enclosure's file is in `public/` and `length` is its size in bytes."""
    for item in feed.items:
        enclosure = item.find("enclosure")
        url = (enclosure.get("url") or "").strip() if enclosure is not None else ""
        if not url:
            continue
        path = yield from reachable(feed, enclosure, "enclosure", url)
        length = (enclosure.get("length") or "").strip()
        if path and length.isdigit() and int(length) != path.stat().st_size:
            yield finding(
                ERROR,
                enclosure,
                "enclosure",
                f"length is {length} but {path.name} has {path.stat().st_size} bytes; apps may stop playing early or refuse the download",
            )


def duration(feed: PublishedFeed) -> Iterator[Finding]:
    """`itunes:duration` is the enclosure's duration as mutagen measures it, within a second."""
    import mutagen

    for item in feed.items:
        said = parse_duration(text_of(item.find("itunes:duration", NS)))
        enclosure = item.find("enclosure")
        path = feed.file(enclosure.get("url") or "") if enclosure is not None and said is not None else None
        if path is None or not path.is_file():
            continue  # no duration, or no file: item_tags and enclosure_file say so
        try:
            audio = mutagen.File(path)
        except (mutagen.MutagenError, OSError):
            audio = None
        if audio is None or not audio.info.length:
            yield finding(ERROR, enclosure, "enclosure", f"{path.name}: mutagen cannot read it as audio")
        elif abs(audio.info.length - said) > DURATION_TOLERANCE:
            yield finding(ERROR, item, "itunes:duration", f"says {said:g} s but {path.name} lasts {audio.info.length:.1f} s")


def language(feed: PublishedFeed) -> Iterator[Finding]:
    """`language` is an ISO 639 code, with a region if any ("fr", "fr-CA"), as Apple requires."""
    from babel import Locale, UnknownLocaleError

    text = text_of(feed.channel.find("language"))
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
