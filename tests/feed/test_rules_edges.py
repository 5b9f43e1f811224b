"""The RSS and Apple Podcasts rules at their edges: each required tag, each value of a fixed
vocabulary, each number, just inside and just outside, with the finding a podcaster reads.

The values are Apple's "A Podcaster's Guide to RSS" (archived as itunes_reference.md in
Podcastindex-org/podcast-namespace) and the RSS 2.0 specification, as the rules' comments cite
them; the feed is test_lint's hand-written one, with one change at a time.
"""

from __future__ import annotations

import pytest
from PIL import Image

from tests.feed import test_lint
from tests.feed.test_lint import FIRST, SECOND, _messages, _mp3_seconds

audio, site = test_lint.audio, test_lint.site  # test_lint's fixtures: its MP3s, and its public/ with feed.xml

ERROR, WARNING = "error", "warning"  # the levels `podcast check` prints

SECOND_GUID = "0c4f37a1-2b4e-5d0a-9a66-3d2e7f1b8c90"
COVER = "https://example.org/podcast/episodes/001-premier/cover.jpg"
CHANNEL_EXPLICIT = "<itunes:explicit>false</itunes:explicit>\n    <itunes:type>"
SECOND_EXPLICIT = "<itunes:explicit>true</itunes:explicit>"


# The show's tags. Required (an error): title, description, language, itunes:image,
# itunes:category, itunes:explicit (Apple), link (RSS 2.0). Recommended (a warning): itunes:author,
# and the owner's email, which other directories use.
SHOW_TAGS_MISSING = {
    "title blank": (
        "<title>Freelance.Family</title>",
        "<title>  </title>",
        (ERROR, "title", "<title> is missing or empty; Apple requires it"),
    ),
    "description gone": (
        "<description>Des freelances racontent leur métier.</description>",
        "",
        (ERROR, "description", "<description> is missing or empty; Apple requires it"),
    ),
    "language gone": ("<language>fr</language>", "", (ERROR, "language", "<language> is missing or empty; Apple requires it")),
    "link gone": (
        "<link>https://example.org/podcast/</link>",
        "",
        (ERROR, "link", "<link> (the show's website) is missing; RSS 2.0 requires it"),
    ),
    "link blank": (
        "<link>https://example.org/podcast/</link>",
        "<link> </link>",
        (ERROR, "link", "<link> (the show's website) is missing; RSS 2.0 requires it"),
    ),
    "artwork gone": (
        '<itunes:image href="https://example.org/podcast/artwork.png"/>',
        "",
        (ERROR, "itunes:image", 'no <itunes:image href="…"> (the show\'s artwork); Apple requires it'),
    ),
    "artwork without href": (
        '<itunes:image href="https://example.org/podcast/artwork.png"/>',
        "<itunes:image/>",
        (ERROR, "itunes:image", 'no <itunes:image href="…"> (the show\'s artwork); Apple requires it'),
    ),
    "artwork href blank": (
        '<itunes:image href="https://example.org/podcast/artwork.png"/>',
        '<itunes:image href=" "/>',
        (ERROR, "itunes:image", 'no <itunes:image href="…"> (the show\'s artwork); Apple requires it'),
    ),
    "explicit gone": (CHANNEL_EXPLICIT, "<itunes:type>", (ERROR, "itunes:explicit", "no <itunes:explicit>; Apple requires it (true or false)")),
    "author gone": (
        "<itunes:author>Camille Durand</itunes:author>",
        "",
        (WARNING, "itunes:author", "no <itunes:author>; Apple recommends it (shown as the artist)"),
    ),
    "author blank": (
        "<itunes:author>Camille Durand</itunes:author>",
        "<itunes:author> </itunes:author>",
        (WARNING, "itunes:author", "no <itunes:author>; Apple recommends it (shown as the artist)"),
    ),
    "owner without email": (
        "<itunes:email>camille@example.org</itunes:email>",
        "",
        (
            WARNING,
            "itunes:owner",
            "no <itunes:owner><itunes:email>: directories other than Apple's (Spotify, Podcast Index) email it to confirm who owns the show",
        ),
    ),
}


