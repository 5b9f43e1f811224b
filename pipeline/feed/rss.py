"""The RSS feed podcast apps subscribe to, built with feedgen.

Apple's tags come from feedgen's podcast extension (with `itunes:explicit` as the true/false
Apple asks for today); Podcasting 2.0 tags come from our own feedgen extension, `podcast_ns`.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

import lxml.etree  # noqa: F401  feedgen.util uses lxml.etree without importing it
from feedgen.ext.podcast import PodcastExtension
from feedgen.ext.podcast_entry import PodcastEntryExtension
from feedgen.feed import FeedGenerator

from .. import __version__
from ..layout import PublicLayout
from ..records import Episode, Show
from ..results import Chaptered, Levelled, Noted, Published, Quoted, Tagged, dump
from ..text.writers import CAPTIONS, PUBLISHED, get_writer
from .podcast_ns import PodcastIndexEntryExtension, PodcastIndexExtension
from .podcast_spec import TEXT_LIMIT

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def _apple_explicit(root: Any) -> None:
    # Apple's RSS guide now asks for "true"/"false"; feedgen 1.0 still writes "yes"/"no".
    for element in root.iter(f"{{{ITUNES_NS}}}explicit"):
        element.text = "true" if element.text == "yes" else "false"


class AppleExtension(PodcastExtension):
    def extend_rss(self, rss_feed: Any) -> Any:
        rss_feed = super().extend_rss(rss_feed)
        _apple_explicit(rss_feed[0])
        return rss_feed


class AppleEntryExtension(PodcastEntryExtension):
    def extend_rss(self, entry: Any) -> Any:
        entry = super().extend_rss(entry)
        _apple_explicit(entry)
        return entry


def _people(target: Any, people: Any, role: str) -> None:
    for person in people:
        target.person(person.name, role=role, href=person.url, img=person.img)


# "12. ", "#12 ", "Ép. 12 : ", "Episode 12 - " at the start of a title: Apple's itunes:title is
# the title alone ("don't specify the episode number or season number in this tag").
_NUMBERED = re.compile(r"^(?:(?:épisode|episode|ép\.?|ep\.?|#|n°)\s*\d+\s*[-–—:|.]?|\d+\s*[-–—:|.)])\s*", re.IGNORECASE)


def bare_title(episode: Episode, show: Show) -> str:
    """The title without its number or the show's name around it, for itunes:title."""
    title = _NUMBERED.sub("", episode.title)
    separators = r"\s*[-–—:|]\s*"
    title = re.sub(rf"^{re.escape(show.title)}{separators}", "", title, flags=re.IGNORECASE)
    title = re.sub(rf"{separators}{re.escape(show.title)}$", "", title, flags=re.IGNORECASE)
    return title.strip() or episode.title


