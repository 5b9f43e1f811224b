"""build_feed itself, on a show built once with every setting that reaches the feed: each test
writes the feed again from the built episodes and reads it as apps do (XPath on the tags Apple
and Podcasting 2.0 name). The whole builds of test_feed.py check the same feed as published."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path

import podcastparser
import pytest
from lxml import etree

from pipeline.build import build
from pipeline.config import load_show
from pipeline.feed.rss import build_feed
from pipeline.results import Published, Results
from tests.conftest import SHOW_TOML, new_show, speechlike, without_whisper, write_wav

NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": "https://podcastindex.org/namespace/1.0", "atom": "http://www.w3.org/2005/Atom"}
BASE = "https://example.org/ff/"

RICH = SHOW_TOML.replace('[[hosts]]\nname = "Camille Durand"\n', "").replace(
    'artwork = "artwork.png"\n',
    'artwork = "artwork.png"\nsubtitle = "Le freelancing raconté"\ncopyright = "© 2026 Camille Durand"\nlicense = "CC-BY-4.0"\n'
    f'base_url = "{BASE}"\nnew_feed_url = "https://new.example/feed.xml"\n',
) + (
    '\n[audio]\naac = true\n\n[[funding]]\nurl = "https://example.org/soutenir"\ntext = "Soutenir l\'émission"\n\n'
    '[[hosts]]\nname = "Camille Durand"\nurl = "https://example.org/camille"\nimg = "https://example.org/camille.jpg"\n'
)
EPISODES = {
    "000-bande-annonce": 'title = "Bande-annonce"\npublished = 2026-01-01T08:00:00Z\nnumber = 0\nseason = 1\ntype = "trailer"\n',
    "001-portage": 'title = "Épisode 1 : Le portage"\npublished = 2026-01-05T08:00:00Z\nnumber = 1\nseason = 1\nexplicit = true\n'
    '[[guests]]\nname = "Inès Moreau"\nurl = "https://example.org/ines"\nimg = "https://example.org/ines.jpg"\n'
    '[[chapters]]\nstart = "00:00"\ntitle = "Intro"\n[[chapters]]\nstart = "00:01.5"\ntitle = "Le portage"\n',
    # The same day as 001, numbered after it: listed first.
    "002-bonus": 'title = "Bonus"\npublished = 2026-01-05T08:00:00Z\ntype = "bonus"\nnumber = 2\nimage = "couverture.png"\n',
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list[Published]]:
    root = new_show(tmp_path_factory.mktemp("feed") / "show", RICH)
    for seed, (slug, toml) in enumerate(EPISODES.items(), start=1):
        folder = root / "episodes" / slug
        folder.mkdir()
        write_wav(folder / "enregistrement.wav", speechlike(3, -20, noise=0, seed=seed))
        (folder / "episode.toml").write_text(toml, encoding="utf-8")
        shutil.copyfile(root / "artwork.png", folder / "couverture.png")
    with without_whisper():
        report = build(root)
    assert report.ok, report.failures
    return root, [Published(s.episode, s.results) for s in report.episodes]


def with_result(item: Published, result: object) -> Published:
    """`item` with `result` in place of the result of its type."""
    results = Results()
    for kept in item.results:
        results.add(kept)
    results.add(result)
    return Published(item.episode, results)


def feed(built, **changes) -> etree._Element:
    root, published = built
    return etree.fromstring(build_feed(replace(load_show(root), **changes), published))


def size(built, name: str) -> str:
    return str((built[0] / "public" / "audio" / name).stat().st_size)


def test_the_channel(built):
    channel = feed(built).find("channel")
    text = lambda path: channel.findtext(path, namespaces=NS)  # noqa: E731
    attr = lambda path, name: channel.find(path, NS).get(name)  # noqa: E731
    assert text("title") == "Test Show" and text("description") == "Une émission de test."
    assert text("link") == BASE and attr("atom:link", "href") == BASE + "feed.xml" and attr("atom:link", "rel") == "self"
    assert text("language") == "fr" and text("copyright") == "© 2026 Camille Durand"
    assert text("generator").startswith("podcast-pipeline ")
    assert (text("image/url"), text("image/title"), text("image/link")) == (BASE + "artwork.png", "Test Show", BASE)
    assert text("itunes:author") == "Camille Durand"
    assert (text("itunes:owner/itunes:name"), text("itunes:owner/itunes:email")) == ("Camille Durand", "camille@example.org")
    assert attr("itunes:image", "href") == BASE + "artwork.png"
    category = channel.find("itunes:category", NS)
    assert category.get("text") == "Business" and [c.get("text") for c in category] == ["Careers"]
    assert text("itunes:explicit") == "false" and text("itunes:type") == "episodic"
    assert text("itunes:subtitle") == "Le freelancing raconté" and text("itunes:new-feed-url") == "https://new.example/feed.xml"
    # podcasting2.org: the guid of the feed's address without its scheme (test_feed.py derives it from the spec's namespace).
    assert text("podcast:guid") == "9cb8aa16-2904-5945-86b0-ea96c4f0eea6"
    assert text("podcast:locked") == "yes" and attr("podcast:locked", "owner") == "camille@example.org"
    assert text("podcast:license") == "cc-by-4.0" and text("podcast:medium") == "podcast"
    assert text("podcast:funding") == "Soutenir l'émission" and attr("podcast:funding", "url") == "https://example.org/soutenir"
    [host] = channel.findall("podcast:person", NS)
    assert (host.text, host.get("role"), host.get("href"), host.get("img")) == (
        "Camille Durand",
        "host",
        "https://example.org/camille",
        "https://example.org/camille.jpg",
    )
    # The feed changes only when an episode does: its date is the newest episode's.
    assert text("lastBuildDate") == "Mon, 05 Jan 2026 08:00:00 +0000"


def test_the_trailer_is_named_on_the_channel(built):
    trailer = feed(built).find("channel/podcast:trailer", NS)
    assert trailer.text == "Bande-annonce"
    assert trailer.attrib == {
        "url": BASE + "audio/000-bande-annonce.mp3",
        "pubdate": "Thu, 01 Jan 2026 08:00:00 +0000",
        "length": size(built, "000-bande-annonce.mp3"),
        "type": "audio/mpeg",
        "season": "1",
    }


def test_items_newest_first_then_by_number(built):
    items = feed(built).findall("channel/item")
    assert [i.findtext("title") for i in items] == ["Bonus", "Épisode 1 : Le portage", "Bande-annonce"]


def item(built, slug: str, **changes) -> etree._Element:
    [found] = [i for i in feed(built, **changes).findall("channel/item") if i.findtext("link") == f"{BASE}episodes/{slug}/"]
    return found


def test_an_episode_s_item(built):
    entry = item(built, "001-portage")
    text = lambda path: entry.findtext(path, namespaces=NS)  # noqa: E731
    assert text("title") == "Épisode 1 : Le portage"
    assert text("itunes:title") == "Le portage"  # Apple: without its number
    notes = (built[0] / ".build" / "episodes" / "001-portage" / "notes.html").read_text(encoding="utf-8")
    assert text("description") == notes and "Inès Moreau" in notes
    assert text("{http://purl.org/rss/1.0/modules/content/}encoded") == notes
    assert text("pubDate") == "Mon, 05 Jan 2026 08:00:00 +0000"
    assert entry.find("guid").get("isPermaLink") == "false" and len(text("guid")) == 36
    enclosure = entry.find("enclosure")
    assert enclosure.attrib == {"url": BASE + "audio/001-portage.mp3", "length": size(built, "001-portage.mp3"), "type": "audio/mpeg"}
    assert text("itunes:duration") == "3"
    assert text("itunes:episodeType") == "full" and text("itunes:episode") == "1" and text("itunes:season") == "1"
    assert text("podcast:episode") == "1" and text("podcast:season") == "1"
    assert entry.find("itunes:image", NS).get("href") == BASE + "artwork.png"
    assert text("itunes:explicit") == "true"  # the episode's own, over the show's false
    assert entry.find("podcast:chapters", NS).attrib == {"url": BASE + "episodes/001-portage/chapters.json", "type": "application/json+chapters"}
    alternate = entry.find("podcast:alternateEnclosure", NS)
    assert alternate.attrib == {"type": "audio/mp4", "length": size(built, "001-portage.m4a"), "bitrate": "64000", "title": "AAC"}
    assert alternate.find("podcast:source", NS).get("uri") == BASE + "audio/001-portage.m4a"
    transcripts = [t.attrib for t in entry.findall("podcast:transcript", NS)]
    assert transcripts == [
        {"url": BASE + "episodes/001-portage/transcript.vtt", "type": "text/vtt", "language": "fr", "rel": "captions"},
        {"url": BASE + "episodes/001-portage/transcript.json", "type": "application/json", "language": "fr"},
        {"url": BASE + "episodes/001-portage/transcript.srt", "type": "application/x-subrip", "language": "fr", "rel": "captions"},
        {"url": BASE + "episodes/001-portage/transcript.txt", "type": "text/plain", "language": "fr"},
        {"url": BASE + "episodes/001-portage/transcript.html", "type": "text/html", "language": "fr"},
    ]
    people = [(p.text, p.get("role"), p.get("href"), p.get("img")) for p in entry.findall("podcast:person", NS)]
    assert people == [
        ("Camille Durand", "host", "https://example.org/camille", "https://example.org/camille.jpg"),  # an item's people replace the channel's
        ("Inès Moreau", "guest", "https://example.org/ines", "https://example.org/ines.jpg"),
    ]


def test_a_trailer_numbered_0_and_an_episode_without_chapters(built):
    trailer = item(built, "000-bande-annonce")
    assert trailer.findtext("itunes:episodeType", namespaces=NS) == "trailer"
    assert trailer.find("itunes:episode", NS) is None  # Apple: a non-zero integer
    assert trailer.findtext("podcast:episode", namespaces=NS) == "0"  # any number: 0 sorts it first
    assert trailer.findtext("itunes:explicit", namespaces=NS) == "false"  # the show's
    bonus = item(built, "002-bonus")
    assert bonus.find("itunes:image", NS).get("href") == BASE + "episodes/002-bonus/image.png"  # its own, published beside its page
    assert bonus.find("podcast:chapters", NS) is None and bonus.find("itunes:season", NS) is None and bonus.find("podcast:season", NS) is None


def test_an_explicit_show_and_an_unexplicit_episode(built):
    assert feed(built, explicit=True).findtext("channel/itunes:explicit", namespaces=NS) == "true"
    assert item(built, "002-bonus", explicit=True).findtext("itunes:explicit", namespaces=NS) == "true"


def test_without_episodes_the_date_is_the_epoch(built):
    root, _ = built
    channel = etree.fromstring(build_feed(load_show(root), [])).find("channel")
    assert channel.findtext("lastBuildDate") == "Thu, 01 Jan 1970 00:00:00 +0000" and channel.find("item") is None


def test_a_podcast_client_reads_it(built):
    root, published = built
    parsed = podcastparser.parse(BASE + "feed.xml", io.BytesIO(build_feed(load_show(root), published)))
    assert [e["title"] for e in parsed["episodes"]] == ["Bonus", "Épisode 1 : Le portage", "Bande-annonce"]
    assert parsed["episodes"][1]["enclosures"][0]["file_size"] == int(size(built, "001-portage.mp3"))


def test_the_linter_s_findings_are_kept_until_the_feed_a_file_it_names_or_the_show_changes(built, tmp_path, monkeypatch):
    """feed/lint.lint_built: a build with nothing changed does not read every MP3 and transcript again."""
    from pipeline.feed import lint as linting
    from pipeline.files import HashCache
    from pipeline.layout import PublicLayout

    root, _ = built
    shutil.copytree(root / "public", tmp_path / "show" / "public")
    show = replace(load_show(root), root=tmp_path / "show")
    runs: list[int] = []
    lint = linting.lint
    monkeypatch.setattr(linting, "lint", lambda layout, named: runs.append(1) or lint(layout, named))
    cache, hashes = tmp_path / "linted.json", HashCache(tmp_path / "hashes.json")

    def linted(show=show) -> list:
        return linting.lint_built(PublicLayout(show), cache, hashes)

    first = linted()
    assert linted() == first and len(runs) == 1  # nothing changed: the findings kept
    mp3 = tmp_path / "show" / "public" / "audio" / "001-portage.mp3"
    mp3.write_bytes(mp3.read_bytes() + b"\0" * 10)  # a file the feed names, its length now wrong
    second = linted()
    assert len(runs) == 2 and [f.tag for f in second if f not in first] == ["enclosure"]
    assert linted() == second and len(runs) == 2
    (tmp_path / "show" / "public" / "episodes" / "001-portage" / "transcript.vtt").unlink()
    assert [f.tag for f in linted() if f not in second] == ["podcast:transcript"] and len(runs) == 3
    linted(replace(show, copyright="© 2027"))  # the show's settings
    assert len(runs) == 4
    cache.write_text("{", encoding="utf-8")
    linted()
    assert len(runs) == 5


def test_markup_in_the_show_s_description_is_shown_as_text(built):
    """Apps render <description> as HTML: the host's "<b>" must reach listeners as those three
    characters, so it is written escaped once more than XML needs."""
    channel = feed(built, description='Le "<b>gras</b>" & le reste').find("channel")
    assert channel.findtext("description") == 'Le "&lt;b&gt;gras&lt;/b&gt;" & le reste'


def test_a_custom_license_names_the_url_of_its_text(built):
    url = "https://example.org/licence-maison"
    license = feed(built, license="Licence maison", license_url=url).find("channel/podcast:license", NS)
    assert (license.text, license.get("url")) == ("Licence maison", url)
    known = feed(built, license_url="https://creativecommons.org/licenses/by/4.0/").find("channel/podcast:license", NS)
    assert (known.text, known.get("url")) == ("cc-by-4.0", "https://creativecommons.org/licenses/by/4.0/")


def test_an_unnumbered_episode_comes_after_a_numbered_one_of_the_same_time(built):
    root, published = built
    same = [p for p in published if p.episode.slug in ("001-portage", "002-bonus")]
    unnumbered = [Published(replace(p.episode, number=None if p.episode.slug == "002-bonus" else 1), p.results) for p in same]
    for order in (unnumbered, unnumbered[::-1]):
        channel = etree.fromstring(build_feed(load_show(root), order)).find("channel")
        assert [i.findtext("title") for i in channel.findall("item")] == ["Épisode 1 : Le portage", "Bonus"]


def test_the_soundbite_is_the_span_of_the_best_quote_titled_by_it(built):
    """podcast:soundbite (soundbite.md): startTime and duration in seconds, the quote as its
    title, cut at a word under 128 characters."""
    from pipeline.results import Quote, Quoted

    root, published = built
    long = "Le portage salarial protège les indépendantes qui débutent, " * 4
    bite = Quoted((), Quote(12.5, 43.25, "Inès Moreau", long.strip()))
    with_soundbite = [with_result(item, bite) if item.episode.slug == "001-portage" else item for item in published]
    channel = etree.fromstring(build_feed(load_show(root), with_soundbite)).find("channel")
    bites = {i.findtext("title"): i.findall("podcast:soundbite", NS) for i in channel.findall("item")}
    [bite] = bites["Épisode 1 : Le portage"]
    assert (bite.get("startTime"), bite.get("duration")) == ("12.5", "30.75")
    title = "Le portage salarial protège les indépendantes qui débutent, Le portage salarial protège les indépendantes qui débutent, Le…"
    assert bite.text == title and len(bite.text) <= 128
    assert bites["Bonus"] == [] and bites["Bande-annonce"] == []