@pytest.mark.parametrize("old, new, expected", SHOW_TAGS_MISSING.values(), ids=SHOW_TAGS_MISSING.keys())
def test_a_missing_show_tag_is_named_with_what_apple_asks(site, old, new, expected):
    site.seed(old, new)
    level, tag, message = expected
    assert _messages(site) == [(level, "channel", tag, message)]


def test_a_show_without_any_category_is_told_apple_requires_one(site):
    site.seed('<itunes:category text="Society &amp; Culture"/>', "")
    site.seed('<itunes:category text="Business"><itunes:category text="Careers"/></itunes:category>', "")
    assert _messages(site) == [(ERROR, "channel", "itunes:category", "no <itunes:category>; Apple requires one")]


# itunes:explicit: Apple's guide takes `true` or `false` (feedgen's old yes/no, or a capital, are not them).
@pytest.mark.parametrize("value", ["true", "false", " true "])
def test_the_show_may_say_explicit_true_or_false(site, value):
    site.seed(CHANNEL_EXPLICIT, f"<itunes:explicit>{value}</itunes:explicit>\n    <itunes:type>")
    assert _messages(site) == []


@pytest.mark.parametrize("value", ["yes", "no", "True", "FALSE", "clean", "explicit", "1", ""])
def test_the_show_saying_explicit_otherwise_is_an_error(site, value):
    site.seed(CHANNEL_EXPLICIT, f"<itunes:explicit>{value}</itunes:explicit>\n    <itunes:type>")
    assert _messages(site) == [(ERROR, "channel", "itunes:explicit", f"is {value!r}; Apple takes true or false")]


@pytest.mark.parametrize("value", ["true", "false"])
def test_an_episode_may_say_explicit_true_or_false(site, value):
    site.seed(SECOND_EXPLICIT, f"<itunes:explicit>{value}</itunes:explicit>")
    assert _messages(site) == []


@pytest.mark.parametrize("value", ["yes", "no", "True", "clean"])
def test_an_episode_saying_explicit_otherwise_is_an_error_too(site, value):
    site.seed(SECOND_EXPLICIT, f"<itunes:explicit>{value}</itunes:explicit>")
    assert _messages(site) == [(ERROR, SECOND, "itunes:explicit", f"is {value!r}; Apple takes true or false")]


def test_an_episode_without_explicit_is_only_a_warning(site):
    site.seed(SECOND_EXPLICIT, "")
    assert _messages(site) == [(WARNING, SECOND, "itunes:explicit", "no <itunes:explicit>; Apple recommends it (true or false)")]


# An episode's tags. Required: title, enclosure (url, length, type), guid (since 2023).
# Recommended: pubDate, description, itunes:duration, itunes:explicit.
EPISODE_TAGS_MISSING = {
    "guid gone": (f'<guid isPermaLink="false">{SECOND_GUID}</guid>', "", (ERROR, SECOND, "guid", "no <guid>; Apple requires one per episode since 2023")),
    "pubDate gone": (
        "<pubDate>Mon, 09 Feb 2026 08:30:00 +0100</pubDate>",
        "",
        (WARNING, SECOND, "pubDate", "no <pubDate>; Apple recommends it (the date shown)"),
    ),
    "description blank": (
        "<description>Une suite, sans balises.</description>",
        "<description> </description>",
        (WARNING, SECOND, "description", "no <description>; Apple recommends it (the show notes)"),
    ),
    "duration gone": (
        "<itunes:duration>0:03</itunes:duration>",
        "",
        (WARNING, SECOND, "itunes:duration", "no <itunes:duration>; Apple recommends it, in seconds"),
    ),
}


@pytest.mark.parametrize("old, new, expected", EPISODE_TAGS_MISSING.values(), ids=EPISODE_TAGS_MISSING.keys())
def test_a_missing_episode_tag_is_named_with_what_apple_asks(site, old, new, expected):
    site.seed(old, new)
    assert _messages(site) == [expected]


