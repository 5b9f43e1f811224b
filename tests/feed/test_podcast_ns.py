"""The Podcasting 2.0 tags as the feedgen extension writes them, one feed built per test.

Expected tags, attributes and values come from the namespace's tag pages
(github.com/Podcastindex-org/podcast-namespace, docs/tags/*.md), read with XPath and by feedparser.
"""

from __future__ import annotations

import feedparser
import pytest
from feedgen.feed import FeedGenerator
from lxml import etree

from pipeline.feed.podcast_ns import PodcastIndexEntryExtension, PodcastIndexExtension

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
PODCAST = "{https://podcastindex.org/namespace/1.0}"


def new_feed() -> FeedGenerator:
    """A feed with the extension registered under the name rss.py gives it."""
    fg = FeedGenerator()
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)
    fg.title("Test Show")
    fg.link(href="https://example.org/")
    fg.description("Une émission de test.")
    return fg


def new_item(fg: FeedGenerator, slug: str = "001-portage"):
    fe = fg.add_entry(order="append")
    fe.title(slug)
    fe.guid(slug, permalink=False)
    fe.enclosure(f"https://example.org/audio/{slug}.mp3", "123456", "audio/mpeg")
    return fe


def channel_of(fg: FeedGenerator):
    return etree.fromstring(fg.rss_str()).find("channel")


def tags(parent, name: str) -> list[tuple[str | None, dict[str, str]]]:
    """Each `podcast:name` child's text and attributes, in the feed's order."""
    return [(e.text, dict(e.attrib)) for e in parent.findall(f"podcast:{name}", NS)]


def podcast_children(parent) -> list[str]:
    return [e.tag for e in parent if isinstance(e.tag, str) and e.tag.startswith(PODCAST)]


# Channel


def test_the_namespace_is_declared_with_the_podcast_prefix():
    # 1.0.md: the namespace URI, with "podcast" the suggested prefix that apps look for.
    fg = new_feed()
    fg.podcastindex.guid("917393e3-1b1e-5cef-ace4-edaa54e1f810")
    raw = fg.rss_str()
    assert etree.fromstring(raw).nsmap["podcast"] == "https://podcastindex.org/namespace/1.0"
    assert b"<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>" in raw


def test_a_show_without_podcasting_2_settings_has_no_podcast_tags():
    fg = new_feed()
    new_item(fg)
    channel = channel_of(fg)
    assert podcast_children(channel) == []
    assert podcast_children(channel.find("item")) == []


def test_the_shows_guid_is_the_channels_podcast_guid():
    fg = new_feed()
    fg.podcastindex.guid("917393e3-1b1e-5cef-ace4-edaa54e1f810")
    assert tags(channel_of(fg), "guid") == [("917393e3-1b1e-5cef-ace4-edaa54e1f810", {})]


@pytest.mark.parametrize(
    ("locked", "owner", "expected"),
    [
        (True, "camille@example.org", ("yes", {"owner": "camille@example.org"})),
        (False, "camille@example.org", ("no", {"owner": "camille@example.org"})),  # what rss.py writes for an open show
        (True, "", ("yes", {})),  # locked.md: owner is optional, so no empty one
    ],
)
def test_locked_says_yes_or_no_and_names_the_owner(locked, owner, expected):
    fg = new_feed()
    fg.podcastindex.locked(locked, owner)
    assert tags(channel_of(fg), "locked") == [expected]


def test_a_locked_tag_without_an_owner_has_no_owner_attribute():
    fg = new_feed()
    fg.podcastindex.locked(False)
    assert tags(channel_of(fg), "locked") == [("no", {})]


@pytest.mark.parametrize(("name", "written"), [("CC-BY-NC-4.0", "cc-by-nc-4.0"), ("arr", "arr"), ("POD-V4V-1.0", "pod-v4v-1.0")])
def test_a_well_known_license_is_written_lower_cased_without_a_url(name, written):
    # license.md: an identifier from licenses.json needs no url; the list spells them lower-case.
    fg = new_feed()
    fg.podcastindex.license(name)
    assert tags(channel_of(fg), "license") == [(written, {})]


def test_a_well_known_license_keeps_a_url_given_for_it():
    fg = new_feed()
    fg.podcastindex.license("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/")
    assert tags(channel_of(fg), "license") == [("cc-by-4.0", {"url": "https://creativecommons.org/licenses/by/4.0/"})]


