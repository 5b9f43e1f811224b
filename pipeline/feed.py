"""Stage 5: `public/feed.xml`, the RSS feed podcast apps subscribe to, built with feedgen.

Apple's tags come from feedgen's podcast extension (with `itunes:explicit` as the true/false
Apple asks for today); Podcasting 2.0 tags come from our own feedgen extension, `podcast_ns`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import lxml.etree  # noqa: F401  feedgen.util uses lxml.etree without importing it
from feedgen.ext.podcast import PodcastExtension
from feedgen.ext.podcast_entry import PodcastEntryExtension
from feedgen.feed import FeedGenerator

from . import __version__
from .engine import Stage
from .jobs import Published, ShowJob
from .podcast_ns import PodcastIndexEntryExtension, PodcastIndexExtension
from .records import Show
from .writers import PUBLISHED, get_writer

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
# Podcasting 2.0 <podcast:guid>: a UUIDv5 of the feed URL without its scheme, in this namespace.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


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


def show_guid(show: Show) -> str:
    """The show's permanent id: podcast.toml's `guid`, else the Podcasting 2.0 rule on the feed URL."""
    if show.guid:
        return show.guid
    address = show.feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, address))


def episode_guid(show: Show, slug: str) -> str:
    """Stable across edits of the title or date: derived from the show's guid and the folder name."""
    return str(uuid.uuid5(uuid.UUID(show_guid(show)), slug))


def episode_url(show: Show, slug: str) -> str:
    return f"{show.base_url}episodes/{slug}/"


def audio_url(show: Show, slug: str) -> str:
    return f"{show.base_url}audio/{slug}.mp3"


def transcript_url(show: Show, slug: str, kind: str = "vtt") -> str:
    return f"{episode_url(show, slug)}{PUBLISHED[kind]}"


def artwork_url(show: Show) -> str:
    return f"{show.base_url}artwork{show.artwork.suffix.lower()}"


def _people(target: Any, people: Any, role: str) -> None:
    for person in people:
        target.person(person.name, role=role, href=person.url, img=person.img)


def build_feed(show: Show, episodes: list[Published]) -> bytes:
    fg = FeedGenerator()
    fg.register_extension("podcast", AppleExtension, AppleEntryExtension)
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)
    fg.title(show.title)
    fg.link(href=show.feed_url, rel="self")
    fg.link(href=show.base_url, rel="alternate")  # feedgen's RSS <link> is the last one set
    fg.description(show.description)
    fg.language(show.language)
    fg.generator(f"podcast-pipeline {__version__}")
    if show.copyright:
        fg.copyright(show.copyright)
    fg.image(url=artwork_url(show), title=show.title, link=show.base_url)
    fg.podcast.itunes_author(show.author)
    fg.podcast.itunes_owner(name=show.owner.name, email=show.owner.email)
    fg.podcast.itunes_image(artwork_url(show))
    fg.podcast.itunes_category([{"cat": c[0], **({"sub": c[1]} if len(c) > 1 else {})} for c in show.categories])
    fg.podcast.itunes_explicit("yes" if show.explicit else "no")
    fg.podcast.itunes_type(show.type)
    if show.subtitle:
        fg.podcast.itunes_subtitle(show.subtitle)
    fg.podcastindex.guid(show_guid(show))
    _people(fg.podcastindex, show.hosts, "host")

    newest = max((p.episode.published for p in episodes), default=datetime(1970, 1, 1, tzinfo=timezone.utc))
    fg.lastBuildDate(newest)  # the feed changes only when an episode does, so rebuilds are byte-identical

    for item in sorted(episodes, key=lambda p: (p.episode.published, p.episode.number or 0), reverse=True):
        episode, records = item.episode, item.records
        notes = records["notes"].path("notes").read_text(encoding="utf-8")
        fe = fg.add_entry(order="append")
        fe.title(episode.title)
        fe.guid(episode_guid(show, episode.slug), permalink=False)
        fe.link(href=episode_url(show, episode.slug))
        fe.description(notes)
        fe.content(notes, type="CDATA")
        fe.pubDate(episode.published)
        fe.enclosure(audio_url(show, episode.slug), str(records["tag"].data["bytes"]), "audio/mpeg")
        fe.podcast.itunes_duration(round(records["tag"].data["duration"]))
        fe.podcast.itunes_episode_type(episode.type)
        if episode.number:  # Apple: itunes:episode is a non-zero integer
            fe.podcast.itunes_episode(episode.number)
        if episode.season:
            fe.podcast.itunes_season(episode.season)
        explicit = show.explicit if episode.explicit is None else episode.explicit
        fe.podcast.itunes_explicit("yes" if explicit else "no")
        if "m4a_bytes" in records["tag"].data:
            bitrate = int(records["normalise"].data["bitrate"].rstrip("k")) * 1000
            url = audio_url(show, episode.slug).removesuffix(".mp3") + ".m4a"
            fe.podcastindex.alternate_enclosure(url, "audio/mp4", records["tag"].data["m4a_bytes"], bitrate, "AAC")
        for kind in PUBLISHED:
            fe.podcastindex.transcript(transcript_url(show, episode.slug, kind), get_writer(kind).media_type, episode.language or show.language)
        _people(fe.podcastindex, episode.guests, "guest")
    return fg.rss_str(pretty=True)


def published_settings(show: Show, episodes: list[Published]) -> dict[str, Any]:
    """What the feed and the site show of each episode, for their fingerprints."""
    data = show.to_dict()
    data.pop("root")
    data["artwork"] = show.artwork.name
    return {
        "show": data,
        "episodes": [
            {"metadata": p.episode.metadata(), "tag": p.records["tag"].data, "normalise": p.records["normalise"].data}
            for p in episodes
        ],
    }


class Feed(Stage):
    name = "feed"
    version = 1

    def settings(self, job: ShowJob) -> dict[str, Any]:
        return published_settings(job.show, job.episodes)

    def inputs(self, job: ShowJob) -> dict[str, Path]:
        return {f"notes:{p.episode.slug}": p.records["notes"].path("notes") for p in job.episodes}

    def outputs(self, job: ShowJob) -> dict[str, Path]:
        return {"feed": job.paths.public / "feed.xml"}

    def run(self, job: ShowJob, out: dict[str, Path]) -> dict[str, Any]:
        out["feed"].write_bytes(build_feed(job.show, job.episodes))
        return {"episodes": [p.episode.slug for p in job.episodes]}