def test_an_episode_without_a_title_is_named_by_its_guid(site):
    site.seed("<title>Deuxième épisode</title>", "<title> </title>")
    assert _messages(site) == [(ERROR, SECOND_GUID, "title", "<title> is missing or empty; Apple requires it")]


def test_an_episode_without_an_enclosure_is_told_apple_requires_the_audio(site):
    site.seed('<enclosure url="https://example.org/podcast/audio/002-suite.mp3"', '<link url="https://example.org/podcast/audio/002-suite.mp3"')
    assert _messages(site) == [(ERROR, SECOND, "enclosure", "no <enclosure> (the audio file); Apple requires it")]


@pytest.mark.parametrize("blank", [False, True], ids=["absent", "blank"])
@pytest.mark.parametrize(
    "drop, named",
    [
        (["url"], "url"),
        (["length"], "length"),
        (["type"], "type"),
        (["url", "type"], "url, type"),
        (["url", "length", "type"], "url, length, type"),
    ],
)
def test_an_enclosure_names_each_attribute_it_lacks(site, drop, named, blank):
    size = (site.public / "audio" / "002-suite.mp3").stat().st_size
    attributes = {"url": 'url="https://example.org/podcast/audio/002-suite.mp3"', "length": f'length="{size}"', "type": 'type="audio/mpeg"'}
    enclosure = " ".join((f'{name}=" "' if blank else "") if name in drop else attributes[name] for name in ("url", "length", "type"))
    site.seed(" ".join(["<enclosure", *attributes.values()]) + "/>", f"<enclosure {enclosure}/>")
    assert _messages(site) == [(ERROR, SECOND, "enclosure", f"has no {named}; Apple requires url, length and type")]


def test_two_episodes_without_an_enclosure_are_not_taken_for_one_enclosure(site):
    site.seed('<enclosure url="https://example.org/podcast/audio/', '<link url="https://example.org/podcast/audio/', count=2)
    site.seed("<podcast:alternateEnclosure", "<podcast:gone")
    site.seed("</podcast:alternateEnclosure>", "</podcast:gone>")
    missing = "no <enclosure> (the audio file); Apple requires it"
    assert [f for f in _messages(site) if f[2] == "enclosure"] == [(ERROR, FIRST, "enclosure", missing), (ERROR, SECOND, "enclosure", missing)]


def test_two_enclosures_without_a_url_are_not_taken_for_one(site):
    site.seed('<enclosure url="https://example.org/podcast/audio/001-premier.mp3"', "<enclosure")
    site.seed('<enclosure url="https://example.org/podcast/audio/002-suite.mp3"', "<enclosure")
    no_url = "has no url; Apple requires url, length and type"
    assert [f for f in _messages(site) if f[2] == "enclosure"] == [(ERROR, FIRST, "enclosure", no_url), (ERROR, SECOND, "enclosure", no_url)]


@pytest.mark.parametrize("length", ["-1", "1e3", "12 345", "3.5", "0x10"])
def test_an_enclosure_length_that_is_not_a_count_of_bytes(site, length):
    size = (site.public / "audio" / "002-suite.mp3").stat().st_size
    site.seed(f'002-suite.mp3" length="{size}"', f'002-suite.mp3" length="{length}"')
    assert _messages(site) == [(ERROR, SECOND, "enclosure", f"length {length!r} is not a number of bytes")]


@pytest.mark.parametrize(
    "date",
    [
        "Mon, 09 Feb 2026 08:30:00 GMT",  # the guide's own form
        "09 Feb 2026 08:30:00 +0100",  # RFC 2822 makes the day's name optional
        "Mon, 09 Feb 2026 08:30 +0100",  # and the seconds
        "Mon, 09 Feb 2026 03:30:00 EST",
    ],
)
def test_a_pubdate_in_rfc_2822_is_fine(site, date):
    site.seed("Mon, 09 Feb 2026 08:30:00 +0100", date)
    assert _messages(site) == []