def test_a_custom_license_keeps_its_name_as_typed_and_links_its_text():
    fg = new_feed()
    fg.podcastindex.license("Ma-Licence-v1", "https://example.org/licence.pdf")
    assert tags(channel_of(fg), "license") == [("Ma-Licence-v1", {"url": "https://example.org/licence.pdf"})]


def test_a_custom_license_without_a_url_is_refused_with_the_known_ones_named():
    fg = new_feed()
    with pytest.raises(ValueError) as refused:
        fg.podcastindex.license("Ma-Licence-v1")
    assert str(refused.value) == (
        "license 'Ma-Licence-v1' is not one of ARR, CC-BY-4.0, CC-BY-NC-4.0, CC-BY-NC-ND-4.0, POD-V4V-1.0: a custom license needs a url"
    )
    assert tags(channel_of(fg), "license") == []


def test_the_medium_is_written_as_given():
    fg = new_feed()
    fg.podcastindex.medium("audiobook")
    assert tags(channel_of(fg), "medium") == [("audiobook", {})]


def test_funding_links_keep_their_order_and_an_empty_label_is_left_out():
    fg = new_feed()
    fg.podcastindex.funding("https://example.org/soutenir", "Soutenir l'émission")
    fg.podcastindex.funding("https://example.org/don")
    assert tags(channel_of(fg), "funding") == [
        ("Soutenir l'émission", {"url": "https://example.org/soutenir"}),
        (None, {"url": "https://example.org/don"}),
    ]


def test_a_trailer_is_an_enclosure_with_its_title_pubdate_and_season():
    # trailer.md: the title as node value; url and pubdate (RFC 2822) required, length and type
    # recommended, season optional.
    fg = new_feed()
    fg.podcastindex.trailer(
        "Saison 2 : la bande-annonce", "https://example.org/audio/000-annonce.mp3", "Sun, 04 Jan 2026 10:00:00 +0100", 98765, "audio/mpeg", 2
    )
    assert tags(channel_of(fg), "trailer") == [
        (
            "Saison 2 : la bande-annonce",
            {
                "url": "https://example.org/audio/000-annonce.mp3",
                "pubdate": "Sun, 04 Jan 2026 10:00:00 +0100",
                "length": "98765",
                "type": "audio/mpeg",
                "season": "2",
            },
        )
    ]


def test_a_trailer_for_the_whole_show_has_no_season_attribute():
    fg = new_feed()
    fg.podcastindex.trailer("Bientôt", "https://example.org/audio/000-annonce.mp3", "Mon, 05 Jan 2026 08:00:00 +0000", 4321, "audio/mpeg")
    fg.podcastindex.trailer("Et ensuite", "https://example.org/audio/000-suite.mp3", "Tue, 06 Jan 2026 08:00:00 +0000", 0, "audio/mpeg", None)
    assert tags(channel_of(fg), "trailer") == [
        ("Bientôt", {"url": "https://example.org/audio/000-annonce.mp3", "pubdate": "Mon, 05 Jan 2026 08:00:00 +0000", "length": "4321", "type": "audio/mpeg"}),
        ("Et ensuite", {"url": "https://example.org/audio/000-suite.mp3", "pubdate": "Tue, 06 Jan 2026 08:00:00 +0000", "length": "0", "type": "audio/mpeg"}),
    ]


def test_the_shows_people_are_credited_in_order_without_empty_attributes():
    fg = new_feed()
    fg.podcastindex.person("Camille Durand", "host", "https://example.org/camille", "https://example.org/camille.jpg")
    fg.podcastindex.person("Dominique Martin", role="host")
    fg.podcastindex.person("Sam")
    assert tags(channel_of(fg), "person") == [
        ("Camille Durand", {"role": "host", "href": "https://example.org/camille", "img": "https://example.org/camille.jpg"}),
        ("Dominique Martin", {"role": "host"}),
        ("Sam", {}),  # person.md: no role means the host
    ]


def test_the_channels_tags_come_before_its_items():
    fg = new_feed()
    new_item(fg)
    fg.podcastindex.guid("917393e3-1b1e-5cef-ace4-edaa54e1f810")
    fg.podcastindex.person("Camille Durand", "host")
    names = [e.tag for e in channel_of(fg)]
    assert names[-3:] == [PODCAST + "guid", PODCAST + "person", "item"]


