"""The feed linter: a clean public/ written by hand, then one mistake at a time.

Every expected value here is worked out by hand or measured by another tool: the MP3s are
ffmpeg's sine of a duration we ask for, the sizes are what the file system says, and feed.xml
is a string written below, not the output of the product's feed builder.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest
from click.testing import CliRunner
from PIL import Image

import pipeline.build

from pipeline.build import build
from pipeline.cli import cli
from pipeline.config import load_show
from pipeline.layout import PublicLayout
from pipeline.feed.lint import RULES, Finding, format_findings, lint
from pipeline.feed.rules import html_problems
from pipeline.records import Person, Segment, Show, Transcript, Word
from pipeline.text.writers import PUBLISHED, get_writer
from tests.conftest import REPO, without_whisper

ERROR, WARNING = "error", "warning"  # the levels `podcast check` prints
BASE = "https://example.org/podcast/"
FIRST, SECOND = "Premier épisode", "Deuxième épisode"
FIRST_SECONDS, SECOND_SECONDS = 20, 3  # what ffmpeg is asked for

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n<v Camille Durand>Bonjour à toutes et à tous.\n"
SRT = "1\n00:00:00,000 --> 00:00:02,500\nBonjour à toutes et à tous.\n"
TRANSCRIPT_JSON = {"version": "1.0.0", "segments": [{"speaker": "Camille Durand", "startTime": 0.0, "endTime": 2.5, "body": "Bonjour à toutes et à tous."}]}
CHAPTERS = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}, {"startTime": 10.5, "title": "Le TJM"}]}

FEED = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0"
     xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">
  <channel>
    <title>Freelance.Family</title>
    <link>https://example.org/podcast/</link>
    <description>Des freelances racontent leur métier.</description>
    <language>fr</language>
    <itunes:author>Camille Durand</itunes:author>
    <itunes:owner><itunes:name>Camille Durand</itunes:name><itunes:email>camille@example.org</itunes:email></itunes:owner>
    <itunes:image href="https://example.org/podcast/artwork.png"/>
    <itunes:category text="Business"><itunes:category text="Careers"/></itunes:category>
    <itunes:category text="Society &amp; Culture"/>
    <itunes:explicit>false</itunes:explicit>
    <itunes:type>episodic</itunes:type>
    <podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>
    <podcast:locked owner="camille@example.org">no</podcast:locked>
    <podcast:license>CC-BY-4.0</podcast:license>
    <podcast:medium>podcast</podcast:medium>
    <podcast:funding url="https://example.org/soutenir">Soutenir l'émission</podcast:funding>
    <podcast:person role="host" href="https://example.org/camille">Camille Durand</podcast:person>
    <item>
      <title>Premier épisode</title>
      <link>https://example.org/podcast/episodes/001-premier/</link>
      <guid isPermaLink="false">4da6df53-8d88-5a78-ba32-054bad9eee80</guid>
      <description>&lt;p&gt;Avec &lt;strong&gt;Inès Moreau&lt;/strong&gt;.&lt;/p&gt;</description>
      <content:encoded><![CDATA[<p>Avec <strong>Inès Moreau</strong>.</p><ul><li>Le TJM<li>Le portage</ul>]]></content:encoded>
      <pubDate>Mon, 02 Feb 2026 08:30:00 +0100</pubDate>
      <enclosure url="https://example.org/podcast/audio/001-premier.mp3" length="{first_length}" type="audio/mpeg"/>
      <itunes:duration>20</itunes:duration>
      <itunes:explicit>false</itunes:explicit>
      <itunes:episodeType>full</itunes:episodeType>
      <itunes:episode>1</itunes:episode>
      <itunes:season>1</itunes:season>
      <itunes:image href="https://example.org/podcast/episodes/001-premier/cover.jpg"/>
      <podcast:season name="Saison un">1</podcast:season>
      <podcast:episode display="Ép. 1">1</podcast:episode>
      <podcast:transcript url="https://example.org/podcast/episodes/001-premier/transcript.vtt" type="text/vtt" language="fr"/>
      <podcast:transcript url="https://example.org/podcast/episodes/001-premier/transcript.srt" type="application/x-subrip" rel="captions"/>
      <podcast:transcript url="https://example.org/podcast/episodes/001-premier/transcript.json" type="application/json"/>
      <podcast:transcript url="https://example.org/podcast/episodes/001-premier/transcript.txt" type="text/plain"/>
      <podcast:chapters url="https://example.org/podcast/episodes/001-premier/chapters.json" type="application/json+chapters"/>
      <podcast:soundbite startTime="2.5" duration="15.0">Pourquoi le TJM</podcast:soundbite>
      <podcast:alternateEnclosure type="audio/mpeg" length="{first_length}" bitrate="64000" default="true" title="MP3">
        <podcast:source uri="https://example.org/podcast/audio/001-premier.mp3"/>
        <podcast:source uri="ipfs://QmdwGqd3d2gFPGeJNLLCshdiPert45fMu84552Y4XHTy4y"/>
      </podcast:alternateEnclosure>
      <podcast:person role="guest" group="cast">Inès Moreau</podcast:person>
      <podcast:person role="host">Camille Durand</podcast:person>
    </item>
    <item>
      <title>Deuxième épisode</title>
      <guid isPermaLink="false">0c4f37a1-2b4e-5d0a-9a66-3d2e7f1b8c90</guid>
      <description>Une suite, sans balises.</description>
      <pubDate>Mon, 09 Feb 2026 08:30:00 +0100</pubDate>
      <enclosure url="https://example.org/podcast/audio/002-suite.mp3" length="{second_length}" type="audio/mpeg"/>
      <itunes:duration>0:03</itunes:duration>
      <itunes:explicit>true</itunes:explicit>
      <itunes:episodeType>bonus</itunes:episodeType>
    </item>
  </channel>
</rss>
"""


def sine_mp3(path: Path, seconds: int) -> Path:
    """An MP3 of `seconds` of a 440 Hz sine, made by ffmpeg's lavfi (a LAME header: the true duration)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:duration={seconds}",
        "-ac",
        "1",
        "-b:a",
        "64k",
        str(path),
    ]
    subprocess.run(command, check=True)
    return path


@pytest.fixture(scope="module")
def audio(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("audio")
    sine_mp3(folder / "001-premier.mp3", FIRST_SECONDS)
    sine_mp3(folder / "002-suite.mp3", SECOND_SECONDS)
    return folder


class Site:
    """A show's public/ in a temporary folder, with the feed above; `seed` puts one mistake in."""

    def __init__(self, root: Path, audio: Path) -> None:
        self.public = root / "public"
        shutil.copytree(audio, self.public / "audio")
        Image.new("RGB", (1400, 1400), (200, 120, 40)).save(self.public / "artwork.png")
        episode = self.public / "episodes" / "001-premier"
        episode.mkdir(parents=True)
        Image.new("RGB", (1400, 1400), (40, 120, 200)).save(episode / "cover.jpg", "JPEG")
        (episode / "transcript.vtt").write_text(VTT, encoding="utf-8")
        (episode / "transcript.srt").write_text(SRT, encoding="utf-8")
        (episode / "transcript.json").write_text(json.dumps(TRANSCRIPT_JSON), encoding="utf-8")
        (episode / "transcript.txt").write_text("Bonjour à toutes et à tous.\n", encoding="utf-8")
        (episode / "chapters.json").write_text(json.dumps(CHAPTERS), encoding="utf-8")
        self.feed = FEED.replace("{first_length}", str((self.public / "audio" / "001-premier.mp3").stat().st_size))
        self.feed = self.feed.replace("{second_length}", str((self.public / "audio" / "002-suite.mp3").stat().st_size))
        self.write()
        self.layout = PublicLayout(
            Show(
                root=root,
                title="Freelance.Family",
                description="Des freelances racontent leur métier.",
                language="fr",
                author="Camille Durand",
                owner=Person("Camille Durand", email="camille@example.org"),
                base_url=BASE,
                categories=(("Business", "Careers"),),
                artwork=self.public / "artwork.png",
            )
        )

    def write(self) -> None:
        (self.public / "feed.xml").write_text(self.feed, encoding="utf-8")

    def seed(self, old: str, new: str, count: int = 1) -> None:
        assert self.feed.count(old) >= count, f"{old!r} is not in the feed"
        self.feed = self.feed.replace(old, new, count)
        self.write()

    def findings(self) -> list[Finding]:
        return lint(self.layout)

    def found(self) -> list[tuple[str, str, str]]:
        return [(f.level, f.where, f.tag) for f in self.findings()]