def soundbite_title(text: str) -> str:
    """The quote, cut at a word with an ellipsis when it is longer than the tag page allows."""
    if len(text) <= TEXT_LIMIT:  # soundbite.md: "please do not exceed 128 characters"
        return text
    return text[: TEXT_LIMIT - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def build_feed(show: Show, episodes: list[Published]) -> bytes:
    """The feed's XML: the show's channel and an item per episode, newest first."""
    layout = PublicLayout(show)
    fg = FeedGenerator()
    fg.register_extension("podcast", AppleExtension, AppleEntryExtension)
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)
    fg.title(show.title)
    fg.link(href=layout.feed_url, rel="self")
    fg.link(href=show.base_url, rel="alternate")  # feedgen's RSS <link> is the last one set
    # Apps read a channel's <description> as HTML (Apple, feedparser): "<" and ">" of the text
    # would make tags they drop. "&" stays as typed: HTML shows a lone "&", and apps that read
    # the description as text (podcastparser) show it right too.
    fg.description(show.description.replace("<", "&lt;").replace(">", "&gt;"))
    fg.language(show.language)
    fg.generator(f"podcast-pipeline {__version__}")
    if show.copyright:
        fg.copyright(show.copyright)
    fg.image(url=layout.url(layout.artwork), title=show.title, link=show.base_url)
    fg.podcast.itunes_author(show.author)
    fg.podcast.itunes_owner(name=show.owner.name, email=show.owner.email)
    fg.podcast.itunes_image(layout.url(layout.artwork))
    fg.podcast.itunes_category([{"cat": c[0], **({"sub": c[1]} if len(c) > 1 else {})} for c in show.categories])
    fg.podcast.itunes_explicit("yes" if show.explicit else "no")
    fg.podcast.itunes_type(show.type)
    if show.subtitle:
        fg.podcast.itunes_subtitle(show.subtitle)
    if show.new_feed_url:
        fg.podcast.itunes_new_feed_url(show.new_feed_url)
    fg.podcastindex.guid(layout.show_guid)
    fg.podcastindex.locked(show.locked, show.owner.email)
    if show.license:
        fg.podcastindex.license(show.license, show.license_url)
    fg.podcastindex.medium(show.medium)
    for link in show.funding:
        fg.podcastindex.funding(link.url, link.title)
    _people(fg.podcastindex, show.hosts, "host")

    newest = max((p.episode.published for p in episodes), default=datetime(1970, 1, 1, tzinfo=timezone.utc))
    fg.lastBuildDate(newest)  # the feed changes only when an episode does, so rebuilds are byte-identical

    for item in sorted(episodes, key=lambda p: (p.episode.published, p.episode.number or 0), reverse=True):
        episode, tagged, slug = item.episode, item.results[Tagged], item.episode.slug
        notes = item.results[Noted].notes.read_text(encoding="utf-8")
        fe = fg.add_entry(order="append")
        fe.title(episode.title)
        fe.podcast.itunes_title(bare_title(episode, show))
        fe.guid(layout.episode_guid(slug), permalink=False)
        fe.link(href=layout.url(layout.episode(slug)))
        fe.description(notes)
        fe.content(notes, type="CDATA")
        fe.pubDate(episode.published)
        fe.enclosure(layout.url(layout.audio(slug)), str(tagged.mp3_bytes), "audio/mpeg")
        fe.podcast.itunes_duration(round(item.results[Levelled].duration))
        fe.podcast.itunes_episode_type(episode.type)
        if episode.number:  # Apple: itunes:episode is a non-zero integer
            fe.podcast.itunes_episode(episode.number)
        if episode.number is not None:  # podcast:episode is any decimal: a trailer's 0 sorts it first
            fe.podcastindex.episode(episode.number)
        if episode.season:
            fe.podcast.itunes_season(episode.season)
            fe.podcastindex.season(episode.season)
        image = layout.episode_image(slug, episode.image) if episode.image else layout.artwork
        fe.podcast.itunes_image(layout.url(image))
        explicit = show.explicit if episode.explicit is None else episode.explicit
        fe.podcast.itunes_explicit("yes" if explicit else "no")
        if tagged.m4a_bytes:
            bitrate = int(item.results[Levelled].bitrate.rstrip("k")) * 1000
            fe.podcastindex.alternate_enclosure(layout.url(layout.audio(slug, "m4a")), "audio/mp4", tagged.m4a_bytes, bitrate, "AAC")
        if item.results[Chaptered].chapters:
            fe.podcastindex.chapters(layout.url(layout.chapters(slug)))
        soundbite = item.results[Quoted].soundbite
        if soundbite:
            fe.podcastindex.soundbite(soundbite.start, soundbite.end - soundbite.start, soundbite_title(soundbite.text))
        for kind in PUBLISHED:
            fe.podcastindex.transcript(
                layout.url(layout.transcript(slug, kind)),
                get_writer(kind).media_type,
                episode.language or show.language,
                "captions" if kind in CAPTIONS else "",
            )
        # An item's podcast:person list replaces the channel's: the hosts are named again.
        _people(fe.podcastindex, show.hosts, "host")
        _people(fe.podcastindex, episode.guests, "guest")
        if episode.type == "trailer":
            fg.podcastindex.trailer(
                episode.title, layout.url(layout.audio(slug)), format_datetime(episode.published), tagged.mp3_bytes, "audio/mpeg", episode.season
            )
    return fg.rss_str(pretty=True)


def published_settings(show: Show, episodes: list[Published]) -> dict[str, Any]:
    """What the feed and the site show of each episode, for their fingerprints."""
    data = show.to_dict()
    data.pop("root")
    data["artwork"] = show.artwork.name
    return {
        "show": data,
        "episodes": [
            {
                "metadata": p.episode.metadata(),
                "tag": dump(p.results[Tagged]),
                "normalise": dump(p.results[Levelled]),
                "chapters": [c.to_dict() for c in p.results[Chaptered].chapters],
                "quotes": dump(p.results[Quoted]),
            }
            for p in episodes
        ],
    }
