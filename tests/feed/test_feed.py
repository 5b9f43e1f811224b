"""The feed against Apple's and Podcasting 2.0's rules, read with XPath and by feedparser."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from importlib.metadata import version

import feedparser
import pytest
from lxml import etree
from mutagen.id3 import ID3

from pipeline.build import build
from pipeline.config import load_show
from pipeline.layout import PublicLayout
from tests.conftest import SHOW_TOML, new_show, speechlike, without_whisper, write_wav

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}

# podcasting2.org/podcast-namespace/tags/guid: <podcast:guid> is "a UUIDv5 ... generated from the
# RSS feed url, with the protocol scheme and trailing slashes stripped off, combined with a unique
# 'podcast' namespace which has a UUID of ead4c236-bf58-58c6-a2c6-a6b28d128cb6". Copied from the
# page, not from pipeline/layout.py; the page's own example checks the copy below.
SPEC_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def test_the_namespace_gives_the_specs_example():
    assert str(uuid.uuid5(SPEC_NAMESPACE, "mp3s.nashownotes.com/pc20rss.xml")) == "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def spec_guid(feed_url_without_scheme: str) -> str:
    return str(uuid.uuid5(SPEC_NAMESPACE, feed_url_without_scheme))


@pytest.mark.parametrize("base_url", ["https://example.org/emission/", "http://example.org/emission/"])
def test_show_guid_follows_podcasting_2_rule(show_root, base_url):
    show = replace(load_show(show_root), base_url=base_url)
    assert PublicLayout(show).show_guid == spec_guid("example.org/emission/feed.xml") == "6e7ac147-7698-561e-9dcb-3dd537dae028"


def test_episode_guid_comes_from_the_shows_guid_not_its_address(show_root):
    """A show that moves host keeps its podcast:guid in podcast.toml, and its episodes keep theirs."""
    kept = "c61a5f57-44a6-5c2b-8d5e-2f0b6a9e6a11"
    before = replace(load_show(show_root), base_url="https://old-host.example/emission/", guid=kept)
    after = replace(before, base_url="https://new-host.example/")
    expected = str(uuid.uuid5(uuid.UUID(kept), "007-portage"))
    assert PublicLayout(before).episode_guid("007-portage") == PublicLayout(after).episode_guid("007-portage") == expected
    # Without a guid of its own, the show's is the Podcasting 2.0 one of its feed URL.
    derived = str(uuid.uuid5(uuid.UUID(spec_guid("localhost:8000/feed.xml")), "007-portage"))
    assert PublicLayout(load_show(show_root)).episode_guid("007-portage") == derived


FULL = """\
title = "Le portage salarial, vraiment ?"
published = 2026-02-02T08:30:00+01:00
number = 1
season = 1
explicit = true
description = "On parle **TJM** et de [portage](https://example.org/portage)."
[[guests]]
name = "Inès Moreau"
role = "Développeuse"
url = "https://example.org/ines"
[[links]]
title = "Le site d'Inès"
url = "https://example.org/ines"
[[chapters]]
start = "00:00"
title = "Intro"
[[chapters]]
start = "00:02"
title = "Suite"
"""


@pytest.fixture
def feed(show_root, add_episode, no_whisper):  # tones: Whisper would hear no words in them either
    add_episode("000-annonce", 'title = "Annonce"\npublished = 2026-01-05\nnumber = 0\ntype = "trailer"\n')
    add_episode("001-portage", FULL)
    add_episode("002-brouillon", 'title = "Pas encore"\npublished = 2026-01-06\ndraft = true\n')
    report = build(show_root)
    assert report.ok
    return show_root / "public" / "feed.xml"


def test_channel_meets_apples_rules(feed):
    channel = etree.parse(str(feed)).find("channel")
    assert channel.findtext("title") == "Test Show"
    assert channel.findtext("language") == "fr"
    assert channel.findtext("link") == "http://localhost:8000/"
    assert channel.find("atom:link[@rel='self']", NS).get("href") == "http://localhost:8000/feed.xml"
    assert channel.find("itunes:image", NS).get("href") == "http://localhost:8000/artwork.png"
    assert channel.find("itunes:category[@text='Business']/itunes:category", NS).get("text") == "Careers"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "camille@example.org"
    assert channel.findtext("itunes:type", namespaces=NS) == "episodic"
    assert channel.findtext("podcast:guid", namespaces=NS) == spec_guid("localhost:8000/feed.xml")
    assert channel.find("podcast:person", NS).get("role") == "host"


def test_items(feed, show_root):
    items = etree.parse(str(feed)).findall("channel/item")
    assert [i.findtext("title") for i in items] == ["Le portage salarial, vraiment ?", "Annonce"]  # newest first, no draft
    full, trailer = items
    assert full.findtext("itunes:episode", namespaces=NS) == "1"
    assert full.findtext("itunes:season", namespaces=NS) == "1"
    assert full.findtext("itunes:episodeType", namespaces=NS) == "full"
    assert full.findtext("itunes:explicit", namespaces=NS) == "true"
    assert trailer.find("itunes:episode", NS) is None  # Apple wants a non-zero number or none
    assert trailer.findtext("itunes:episodeType", namespaces=NS) == "trailer"
    enclosure = full.find("enclosure")
    assert enclosure.get("type") == "audio/mpeg"
    assert int(enclosure.get("length")) == (show_root / "public" / "audio" / "001-portage.mp3").stat().st_size
    transcripts = {t.get("type"): t.get("url") for t in full.findall("podcast:transcript", NS)}
    base = "http://localhost:8000/episodes/001-portage/"
    assert transcripts == {
        "text/vtt": base + "transcript.vtt",
        "application/json": base + "transcript.json",
        "application/x-subrip": base + "transcript.srt",
        "text/plain": base + "transcript.txt",
        "text/html": base + "transcript.html",
    }
    # Timed cues are captions (rel="captions" on the tag page); the others are transcripts.
    assert {t.get("type"): t.get("rel") for t in full.findall("podcast:transcript", NS)} == {
        "text/vtt": "captions",
        "application/x-subrip": "captions",
        "application/json": None,
        "text/plain": None,
        "text/html": None,
    }
    assert {t.get("language") for t in full.findall("podcast:transcript", NS)} == {"fr"}
    for url in transcripts.values():
        assert (show_root / "public" / url.removeprefix("http://localhost:8000/")).is_file(), url
    # An item's people replace the channel's (person tag page), so the host is named again.
    people = [(p.text, p.get("role"), p.get("href")) for p in full.findall("podcast:person", NS)]
    assert people == [("Camille Durand", "host", None), ("Inès Moreau", "guest", "https://example.org/ines")]
    assert full.findtext("podcast:season", namespaces=NS) == "1" and full.findtext("podcast:episode", namespaces=NS) == "1"
    assert trailer.findtext("podcast:episode", namespaces=NS) == "0" and trailer.find("podcast:season", NS) is None
    assert full.find("itunes:image", NS).get("href") == "http://localhost:8000/artwork.png"  # no image of its own
    notes = full.findtext("content:encoded", namespaces=NS)
    assert "<strong>TJM</strong>" in notes and "Inès Moreau" in notes and "Le site d&#39;Inès" in notes
    assert full.findtext("description") == notes  # apps that read only <description> get the notes too
    assert full.findtext("link") == base and full.findtext("pubDate") == "Mon, 02 Feb 2026 08:30:00 +0100"
    assert full.findtext("itunes:duration", namespaces=NS) == "4"
    assert full.findtext("guid") and full.find("guid").get("isPermaLink") == "false"


def test_feedparser_reads_it(feed):
    parsed = feedparser.parse(str(feed))
    assert not parsed.bozo, parsed.get("bozo_exception")
    entry = parsed.entries[0]
    assert entry.itunes_duration == "4"
    assert entry.published_parsed[:5] == (2026, 2, 2, 7, 30)  # 08:30 in Paris is 07:30 UTC


def test_feed_follows_a_new_artwork(feed, show_root):
    """A new cover changes the MP3s it is embedded in, and a JPEG one its URL: the feed is rebuilt
    though no episode's notes changed, or apps would read a wrong length and a missing image."""
    from PIL import Image

    def lengths_match(channel):
        for item in channel.findall("item"):
            enclosure = item.find("enclosure")
            mp3 = show_root / "public" / enclosure.get("url").removeprefix("http://localhost:8000/")
            assert int(enclosure.get("length")) == mp3.stat().st_size, mp3.name

    before = (show_root / "public" / "audio" / "001-portage.mp3").stat().st_size
    Image.effect_noise((1400, 1400), 60).convert("RGB").save(show_root / "artwork.png")  # same name, new picture
    assert build(show_root).ok
    assert (show_root / "public" / "audio" / "001-portage.mp3").stat().st_size != before
    lengths_match(etree.parse(str(feed)).find("channel"))

    Image.new("RGB", (1400, 1400), "navy").save(show_root / "cover.jpg", quality=95)
    toml = show_root / "podcast.toml"
    toml.write_text(toml.read_text().replace('artwork = "artwork.png"', 'artwork = "cover.jpg"'))
    assert build(show_root).ok
    channel = etree.parse(str(feed)).find("channel")
    assert channel.find("itunes:image", NS).get("href") == "http://localhost:8000/artwork.jpg"
    assert (show_root / "public" / "artwork.jpg").read_bytes() == (show_root / "cover.jpg").read_bytes()
    lengths_match(channel)