@pytest.mark.parametrize("date", ["2026-02-09", "2026-02-09T08:30:00+01:00", "Mon, 09 Feb 2026", "Mon, 30 Feb 2026 08:30:00 GMT", "lundi 9 février 2026"])
def test_a_pubdate_not_in_rfc_2822_is_an_error(site, date):
    site.seed("Mon, 09 Feb 2026 08:30:00 +0100", date)
    assert _messages(site) == [(ERROR, SECOND, "pubDate", f"{date!r} is not an RFC 2822 date (Wed, 15 Jun 2019 19:00:00 GMT)")]


# itunes:duration: Apple recommends seconds; HH:MM:SS, H:MM:SS, MM:SS or M:SS are also taken.
@pytest.mark.parametrize("said", ["3", "3.4", "0:03", "00:03", "0:00:03", "00:00:03"])
def test_a_duration_in_seconds_or_clock_form_is_fine(site, said):
    site.seed("<itunes:duration>0:03</itunes:duration>", f"<itunes:duration>{said}</itunes:duration>")
    assert _messages(site) == []


@pytest.mark.parametrize("said", ["", "3 s", "3 min", "0:0:0:03", "-3", "0:03.", ":03", "PT3S"])
def test_a_duration_in_no_known_form_is_an_error(site, said):
    site.seed("<itunes:duration>0:03</itunes:duration>", f"<itunes:duration>{said}</itunes:duration>")
    assert _messages(site) == [(ERROR, SECOND, "itunes:duration", f"{said!r} is not a duration (seconds, or [h:]mm:ss)")]


# Situational tags: itunes:type is episodic or serial, itunes:episodeType full, trailer or bonus,
# lower case as the guide writes them; itunes:episode and itunes:season non-zero integers.
@pytest.mark.parametrize("value", ["episodic", "serial"])
def test_the_show_type_is_episodic_or_serial(site, value):
    site.seed("<itunes:type>episodic<", f"<itunes:type>{value}<")
    assert _messages(site) == []


@pytest.mark.parametrize("value", ["Episodic", "SERIAL", "series", "seasonal"])
def test_another_show_type_is_an_error(site, value):
    site.seed("<itunes:type>episodic<", f"<itunes:type>{value}<")
    assert _messages(site) == [(ERROR, "channel", "itunes:type", f"is {value!r}; Apple takes episodic or serial")]


@pytest.mark.parametrize("value", ["full", "trailer", "bonus"])
def test_an_episode_type_is_full_trailer_or_bonus(site, value):
    site.seed("<itunes:episodeType>bonus<", f"<itunes:episodeType>{value}<")
    assert _messages(site) == []


@pytest.mark.parametrize("value", ["Full", "TRAILER", "extra", "teaser"])
def test_another_episode_type_is_an_error(site, value):
    site.seed("<itunes:episodeType>bonus<", f"<itunes:episodeType>{value}<")
    assert _messages(site) == [(ERROR, SECOND, "itunes:episodeType", f"is {value!r}; Apple takes full, trailer, bonus")]


@pytest.mark.parametrize("tag", ["itunes:episode", "itunes:season"])
@pytest.mark.parametrize("value", ["0", "-1", "1.5", "un", ""])
def test_an_episode_or_season_that_is_not_a_non_zero_integer(site, tag, value):
    site.seed(f"<{tag}>1</{tag}>", f"<{tag}>{value}</{tag}>")
    assert _messages(site) == [(ERROR, FIRST, tag, f"is {value!r}; Apple wants a non-zero integer (1, 2, 3…)")]


@pytest.mark.parametrize("tag", ["itunes:episode", "itunes:season"])
@pytest.mark.parametrize("value", ["1", "9", "10", "120"])
def test_an_episode_or_season_of_one_or_more_is_fine(site, tag, value):
    site.seed(f"<{tag}>1</{tag}>", f"<{tag}>{value}</{tag}>")
    assert _messages(site) == []


