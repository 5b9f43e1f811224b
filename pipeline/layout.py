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
from typing import Any
from urllib.parse import unquote, urlsplit

from .records import Show
from .text.people import Profile, by_name
from .text.writers import PUBLISHED

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
SEARCH = "search"  # the search page, its script and its styles
PAGEFIND = "pagefind"  # the search index, a folder pagefind writes whole (stages/search.py)
PLAYER = "player.js"  # what JavaScript adds to a page: seeking, following the transcript
PEOPLE = "people"  # a page per host and guest, and their index
PAGES = "page"  # the home page's later pages: page/2/, page/3/…
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NOT_FOUND = "404.html"  # the name most static hosts serve for a missing page


def _image_suffix(image: Path) -> str:
    # feedgen takes an itunes:image only if its URL ends in .jpg or .png, as Apple asks.
    suffix = image.suffix.lower()
    return ".jpg" if suffix == ".jpeg" else suffix


@dataclass(frozen=True)
class PublicLayout:
    show: Show

    @property
    def root(self) -> Path:
        return self.show.root / "public"

    # Where things are, relative to public/ and to base_url.
    @property
    def artwork(self) -> str:
        return f"artwork{_image_suffix(self.show.artwork)}"

    def audio(self, slug: str, extension: str = "mp3") -> str:
        return f"{AUDIO}/{slug}.{extension}"

    def episode(self, slug: str) -> str:
        """The episode page's folder (its URL ends in a slash, as a web server serves index.html)."""
        return f"{EPISODES}/{slug}/"

    def page(self, slug: str) -> str:
        return self.episode(slug) + INDEX

    def transcript(self, slug: str, kind: str) -> str:
        return self.episode(slug) + PUBLISHED[kind]

    def episode_image(self, slug: str, image: Path) -> str:
        """An episode's own artwork (`image` in episode.toml), published beside its page."""
        return self.episode(slug) + f"image{_image_suffix(image)}"

    def chapters(self, slug: str) -> str:
        """Podcasting 2.0 JSON chapters, for the feed's <podcast:chapters>."""
        return self.episode(slug) + CHAPTERS

    def notes_markdown(self, slug: str) -> str:
        """The show notes in Markdown, for a newsletter or a video's description."""
        return self.episode(slug) + NOTES_MARKDOWN

    def home(self, number: int = 1) -> str:
        """The home page, or its `number`th page of older episodes."""
        return INDEX if number == 1 else f"{PAGES}/{number}/{INDEX}"

    @property
    def people(self) -> str:
        """The index of people, a folder (its URL ends in a slash)."""
        return f"{PEOPLE}/"

    def person(self, slug: str) -> str:
        """A person's page folder."""
        return f"{PEOPLE}/{slug}/"

    @staticmethod
    def page_of(folder: str) -> str:
        """The file a folder's URL is served from ("people/x/" → "people/x/index.html")."""
        return folder + INDEX if folder.endswith("/") else folder

    @property
    def search(self) -> str:
        """The search page's folder; `?q=word` runs a search as it opens."""
        return f"{SEARCH}/"

    @property
    def search_page(self) -> str:
        return self.search + INDEX

    def search_asset(self, name: str) -> str:
        """The search page's own script and styles ("search.js", "search.css"), beside it."""
        return self.search + name

    @property
    def search_index(self) -> str:
        """The folder of pagefind's bundle: its script, WebAssembly, index and fragments."""
        return PAGEFIND

    @property
    def search_entry(self) -> str:
        """The file pagefind.js reads first: it names the index files of this build by their hashes."""
        return f"{PAGEFIND}/pagefind-entry.json"

    @property
    def episode_folders(self) -> tuple[Path, ...]:
        """Where only files made per episode, person or page of episodes live: what is there and not published any more goes."""
        return (self.root / AUDIO, self.root / EPISODES, self.root / PEOPLE, self.root / PAGES)

    @staticmethod
    def publish_pass(relative: str) -> int:
        """When `podcast publish` copies a file: 0 the audio, 1 pages and transcripts, 2 the feed.

        An item in the feed must never name an MP3 (or a page) the web root does not have yet.
        """
        if relative == FEED:
            return 2
        return 0 if relative.startswith(f"{AUDIO}/") else 1

    # The same, as a file, an absolute URL, or a link from a page in `public/`.
    def file(self, relative: str) -> Path:
        return self.root / relative

    def url(self, relative: str) -> str:
        return self.show.base_url + relative

    def relative(self, url: str) -> str | None:
        """The path in `public/` that `url` is served from (the inverse of `url`); None elsewhere.

        A folder's URL ("episodes/x/") is its index.html, as a web server serves it.
        """
        if not url.startswith(self.show.base_url):
            return None
        path = unquote(urlsplit(url[len(self.show.base_url) :]).path)  # no query, no #fragment
        if path == "" or path.endswith("/"):
            path += INDEX
        path = posixpath.normpath(path)
        return None if path.startswith(("../", "/")) or path == ".." else path

    @staticmethod
    def link(relative: str, from_page: str) -> str:
        """`relative` as a link from the page at `from_page` ("episodes/x/index.html")."""
        # relpath drops a folder's trailing slash, which its URL needs.
        linked = posixpath.relpath(relative, posixpath.dirname(from_page) or ".")
        return linked + "/" if relative.endswith("/") else linked

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


def page_links(layout: PublicLayout, page: str, people: list[Profile], absolute: bool = False) -> dict[str, Any]:
    """What every template gets to link to the rest of the site, relative to the page it is on.

    `absolute`: links as full URLs, for a page served at any address (404.html).
    """
    return {
        "href": (lambda target: layout.url(target)) if absolute else (lambda target: layout.link(target, page)),
        "layout": layout,
        "feed_url": layout.feed_url,
        "page_url": layout.url(page.removesuffix("index.html")),
        "image_url": layout.url(layout.artwork),
        "person_of": by_name(people),
    }