def test_guid_and_enclosure_survive_a_new_title_date_and_audio(feed, show_root):
    """Apple: a new guid is a new episode. Retitled, redated and re-recorded, the episode stays itself."""

    def identity():
        item = next(i for i in etree.parse(str(feed)).findall("channel/item") if "portage" in i.findtext("link"))
        return item.findtext("title"), item.findtext("guid"), item.find("enclosure").get("url"), item.find("enclosure").get("length")

    title, guid, url, length = identity()
    folder = show_root / "episodes" / "001-portage"
    toml = folder / "episode.toml"
    toml.write_text(
        toml.read_text()
        .replace("Le portage salarial, vraiment ?", "Portage : le vrai du faux")
        .replace("2026-02-02T08:30:00+01:00", "2026-02-09T08:30:00+01:00")
    )
    write_wav(folder / "enregistrement.wav", speechlike(6, -20, noise=0))
    assert build(show_root).ok
    new_title, new_guid, new_url, new_length = identity()
    assert new_title == "Portage : le vrai du faux" and new_length != length  # the change reached the feed
    assert (new_guid, new_url) == (guid, url)


# A show that set its podcast:guid when it began, as Podcasting 2.0 asks (it follows the show
# to a new address), and titles with characters XML and HTML escape.
SHOW_GUID = "6d3b0a1e-8c1f-5c4e-9b7a-2f4e1d0c9b8a"
SHOW_TITLE = "Cafés & <Compagnie>"
EPISODE_TITLE = 'Le "TJM" & <script>alert(1)</script>'
MARKED_UP_TOML = SHOW_TOML.replace(
    'title = "Test Show"\n',
    f'title = "{SHOW_TITLE}"\nbase_url = "https://example.org/emission/"\nguid = "{SHOW_GUID}"\n'
    'subtitle = "Le freelancing raconté"\ncopyright = "© 2026 Camille Durand"\ntype = "serial"\nexplicit = true\n',
).replace('categories = ["Business > Careers"]', 'categories = ["Business > Careers", "Society & Culture"]') + (
    'url = "https://example.org/camille"\nimg = "https://example.org/camille.jpg"\n'  # the host's, in [[hosts]]
    "\n[audio]\naac = true\n"
)


