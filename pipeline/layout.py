"""The one place that knows where everything lives in `public/`, its URL, and each GUID.

Every published file has a path relative to `public/`, which is also its path under the show's
`base_url` (with or without a sub-path): the feed, the site, the tags and the preview server
all ask here, so moving a file is a change in one module.
"""

from __future__ import annotations

import posixpath
import uuid
from dataclasses import dataclass
from pathlib import Path

from .records import Show
from .writers import PUBLISHED

# Podcasting 2.0 <podcast:guid>: a UUIDv5 of the feed URL without its scheme, in this namespace
# (podcastindex.org/namespace/1.0#guid).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

FEED = "feed.xml"
INDEX = "index.html"
STYLE = "style.css"
AUDIO = "audio"  # every episode's MP3 (and M4A)
EPISODES = "episodes"  # a folder per episode: its page and transcripts
CHAPTERS = "chapters.json"
NOTES_MARKDOWN = "notes.md"


@dataclass(frozen=True)
class PublicLayout:
    show: Show

    @property
    def root(self) -> Path:
        return self.show.root / "public"

    # Where things are, relative to public/ and to base_url.
    @property
    def artwork(self) -> str:
        return f"artwork{self.show.artwork.suffix.lower()}"

    def audio(self, slug: str, extension: str = "mp3") -> str:
        return f"{AUDIO}/{slug}.{extension}"

    def episode(self, slug: str) -> str:
        """The episode page's folder (its URL ends in a slash, as a web server serves index.html)."""
        return f"{EPISODES}/{slug}/"

    def page(self, slug: str) -> str:
        return self.episode(slug) + INDEX

    def transcript(self, slug: str, kind: str) -> str:
        return self.episode(slug) + PUBLISHED[kind]

    def chapters(self, slug: str) -> str:
        """Podcasting 2.0 JSON chapters, for the feed's <podcast:chapters>."""
        return self.episode(slug) + CHAPTERS

    def notes_markdown(self, slug: str) -> str:
        """The show notes in Markdown, for a newsletter or a video's description."""
        return self.episode(slug) + NOTES_MARKDOWN

    @property
    def episode_folders(self) -> tuple[Path, ...]:
        """Where only episodes' files live: what is there and not published any more goes."""
        return (self.root / AUDIO, self.root / EPISODES)

    # The same, as a file, an absolute URL, or a link from a page in `public/`.
    def file(self, relative: str) -> Path:
        return self.root / relative

    def url(self, relative: str) -> str:
        return self.show.base_url + relative

    @staticmethod
    def link(relative: str, from_page: str) -> str:
        """`relative` as a link from the page at `from_page` ("episodes/x/index.html")."""
        linked = posixpath.relpath(relative, posixpath.dirname(from_page) or ".")
        return linked + "/" if relative.endswith("/") and not linked.endswith("/") else linked

    @property
    def feed_url(self) -> str:
        return self.url(FEED)

    # Identities that must never change once published (Apple: a new GUID is a new episode).
    @property
    def show_guid(self) -> str:
        """podcast.toml's `guid`, else the Podcasting 2.0 rule on the feed URL."""
        if self.show.guid:
            return self.show.guid
        address = self.feed_url.split("://", 1)[-1].rstrip("/")
        return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, address))

    def episode_guid(self, slug: str) -> str:
        """Stable across edits of the title or date: derived from the show's guid and the folder name."""
        return str(uuid.uuid5(uuid.UUID(self.show_guid), slug))