def test_feedparser_reads_the_channels_tags():
    fg = new_feed()
    fg.podcastindex.guid("917393e3-1b1e-5cef-ace4-edaa54e1f810")
    fg.podcastindex.locked(True, "camille@example.org")
    fg.podcastindex.medium("podcast")
    fg.podcastindex.funding("https://example.org/soutenir", "Soutenir")
    parsed = feedparser.parse(fg.rss_str())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.podcast_guid == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert parsed.feed.podcast_locked == {"owner": "camille@example.org"}
    assert parsed.feed.podcast_medium == "podcast"
    assert parsed.feed.podcast_funding == {"url": "https://example.org/soutenir"}


# Item


def test_an_episode_has_its_season_and_number():
    fg = new_feed()
    fe = new_item(fg)
    fe.podcastindex.season(2)
    fe.podcastindex.episode(12)
    item = channel_of(fg).find("item")
    assert tags(item, "season") == [("2", {})]
    assert tags(item, "episode") == [("12", {})]


def test_a_trailer_numbered_0_is_episode_0_and_without_a_season_has_none():
    # episode.md: any decimal, so 0 is written; a number left unset writes no tag.
    fg = new_feed()
    new_item(fg, "002-suite")
    new_item(fg, "000-annonce").podcastindex.episode(0)
    first, trailer = channel_of(fg).findall("item")
    assert tags(trailer, "episode") == [("0", {})]
    assert tags(trailer, "season") == []
    assert tags(first, "episode") == []


def test_chapters_point_to_the_json_chapters_file():
    fg = new_feed()
    new_item(fg).podcastindex.chapters("https://example.org/episodes/001-portage/chapters.json")
    item = channel_of(fg).find("item")
    # chapters.md: url and type, JSON chapters being "application/json+chapters".
    assert tags(item, "chapters") == [(None, {"url": "https://example.org/episodes/001-portage/chapters.json", "type": "application/json+chapters"})]


@pytest.mark.parametrize(
    ("start", "duration", "start_time", "written_duration"),
    [
        (73, 60, "73.0", "60.0"),  # soundbite.md's own examples
        (1234.5, 42.25, "1234.5", "42.25"),
        (0, 15, "0.0", "15.0"),  # the start of the episode, the shortest duration recommended
        (12.345, 120, "12.345", "120.0"),  # milliseconds kept, the longest duration recommended
        (12.3456, 15.5, "12.346", "15.5"),  # rounded to the millisecond
        (10.0004, 20.5, "10", "20.5"),  # rounded to a whole second: no dangling "10."
    ],
)
def test_a_soundbite_is_written_in_seconds(start, duration, start_time, written_duration):
    fg = new_feed()
    new_item(fg).podcastindex.soundbite(start, duration, "Le portage protège.")
    item = channel_of(fg).find("item")
    assert tags(item, "soundbite") == [("Le portage protège.", {"startTime": start_time, "duration": written_duration})]


def test_soundbites_keep_their_order_and_an_untitled_one_has_no_text():
    fg = new_feed()
    fe = new_item(fg)
    fe.podcastindex.soundbite(30.5, 20.0)
    fe.podcastindex.soundbite(90.0, 45.5, "La chute")
    item = channel_of(fg).find("item")
    assert tags(item, "soundbite") == [(None, {"startTime": "30.5", "duration": "20.0"}), ("La chute", {"startTime": "90.0", "duration": "45.5"})]


def test_transcripts_keep_their_order_language_and_rel():
    fg = new_feed()
    fe = new_item(fg)
    base = "https://example.org/episodes/001-portage/"
    fe.podcastindex.transcript(base + "transcript.vtt", "text/vtt", "fr", "captions")
    fe.podcastindex.transcript(base + "transcript.json", "application/json", "fr")
    fe.podcastindex.transcript(base + "transcript.txt", "text/plain")
    item = channel_of(fg).find("item")
    # transcript.md: url and type required, language and rel optional, so left out when empty.
    assert tags(item, "transcript") == [
        (None, {"url": base + "transcript.vtt", "type": "text/vtt", "language": "fr", "rel": "captions"}),
        (None, {"url": base + "transcript.json", "type": "application/json", "language": "fr"}),
        (None, {"url": base + "transcript.txt", "type": "text/plain"}),
    ]