@pytest.fixture
def marked_up(tmp_path):
    """A show with that guid and those titles, its tones heard by no Whisper. Built for each test
    (a second): mutation testing runs only the tests that call a function, and a build shared by
    the module would count for its first test alone."""
    root = new_show(tmp_path / "show", MARKED_UP_TOML)
    folder = root / "episodes" / "001-tjm"
    folder.mkdir()
    write_wav(folder / "enregistrement.wav", speechlike(4, -20, noise=0))
    (folder / "episode.toml").write_text(
        f"title = '{EPISODE_TITLE}'\npublished = 2026-01-05\nnumber = 1\nlanguage = \"en\"\n"
        '[[guests]]\nname = "Inès Moreau"\nimg = "https://example.org/ines.jpg"\n',
        encoding="utf-8",
    )
    second = root / "episodes" / "002-suite"  # the same day: the higher number comes first
    second.mkdir()
    write_wav(second / "enregistrement.wav", speechlike(3, -20, noise=0))
    (second / "episode.toml").write_text('title = "La suite"\npublished = 2026-01-05\nnumber = 2\nexplicit = false\n', encoding="utf-8")
    with without_whisper():
        report = build(root)
    assert report.ok, report.failures
    return root


def test_titles_are_escaped_once(marked_up):
    raw = (marked_up / "public" / "feed.xml").read_bytes()
    channel = etree.fromstring(raw).find("channel")
    assert channel.findtext("title") == SHOW_TITLE
    assert channel.findtext("item[2]/title") == EPISODE_TITLE
    assert b"&amp;amp;" not in raw and b"&amp;lt;" not in raw  # what an app would show as "&amp;"
    parsed = feedparser.parse(raw)
    assert parsed.feed.title == SHOW_TITLE