SERIAL_MISSING = "missing: Apple requires an episode number in a serial show"


@pytest.mark.parametrize("kind, missing", [("full", True), ("", True), ("trailer", False), ("bonus", False)])
def test_a_serial_show_numbers_each_full_episode_not_its_trailers_and_bonuses(site, kind, missing):
    """The guide: "Episode numbers are optional for episodic shows, but are mandatory for serial shows"."""
    site.seed("<itunes:type>episodic<", "<itunes:type>serial<")
    site.seed("<itunes:episodeType>bonus</itunes:episodeType>", f"<itunes:episodeType>{kind}</itunes:episodeType>" if kind else "")
    assert _messages(site) == ([(ERROR, SECOND, "itunes:episode", SERIAL_MISSING)] if missing else [])


def test_an_episodic_show_may_leave_its_full_episodes_unnumbered(site):
    site.seed("<itunes:episode>1</itunes:episode>", "")
    assert _messages(site) == []


# itunes:image: "a minimum size of 1400 x 1400 pixels and a maximum size of 3000 x 3000 pixels,
# in JPEG or PNG format, [...] with appropriate file extensions (.jpg, .png), and in the RGB colorspace".
@pytest.mark.parametrize("size", [(1400, 1400), (3000, 3000)])
def test_show_artwork_at_either_end_of_apples_sizes(site, size):
    Image.new("RGB", size, (200, 120, 40)).save(site.public / "artwork.png")
    assert _messages(site) == []


@pytest.mark.parametrize("size", [(1399, 1399), (3001, 3001), (1400, 1401), (3000, 2999)])
def test_show_artwork_off_apples_sizes(site, size):
    Image.new("RGB", size, (200, 120, 40)).save(site.public / "artwork.png")
    width, height = size
    message = f"https://example.org/podcast/artwork.png is {width}×{height}; Apple wants a square of 1400 to 3000 pixels"
    assert _messages(site) == [(ERROR, "channel", "itunes:image", message)]


def test_episode_artwork_in_gif_is_an_error(site):
    Image.new("RGB", (1400, 1400)).save(site.public / "episodes" / "001-premier" / "cover.jpg", "GIF")
    assert _messages(site) == [(ERROR, FIRST, "itunes:image", f"{COVER} is GIF; Apple takes PNG or JPEG")]


def test_episode_artwork_that_is_not_an_image(site):
    (site.public / "episodes" / "001-premier" / "cover.jpg").write_bytes(b"not an image")
    assert _messages(site) == [(ERROR, FIRST, "itunes:image", f"{COVER} is not an image")]


# .jpeg, JPEG's other extension, is taken as .jpg is.
@pytest.mark.parametrize("name", ["cover.jpg", "cover.jpeg", "cover.JPG", "cover.png", "cover.webp", "cover"])
def test_episode_artwork_has_a_jpg_or_png_extension(site, name):
    folder = site.public / "episodes" / "001-premier"
    (folder / "cover.jpg").unlink()
    Image.new("RGB", (1400, 1400), (40, 120, 200)).save(folder / name, "PNG" if name.endswith(".png") else "JPEG")
    url = f"https://example.org/podcast/episodes/001-premier/{name}"
    site.seed(COVER, url)
    wrong = name in ("cover.webp", "cover")
    assert _messages(site) == ([(ERROR, FIRST, "itunes:image", f"{url}: Apple wants the extension .jpg or .png")] if wrong else [])