def test_an_alternate_enclosure_gives_its_format_and_its_source():
    fg = new_feed()
    new_item(fg).podcastindex.alternate_enclosure("https://example.org/audio/001-portage.m4a", "audio/mp4", 2490970, 64000, "AAC")
    item = channel_of(fg).find("item")
    # alternate-enclosure.md: type, length, bitrate and title on the tag, the file's uri on a
    # podcast:source inside it; no "default", as the AAC is not the enclosure's own file.
    [alternate] = item.findall("podcast:alternateEnclosure", NS)
    assert (alternate.text or "").strip() == ""
    assert dict(alternate.attrib) == {"type": "audio/mp4", "length": "2490970", "bitrate": "64000", "title": "AAC"}
    assert [(s.tag, s.text, dict(s.attrib)) for s in alternate] == [(PODCAST + "source", None, {"uri": "https://example.org/audio/001-portage.m4a"})]


def test_an_untitled_alternate_enclosure_has_no_title_attribute():
    fg = new_feed()
    fe = new_item(fg)
    fe.podcastindex.alternate_enclosure("https://example.org/audio/001-portage.opus", "audio/opus", 1000, 32000)
    fe.podcastindex.alternate_enclosure("https://example.org/audio/001-portage.m4a", "audio/mp4", 2000, 64000, "AAC")
    alternates = channel_of(fg).find("item").findall("podcast:alternateEnclosure", NS)
    assert [dict(a.attrib) for a in alternates] == [
        {"type": "audio/opus", "length": "1000", "bitrate": "32000"},
        {"type": "audio/mp4", "length": "2000", "bitrate": "64000", "title": "AAC"},
    ]
    assert [[s.get("uri") for s in a] for a in alternates] == [["https://example.org/audio/001-portage.opus"], ["https://example.org/audio/001-portage.m4a"]]


def test_an_items_people_are_its_own_and_the_channels_stay_in_the_channel():
    # person.md: an item's podcast:person list replaces the channel's; an item without one
    # writes none, and apps show the channel's.
    fg = new_feed()
    fg.podcastindex.person("Camille Durand", "host", "https://example.org/camille")
    with_guest = new_item(fg, "002-invitee")
    with_guest.podcastindex.person("Camille Durand", "host", "https://example.org/camille")
    with_guest.podcastindex.person("Inès Moreau", "guest", img="https://example.org/ines.jpg")
    new_item(fg, "001-seule")
    channel = channel_of(fg)
    assert tags(channel, "person") == [("Camille Durand", {"role": "host", "href": "https://example.org/camille"})]
    with_guest_item, alone_item = channel.findall("item")
    assert tags(with_guest_item, "person") == [
        ("Camille Durand", {"role": "host", "href": "https://example.org/camille"}),
        ("Inès Moreau", {"role": "guest", "img": "https://example.org/ines.jpg"}),
    ]
    assert tags(alone_item, "person") == []


def test_feedparser_reads_the_items_tags():
    fg = new_feed()
    fe = new_item(fg)
    fe.podcastindex.season(1)
    fe.podcastindex.episode(3)
    fe.podcastindex.chapters("https://example.org/episodes/001-portage/chapters.json")
    fe.podcastindex.soundbite(1234.5, 42.25, "Pourquoi")
    fe.podcastindex.transcript("https://example.org/episodes/001-portage/transcript.vtt", "text/vtt", "fr", "captions")
    fe.podcastindex.alternate_enclosure("https://example.org/audio/001-portage.m4a", "audio/mp4", 2000, 64000, "AAC")
    parsed = feedparser.parse(fg.rss_str())
    assert not parsed.bozo, parsed.get("bozo_exception")
    [entry] = parsed.entries
    assert (entry.podcast_season, entry.podcast_episode) == ("1", "3")
    assert entry.podcast_chapters == {"url": "https://example.org/episodes/001-portage/chapters.json", "type": "application/json+chapters"}
    assert entry.podcast_soundbite == {"starttime": "1234.5", "duration": "42.25"}  # feedparser lower-cases attribute names
    assert entry.podcast_transcript == {
        "url": "https://example.org/episodes/001-portage/transcript.vtt",
        "type": "text/vtt",
        "language": "fr",
        "rel": "captions",
    }
    assert entry.podcast_alternateenclosure == {"type": "audio/mp4", "length": "2000", "bitrate": "64000", "title": "AAC"}
    assert entry.podcast_source == {"uri": "https://example.org/audio/001-portage.m4a"}


def test_a_feed_with_a_trailer_renders_twice_the_same():
    fg = new_feed()
    fg.podcastindex.trailer("Bientôt", "https://example.org/a.mp3", "Mon, 05 Jan 2026 08:00:00 +0000", 1, "audio/mpeg")
    assert fg.rss_str() == fg.rss_str()