def test_item_guid_is_the_mp3s_tgid_and_comes_from_the_shows_guid(marked_up):
    channel = etree.parse(str(marked_up / "public" / "feed.xml")).find("channel")
    assert channel.findtext("podcast:guid", namespaces=NS) == SHOW_GUID  # the show's own, not one of its URL
    item = channel.findall("item")[1]
    expected = str(uuid.uuid5(uuid.UUID(SHOW_GUID), "001-tjm"))  # the show's guid and the folder's name
    assert item.findtext("guid") == expected
    enclosure = item.find("enclosure").get("url")
    assert enclosure == "https://example.org/emission/audio/001-tjm.mp3"
    mp3 = marked_up / "public" / enclosure.removeprefix("https://example.org/emission/")
    assert str(ID3(mp3)["TGID"]) == expected  # an app that read the file first knows it as the same episode


def test_channel_tells_apps_what_the_show_is(marked_up):
    channel = etree.parse(str(marked_up / "public" / "feed.xml")).find("channel")
    base = "https://example.org/emission/"
    assert channel.findtext("link") == base and channel.find("atom:link", NS).attrib == {"href": base + "feed.xml", "rel": "self"}
    assert channel.findtext("generator") == f"podcast-pipeline {version('podcast-pipeline')}"
    assert [channel.findtext(f"image/{tag}") for tag in ("url", "title", "link")] == [base + "artwork.png", SHOW_TITLE, base]
    assert channel.findtext("language") == "fr" and channel.findtext("copyright") == "© 2026 Camille Durand"
    assert channel.findtext("itunes:author", namespaces=NS) == "Camille Durand"
    assert channel.findtext("itunes:owner/itunes:name", namespaces=NS) == "Camille Durand"
    assert channel.findtext("itunes:subtitle", namespaces=NS) == "Le freelancing raconté"
    assert channel.findtext("itunes:type", namespaces=NS) == "serial"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "true"  # Apple's values now, not yes/no
    categories = [(c.get("text"), [s.get("text") for s in c]) for c in channel.findall("itunes:category", NS)]
    assert categories == [("Business", ["Careers"]), ("Society & Culture", [])]
    items = channel.findall("item")
    assert [i.findtext("guid") for i in items] == [str(uuid.uuid5(uuid.UUID(SHOW_GUID), slug)) for slug in ("002-suite", "001-tjm")]
    assert [i.findtext("itunes:explicit", namespaces=NS) for i in items] == ["false", "true"]  # the episode's own, else the show's
    # The newest episode's date, not the time of the build: a rebuild writes the same bytes.
    assert channel.findtext("lastBuildDate") == items[0].findtext("pubDate") == "Mon, 05 Jan 2026 00:00:00 +0100"