@pytest.mark.parametrize(
    "show, found",
    [
        ('<itunes:image href=" "/>', (ERROR, "channel", "itunes:image", 'no <itunes:image href="…"> (the show\'s artwork); Apple requires it')),
        (
            '<itunes:image href="https://cdn.example.net/artwork.png"/>',
            (WARNING, "channel", "itunes:image", "https://cdn.example.net/artwork.png is not under base_url https://example.org/podcast/: not checked"),
        ),
    ],
    ids=["no show artwork", "show artwork elsewhere"],
)
def test_episode_artwork_is_checked_whatever_the_shows(site, show, found):
    site.seed('<itunes:image href="https://example.org/podcast/artwork.png"/>', show)
    Image.new("RGB", (1399, 1399), (40, 120, 200)).save(site.public / "episodes" / "001-premier" / "cover.jpg", "JPEG")
    small = (ERROR, FIRST, "itunes:image", f"{COVER} is 1399×1399; Apple wants a square of 1400 to 3000 pixels")
    assert _messages(site) == [found, small]


def test_artwork_served_elsewhere_cannot_be_checked(site):
    site.seed(COVER, "https://cdn.example.net/cover.jpg")
    message = "https://cdn.example.net/cover.jpg is not under base_url https://example.org/podcast/: not checked"
    assert _messages(site) == [(WARNING, FIRST, "itunes:image", message)]


# <description>: "The maximum amount of text allowed for this tag is 4000 bytes".
def test_a_show_description_of_4001_bytes_is_an_error(site):  # 4000 is fine: test_lint
    site.seed("Des freelances racontent leur métier.", "é" * 2000 + "a")
    assert _messages(site) == [(ERROR, "channel", "description", "is 4001 bytes; Apple takes 4000 at most")]


def test_html_not_closed_in_the_show_description(site):
    site.seed("Des freelances racontent leur métier.", "Des &lt;b&gt;freelances racontent leur métier.")
    expected = (WARNING, "channel", "description", "HTML not well-formed, each app will show it its own way: <b> is never closed")
    assert _messages(site) == [expected]


def test_html_problems_in_show_notes_are_each_named_with_their_line(site):
    site.seed("<p>Avec <strong>Inès Moreau</strong>.</p>", "<p>Avec <strong>Inès Moreau</p>\n</em>.")
    message = "HTML not well-formed, each app will show it its own way: </p> while <strong> is still open (line 1); </em> closes nothing (line 2)"
    assert _messages(site) == [(WARNING, FIRST, "content:encoded", message)]


def test_html_left_open_is_found_past_a_misplaced_html_tag(site):
    site.seed("<p>Avec <strong>Inès Moreau</strong>.</p>", "<html>Avec</html><strong>Inès Moreau.")
    message = "HTML not well-formed, each app will show it its own way: <strong> is never closed"
    assert _messages(site) == [(WARNING, FIRST, "content:encoded", message)]


# guids and enclosure URLs identify an episode: each its own.
def test_a_guid_taken_by_an_earlier_episode(site):
    site.seed(SECOND_GUID, "4da6df53-8d88-5a78-ba32-054bad9eee80")
    message = "4da6df53-8d88-5a78-ba32-054bad9eee80 is also the guid of 'Premier épisode'; each episode needs its own"
    assert _messages(site) == [(ERROR, SECOND, "guid", message)]


def test_an_enclosure_url_taken_by_an_earlier_episode(site):
    first = site.public / "audio" / "001-premier.mp3"
    site.seed(f'002-suite.mp3" length="{(site.public / "audio" / "002-suite.mp3").stat().st_size}"', f'001-premier.mp3" length="{first.stat().st_size}"')
    site.seed("<itunes:duration>0:03</itunes:duration>", "<itunes:duration>20</itunes:duration>")
    message = "https://example.org/podcast/audio/001-premier.mp3 is also the enclosure of 'Premier épisode'; each episode needs its own"
    assert _messages(site) == [(ERROR, SECOND, "enclosure", message)]


# Numbers may repeat (Apple accepts it), but two full episodes of one season with one number are likely a typo.
SECOND_AS_FULL_1 = "<itunes:episodeType>full</itunes:episodeType><itunes:episode>1</itunes:episode>"


