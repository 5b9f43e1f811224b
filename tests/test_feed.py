"""The feed against Apple's and Podcasting 2.0's rules, read with XPath and by feedparser."""

from __future__ import annotations

import uuid

import feedparser
import pytest
from lxml import etree

from pipeline.build import build

pytestmark = pytest.mark.slow

NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": "https://podcastindex.org/namespace/1.0",
      "atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/"}

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
def feed(show_root, add_episode):
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
    # podcastindex.org/namespace/1.0#guid: UUIDv5 of the feed URL without scheme, in this namespace.
    expected = uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "localhost:8000/feed.xml")
    assert channel.findtext("podcast:guid", namespaces=NS) == str(expected)
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
    assert transcripts == {"text/vtt": base + "transcript.vtt", "application/json": base + "transcript.json",
                           "application/x-subrip": base + "transcript.srt", "text/plain": base + "transcript.txt"}
    assert {t.get("language") for t in full.findall("podcast:transcript", NS)} == {"fr"}
    for url in transcripts.values():
        assert (show_root / "public" / url.removeprefix("http://localhost:8000/")).is_file(), url
    person = full.find("podcast:person", NS)
    assert (person.text, person.get("role"), person.get("href")) == ("Inès Moreau", "guest", "https://example.org/ines")
    notes = full.findtext("content:encoded", namespaces=NS)
    assert "<strong>TJM</strong>" in notes and "Inès Moreau" in notes and "Le site d&#39;Inès" in notes
    assert full.findtext("guid") and full.find("guid").get("isPermaLink") == "false"


def test_feedparser_reads_it(feed):
    parsed = feedparser.parse(str(feed))
    assert not parsed.bozo, parsed.get("bozo_exception")
    entry = parsed.entries[0]
    assert entry.itunes_duration == "4"
    assert entry.published_parsed[:5] == (2026, 2, 2, 7, 30)  # 08:30 in Paris is 07:30 UTC


def test_guid_survives_a_new_title(feed, show_root):
    before = etree.parse(str(feed)).findtext("channel/item/guid")
    toml = show_root / "episodes" / "001-portage" / "episode.toml"
    toml.write_text(toml.read_text().replace("Le portage salarial, vraiment ?", "Portage : le vrai du faux"))
    assert build(show_root).ok
    tree = etree.parse(str(feed))
    assert tree.findtext("channel/item/title") == "Portage : le vrai du faux"
    assert tree.findtext("channel/item/guid") == before