def test_a_show_with_nothing_published_has_an_empty_feed(show_root, add_episode, no_whisper):
    add_episode("001-brouillon", 'title = "Pas encore"\npublished = 2026-01-06\ndraft = true\n')
    assert build(show_root).ok
    channel = etree.parse(str(show_root / "public" / "feed.xml")).find("channel")
    assert channel.findall("item") == []
    assert channel.findtext("lastBuildDate") == "Thu, 01 Jan 1970 00:00:00 +0000"


def test_podcasting_2_tags_of_people_transcripts_and_the_aac_copy(marked_up):
    raw = (marked_up / "public" / "feed.xml").read_bytes()
    assert b'xmlns:podcast="https://podcastindex.org/namespace/1.0"' in raw  # the prefix the namespace page suggests
    channel = etree.fromstring(raw).find("channel")
    base = "https://example.org/emission/"
    [host] = channel.findall("podcast:person", NS)
    assert (host.text, host.attrib) == ("Camille Durand", {"role": "host", "href": "https://example.org/camille", "img": "https://example.org/camille.jpg"})
    item = channel.findall("item")[1]
    host_again, guest = item.findall("podcast:person", NS)
    assert (host_again.text, host_again.attrib) == (host.text, host.attrib)
    assert (guest.text, guest.attrib) == ("Inès Moreau", {"role": "guest", "img": "https://example.org/ines.jpg"})
    transcripts = [t.attrib for t in item.findall("podcast:transcript", NS)]
    assert transcripts[0] == {"url": base + "episodes/001-tjm/transcript.vtt", "type": "text/vtt", "language": "en", "rel": "captions"}
    [alternate] = item.findall("podcast:alternateEnclosure", NS)
    m4a = marked_up / "public" / "audio" / "001-tjm.m4a"
    assert alternate.attrib == {"type": "audio/mp4", "length": str(m4a.stat().st_size), "bitrate": "64000", "title": "AAC"}
    assert [s.attrib for s in alternate] == [{"uri": base + "audio/001-tjm.m4a"}]


# Every channel setting of the Podcasting 2.0 namespace, set in podcast.toml.
NAMESPACE_TOML = (
    SHOW_TOML.replace(
        'title = "Test Show"\n',
        'title = "Test Show"\nbase_url = "https://example.org/"\nlicense = "CC-BY-NC-4.0"\nmedium = "audiobook"\n'
        'new_feed_url = "https://new.example.org/feed.xml"\n',
    )
    + '\n[[funding]]\nurl = "https://example.org/soutenir"\ntext = "Soutenir l\'émission"\n\n[[funding]]\nurl = "https://example.org/don"\n'
)


@pytest.fixture
def namespaced(tmp_path):
    root = new_show(tmp_path / "show", NAMESPACE_TOML)
    for slug, body in (
        ("000-annonce", 'title = "Test Show : la bande-annonce"\npublished = 2026-01-04T10:00:00+01:00\nnumber = 0\nseason = 2\ntype = "trailer"\n'),
        ("012-portage", 'title = "Ép. 12 : Le portage"\npublished = 2026-01-05\nnumber = 12\nimage = "couverture.jpeg"\n'),
    ):
        folder = root / "episodes" / slug
        folder.mkdir()
        write_wav(folder / "enregistrement.wav", speechlike(3, -20, noise=0))
        (folder / "episode.toml").write_text(body, encoding="utf-8")
    from PIL import Image

    Image.new("RGB", (1400, 1400), "teal").save(root / "episodes" / "012-portage" / "couverture.jpeg")
    with without_whisper():
        report = build(root)
    assert report.ok, report.failures
    return root