def test_two_full_episodes_numbered_alike_in_one_season(site):
    site.seed("<itunes:episodeType>bonus</itunes:episodeType>", SECOND_AS_FULL_1 + "<itunes:season>1</itunes:season>")
    message = "1 is also the number of 'Premier épisode' in season 1; apps order the two by date"
    assert _messages(site) == [(WARNING, SECOND, "itunes:episode", message)]


def test_two_full_episodes_numbered_alike_without_seasons(site):
    site.seed("<itunes:season>1</itunes:season>", "")
    site.seed("<itunes:episodeType>bonus</itunes:episodeType>", SECOND_AS_FULL_1)
    assert _messages(site) == [(WARNING, SECOND, "itunes:episode", "1 is also the number of 'Premier épisode'; apps order the two by date")]


def test_an_episode_of_no_stated_type_is_a_full_one_for_its_number(site):
    site.seed("<itunes:episodeType>bonus</itunes:episodeType>", "<itunes:episode>1</itunes:episode><itunes:season>1</itunes:season>")
    message = "1 is also the number of 'Premier épisode' in season 1; apps order the two by date"
    assert _messages(site) == [(WARNING, SECOND, "itunes:episode", message)]


def test_a_repeated_number_is_found_past_an_unnumbered_bonus(site):
    third = "<item><title>Troisième épisode</title><itunes:episode>1</itunes:episode><itunes:season>1</itunes:season></item>"
    site.seed("</channel>", third + "</channel>")
    message = "1 is also the number of 'Premier épisode' in season 1; apps order the two by date"
    assert [m for m in _messages(site) if m[2] == "itunes:episode"] == [(WARNING, "Troisième épisode", "itunes:episode", message)]


@pytest.mark.parametrize("tail", ["<itunes:season>2</itunes:season>", ""], ids=["other season", "no season"])
def test_the_same_number_in_another_season_is_fine(site, tail):
    site.seed("<itunes:episodeType>bonus</itunes:episodeType>", SECOND_AS_FULL_1 + tail)
    assert _messages(site) == []


@pytest.mark.parametrize("kind", ["trailer", "bonus"])
def test_a_trailer_or_bonus_may_share_a_full_episodes_number(site, kind):
    site.seed(
        "<itunes:episodeType>bonus</itunes:episodeType>",
        f"<itunes:episodeType>{kind}</itunes:episodeType><itunes:episode>1</itunes:episode><itunes:season>1</itunes:season>",
    )
    assert _messages(site) == []


def test_an_enclosure_mutagen_cannot_read(site):
    path = site.public / "audio" / "002-suite.mp3"
    size = path.stat().st_size
    path.write_bytes(b"\0" * size)  # the same length, so that only the content is wrong
    assert _messages(site) == [(ERROR, SECOND, "enclosure", "002-suite.mp3: mutagen cannot read it as audio")]


def test_the_second_enclosures_length_is_checked_when_the_first_has_no_url(site):
    size = (site.public / "audio" / "002-suite.mp3").stat().st_size
    site.seed('<enclosure url="https://example.org/podcast/audio/001-premier.mp3"', "<enclosure")
    site.seed(f'length="{size}"', f'length="{size + 1}"')
    wrong = f"length is {size + 1} but 002-suite.mp3 has {size} bytes; apps may stop playing early or refuse the download"
    assert [m for m in _messages(site) if m[2] == "enclosure"] == [
        (ERROR, FIRST, "enclosure", "has no url; Apple requires url, length and type"),
        (ERROR, SECOND, "enclosure", wrong),
    ]


def test_the_second_duration_is_checked_when_the_first_has_none(site):
    site.seed("<itunes:duration>20</itunes:duration>", "")
    site.seed("<itunes:duration>0:03</itunes:duration>", "<itunes:duration>0:09</itunes:duration>")
    assert [m for m in _messages(site) if m[2] == "itunes:duration"] == [
        (WARNING, FIRST, "itunes:duration", "no <itunes:duration>; Apple recommends it, in seconds"),
        (ERROR, SECOND, "itunes:duration", "says 9 s but 002-suite.mp3 lasts 3.0 s"),
    ]


