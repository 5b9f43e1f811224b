"""Where published files live, their URLs and GUIDs: expected values written out by hand."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from pipeline.config import load_show
from pipeline.engine import State, Store, check
from pipeline.layout import PublicLayout, page_links
from tests.test_engine import Shout

# podcastindex.org/namespace/1.0#guid
PODCAST_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


@pytest.fixture
def layout(show_root):
    return PublicLayout(replace(load_show(show_root), base_url="https://example.org/podcast/"))


def test_paths_and_urls_under_a_sub_path(layout, show_root):
    assert layout.file(layout.audio("001-x")) == show_root / "public" / "audio" / "001-x.mp3"
    assert layout.url(layout.audio("001-x", "m4a")) == "https://example.org/podcast/audio/001-x.m4a"
    assert layout.url(layout.episode("001-x")) == "https://example.org/podcast/episodes/001-x/"
    assert layout.file(layout.page("001-x")) == show_root / "public" / "episodes" / "001-x" / "index.html"
    assert layout.url(layout.transcript("001-x", "vtt")) == "https://example.org/podcast/episodes/001-x/transcript.vtt"
    assert layout.url(layout.transcript("001-x", "p20.json")) == "https://example.org/podcast/episodes/001-x/transcript.json"
    assert layout.url(layout.chapters("001-x")) == "https://example.org/podcast/episodes/001-x/chapters.json"
    assert layout.file(layout.notes_markdown("001-x")) == show_root / "public" / "episodes" / "001-x" / "notes.md"
    assert layout.feed_url == "https://example.org/podcast/feed.xml"
    assert layout.url(layout.artwork) == "https://example.org/podcast/artwork.png"


def test_the_search_page_its_index_and_people_pages(layout, show_root):
    assert layout.url(layout.search) == "https://example.org/podcast/search/"
    assert layout.file(layout.search_page) == show_root / "public" / "search" / "index.html"
    assert layout.file(layout.search_asset("search.js")) == show_root / "public" / "search" / "search.js"
    assert layout.file(layout.search_index) == show_root / "public" / "pagefind"
    assert layout.file(layout.search_entry) == show_root / "public" / "pagefind" / "pagefind-entry.json"
    assert layout.url(layout.person("ines-moreau")) == "https://example.org/podcast/people/ines-moreau/"
    assert layout.link(layout.search, layout.page("001-x")) == "../../search/"
    assert layout.relative("https://example.org/podcast/search/?q=portage") == "search/index.html"


def test_the_site_s_other_pages(layout, show_root):
    assert layout.home(1) == "index.html" and layout.home(3) == "page/3/index.html"
    assert layout.url(layout.people) == "https://example.org/podcast/people/"
    assert layout.url(layout.person("ines-moreau")) == "https://example.org/podcast/people/ines-moreau/"
    assert layout.file(layout.page_of(layout.person("ines-moreau"))) == show_root / "public" / "people" / "ines-moreau" / "index.html"
    assert layout.link(layout.person("ines-moreau"), layout.page("001-x")) == "../../people/ines-moreau/"
    assert layout.link(layout.home(1), layout.home(2)) == "../../index.html"
    assert layout.relative("https://example.org/podcast/people/ines-moreau/") == "people/ines-moreau/index.html"


def test_links_between_pages_are_relative(layout):
    page = layout.page("001-x")
    assert layout.link(layout.audio("001-x"), page) == "../../audio/001-x.mp3"
    assert layout.link("index.html", page) == "../../index.html"
    assert layout.link(layout.transcript("001-x", "txt"), page) == "transcript.txt"
    assert layout.link(layout.episode("001-x"), "index.html") == "episodes/001-x/"
    assert layout.link(layout.artwork, "index.html") == "artwork.png"


def test_guids(layout):
    show = uuid.uuid5(PODCAST_NAMESPACE, "example.org/podcast/feed.xml")
    assert layout.show_guid == str(show)
    assert layout.episode_guid("001-x") == str(uuid.uuid5(show, "001-x"))
    # A show that moves keeps its guid in podcast.toml: its episodes keep theirs, whatever the address.
    kept = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    moved = PublicLayout(replace(layout.show, base_url="https://new.example.net/", guid=kept))
    assert moved.show_guid == kept
    assert moved.episode_guid("001-x") == str(uuid.uuid5(uuid.UUID(kept), "001-x"))


def test_a_record_this_version_cannot_read_is_stale_not_a_crash(tmp_path):
    from tests.test_engine import Job

    source = tmp_path / "in.txt"
    source.write_text("bonjour")
    job, stage, store = Job(source, tmp_path / "out.txt"), Shout(), Store(tmp_path / ".build")
    (tmp_path / ".build" / "ep").mkdir()
    (tmp_path / ".build" / "ep" / "shout.json").write_text('{"fingerprint": "x", "outputs": {}, "data": {"length": 7}}')
    assert store.load("ep", stage) is None
    assert check(stage, job, store, "ep") == State.STALE


def test_a_url_maps_back_to_its_file(layout):
    for relative in (layout.audio("001-x"), layout.transcript("001-x", "vtt"), layout.artwork):
        assert layout.relative(layout.url(relative)) == relative
    assert layout.relative("https://example.org/podcast/episodes/001-x/") == "episodes/001-x/index.html"
    assert layout.relative("https://example.org/podcast/") == "index.html"
    assert layout.relative("https://example.org/podcast/audio/a%20b.mp3?from=rss#t=3") == "audio/a b.mp3"
    assert layout.relative("https://example.org/elsewhere.mp3") is None  # outside base_url
    assert layout.relative("https://example.org/podcast/../secret") is None  # not under public/
    assert layout.relative("https://example.org/podcast/..") is None
    assert layout.relative("https://example.org/podcast//etc/passwd") is None  # an absolute path, not one in public/


def test_a_jpeg_artwork_is_published_with_the_suffix_apple_takes(layout, tmp_path):
    # Apple and feedgen take an itunes:image URL only if it ends in .jpg or .png.
    for name, published in (("cover.jpeg", "artwork.jpg"), ("COVER.JPEG", "artwork.jpg"), ("cover.JPG", "artwork.jpg"), ("cover.PNG", "artwork.png")):
        assert PublicLayout(replace(layout.show, artwork=tmp_path / name)).artwork == published
    assert layout.episode_image("001-x", tmp_path / "portrait.jpeg") == "episodes/001-x/image.jpg"


def test_the_home_page_is_the_first_page(layout):
    assert layout.home() == "index.html" and layout.home(2) == "page/2/index.html"


def test_a_page_of_a_file_is_the_file_itself(layout):
    assert layout.page_of("people/") == "people/index.html"
    assert layout.page_of("404.html") == "404.html" and layout.page_of("sitemap.xml") == "sitemap.xml"


def test_what_a_page_links_to_is_relative_to_it_unless_asked_for_full_urls(layout):
    page = layout.page("001-x")
    links = page_links(layout, page, [])
    assert links["href"]("style.css") == "../../style.css" and links["href"]("people/") == "../../people/"
    assert links["page_url"] == "https://example.org/podcast/episodes/001-x/"
    assert links["feed_url"] == "https://example.org/podcast/feed.xml"
    assert links["image_url"] == "https://example.org/podcast/artwork.png"
    # 404.html is served at any missing address, so its links cannot be relative.
    missing = page_links(layout, "404.html", [], absolute=True)
    assert missing["href"]("style.css") == "https://example.org/podcast/style.css"
    assert missing["page_url"] == "https://example.org/podcast/404.html"
    assert page_links(layout, "index.html", [])["page_url"] == "https://example.org/podcast/"


@pytest.mark.parametrize(
    "relative, order",
    [
        ("audio/001-premier.mp3", 0),  # the audio first: a page or the feed may name it
        ("audio/001-premier.m4a", 0),
        ("audiograms/001-premier.mp4", 1),  # a folder whose name starts alike is no audio folder
        ("audio-old.txt", 1),
        ("episodes/001-premier/index.html", 1),
        ("index.html", 1),
        ("feed.xml", 2),  # the feed last
    ],
)
def test_publish_sends_the_audio_then_the_pages_then_the_feed(relative, order):
    assert PublicLayout.publish_pass(relative) == order