def test_channel_podcasting_2_tags(namespaced):
    channel = etree.parse(str(namespaced / "public" / "feed.xml")).find("channel")
    # Values from the tag pages (docs/tags/*.md): locked's owner is the owner's email, a well-known
    # license is written lower-cased (licenses.json), funding's text is the link's label.
    assert [(e.text, e.attrib) for e in channel.findall("podcast:locked", NS)] == [("yes", {"owner": "camille@example.org"})]
    assert [(e.text, e.attrib) for e in channel.findall("podcast:license", NS)] == [("cc-by-nc-4.0", {})]
    assert channel.findtext("podcast:medium", namespaces=NS) == "audiobook"
    assert [(e.text, e.attrib) for e in channel.findall("podcast:funding", NS)] == [
        ("Soutenir l'émission", {"url": "https://example.org/soutenir"}),
        (None, {"url": "https://example.org/don"}),
    ]
    assert channel.findtext("itunes:new-feed-url", namespaces=NS) == "https://new.example.org/feed.xml"
    [trailer] = channel.findall("podcast:trailer", NS)
    mp3 = namespaced / "public" / "audio" / "000-annonce.mp3"
    assert (trailer.text, trailer.attrib) == (
        "Test Show : la bande-annonce",
        {
            "url": "https://example.org/audio/000-annonce.mp3",
            "pubdate": "Sun, 04 Jan 2026 10:00:00 +0100",
            "length": str(mp3.stat().st_size),
            "type": "audio/mpeg",
            "season": "2",
        },
    )


def test_item_title_image_and_numbers(namespaced):
    items = etree.parse(str(namespaced / "public" / "feed.xml")).findall("channel/item")
    assert [i.findtext("title") for i in items] == ["Ép. 12 : Le portage", "Test Show : la bande-annonce"]
    # Apple: itunes:title without the episode number or the show's name.
    assert [i.findtext("itunes:title", namespaces=NS) for i in items] == ["Le portage", "la bande-annonce"]
    assert items[0].find("itunes:image", NS).get("href") == "https://example.org/episodes/012-portage/image.jpg"
    assert (namespaced / "public" / "episodes" / "012-portage" / "image.jpg").read_bytes() == (
        namespaced / "episodes" / "012-portage" / "couverture.jpeg"
    ).read_bytes()
    assert items[1].find("itunes:image", NS).get("href") == "https://example.org/artwork.png"
    assert [i.findtext("podcast:episode", namespaces=NS) for i in items] == ["12", "0"]
    assert items[1].findtext("podcast:season", namespaces=NS) == "2"


@pytest.mark.parametrize(
    ("title", "bare"),
    [
        ("12. Le portage", "Le portage"),
        ("#12 Le portage", "Le portage"),
        ("Episode 12 - Le portage", "Le portage"),
        ("Épisode 3 : Seule au début", "Seule au début"),
        ("Test Show | Le portage", "Le portage"),
        ("Le portage — Test Show", "Le portage"),
        ("TEST SHOW - Le portage", "Le portage"),  # the show's name whatever its case
        ("Le portage : test show", "Le portage"),
        ("2 minutes pour tout dire", "2 minutes pour tout dire"),  # a number that is part of the title stays
        ("Bienvenue dans Test Show", "Bienvenue dans Test Show"),
        ("Test Show", "Test Show"),  # nothing would be left: the title as it is
    ],
)
def test_bare_title(show_root, title, bare):
    from pipeline.records import Episode
    from pipeline.feed.rss import bare_title

    episode = Episode("001-x", show_root, title, datetime(2026, 1, 5, tzinfo=timezone.utc), ())
    assert bare_title(episode, load_show(show_root)) == bare


def test_custom_license_keeps_its_name_and_links_its_text():
    from feedgen.feed import FeedGenerator

    from pipeline.feed.podcast_ns import PodcastIndexEntryExtension, PodcastIndexExtension

    fg = FeedGenerator()
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)
    fg.title("T")
    fg.link(href="https://example.org/")
    fg.description("D")
    fg.podcastindex.license("Ma-Licence-v1", "https://example.org/licence.pdf")
    [element] = etree.fromstring(fg.rss_str()).findall("channel/podcast:license", NS)
    assert (element.text, element.attrib) == ("Ma-Licence-v1", {"url": "https://example.org/licence.pdf"})
    with pytest.raises(ValueError, match="a custom license needs a url"):
        fg.podcastindex.license("Ma-Licence-v1")