def test_a_duration_a_second_and_more_off_names_both(site):
    site.seed("<itunes:duration>20</itunes:duration>", "<itunes:duration>00:00:22</itunes:duration>")
    assert _messages(site) == [(ERROR, FIRST, "itunes:duration", "says 22 s but 001-premier.mp3 lasts 20.0 s")]


@pytest.mark.parametrize("off", [1.0, -1.0])
def test_a_duration_exactly_a_second_off_is_still_within_a_second(site, off):
    """README: `itunes:duration` within a second of the file; exactly one second is within (exact in floats here)."""
    said = _mp3_seconds(site.public / "audio" / "001-premier.mp3") + off
    site.seed("<itunes:duration>20</itunes:duration>", f"<itunes:duration>{said!r}</itunes:duration>")
    assert _messages(site) == []


# <language>: "values from the ISO 639 list (two-letter language codes, with some possible modifiers, such as "en-us")";
# the list it links (ISO 639-2) also has three-letter codes for languages without two, as haw (Hawaiian).
@pytest.mark.parametrize("code", ["fr", "en-us", "fr-CA", "FR", "haw", "pt-BR", "es-419", "zh-Hant-TW"])
def test_a_language_code_apple_takes(site, code):
    site.seed("<language>fr</language>", f"<language>{code}</language>")
    assert _messages(site) == []


@pytest.mark.parametrize("code", ["f", "fren", "francais", "fr_FR", "fr-", "fr-C", "fr-abcdefghi", "fr CA"])
def test_a_language_not_written_as_a_code(site, code):
    site.seed("<language>fr</language>", f"<language>{code}</language>")
    message = f"{code!r} is not written as a language code; Apple wants an ISO 639 code such as fr or fr-CA"
    assert _messages(site) == [(ERROR, "channel", "language", message)]


@pytest.mark.parametrize("code", ["xx", "qq-CA", "fr-12"])
def test_a_language_code_no_one_speaks(site, code):
    site.seed("<language>fr</language>", f"<language>{code}</language>")
    message = f"{code!r} is not a language babel knows; Apple wants an ISO 639 code such as fr or fr-CA"
    assert _messages(site) == [(ERROR, "channel", "language", message)]


# itunes:category: Apple's list to the letter, a category and at most one level of subcategory.
def test_categories_three_levels_deep(site):
    site.seed('<itunes:category text="Careers"/>', '<itunes:category text="Careers"><itunes:category text="Freelance"/></itunes:category>')
    assert _messages(site) == [(ERROR, "channel", "itunes:category", "'Business': Apple's categories go two levels deep at most")]


def test_a_category_off_the_list_is_quoted(site):
    site.seed('<itunes:category text="Society &amp; Culture"/>', '<itunes:category text=" Société "/>')
    message = "'Société' is not an Apple Podcasts category (see README for the list)"
    assert _messages(site) == [(ERROR, "channel", "itunes:category", message)]


def test_a_category_without_text(site):
    site.seed('<itunes:category text="Society &amp; Culture"/>', "<itunes:category/>")
    assert _messages(site) == [(ERROR, "channel", "itunes:category", "'' is not an Apple Podcasts category (see README for the list)")]


def test_each_subcategory_is_checked(site):
    site.seed('<itunes:category text="Careers"/>', '<itunes:category text="Careers"/><itunes:category text="Investing"/><itunes:category text="Podcasting"/>')
    message = "'Podcasting' is not a subcategory of 'Business' (choose from: Careers, Entrepreneurship, Investing, Management, Marketing, Non-Profit)"
    assert _messages(site) == [(ERROR, "channel", "itunes:category", message)]


def test_a_subcategory_without_text(site):
    site.seed('<itunes:category text="Careers"/>', "<itunes:category/>")
    message = "'' is not a subcategory of 'Business' (choose from: Careers, Entrepreneurship, Investing, Management, Marketing, Non-Profit)"
    assert _messages(site) == [(ERROR, "channel", "itunes:category", message)]
