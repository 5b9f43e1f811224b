"""Lint a built feed: `public/feed.xml` and the files under `public/` it points to.

Each rule is a small function from the feed to findings (RSS 2.0 and Apple's in `rules.py`,
Podcasting 2.0's in `podcast_rules.py`), listed in RULES, in the order findings are reported,
with the page its numbers come from (the README shows the table). A finding is an *error* when Apple's validation
refuses the feed or a spec says "must" or "required", a *warning* when it says "should" or
"recommended", or when something cannot be checked from `public/`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable

from lxml import etree

from ..files import HashCache, package_version, write_atomic
from ..layout import FEED, PublicLayout
from .findings import CHANNEL, ERROR, WARNING, Finding, PublishedFeed
from .podcast_rules import (
    chapters_file,
    https,
    podcast_alternate_enclosure,
    podcast_chapters,
    podcast_episode,
    podcast_funding,
    podcast_guid,
    podcast_license,
    podcast_locked,
    podcast_medium,
    podcast_person,
    podcast_season,
    podcast_soundbite,
    podcast_transcript,
    transcript_files,
)
from .rules import (
    artwork,
    categories,
    channel_tags,
    description_size,
    duration,
    enclosure_file,
    html,
    item_tags,
    language,
    situational_tags,
    unique_enclosures,
    unique_guids,
    unique_numbers,
)

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
    Rule("podcast_alternate_enclosure", podcast_alternate_enclosure, "error, warning", P20 + "alternate-enclosure.md, source.md"),
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
LINTER_MODULES = (
    "feed/lint.py",
    "feed/findings.py",
    "feed/rules.py",
    "feed/podcast_rules.py",
    "feed/apple.py",
    "feed/podcast_spec.py",
    "feed/podcast_ns.py",
    "layout.py",
    "times.py",
    "config.py",
)  # in pipeline/
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
    linter = {
        "modules": {name: hashes.sha256(here / name) for name in LINTER_MODULES},
        "packages": {name: package_version(name) for name in LINTER_PACKAGES},
        "show": show,
    }
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if saved["linter"] == json.loads(json.dumps(linter, default=str)) and all(state(Path(path)) == digest for path, digest in saved["files"].items()):
            return [Finding(**finding) for finding in saved["findings"]]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        pass
    named: set[Path] = set()
    findings = lint(layout, named)
    files = {str(path): state(path) for path in sorted({layout.file(FEED), *named})}
    write_atomic(cache, json.dumps({"linter": linter, "files": files, "findings": [asdict(f) for f in findings]}, default=str, ensure_ascii=False))
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