class HearsAScript:
    """A transcriber that 'hears' four sentences spread over the recording, one every 10 s."""

    SENTENCES = (
        "Bonjour et bienvenue.",
        "Le portage salarial protège les indépendantes qui débutent.",
        "On en reparle la semaine prochaine.",
        "Merci et à bientôt.",
    )

    def transcribe(self, path, language, prompt="", progress=None):
        from pipeline.records import Segment, Transcript, Word

        segments = []
        for n, sentence in enumerate(self.SENTENCES):
            start = n * 10.0
            words = sentence.split()
            timed = tuple(Word(start + i * 0.4, start + i * 0.4 + 0.35, (" " if i else "") + w) for i, w in enumerate(words))
            segments.append(Segment(start, timed[-1].end, sentence, timed))
        return Transcript(language, 40.0, tuple(segments))


def test_chapters_and_soundbite_items(tmp_path):
    root = new_show(tmp_path / "show", SHOW_TOML.replace('title = "Test Show"\n', 'title = "Test Show"\nbase_url = "https://example.org/"\n'))
    for slug, chapters in (
        ("001-portage", '[[chapters]]\nstart = "00:00"\ntitle = "Bonjour"\n[[chapters]]\nstart = "00:20"\ntitle = "La suite"\n'),
        ("002-court", ""),
    ):
        folder = root / "episodes" / slug
        folder.mkdir()
        write_wav(folder / "enregistrement.wav", speechlike(40, -20, noise=0))
        (folder / "episode.toml").write_text(f'title = "{slug}"\npublished = 2026-01-0{slug[2]}\n' + chapters, encoding="utf-8")
    from pipeline.stages import transcribe

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transcribe, "load", lambda *args, **kwargs: HearsAScript())
        report = build(root)
    assert report.ok, (report.failures, report.findings)
    items = {i.findtext("title"): i for i in etree.parse(str(root / "public" / "feed.xml")).findall("channel/item")}
    # The chapters tag page: url and type, where the JSON chapters are; only for an episode that has chapters.
    [chapters] = items["001-portage"].findall("podcast:chapters", NS)
    assert chapters.attrib == {"url": "https://example.org/episodes/001-portage/chapters.json", "type": "application/json+chapters"}
    published = json.loads((root / "public" / "episodes" / "001-portage" / "chapters.json").read_text())
    assert [(c["startTime"], c["title"]) for c in published["chapters"]] == [(0, "Bonjour"), (20, "La suite")]
    # The soundbite tag page: startTime and duration in seconds (15 to 120 recommended), the quote as its title.
    [soundbite] = items["001-portage"].findall("podcast:soundbite", NS)
    start, duration = float(soundbite.get("startTime")), float(soundbite.get("duration"))
    assert soundbite.text == "Le portage salarial protège les indépendantes qui débutent."
    assert start == pytest.approx(10.0, abs=0.01) and 15 <= duration <= 120 and start + duration <= 40.5
    assert set(soundbite.attrib) == {"startTime", "duration"}


def test_a_long_quote_is_cut_for_the_soundbite_title():
    from pipeline.feed.rss import soundbite_title

    quote = "Le portage salarial, " * 10  # 210 characters
    title = soundbite_title(quote.strip())
    assert title == "Le portage salarial, " * 5 + "Le portage salarial…"  # no comma left before the ellipsis
    # A space just at the 127th character: the word before it is whole, and kept.
    assert soundbite_title("«" + "Le portage salarial, " * 7) == "«" + "Le portage salarial, " * 5 + "Le portage salarial…"
    assert soundbite_title("Court.") == "Court."
    # soundbite.md: "please do not exceed 128 characters": 128 are kept whole, 129 are cut.
    exactly = "Le portage salarial, " * 5 + "et ça marche très bien."  # 105 + 23 characters
    assert len(exactly) == 128 and soundbite_title(exactly) == exactly
    assert soundbite_title(exactly + "!") == "Le portage salarial, " * 5 + "et ça marche très…"
    # Only punctuation and spaces are stripped before the ellipsis, never a letter of the last word.
    spacex = "Le portage salarial, " * 5 + "on parle de SpaceX entreprises qui recrutent."
    assert soundbite_title(spacex) == "Le portage salarial, " * 5 + "on parle de SpaceX…"
