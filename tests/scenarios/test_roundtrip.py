"""The feed as two real podcast clients read it: every field a show sets comes back as it was written.

podcastparser (gPodder's parser) and feedparser (what many readers and directories use) read
a show whose titles hold what XML, HTML and CDATA must escape (`&`, `<`, `]]>`), an emoji and
accents. Expected values are the strings written into the show's files, not the product's own.
"""

from __future__ import annotations

import html
import io

import feedparser
import podcastparser
import pytest

from pipeline.build import build
from tests.conftest import SHOW_TOML, new_show, speechlike, without_whisper, write_wav

SHOW_TITLE = "Cafés & <Compagnie> ]]> 🎙️"
EPISODE_TITLE = "Ép. 3 : « Le TJM » & <b>pas</b> ]]> du gras 🚀"
GUEST = "Zoé & Cie <3"
DESCRIPTION = "Des indépendantes parlent de leur métier & de <leurs> clients ]]> sans filtre 🎧."
BASE = "https://example.org/émission/"  # an accented path, as some hosts' folders are

ROUNDTRIP_TOML = (
    SHOW_TOML.replace(
        'title = "Test Show"\n', f'title = "{SHOW_TITLE}"\nbase_url = "{BASE}"\nnew_feed_url = "https://example.org/nouveau.xml"\nlicense = "CC-BY-4.0"\n'
    ).replace('description = "Une émission de test."', f'description = "{DESCRIPTION}"')
    + '\n[[funding]]\nurl = "https://example.org/don"\ntext = "Soutenir & partager ]]> 💛"\n'
)


@pytest.fixture
def feed(tmp_path) -> bytes:
    root = new_show(tmp_path / "show", ROUNDTRIP_TOML)
    folder = root / "episodes" / "003-tjm"
    folder.mkdir()
    write_wav(folder / "enregistrement.wav", speechlike(3, -20, noise=0))
    (folder / "episode.toml").write_text(
        f"title = '{EPISODE_TITLE}'\npublished = 2026-03-02T08:30:00+01:00\nnumber = 3\nseason = 2\n"
        "description = 'On parle **argent** & de <code>]]></code> 😅.'\n"
        f"[[guests]]\nname = '{GUEST}'\nurl = 'https://example.org/zoe?a=1&b=2'\n",
        encoding="utf-8",
    )
    with without_whisper():
        report = build(root)
    assert report.ok, report.failures
    return (root / "public" / "feed.xml").read_bytes()


# podcastparser 0.6.11 knows the namespace only by its old address, which the namespace's 1.0.md
# says clients must take as identical: given it, podcastparser reads the podcast: tags too.
OLD_NAMESPACE = b"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"


def test_podcastparser_reads_every_field(feed):
    parsed = podcastparser.parse(BASE + "feed.xml", io.BytesIO(feed.replace(b"https://podcastindex.org/namespace/1.0", OLD_NAMESPACE)))
    assert parsed["title"] == SHOW_TITLE
    # podcastparser reads it as text; the "<" of the text is escaped for the apps that read HTML.
    assert parsed["description"] == DESCRIPTION.replace("<", "&lt;").replace(">", "&gt;")
    assert parsed["link"] == BASE
    assert parsed["cover_url"] == BASE + "artwork.png"
    assert parsed["new_url"] == "https://example.org/nouveau.xml"
    assert parsed["funding_url"] == "https://example.org/don"
    assert parsed["import_prohibited"] is True  # podcast:locked yes
    [episode] = parsed["episodes"]
    assert episode["title"] == EPISODE_TITLE
    assert episode["number"] == 3 and episode["season"] == 2
    assert episode["link"] == BASE + "episodes/003-tjm/"
    assert episode["published"] == 1772436600  # 2026-03-02 07:30 UTC
    assert episode["total_time"] == 3
    [enclosure] = episode["enclosures"]
    assert enclosure["url"] == BASE + "audio/003-tjm.mp3" and enclosure["mime_type"] == "audio/mpeg"
    assert enclosure["file_size"] > 0
    assert "<strong>argent</strong>" in episode["description_html"]
    assert "<code>]]&gt;</code>" in episode["description_html"]  # the host's own HTML kept; "]]>" inside CDATA survives
    assert [(p["name"], p["role"], p["href"]) for p in episode["persons"]] == [
        ("Camille Durand", "host", None),
        (GUEST, "guest", "https://example.org/zoe?a=1&b=2"),
    ]
    # podcastparser keeps one transcript, the last listed: the HTML one.
    assert episode["transcript_url"] == BASE + "episodes/003-tjm/transcript.html"


def test_feedparser_reads_every_field(feed):
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == SHOW_TITLE
    # feedparser's name for <description>, which it reads as HTML: the text, "<" and all, once unescaped.
    assert html.unescape(parsed.feed.subtitle) == DESCRIPTION
    assert parsed.feed.language == "fr"
    assert parsed.feed.image.href == BASE + "artwork.png"
    [entry] = parsed.entries
    assert entry.title == EPISODE_TITLE
    assert entry.itunes_title == "« Le TJM » & <b>pas</b> ]]> du gras 🚀"  # no "Ép. 3 :"
    assert entry.itunes_episode == "3" and entry.itunes_season == "2"
    assert entry.published_parsed[:5] == (2026, 3, 2, 7, 30)
    [enclosure] = entry.enclosures
    assert (enclosure.href, enclosure.type) == (BASE + "audio/003-tjm.mp3", "audio/mpeg")
    assert "<strong>argent</strong>" in entry.content[0].value and "😅" in entry.content[0].value
    assert entry.itunes_duration == "3"