@pytest.fixture
def site(tmp_path, audio) -> Site:
    return Site(tmp_path / "show", audio)


def test_a_clean_feed_has_no_findings(site):
    assert site.findings() == []


def test_every_rule_has_a_summary_and_a_source():
    assert len({r.name for r in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.summary and rule.source and set(rule.levels.split(", ")) <= {ERROR, WARNING}, rule.name


# One mistake each: (what is in the clean feed, what replaces it, the one finding expected).
CHANNEL_MISTAKES = {
    "no artwork": ('<itunes:image href="https://example.org/podcast/artwork.png"/>', "", (ERROR, "itunes:image")),
    "no title": ("<title>Freelance.Family</title>", "<title> </title>", (ERROR, "title")),
    "no link": ("<link>https://example.org/podcast/</link>", "", (ERROR, "link")),
    "explicit yes": (
        "<itunes:explicit>false</itunes:explicit>\n    <itunes:type>",
        "<itunes:explicit>yes</itunes:explicit>\n    <itunes:type>",
        (ERROR, "itunes:explicit"),
    ),
    "no author": ("<itunes:author>Camille Durand</itunes:author>", "", (WARNING, "itunes:author")),
    "no owner's email": ("<itunes:email>camille@example.org</itunes:email>", "", (WARNING, "itunes:owner")),
}


@pytest.mark.parametrize("old, new, expected", CHANNEL_MISTAKES.values(), ids=CHANNEL_MISTAKES.keys())
def test_channel_tags(site, old, new, expected):
    site.seed(old, new)
    assert site.found() == [(expected[0], "channel", expected[1])]


def test_channel_without_any_category(site):
    site.seed('<itunes:category text="Society &amp; Culture"/>', "")
    site.seed('<itunes:category text="Business"><itunes:category text="Careers"/></itunes:category>', "")
    assert site.found() == [(ERROR, "channel", "itunes:category")]


ITEM_MISTAKES = {
    "no guid": ('<guid isPermaLink="false">0c4f37a1-2b4e-5d0a-9a66-3d2e7f1b8c90</guid>', "", (ERROR, SECOND, "guid")),
    "no enclosure type": ('type="audio/mpeg"/>\n      <itunes:duration>0:03', "/>\n      <itunes:duration>0:03", (ERROR, SECOND, "enclosure")),
    "no title": ("<title>Deuxième épisode</title>", "", (ERROR, "0c4f37a1-2b4e-5d0a-9a66-3d2e7f1b8c90", "title")),
    "pubDate not RFC 2822": ("Mon, 09 Feb 2026 08:30:00 +0100", "2026-02-09", (ERROR, SECOND, "pubDate")),
    "no pubDate": ("<pubDate>Mon, 09 Feb 2026 08:30:00 +0100</pubDate>", "", (WARNING, SECOND, "pubDate")),
    "no description": ("<description>Une suite, sans balises.</description>", "", (WARNING, SECOND, "description")),
    "no duration": ("<itunes:duration>0:03</itunes:duration>", "", (WARNING, SECOND, "itunes:duration")),
    "duration not a duration": ("<itunes:duration>0:03</itunes:duration>", "<itunes:duration>3 min</itunes:duration>", (ERROR, SECOND, "itunes:duration")),
    "no explicit": ("<itunes:explicit>true</itunes:explicit>", "", (WARNING, SECOND, "itunes:explicit")),
    "show type capitalised": ("<itunes:type>episodic<", "<itunes:type>Serial<", (ERROR, "channel", "itunes:type")),
    "episode type unknown": ("<itunes:episodeType>bonus<", "<itunes:episodeType>extra<", (ERROR, SECOND, "itunes:episodeType")),
    "episode number zero": ("<itunes:episode>1<", "<itunes:episode>0<", (ERROR, FIRST, "itunes:episode")),
    "season number not a number": ("<itunes:season>1<", "<itunes:season>un<", (ERROR, FIRST, "itunes:season")),
}


@pytest.mark.parametrize("old, new, expected", ITEM_MISTAKES.values(), ids=ITEM_MISTAKES.keys())
def test_item_tags(site, old, new, expected):
    site.seed(old, new)
    assert site.found() == [expected]


def test_a_serial_show_numbers_its_full_episodes(site):
    site.seed("<itunes:type>episodic<", "<itunes:type>serial<")
    assert site.found() == []  # the first is numbered; the second, a bonus, need not be
    site.seed("<itunes:episode>1</itunes:episode>", "")
    assert site.found() == [(ERROR, FIRST, "itunes:episode")]


def test_artwork_of_an_episode_in_cmyk(site):
    Image.new("CMYK", (1400, 1400)).save(site.public / "episodes" / "001-premier" / "cover.jpg", "JPEG")
    [finding] = site.findings()
    assert (finding.level, finding.where, finding.tag) == (ERROR, FIRST, "itunes:image")
    assert "CMYK" in finding.message and "cover.jpg" in finding.message


def test_artwork_of_the_show_too_small(site):
    Image.new("RGB", (1200, 1200)).save(site.public / "artwork.png")
    [finding] = site.findings()
    assert (finding.level, finding.where, finding.tag) == (ERROR, "channel", "itunes:image")
    assert "1200×1200" in finding.message


def test_artwork_missing(site):
    (site.public / "episodes" / "001-premier" / "cover.jpg").unlink()
    assert site.found() == [(ERROR, FIRST, "itunes:image")]


def test_channel_description_over_4000_bytes(site):
    site.seed("Des freelances racontent leur métier.", "é" * 2000 + "ab")  # 4002 bytes in UTF-8
    assert site.found() == [(ERROR, "channel", "description")]


def test_channel_description_of_exactly_4000_bytes_is_fine(site):
    site.seed("Des freelances racontent leur métier.", "é" * 2000)
    assert site.found() == []


def test_html_mismatched_in_show_notes(site):
    site.seed("<p>Avec <strong>Inès Moreau</strong>.</p>", "<p>Avec <strong>Inès Moreau</p>.")
    [finding] = site.findings()
    assert (finding.level, finding.where, finding.tag) == (WARNING, FIRST, "content:encoded")
    assert "</p> while <strong> is still open" in finding.message


def test_html_unclosed_in_an_escaped_description(site):
    site.seed("&lt;/strong&gt;.&lt;/p&gt;</description>", ".&lt;/p&gt;</description>")
    assert site.found() == [(WARNING, FIRST, "description")]


def test_html_problems_name_the_tags():
    assert html_problems("<p>ok</p><ul><li>a<li>b</ul><br><section>s</section> a < b & c") == []
    assert html_problems("<b>gras") == ["<b> is never closed"]
    assert html_problems("texte</em>") == ["</em> closes nothing"]


def test_duplicate_guid(site):
    site.seed("0c4f37a1-2b4e-5d0a-9a66-3d2e7f1b8c90", "4da6df53-8d88-5a78-ba32-054bad9eee80")
    [finding] = site.findings()
    assert (finding.level, finding.where, finding.tag) == (ERROR, SECOND, "guid")
    assert FIRST in finding.message


def test_duplicate_enclosure(site):
    # The second item copied the first's enclosure (and duration, so that only the copy is wrong).
    second = site.public / "audio" / "002-suite.mp3"
    site.seed(f'002-suite.mp3" length="{second.stat().st_size}"', f'001-premier.mp3" length="{(site.public / "audio" / "001-premier.mp3").stat().st_size}"')
    site.seed("<itunes:duration>0:03</itunes:duration>", "<itunes:duration>20</itunes:duration>")
    assert site.found() == [(ERROR, SECOND, "enclosure")]


def test_enclosure_length_is_not_the_files_size(site):
    size = (site.public / "audio" / "002-suite.mp3").stat().st_size
    site.seed(f'length="{size}"', f'length="{size + 1}"')
    [finding] = site.findings()
    assert (finding.level, finding.where, finding.tag) == (ERROR, SECOND, "enclosure")
    assert f"{size + 1}" in finding.message and f"{size} bytes" in finding.message


def test_enclosure_not_reachable(site):
    (site.public / "audio" / "002-suite.mp3").unlink()
    [finding] = site.findings()
    assert (finding.level, finding.where, finding.tag) == (ERROR, SECOND, "enclosure")
    assert "public/audio/002-suite.mp3 does not exist" in finding.message


def test_enclosure_elsewhere_cannot_be_checked(site):
    site.seed("https://example.org/podcast/audio/002-suite.mp3", "https://cdn.example.net/002-suite.mp3")
    assert site.found() == [(WARNING, SECOND, "enclosure")]


def test_duration_differs_from_the_mp3(site):
    site.seed("<itunes:duration>20</itunes:duration>", "<itunes:duration>22</itunes:duration>")
    [finding] = site.findings()
    assert (finding.level, finding.where, finding.tag) == (ERROR, FIRST, "itunes:duration")
    assert "says 22 s" in finding.message and "20.0 s" in finding.message


def test_duration_within_a_second_is_fine(site):
    site.seed("<itunes:duration>20</itunes:duration>", "<itunes:duration>00:00:21</itunes:duration>")
    assert site.found() == []


@pytest.mark.parametrize("code", ["francais", "fr_FR", "xx"])
def test_language_not_a_code(site, code):
    site.seed("<language>fr</language>", f"<language>{code}</language>")
    assert site.found() == [(ERROR, "channel", "language")]


def test_language_with_a_region(site):
    site.seed("<language>fr</language>", "<language>fr-CA</language>")
    assert site.found() == []


def test_category_off_apples_list(site):
    site.seed('<itunes:category text="Careers"/>', '<itunes:category text="Carreers"/>')
    [finding] = site.findings()
    assert (finding.level, finding.where, finding.tag) == (ERROR, "channel", "itunes:category")
    assert "'Carreers' is not a subcategory of 'Business'" in finding.message


PODCAST_MISTAKES = {
    "guid not a UUID": (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810",
        "freelance-family",
        (ERROR, "channel", "podcast:guid", "'freelance-family' is not a UUIDv5 (36 characters, four hyphens, version 5)"),
    ),
    "guid a UUIDv4": (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810",
        "917393e3-1b1e-4cef-ace4-edaa54e1f810",
        (ERROR, "channel", "podcast:guid", "'917393e3-1b1e-4cef-ace4-edaa54e1f810' is not a UUIDv5 (36 characters, four hyphens, version 5)"),
    ),
    "guid twice": (
        "<podcast:medium>",
        "<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid><podcast:medium>",
        (ERROR, "channel", "podcast:guid", "appears more than once in <channel>; the spec allows one"),
    ),
    "guid in an item": (
        "<podcast:season",
        "<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid><podcast:season",
        (ERROR, FIRST, "podcast:guid", "is inside <item>; the spec puts it in <channel>"),
    ),
    "locked true": ('camille@example.org">no<', 'camille@example.org">true<', (ERROR, "channel", "podcast:locked", "is 'true'; the spec takes yes or no")),
    "locked owner not an email": (
        'owner="camille@example.org"',
        'owner="Camille"',
        (WARNING, "channel", "podcast:locked", "owner 'Camille' is not an email address"),
    ),
    "custom license without url": (
        ">CC-BY-4.0<",
        ">my-license-v1<",
        (
            ERROR,
            "channel",
            "podcast:license",
            "'my-license-v1' is not on the spec's list (ARR, CC-BY-4.0, CC-BY-NC-4.0, CC-BY-NC-ND-4.0, POD-V4V-1.0): "
            "a custom license needs a url attribute to its full text",
        ),
    ),
    "medium capitalised": (
        ">podcast</podcast:medium>",
        ">Podcast</podcast:medium>",
        (
            ERROR,
            "channel",
            "podcast:medium",
            "'Podcast' is not a medium of the spec (audiobook, audiobookL, blog, blogL, course, courseL, film, filmL, mixed, "
            "music, musicL, newsletter, newsletterL, podcast, podcastL, publisher, publisherL, video, videoL)",
        ),
    ),
    "license empty": (">CC-BY-4.0<", "> <", (ERROR, "channel", "podcast:license", "is empty; name the license")),
    "funding without url": (
        '<podcast:funding url="https://example.org/soutenir">',
        "<podcast:funding>",
        (ERROR, "channel", "podcast:funding", "has no url attribute, which the spec requires"),
    ),
    "funding text too long": (
        "Soutenir l'émission",
        "x" * 129,
        (WARNING, "channel", "podcast:funding", "its text has 129 characters; the spec asks for 128 at most (aggregators may cut it)"),
    ),
    "person with no name": (
        'role="host" href="https://example.org/camille">Camille Durand<',
        'role="host" href="https://example.org/camille"><',
        (ERROR, "channel", "podcast:person", "has no name; the spec says it cannot be blank"),
    ),
    "person role off the taxonomy": (
        'role="guest" group="cast"',
        'role="invitée" group="cast"',
        (WARNING, FIRST, "podcast:person", "Inès Moreau: role 'invitée' is not in the Podcast Taxonomy Project's list"),
    ),
    "person role of another group": (
        'role="guest" group="cast"',
        'role="guest" group="writing"',
        (WARNING, FIRST, "podcast:person", "Inès Moreau: role 'guest' is not in the group 'writing'"),
    ),
    "transcript without type": (
        'transcript.txt" type="text/plain"',
        'transcript.txt"',
        (ERROR, FIRST, "podcast:transcript", "has no type attribute, which the spec requires"),
    ),
    "transcript without url": (
        ' url="https://example.org/podcast/episodes/001-premier/transcript.vtt"',
        "",
        (ERROR, FIRST, "podcast:transcript", "has no url attribute, which the spec requires"),
    ),
    "transcript type unknown": (
        'transcript.txt" type="text/plain"',
        'transcript.txt" type="text/markdown"',
        (
            WARNING,
            FIRST,
            "podcast:transcript",
            "type 'text/markdown' is none of the spec's (text/plain, text/html, text/vtt, application/json, application/x-subrip)",
        ),
    ),
    "chapters type not json+chapters": (
        'type="application/json+chapters"',
        'type="application/json"',
        (WARNING, FIRST, "podcast:chapters", "type 'application/json'; the spec's JSON chapters are 'application/json+chapters'"),
    ),
    "chapters without type": (
        ' type="application/json+chapters"',
        "",
        (ERROR, FIRST, "podcast:chapters", "has no type attribute, which the spec requires"),
    ),
    "chapters without url": (
        '<podcast:chapters url="https://example.org/podcast/episodes/001-premier/chapters.json"',
        "<podcast:chapters",
        (ERROR, FIRST, "podcast:chapters", "has no url attribute, which the spec requires"),
    ),
    "soundbite start_time": (
        'startTime="2.5"',
        'start_time="2.5"',
        (ERROR, FIRST, "podcast:soundbite", "has no startTime attribute, which the spec requires (it has 'start_time': attribute names are case-sensitive)"),
    ),
    "soundbite too short": ('duration="15.0"', 'duration="10"', (WARNING, FIRST, "podcast:soundbite", "lasts 10 s; the spec recommends 15 to 120 s")),
    "soundbite start not a number": (
        'startTime="2.5"',
        'startTime="0:02.5"',
        (ERROR, FIRST, "podcast:soundbite", "startTime '0:02.5' is not a number of seconds"),
    ),
    "soundbite duration not a number": (
        'duration="15.0"',
        'duration="15 s"',
        (ERROR, FIRST, "podcast:soundbite", "duration '15 s' is not a number of seconds"),
    ),
    "soundbite unknown attribute": (
        'duration="15.0">',
        'duration="15.0" title="TJM">',
        (WARNING, FIRST, "podcast:soundbite", "has an attribute 'title' the spec does not define; apps ignore it"),
    ),
    "season not an integer": ('name="Saison un">1<', 'name="Saison un">un<', (ERROR, FIRST, "podcast:season", "'un' is not a season number (an integer)")),
    "episode not a number": (
        'display="Ép. 1">1<',
        'display="Ép. 1">1a<',
        (ERROR, FIRST, "podcast:episode", "'1a' is not an episode number (a decimal number)"),
    ),
    "episode display too long": (
        'display="Ép. 1"',
        f'display="{"x" * 33}"',
        (WARNING, FIRST, "podcast:episode", "its display has 33 characters; the spec asks for 32 at most (aggregators may cut it)"),
    ),
    "alternateEnclosure height with a unit": (
        'bitrate="64000"',
        'bitrate="64000" height="720p"',
        (ERROR, FIRST, "podcast:alternateEnclosure", "height '720p' is not a number"),
    ),
    "alternateEnclosure bitrate with a unit": (
        'bitrate="64000"',
        'bitrate="64 kb/s"',
        (ERROR, FIRST, "podcast:alternateEnclosure", "bitrate '64 kb/s' is not a number"),
    ),
    "funding over http": (
        'url="https://example.org/soutenir"',
        'url="http://example.org/soutenir"',
        (ERROR, "channel", "podcast:funding", "url http://example.org/soutenir must use https:, not http:"),
    ),
    "person href over http": (
        'role="host" href="https://example.org/camille"',
        'role="host" href="http://example.org/camille"',
        (ERROR, "channel", "podcast:person", "href http://example.org/camille must use https:, not http:"),
    ),
    "person img over http": (  # 1.0.md: every address in a podcast: tag, img too
        'role="host" href="https://example.org/camille"',
        'role="host" href="https://example.org/camille" img="http://example.org/camille.jpg"',
        (ERROR, "channel", "podcast:person", "img http://example.org/camille.jpg must use https:, not http:"),
    ),
    "alternateEnclosure without type": (
        '<podcast:alternateEnclosure type="audio/mpeg"',
        "<podcast:alternateEnclosure",
        (ERROR, FIRST, "podcast:alternateEnclosure", "has no type attribute, which the spec requires"),
    ),
}


@pytest.mark.parametrize("old, new, expected", PODCAST_MISTAKES.values(), ids=PODCAST_MISTAKES.keys())
def test_podcast_tags(site, old, new, expected):
    site.seed(old, new)
    assert [(f.level, f.where, f.tag, f.message) for f in site.findings()] == [expected]


@pytest.mark.parametrize("written", ["start_time", "start-time", "StartTime"])
def test_soundbite_misnamed_attribute_is_named(site, written):
    site.seed('startTime="2.5"', f'{written}="2.5"')
    [finding] = site.findings()
    assert finding.message.endswith(f"has no startTime attribute, which the spec requires (it has {written!r}: attribute names are case-sensitive)")


def test_alternate_enclosure_without_source(site):
    site.seed('<podcast:source uri="https://example.org/podcast/audio/001-premier.mp3"/>', "")
    site.seed('<podcast:source uri="ipfs://QmdwGqd3d2gFPGeJNLLCshdiPert45fMu84552Y4XHTy4y"/>', "")
    assert _messages(site) == [(ERROR, FIRST, "podcast:alternateEnclosure", 'has no <podcast:source uri="…">; the spec requires at least one')]


def test_alternate_enclosure_source_without_uri(site):
    site.seed('<podcast:source uri="ipfs://QmdwGqd3d2gFPGeJNLLCshdiPert45fMu84552Y4XHTy4y"/>', "<podcast:source/>")
    assert _messages(site) == [(ERROR, FIRST, "podcast:source", "has no uri attribute, which the spec requires")]


def test_alternate_enclosure_source_over_http_elsewhere_is_named_as_not_checked(site):
    # An http:// source is a web file the linter could look for, unlike ipfs://: it says it
    # did not, besides refusing the plain http.
    site.seed('<podcast:source uri="ipfs://QmdwGqd3d2gFPGeJNLLCshdiPert45fMu84552Y4XHTy4y"/>', '<podcast:source uri="http://mirror.example.net/001.mp3"/>')
    assert [(f.level, f.message) for f in site.findings()] == [
        (WARNING, "http://mirror.example.net/001.mp3 is not under base_url https://example.org/podcast/: not checked"),
        (ERROR, "uri http://mirror.example.net/001.mp3 must use https:, not http:"),
    ]


def test_alternate_enclosure_length_is_not_the_files_size(site):
    size = (site.public / "audio" / "001-premier.mp3").stat().st_size
    site.seed(f'type="audio/mpeg" length="{size}" bitrate', f'type="audio/mpeg" length="{size - 1}" bitrate')
    assert _messages(site) == [(ERROR, FIRST, "podcast:source", f"its alternateEnclosure's length is {size - 1} but 001-premier.mp3 has {size} bytes")]


def test_https_is_asked_of_podcast_tags_only(site):
    """RSS 2.0's own <source url> may point over http: the rule is the Podcasting 2.0 namespace's."""
    site.seed("<itunes:episodeType>full", '<source url="http://example.org/autre/feed.xml">Autre</source><itunes:episodeType>full')
    assert _messages(site) == []


def test_a_transcript_not_there_leaves_the_next_ones_checked(site):
    (site.public / "episodes" / "001-premier" / "transcript.vtt").unlink()
    (site.public / "episodes" / "001-premier" / "transcript.json").write_text("{}", encoding="utf-8")
    assert _messages(site) == [
        (
            ERROR,
            FIRST,
            "podcast:transcript",
            "https://example.org/podcast/episodes/001-premier/transcript.vtt is not reachable: public/episodes/001-premier/transcript.vtt does not exist",
        ),
        (ERROR, FIRST, "podcast:transcript", 'transcript.json (application/json): has no "version" (a string), which a Podcasting 2.0 JSON transcript needs'),
    ]


def test_alternate_enclosure_of_a_height_in_pixels(site):
    site.seed('bitrate="64000"', 'bitrate="64000" height="720"')
    assert _messages(site) == []


def test_each_source_of_an_alternate_enclosure_is_checked_after_one_elsewhere(site):
    """An ipfs:// source first, then one in public/ that is not there."""
    site.seed('<podcast:source uri="https://example.org/podcast/audio/001-premier.mp3"/>', "")
    site.seed(
        '<podcast:source uri="ipfs://QmdwGqd3d2gFPGeJNLLCshdiPert45fMu84552Y4XHTy4y"/>',
        '<podcast:source uri="ipfs://QmdwGqd3d2gFPGeJNLLCshdiPert45fMu84552Y4XHTy4y"/><podcast:source uri="https://example.org/podcast/audio/001.mp3"/>',
    )
    assert _messages(site) == [
        (
            ERROR,
            FIRST,
            "podcast:source",
            "https://example.org/podcast/audio/001.mp3 is not reachable: public/audio/001.mp3 does not exist",
        )
    ]


def test_alternate_enclosure_without_length(site):
    size = (site.public / "audio" / "001-premier.mp3").stat().st_size
    site.seed(f'type="audio/mpeg" length="{size}" bitrate', 'type="audio/mpeg" bitrate')
    assert _messages(site) == [(WARNING, FIRST, "podcast:alternateEnclosure", "has no length; the spec recommends the file's size in bytes")]


def test_alternate_enclosure_length_in_other_units(site):
    size = (site.public / "audio" / "001-premier.mp3").stat().st_size
    site.seed(f'type="audio/mpeg" length="{size}" bitrate', 'type="audio/mpeg" length="1 Mo" bitrate')
    assert _messages(site) == [(ERROR, FIRST, "podcast:alternateEnclosure", "length '1 Mo' is not a number of bytes")]


TRANSCRIPT_FILES = {
    "vtt without header": ("transcript.vtt", VTT.replace("WEBVTT\n", ""), r"does not start with the WEBVTT header"),
    "vtt header glued": ("transcript.vtt", VTT.replace("WEBVTT", "WEBVTTX"), r"does not start with the WEBVTT header"),
    "vtt timing with commas": (
        "transcript.vtt",
        VTT.replace("00:00:02.500", "00:00:02,500"),
        r"line 3 is not a cue timing \(00:00:01\.000 --> 00:00:04\.000\)",
    ),
    "srt garbage": ("transcript.srt", "Bonjour\n" + SRT, r"is not SubRip: .+"),
    "json without segments": ("transcript.json", json.dumps({"version": "1.0.0"}), r'has no "segments" list, which a Podcasting 2\.0 JSON transcript needs'),
    "json not json": ("transcript.json", "{'version': '1.0.0'}", r"is not JSON: .+"),
    "json segment without start": ("transcript.json", json.dumps({"version": "1.0.0", "segments": [{"body": "x"}]}), r"segments #1 has no numeric startTime"),
    "text not utf-8": ("transcript.txt", None, r"is not UTF-8 text"),
    "json segment a string": ("transcript.json", json.dumps({"version": "1.0.0", "segments": ["Bonjour"]}), r"segments #1 has no numeric startTime"),
    "json second segment": (
        "transcript.json",
        json.dumps({"version": "1.0.0", "segments": [{"startTime": 0}, {"startTime": "1"}]}),
        r"segments #2 has no numeric startTime",
    ),
}


@pytest.mark.parametrize("name, content, said", TRANSCRIPT_FILES.values(), ids=TRANSCRIPT_FILES.keys())
def test_transcript_files(site, name, content, said):
    path = site.public / "episodes" / "001-premier" / name
    if content is None:
        path.write_bytes("Café".encode("latin-1"))
    else:
        path.write_text(content, encoding="utf-8")
    [finding] = site.findings()
    assert (finding.level, finding.where, finding.tag) == (ERROR, FIRST, "podcast:transcript")
    # "transcript.vtt (text/vtt): does not start with the WEBVTT header"
    assert re.fullmatch(re.escape(name) + r" \([a-z/-]+\): " + said, finding.message), finding.message


def test_a_vtt_transcript_may_start_with_a_byte_order_mark(site):
    # WebVTT lets a file start with U+FEFF (Windows editors write one) before "WEBVTT".
    (site.public / "episodes" / "001-premier" / "transcript.vtt").write_text("\ufeff" + VTT, encoding="utf-8")
    assert site.found() == []


def test_the_pipelines_own_transcripts_pass(site):
    words = (Word(0.0, 0.4, " Bonjour"), Word(0.5, 1.2, " à"), Word(1.3, 2.5, " toutes."))
    transcript = Transcript("fr", 20.0, (Segment(0.0, 2.5, "Bonjour à toutes.", words, "Camille Durand"), Segment(3.0, 4.0, "Et à tous.", (), "Inès Moreau")))
    for kind, name in PUBLISHED.items():
        (site.public / "episodes" / "001-premier" / name).write_text(get_writer(kind).write(transcript), encoding="utf-8")
    assert site.found() == []


def test_transcript_not_reachable(site):
    (site.public / "episodes" / "001-premier" / "transcript.srt").unlink()
    assert site.found() == [(ERROR, FIRST, "podcast:transcript")]


NO_VERSION = 'chapters.json: has no "version" (a string), which a JSON chapters file needs'
CHAPTERS_FILES = {
    "no version": ({"chapters": CHAPTERS["chapters"]}, NO_VERSION),
    "version a number": ({"version": 1.2, "chapters": CHAPTERS["chapters"]}, NO_VERSION),
    "no chapters": ({"version": "1.2.0"}, 'chapters.json: has no "chapters" list, which a JSON chapters file needs'),
    "startTime a string": ({"version": "1.2.0", "chapters": [{"startTime": "0", "title": "Intro"}]}, "chapters.json: chapters #1 has no numeric startTime"),
}


@pytest.mark.parametrize("data, said", CHAPTERS_FILES.values(), ids=CHAPTERS_FILES.keys())
def test_chapters_file(site, data, said):
    (site.public / "episodes" / "001-premier" / "chapters.json").write_text(json.dumps(data), encoding="utf-8")
    assert _messages(site) == [(ERROR, FIRST, "podcast:chapters", said)]


def test_chapters_out_of_order(site):
    chapters = {"version": "1.2.0", "chapters": list(reversed(CHAPTERS["chapters"]))}
    (site.public / "episodes" / "001-premier" / "chapters.json").write_text(json.dumps(chapters), encoding="utf-8")
    assert _messages(site) == [(WARNING, FIRST, "podcast:chapters", "chapters.json: chapters are not in the order of their startTime")]


def test_a_chapters_file_not_in_utf8(site):
    (site.public / "episodes" / "001-premier" / "chapters.json").write_bytes(json.dumps(CHAPTERS, ensure_ascii=False).encode("utf-16"))
    assert _messages(site) == [(ERROR, FIRST, "podcast:chapters", "chapters.json is not UTF-8 text")]


def test_a_chapters_file_may_start_with_a_byte_order_mark(site):
    (site.public / "episodes" / "001-premier" / "chapters.json").write_text("\ufeff" + json.dumps(CHAPTERS), encoding="utf-8")
    assert _messages(site) == []


def test_chapters_typed_plain_json_are_read_as_chapters(site):
    """application/json: a type podcast_chapters warns of, whose file is still read."""
    site.seed('type="application/json+chapters"', 'type="application/json"')
    (site.public / "episodes" / "001-premier" / "chapters.json").write_text(json.dumps({"chapters": CHAPTERS["chapters"]}), encoding="utf-8")
    assert _messages(site) == [
        (WARNING, FIRST, "podcast:chapters", "type 'application/json'; the spec's JSON chapters are 'application/json+chapters'"),
        (ERROR, FIRST, "podcast:chapters", NO_VERSION),
    ]


@pytest.mark.parametrize("first", ["of another type", "not UTF-8", "without version"])
def test_the_next_episodes_chapters_are_read_after_a_bad_one(site, first):
    folder = site.public / "episodes" / "001-premier"
    if first == "of another type":
        site.seed('type="application/json+chapters"', 'type="text/html"')
    elif first == "not UTF-8":
        (folder / "chapters.json").write_bytes(json.dumps(CHAPTERS).encode("utf-16"))
    else:
        (folder / "chapters.json").write_text(json.dumps({"chapters": CHAPTERS["chapters"]}), encoding="utf-8")
    second = site.public / "episodes" / "002-suite"
    second.mkdir()
    (second / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": list(reversed(CHAPTERS["chapters"]))}), encoding="utf-8")
    site.seed(
        "<itunes:episodeType>bonus",
        '<podcast:chapters url="https://example.org/podcast/episodes/002-suite/chapters.json" type="application/json+chapters"/><itunes:episodeType>bonus',
    )
    assert (WARNING, SECOND, "podcast:chapters", "chapters.json: chapters are not in the order of their startTime") in _messages(site)


def test_chapters_not_reachable(site):
    (site.public / "episodes" / "001-premier" / "chapters.json").unlink()
    assert site.found() == [(ERROR, FIRST, "podcast:chapters")]


def test_a_feed_that_is_not_xml(site):
    site.seed("</channel>", "")
    assert site.found() == [(ERROR, "channel", "rss")]


def test_render_names_each_finding_and_counts():
    findings = [Finding(ERROR, FIRST, "enclosure", "length is 1"), Finding(WARNING, "channel", "itunes:author", "none")]
    text = format_findings(findings)
    assert text.splitlines() == [f"error   {FIRST} · enclosure: length is 1", "warning channel · itunes:author: none", "feed.xml: 1 error, 1 warning"]
    # On a terminal: errors red, warnings yellow, each back to the terminal's colour after its level.
    assert format_findings(findings, colour=True).splitlines()[:2] == [
        f"\x1b[31merror   \x1b[0m{FIRST} · enclosure: length is 1",
        "\x1b[33mwarning \x1b[0mchannel · itunes:author: none",
    ]
    assert format_findings([]) == "feed.xml: 0 errors, 0 warnings"


@pytest.fixture
def built(show_root, add_episode):
    """A show built from a tone (Whisper hears nothing in it), with one guest."""
    add_episode("001-premier", 'title = "Premier"\npublished = 2026-01-05\nnumber = 1\n[[guests]]\nname = "Inès Moreau"\nurl = "https://example.org/ines"\n')
    with without_whisper():
        report = build(show_root)
    assert report.ok, report.failures
    assert report.findings == []
    return show_root


def test_a_built_show_lints_clean(built):
    assert lint(PublicLayout(load_show(built))) == []


def test_check_lints_the_built_feed(built):
    feed = built / "public" / "feed.xml"
    text = feed.read_text(encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--root", str(built)], catch_exceptions=False)
    assert result.exit_code == 0 and "feed.xml: 0 warning(s)" in result.output

    feed.write_text(text.replace("<itunes:author>Camille Durand</itunes:author>", ""), encoding="utf-8")
    result = runner.invoke(cli, ["check", "--root", str(built)], catch_exceptions=False)
    assert result.exit_code == 0, result.output  # a warning is printed, not a failure
    assert "warning channel · itunes:author" in result.output

    feed.write_text(text.replace("<itunes:duration>4</itunes:duration>", "<itunes:duration>9</itunes:duration>"), encoding="utf-8")
    result = runner.invoke(cli, ["check", "--root", str(built)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "error   Premier · itunes:duration: says 9 s" in result.output and "feed.xml has 1 error(s)" in result.output


def test_build_reports_the_linters_errors_and_keeps_public(built, monkeypatch):
    before = sorted(p.relative_to(built) for p in (built / "public").rglob("*"))
    wrong = Finding(ERROR, "Premier", "enclosure", "length is 1 but 001-premier.mp3 has 2 bytes")
    monkeypatch.setattr(pipeline.build, "lint_built", lambda *args: [wrong])
    with without_whisper():
        result = CliRunner().invoke(cli, ["build", "--root", str(built)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "error   Premier · enclosure: length is 1" in result.output
    assert sorted(p.relative_to(built) for p in (built / "public").rglob("*")) == before


def test_the_readme_shows_every_rule_as_the_code_says():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"| `{rule.name}` | {rule.summary} | {rule.levels} | {rule.source} |" in readme, rule.name


def test_http_on_this_computer_is_a_preview(site):
    """`podcast serve` previews at http://localhost: not a published address, so no https finding."""
    site.seed('url="https://example.org/soutenir"', 'url="http://localhost:8000/soutenir"')
    site.seed('href="https://example.org/camille"', 'href="http://127.0.0.1:8000/camille"')
    assert site.found() == []


# Each numbered rule at its edge: exactly on it passes, just past it is found. The numbers are
# the README's linter table and the pages it cites, written here, not read from the product.


def _messages(site: Site) -> list[tuple[str, str, str, str]]:
    return [(f.level, f.where, f.tag, f.message) for f in site.findings()]


@pytest.mark.parametrize("seconds", ["15", "15.0", "60", "120", "120.0"])
def test_soundbite_of_15_to_120_s_is_fine(site, seconds):
    """podcast:soundbite's page: a duration "between 15 and 120 seconds", both ends included."""
    site.seed("<itunes:duration>20</itunes:duration>", "<itunes:duration>00:02:03</itunes:duration>")
    (site.public / "audio" / "001-premier.mp3").unlink()  # no file to measure: only the soundbite is judged
    site.seed('startTime="2.5" duration="15.0"', f'startTime="2.5" duration="{seconds}"')
    assert [(f.tag, f.message) for f in site.findings() if f.tag == "podcast:soundbite"] == []


@pytest.mark.parametrize("seconds", ["14.99", "0", "120.01", "121"])
def test_soundbite_outside_15_to_120_s_is_a_warning(site, seconds):
    """Just under 15 s and just over 120 s: a warning naming the length and the recommendation."""
    site.seed("<itunes:duration>20</itunes:duration>", "<itunes:duration>00:02:03</itunes:duration>")
    (site.public / "audio" / "001-premier.mp3").unlink()
    site.seed('startTime="2.5" duration="15.0"', f'startTime="2.5" duration="{seconds}"')
    found = [(f.level, f.where, f.message) for f in site.findings() if f.tag == "podcast:soundbite"]
    assert found == [(WARNING, FIRST, f"lasts {float(seconds):g} s; the spec recommends 15 to 120 s")]


@pytest.mark.parametrize("start, late", [("6.0", False), ("6.01", True)])
def test_soundbite_may_end_a_second_after_the_episode(site, start, late):
    """The 20-s episode (itunes:duration, whole seconds) holds a 15-s soundbite starting at 6 s
    (ends at 21 s: within the linter's second); at 6.01 s it ends after the episode."""
    site.seed('startTime="2.5"', f'startTime="{start}"')
    expected = [(WARNING, FIRST, "podcast:soundbite", f"ends at {float(start) + 15:g} s, after the episode (20 s)")] if late else []
    assert _messages(site) == expected


@pytest.mark.parametrize("duration, late", [("21", False), ("21.5", True)])
def test_a_soundbite_without_its_start_is_measured_from_0(site, duration, late):
    """Without startTime (an error of its own) the soundbite is taken to start at 0 s: 21 s of
    it fit the 20-s episode within the linter's second, 21.5 s do not."""
    site.seed('startTime="2.5" duration="15.0"', f'duration="{duration}"')
    missing = (ERROR, FIRST, "podcast:soundbite", "has no startTime attribute, which the spec requires")
    after = (WARNING, FIRST, "podcast:soundbite", "ends at 21.5 s, after the episode (20 s)")
    assert _messages(site) == ([missing, after] if late else [missing])


@pytest.mark.parametrize("change", [-1, +1])
def test_enclosure_length_one_byte_off_either_way(site, change):
    """`length` is the file's size in bytes (Apple): one byte short is as wrong as one too many."""
    size = (site.public / "audio" / "002-suite.mp3").stat().st_size
    site.seed(f'length="{size}"', f'length="{size + change}"')
    assert _messages(site) == [
        (
            ERROR,
            SECOND,
            "enclosure",
            f"length is {size + change} but 002-suite.mp3 has {size} bytes; apps may stop playing early or refuse the download",
        )
    ]


def _mp3_seconds(path: Path) -> float:
    import mutagen

    return mutagen.File(path).info.length  # as the rule says it measures: mutagen, not the product


@pytest.mark.parametrize("off, wrong", [(0.99999, False), (-0.99999, False), (1.00001, True), (-1.00001, True)])
def test_duration_within_one_second_either_way(site, off, wrong):
    """`itunes:duration` within a second of the MP3 (README's table), above or below it."""
    length = _mp3_seconds(site.public / "audio" / "001-premier.mp3")
    said = f"{length + off:.6f}"
    site.seed("<itunes:duration>20</itunes:duration>", f"<itunes:duration>{said}</itunes:duration>")
    site.seed('startTime="2.5"', 'startTime="0"')  # so the soundbite ends inside the shorter duration too
    assert site.found() == ([(ERROR, FIRST, "itunes:duration")] if wrong else [])


@pytest.mark.parametrize("characters, long", [(32, False), (33, True)])
def test_episode_display_of_32_characters(site, characters, long):
    """podcast:episode's `display`: 32 characters at most (docs/tags/episode.md); accents count as one."""
    site.seed('display="Ép. 1"', f'display="{"é" * characters}"')
    expected = [(WARNING, FIRST, "podcast:episode", f"its display has {characters} characters; the spec asks for 32 at most (aggregators may cut it)")]
    assert _messages(site) == (expected if long else [])


TEXT_PLACES = {
    "funding text": ("Soutenir l'émission", "channel", "podcast:funding", "text"),
    "soundbite title": ("Pourquoi le TJM", FIRST, "podcast:soundbite", "title"),
    "season name": ('name="Saison un"', FIRST, "podcast:season", "name"),
    "person name": ("Inès Moreau</podcast:person>", FIRST, "podcast:person", "name"),
    "license": (">CC-BY-4.0<", "channel", "podcast:license", "text"),
}


@pytest.mark.parametrize("characters", [128, 129])
@pytest.mark.parametrize("old, where, tag, what", TEXT_PLACES.values(), ids=TEXT_PLACES.keys())
def test_podcast_texts_of_128_characters(site, old, where, tag, what, characters):
    """The namespace's pages ask for 128 characters at most in these texts; 128 is fine, 129 is found."""
    text = "é" * characters
    new = {
        "podcast:season": f'name="{text}"',
        "podcast:person": f"{text}</podcast:person>",
        "podcast:license": f">{text}<",
    }.get(tag, text)
    if tag == "podcast:license":
        site.seed("<podcast:license>", '<podcast:license url="https://example.org/licence">')
    site.seed(old, new)
    expected = [(WARNING, where, tag, f"its {what} has 129 characters; the spec asks for 128 at most (aggregators may cut it)")]
    assert _messages(site) == (expected if characters == 129 else [])


@pytest.mark.parametrize("size, long", [(4000, False), (4001, True)])
def test_episode_description_of_4000_bytes(site, size, long):
    """Apple takes 4000 bytes of <description>: an episode's longer one is a warning (README's table)."""
    site.seed("Une suite, sans balises.", "é" * (size // 2) + "a" * (size % 2))
    expected = [(WARNING, SECOND, "description", "is 4001 bytes; Apple takes 4000 at most")]
    assert _messages(site) == (expected if long else [])


@pytest.mark.parametrize("tag", ["itunes:episode", "itunes:season"])
@pytest.mark.parametrize("value, wrong", [("1", False), ("10", False), ("0", True), ("-1", True), ("1.5", True)])
def test_apple_numbers_are_non_zero_integers(site, tag, value, wrong):
    """Apple's situational tags: itunes:episode and itunes:season are non-zero integers."""
    site.seed(f"<{tag}>1</{tag}>", f"<{tag}>{value}</{tag}>")
    assert site.found() == ([(ERROR, FIRST, tag)] if wrong else [])


@pytest.mark.parametrize("side, wrong", [(1399, True), (3000, False), (3001, True)])
def test_episode_artwork_sizes_in_the_feed(site, side, wrong):
    """itunes:image: a square of 1400 to 3000 px (Apple), as the linter reads the published file."""
    Image.new("RGB", (side, side), (40, 120, 200)).save(site.public / "episodes" / "001-premier" / "cover.jpg", "JPEG")
    expected = [
        (
            ERROR,
            FIRST,
            "itunes:image",
            f"https://example.org/podcast/episodes/001-premier/cover.jpg is {side}×{side}; Apple wants a square of 1400 to 3000 pixels",
        )
    ]
    assert _messages(site) == (expected if wrong else [])


def test_the_linters_numbers_are_the_specs():
    """Constants the rules share, pinned to the numbers the README and the pages give."""
    from pipeline.feed import apple, findings, podcast_spec

    assert findings.DURATION_TOLERANCE == 1.0  # README: "within a second"
    assert podcast_spec.SOUNDBITE_SECONDS == (15.0, 120.0)  # soundbite.md
    assert podcast_spec.EPISODE_DISPLAY_LIMIT == 32  # episode.md
    assert podcast_spec.TEXT_LIMIT == 128  # funding.md, soundbite.md...
    assert apple.DESCRIPTION_BYTES == 4000  # Apple's guide, <description>


def test_a_finding_names_its_item_by_title_guid_or_place_and_keeps_its_guid():
    from lxml import etree

    from pipeline.feed.findings import finding

    rss = etree.fromstring(
        "<rss><channel><title>Show</title>"
        "<item><title> Premier </title><guid> g-1 </guid><enclosure/></item>"
        "<item><guid>g-2</guid><enclosure/></item>"
        "<item><enclosure/></item>"
        "<item><title></title><enclosure/></item>"
        "</channel></rss>"
    )
    channel = rss.find("channel")
    enclosures = channel.findall("item/enclosure")
    assert finding("error", enclosures[0], "enclosure", "x") == Finding("error", "Premier", "enclosure", "x", "g-1")
    assert finding("error", enclosures[1], "enclosure", "x") == Finding("error", "g-2", "enclosure", "x", "g-2")
    assert finding("warning", enclosures[2], "enclosure", "x") == Finding("warning", "item 3", "enclosure", "x", "")
    assert finding("warning", enclosures[3], "enclosure", "x") == Finding("warning", "item 4", "enclosure", "x", "")
    assert finding("error", channel.find("title"), "title", "x") == Finding("error", "channel", "title", "x", "")


def test_a_tag_out_of_its_place_names_where_the_spec_puts_it(site):
    site.seed(
        '<podcast:episode display="Ép. 1">1</podcast:episode>',
        '<podcast:episode display="Ép. 1">1</podcast:episode><podcast:source uri="https://example.org/podcast/audio/001-premier.mp3"/>',
    )
    site.seed('title="MP3">', 'title="MP3"><podcast:funding url="https://example.org/soutenir">Soutenir</podcast:funding>')
    messages = sorted(f.message for f in site.findings() if "inside" in f.message)
    assert messages == [
        "is inside <item>; the spec puts it in <podcast:alternateEnclosure>",
        "is inside <podcast:alternateEnclosure>; the spec puts it in <channel> or <item> or <podcast:liveItem>",
    ]


def test_an_html_transcript_with_tags_crossed(site):
    transcripts = "https://example.org/podcast/episodes/001-premier/"
    site.seed(
        f'<podcast:transcript url="{transcripts}transcript.txt"',
        f'<podcast:transcript url="{transcripts}transcript.html" type="text/html"/><podcast:transcript url="{transcripts}transcript.txt"',
    )
    (site.public / "episodes" / "001-premier" / "transcript.html").write_text("<p>Bonjour <b>à tous</p>\n<p>Et <i>bienvenue</p>", encoding="utf-8")
    [finding] = site.findings()
    assert finding.message == "transcript.html (text/html): </p> while <b> is still open (line 1); </p> while <i> is still open (line 2)"
    (site.public / "episodes" / "001-premier" / "transcript.html").write_text("<p>Bonjour <b>à tous</b></p>", encoding="utf-8")
    assert site.found() == []


def test_attribute_mistakes_are_named_with_what_the_spec_wants(site):
    site.seed('<podcast:soundbite startTime="2.5" duration="15.0">', '<podcast:soundbite starttime="2.5" xml:lang="fr">')
    site.seed('title="MP3">', 'titel="MP3" zzz="1">')
    site.seed(
        '<podcast:chapters url="https://example.org/podcast/episodes/001-premier/chapters.json" type="application/json+chapters"/>',
        '<podcast:chapters url="https://example.org/podcast/episodes/001-premier/chapters.json" type="application/json+chapters"/>' * 2,
    )
    messages = sorted((f.level, f.tag, f.message) for f in site.findings())
    assert messages == [
        (ERROR, "podcast:chapters", "appears more than once in <item>; the spec allows one"),
        (ERROR, "podcast:soundbite", "has no duration attribute, which the spec requires"),
        (ERROR, "podcast:soundbite", "has no startTime attribute, which the spec requires (it has 'starttime': attribute names are case-sensitive)"),
        (WARNING, "podcast:alternateEnclosure", "has an attribute 'titel' the spec does not define (did you mean 'title'?); apps ignore it"),
        (WARNING, "podcast:alternateEnclosure", "has an attribute 'zzz' the spec does not define; apps ignore it"),
    ]


@pytest.mark.parametrize(
    "guid, said",
    [
        ("917393E3-1B1E-5CEF-ACE4-EDAA54E1F810", None),  # the same UUID in capitals: RFC 9562 reads hex in either case
        ("917393e31b1e5ceface4edaa54e1f810", "'917393e31b1e5ceface4edaa54e1f810' is not a UUIDv5 (36 characters, four hyphens, version 5)"),
        (
            "urn:uuid:917393e3-1b1e-5cef-ace4-edaa54e1f810",
            "'urn:uuid:917393e3-1b1e-5cef-ace4-edaa54e1f810' is not a UUIDv5 (36 characters, four hyphens, version 5)",
        ),
        ("917393e3-1b1e-4cef-ace4-edaa54e1f810", "'917393e3-1b1e-4cef-ace4-edaa54e1f810' is not a UUIDv5 (36 characters, four hyphens, version 5)"),
    ],
)
def test_the_podcast_guid_is_a_uuid5_written_out(site, guid, said):
    site.seed("<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>", f"<podcast:guid>{guid}</podcast:guid>")
    assert [f.message for f in site.findings() if f.tag == "podcast:guid"] == ([said] if said else [])


def test_podcast_locked_takes_yes_or_no(site):
    site.seed('<podcast:locked owner="camille@example.org">no</podcast:locked>', '<podcast:locked owner="camille@example.org">oui</podcast:locked>')
    assert [f.message for f in site.findings()] == ["is 'oui'; the spec takes yes or no"]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            'role="host" href="https://example.org/camille">Camille Durand<',
            'role="host" group="casting" href="https://example.org/camille"><',
            [
                (ERROR, "channel", "has no name; the spec says it cannot be blank"),
                (WARNING, "channel", "a person: group 'casting' is not in the Podcast Taxonomy Project's list"),
            ],
        ),
        (
            'role="guest" group="cast"',
            'role="guest" group="casting"',
            [(WARNING, FIRST, "Inès Moreau: group 'casting' is not in the Podcast Taxonomy Project's list")],
        ),
        # Without a role the spec's default is "host"; without a group, "cast".
        ('role="guest" group="cast"', 'group="writing"', [(WARNING, FIRST, "Inès Moreau: role 'host' is not in the group 'writing'")]),
        ('<podcast:person role="host" href', "<podcast:person href", []),
    ],
    ids=[
        "no name, group off the taxonomy",
        "group off the taxonomy",
        "default role",
        "default role and group",
    ],
)
def test_podcast_person_messages(site, old, new, said):
    """The cases PODCAST_MISTAKES leaves out: a nameless person's label, another group, the defaults."""
    site.seed(old, new)
    assert [(f.level, f.where, f.message) for f in site.findings() if f.tag == "podcast:person"] == said
