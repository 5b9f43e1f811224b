from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from pipeline.config import load_episode, load_show
from pipeline.errors import ConfigError
from pipeline.records import AudioSettings, Chapter, Episode, Jingles, Link, Loudness, Person, Show, Track, Transcription
from tests.conftest import REPO, SHOW_TOML, new_show


def test_bundled_show_loads():
    show = load_show(REPO)
    assert show.title == "Freelance.Family"
    assert show.language == "fr"
    assert show.categories == (("Business", "Careers"), ("Society & Culture",))
    assert show.loudness.target == -16.0 and show.loudness.true_peak == -1.0
    assert show.base_url == "http://localhost:8000/"
    episode = load_episode(REPO / "episodes" / "000-bande-annonce", show)
    assert episode.type == "trailer"
    assert episode.audio[0].name == "bande-annonce.m4a"
    assert [c.start for c in episode.chapters] == [0.0, 17.0, 26.0]


def rewrite(root: Path, old: str, new: str) -> None:
    path = root / "podcast.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_unknown_show_key_names_file_line_and_suggests(show_root):
    rewrite(show_root, 'language = "fr"', 'langage = "fr"')
    with pytest.raises(ConfigError) as error:
        load_show(show_root)
    message = str(error.value)
    assert f"{show_root / 'podcast.toml'}:3: unknown key 'langage' (did you mean 'language'?)" in message
    assert "missing required key 'language'" in message


def test_category_must_be_apples(show_root):
    rewrite(show_root, '"Business > Careers"', '"Business > Carrières"')
    with pytest.raises(ConfigError, match=r"podcast.toml:5: 'categories'.*'Carrières' is not a subcategory of 'Business'"):
        load_show(show_root)


def test_owner_email_checked_in_nested_table(show_root):
    rewrite(show_root, "camille@example.org", "camille-at-example")
    with pytest.raises(ConfigError, match=r"podcast.toml:\d+: 'owner.email'"):
        load_show(show_root)


def test_missing_artwork_file(show_root):
    (show_root / "artwork.png").unlink()
    with pytest.raises(ConfigError, match=r"podcast.toml:6: 'artwork': artwork.png does not exist"):
        load_show(show_root)


@pytest.mark.parametrize(
    "size, kind, problem",
    [((1400, 1200), "PNG", "is 1400×1200; Apple wants a square"), ((800, 800), "JPEG", "is 800×800"), ((1500, 1500), "GIF", "is GIF")],
)
def test_artwork_apple_would_refuse(show_root, size, kind, problem):
    from PIL import Image

    Image.new("RGB", size, "orange").save(show_root / "artwork.png", format=kind)
    with pytest.raises(ConfigError, match=problem):
        load_show(show_root)


@pytest.mark.parametrize(
    ("side", "mode", "problem"),
    [
        (1400, "RGB", ""),
        (3000, "RGB", ""),
        (1400, "RGBA", ""),
        (1400, "P", ""),
        (1400, "L", ""),
        (1399, "RGB", "is 1399×1399; Apple wants a square of 1400 to 3000 pixels"),
        (3001, "RGB", "is 3001×3001; Apple wants a square of 1400 to 3000 pixels"),
        (1400, "CMYK", "uses the CMYK colour mode; save it as RGB"),
    ],
)
def test_artwork_edges(show_root, side, mode, problem):
    """Apple's limits, 1400 and 3000 pixels, are allowed; so are the modes a PNG or JPEG holds for RGB."""
    from PIL import Image

    Image.new(mode, (side, side)).save(show_root / "artwork.png" if mode != "CMYK" else show_root / "artwork.jpg")
    if mode == "CMYK":
        text = (show_root / "podcast.toml").read_text().replace('artwork = "artwork.png"', 'artwork = "artwork.jpg"')
        (show_root / "podcast.toml").write_text(text)
    if not problem:
        assert load_show(show_root).artwork.stat().st_size > 0
        return
    with pytest.raises(ConfigError) as error:
        load_show(show_root)
    assert str(error.value).endswith(f"'artwork': artwork.{'jpg' if mode == 'CMYK' else 'png'} {problem}")


def test_episode_image_apple_would_refuse(add_episode, show_root):
    """feedgen drops a bad itunes:image without a word: the episode's image is checked like the show's."""
    folder = add_episode("001-test", 'title = "T"\npublished = 2026-01-05\nimage = "cover.jpg"\n')
    Image.new("RGB", (1200, 1200), "teal").save(folder / "cover.jpg")
    with pytest.raises(ConfigError) as error:
        load_episode(folder, load_show(show_root))
    assert str(error.value) == f"{folder / 'episode.toml'}:3: 'image': cover.jpg is 1200×1200; Apple wants a square of 1400 to 3000 pixels"


def test_description_over_apple_limit(show_root):
    """Apple takes 4000 characters; 2000 accented letters are 4000 bytes, one more is too many."""
    text = (show_root / "podcast.toml").read_text()
    start = text.index("description")
    end = text.index("\n", start)
    for letters, refused in ((2000, False), (2001, True)):
        (show_root / "podcast.toml").write_text(text[:start] + f'description = "{"é" * letters}"' + text[end:])
        if not refused:
            assert len(load_show(show_root).description) == 2000
            continue
        with pytest.raises(ConfigError, match=r"'description': 4002 bytes long; Apple takes up to 4000"):
            load_show(show_root)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('medium = "radio"', "8: 'medium': Input should be 'podcast', 'music', 'video', 'film', 'audiobook', 'newsletter', 'blog', 'publisher' or 'course'"),
        # The line of the [[funding]] table the key is missing from, not the blank line above it.
        ('[[funding]]\ntext = "Soutenir"', "8: missing required key 'funding[1].url'"),
        ('[[funding]]\nurl = "https://example.org/"\ntext = "' + "x" * 129 + '"', "10: 'funding[1].text': String should have at most 128 characters"),
        (
            'license = "CC-BY-SA-4.0"',
            "8: 'license': 'CC-BY-SA-4.0' is not one of ARR, CC-BY-4.0, CC-BY-NC-4.0, CC-BY-NC-ND-4.0, POD-V4V-1.0: give its text's address as license_url",
        ),
        ('new_feed_url = "example.org/feed.xml"', "8: 'new_feed_url': String should match pattern"),
    ],
)
def test_feed_settings_refused(show_root, line, message):
    text = (show_root / "podcast.toml").read_text()
    (show_root / "podcast.toml").write_text(text.replace("[owner]", line + "\n\n[owner]"))
    with pytest.raises(ConfigError) as error:
        load_show(show_root)
    assert str(error.value).startswith(f"{show_root / 'podcast.toml'}:{message}")
    assert "\n" not in str(error.value)  # one problem, one line: not pydantic's every branch of a union


def test_artwork_that_is_no_image(show_root):
    (show_root / "artwork.png").write_text("pas une image")
    with pytest.raises(ConfigError) as error:
        load_show(show_root)
    assert str(error.value) == f"{show_root / 'podcast.toml'}:6: 'artwork': artwork.png is not an image"


def test_toml_syntax_error_names_file(show_root):
    (show_root / "podcast.toml").write_text(SHOW_TOML + "oops = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"podcast.toml: Invalid value \(at line 14"):
        load_show(show_root)


def episode(add_episode, show_root, body: str, **kwargs):
    folder = add_episode("001-test", body, **kwargs)
    return load_episode(folder, load_show(show_root))


def test_episode_fields_and_date_in_show_zone(add_episode, show_root):
    ep = episode(
        add_episode,
        show_root,
        """
        title = "Portage salarial"
        published = 2026-03-02
        number = 1
        season = 1
        [[guests]]
        name = "Inès"
        url = "https://example.org/ines"
        [[chapters]]
        start = "1:02:03.5"
        title = "Fin"
        """,
    )
    assert ep.slug == "001-test" and ep.number == 1 and ep.season == 1
    assert ep.published.isoformat() == "2026-03-02T00:00:00+01:00"  # Europe/Paris in winter
    assert ep.guests[0].url == "https://example.org/ines"
    assert ep.chapters[0].start == pytest.approx(3723.5)
    assert not ep.draft and ep.explicit is None


def test_episode_unknown_key_has_line(add_episode, show_root):
    with pytest.raises(ConfigError) as error:
        episode(add_episode, show_root, 'title = "x"\npublished = 2026-01-01\npublshed = 2026-01-01\n')
    assert "episode.toml:3: unknown key 'publshed' (did you mean 'published'?)" in str(error.value)


def test_guest_typo_inside_array_of_tables(add_episode, show_root):
    body = 'title = "x"\npublished = 2026-01-01\n[[guests]]\nname = "A"\nrole = "B"\n[[guests]]\nnmae = "C"\n'
    with pytest.raises(ConfigError) as error:
        episode(add_episode, show_root, body)
    assert "episode.toml:7: unknown key 'guests[2].nmae' (did you mean 'name'?)" in str(error.value)
    assert "episode.toml:6: missing required key 'guests[2].name'" in str(error.value)


def test_naive_datetime_is_refused(add_episode, show_root):
    with pytest.raises(ConfigError, match=r"episode.toml:2: 'published'.*needs a time zone"):
        episode(add_episode, show_root, 'title = "x"\npublished = 2026-01-01T09:00:00\n')


def test_zoned_datetime_kept(add_episode, show_root):
    ep = episode(add_episode, show_root, 'title = "x"\npublished = 2026-01-01T09:00:00Z\n')
    assert ep.published == datetime(2026, 1, 1, 9, tzinfo=timezone.utc)


def test_wrong_type_named(add_episode, show_root):
    with pytest.raises(ConfigError, match=r"episode.toml:3: 'type'.*'full', 'trailer' or 'bonus'"):
        episode(add_episode, show_root, 'title = "x"\npublished = 2026-01-01\ntype = "teaser"\n')


def test_unsafe_slug_refused(show_root, make_audio):
    folder = show_root / "episodes" / "Mon Épisode"
    make_audio("a.wav", folder=folder)
    (folder / "episode.toml").write_text('title = "x"\npublished = 2026-01-01\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not a safe episode folder name"):
        load_episode(folder, load_show(show_root))


def test_no_recording(add_episode, show_root):
    with pytest.raises(ConfigError, match="no recording found"):
        episode(add_episode, show_root, 'title = "x"\npublished = 2026-01-01\n', audio_name="")


@pytest.mark.parametrize("name", ["ZOOM0001.WAV", "Nouvel enregistrement.M4A"])
def test_a_recording_is_found_whatever_the_case_of_its_suffix(add_episode, show_root, name):
    # Recorders and some phones name their files in capitals.
    assert [p.name for p in episode(add_episode, show_root, 'title = "x"\npublished = 2026-01-01\n', audio_name=name).audio] == [name]


def test_several_recordings_need_an_order(add_episode, show_root, make_audio):
    folder = add_episode("001-test", 'title = "x"\npublished = 2026-01-01\n')
    make_audio("b.m4a", folder=folder)
    with pytest.raises(ConfigError, match=r"several recordings \(b.m4a, enregistrement.wav\); list them in order"):
        load_episode(folder, load_show(show_root))


def test_listed_parts_kept_in_order_and_checked(add_episode, show_root, make_audio):
    folder = add_episode("001-test", 'title = "x"\npublished = 2026-01-01\naudio = ["b.wav", "enregistrement.wav"]\n')
    make_audio("b.wav", folder=folder)
    ep = load_episode(folder, load_show(show_root))
    assert [p.name for p in ep.audio] == ["b.wav", "enregistrement.wav"]
    (folder / "episode.toml").write_text('title = "x"\npublished = 2026-01-01\naudio = ["../../podcast.toml"]\n')
    with pytest.raises(ConfigError, match="outside the episode folder"):
        load_episode(folder, load_show(show_root))
    (folder / "episode.toml").write_text('title = "x"\npublished = 2026-01-01\naudio = ["missing.m4a"]\n')
    with pytest.raises(ConfigError, match=r"episode.toml:3: 'audio': no file missing.m4a"):
        load_episode(folder, load_show(show_root))


def test_chapters_must_increase(add_episode, show_root):
    body = 'title = "x"\npublished = 2026-01-01\n[[chapters]]\nstart = "02:00"\ntitle = "b"\n[[chapters]]\nstart = "01:00"\ntitle = "a"\n'
    with pytest.raises(ConfigError, match="starts must increase"):
        episode(add_episode, show_root, body)


def test_two_chapters_at_the_same_time_are_refused(add_episode, show_root):
    """Two chapters at 00:00: a player would show one of them for no time at all."""
    body = 'title = "x"\npublished = 2026-01-01\n[[chapters]]\nstart = "00:00"\ntitle = "a"\n[[chapters]]\nstart = "00:00"\ntitle = "b"\n'
    with pytest.raises(ConfigError, match="starts must increase"):
        episode(add_episode, show_root, body)


def test_quoted_date_explained(add_episode, show_root):
    with pytest.raises(ConfigError, match=r"episode.toml:2: 'published': write the date without quotes: published = 2026-11-21"):
        episode(add_episode, show_root, 'title = "x"\npublished = "2026-11-21"\n')


def test_toml_error_shows_the_line(add_episode, show_root):
    with pytest.raises(ConfigError, match=r"line 2.*\n    published = 2026-11-21 10:00\n"):
        episode(add_episode, show_root, 'title = "x"\npublished = 2026-11-21 10:00\n')


def test_chapter_time_explained(add_episode, show_root):
    body = 'title = "x"\npublished = 2026-01-01\n[[chapters]]\nstart = "1m30"\ntitle = "a"\n'
    with pytest.raises(ConfigError, match=r"'chapters\[1\].start': '1m30' is not a time: write minutes and seconds like \"12:30\""):
        episode(add_episode, show_root, body)


def test_speaking_order_names_only_people_of_the_episode(add_episode, show_root):
    body = 'title = "x"\npublished = 2026-01-01\nspeaking_order = ["Inès"]\n[[guests]]\nname = "Inès Moreau"\n'
    with pytest.raises(ConfigError, match=r"episode.toml:3: 'speaking_order': 'Inès' is neither a host nor a guest \(Camille Durand, Inès Moreau\)"):
        episode(add_episode, show_root, body)


def test_regional_language_is_transcribed_in_its_language_and_unknown_ones_refused(add_episode, show_root):
    from pipeline.speech.transcriber import whisper_language

    assert whisper_language("fr-CA") == "fr"
    ep = episode(add_episode, show_root, 'title = "x"\npublished = 2026-01-01\nlanguage = "fr-CA"\n')
    assert ep.language == "fr-CA"
    with pytest.raises(ConfigError, match=r"episode.toml:3: 'language'.*Whisper does not know the language 'xx'"):
        episode(add_episode, show_root, 'title = "x"\npublished = 2026-01-01\nlanguage = "xx"\n')


FULL_SHOW = """\
title = "Freelance.Family"
subtitle = "Les vraies histoires"
description = "Une émission."
language = "fr-CA"
author = "Camille Durand"
base_url = "https://example.org/emission"
categories = ["Business > Careers", "Society & Culture"]
explicit = true
type = "serial"
artwork = "artwork.png"
copyright = "© 2026 Camille Durand"
guid = "6d3b0a1e-8c1f-5c4e-9b7a-2f4e1d0c9b8a"
license = "CC BY-NC 4.0"
license_url = "https://creativecommons.org/licenses/by-nc/4.0/"
locked = false
medium = "audiobook"
new_feed_url = "https://example.org/nouveau/feed.xml"
timezone = "America/Montreal"

[[funding]]
url = "https://example.org/soutenir"
text = "Soutenir l'émission"

[[funding]]
url = "https://example.org/don"

[subscribe]
apple = "https://podcasts.apple.com/fr/podcast/id123"
spotify = "https://open.spotify.com/show/abc"
deezer = "https://www.deezer.com/show/1"
youtube = "https://www.youtube.com/playlist?list=x"

[owner]
name = "Camille D."
email = "camille@example.org"

[[hosts]]
name = "Camille Durand"
role = "Animatrice"
url = "https://example.org/camille"
img = "https://example.org/camille.jpg"
bio = "Freelance depuis 2019."
email = "c@example.org"
kind = "freelance"

[loudness]
target = -18.0
true_peak = -2.0
lra = 9.0
tolerance = 0.3

[audio]
highpass = 100.0
denoise = true
trim_silence = false
silence_threshold = -45.0
silence_min = 1.5
channels = 2
bitrate_mono = "96k"
bitrate_stereo = "192k"
aac = true
id3_version = 3

[jingles]
intro = "intro.wav"
outro = "sons/outro.wav"
crossfade = 0.5

[transcription]
engine = "openai-whisper"
model = "small"
beam_size = 3
compute_type = "int8"
vad = false
glossary = ["TJM", "URSSAF"]
"""


def test_every_show_field_is_read(show_root):
    """Each key of podcast.toml reaches the Show record, where the stages read it."""
    (show_root / "podcast.toml").write_text(FULL_SHOW, encoding="utf-8")
    (show_root / "intro.wav").write_bytes(b"RIFF")
    (show_root / "sons").mkdir()
    (show_root / "sons" / "outro.wav").write_bytes(b"RIFF")
    root = show_root.resolve()
    assert load_show(show_root) == Show(
        root=root,
        title="Freelance.Family",
        subtitle="Les vraies histoires",
        description="Une émission.",
        language="fr-CA",
        author="Camille Durand",
        owner=Person("Camille D.", email="camille@example.org"),
        base_url="https://example.org/emission/",  # the slash a URL joined to it needs
        categories=(("Business", "Careers"), ("Society & Culture",)),
        explicit=True,
        type="serial",
        artwork=root / "artwork.png",
        copyright="© 2026 Camille Durand",
        guid="6d3b0a1e-8c1f-5c4e-9b7a-2f4e1d0c9b8a",
        license="CC BY-NC 4.0",
        license_url="https://creativecommons.org/licenses/by-nc/4.0/",
        locked=False,
        medium="audiobook",
        new_feed_url="https://example.org/nouveau/feed.xml",
        funding=(Link("Soutenir l'émission", "https://example.org/soutenir"), Link("", "https://example.org/don")),
        subscribe=(
            Link("apple", "https://podcasts.apple.com/fr/podcast/id123"),
            Link("spotify", "https://open.spotify.com/show/abc"),
            Link("deezer", "https://www.deezer.com/show/1"),
            Link("youtube", "https://www.youtube.com/playlist?list=x"),
        ),
        timezone="America/Montreal",
        hosts=(
            Person(
                "Camille Durand",
                "Animatrice",
                "https://example.org/camille",
                "https://example.org/camille.jpg",
                "Freelance depuis 2019.",
                "c@example.org",
                kind="freelance",
            ),
        ),
        loudness=Loudness(target=-18.0, true_peak=-2.0, lra=9.0, tolerance=0.3),
        audio=AudioSettings(
            highpass=100.0,
            denoise=True,
            trim_silence=False,
            silence_threshold=-45.0,
            silence_min=1.5,
            channels=2,
            bitrate_mono="96k",
            bitrate_stereo="192k",
            aac=True,
            id3_version=3,
        ),
        jingles=Jingles(intro=root / "intro.wav", outro=root / "sons" / "outro.wav", crossfade=0.5),
        transcription=Transcription(engine="openai-whisper", model="small", beam_size=3, compute_type="int8", vad=False, glossary=("TJM", "URSSAF")),
    )


@pytest.mark.parametrize("jingle", ["intro", "outro"])
def test_a_jingle_that_is_not_there_is_named(show_root, jingle):
    (show_root / "podcast.toml").write_text(SHOW_TOML.replace("[owner]", f'[jingles]\n{jingle} = "fin.wav"\n\n[owner]'), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_show(show_root)
    assert str(error.value) == f"{show_root / 'podcast.toml'}:9: '{jingle}': no file at fin.wav"


def test_every_episode_field_is_read(add_episode, show_root, make_audio):
    folder = add_episode(
        "007-portage",
        """\
        title = "Le portage salarial"
        published = 2026-07-02
        number = 7
        season = 2
        type = "bonus"
        description = "On parle **TJM**."
        explicit = true
        draft = true
        jingles = false
        image = "cover.png"
        language = "en"
        audio = ["enregistrement.wav"]
        channels = { left = "Camille Durand", right = "Inès Moreau" }
        speaking_order = ["Inès Moreau"]
        [[guests]]
        name = "Inès Moreau"
        role = "Développeuse"
        url = "https://example.org/ines"
        img = "https://example.org/ines.jpg"
        bio = "À Lyon."
        email = "ines@example.org"
        kind = "coworking"
        [[links]]
        title = "Le site d'Inès"
        url = "https://example.org/ines"
        [[chapters]]
        start = "00:00"
        title = "Intro"
        [[chapters]]
        start = "01:30"
        title = "Le portage"
        url = "https://example.org/portage"
        """,
        channels=2,
    )
    Image.new("RGB", (1400, 1400), "teal").save(folder / "cover.png")
    folder = folder.resolve()
    recording = folder / "enregistrement.wav"
    assert load_episode(folder, load_show(show_root)) == Episode(
        slug="007-portage",
        folder=folder,
        title="Le portage salarial",
        published=datetime(2026, 7, 2, tzinfo=ZoneInfo("Europe/Paris")),
        audio=(),
        number=7,
        season=2,
        type="bonus",
        description="On parle **TJM**.",
        guests=(
            Person("Inès Moreau", "Développeuse", "https://example.org/ines", "https://example.org/ines.jpg", "À Lyon.", "ines@example.org", kind="coworking"),
        ),
        links=(Link("Le site d'Inès", "https://example.org/ines"),),
        chapters=(Chapter(0.0, "Intro"), Chapter(90.0, "Le portage", "https://example.org/portage")),
        explicit=True,
        draft=True,
        tracks=(Track("Camille Durand", recording, channel=0), Track("Inès Moreau", recording, channel=1)),
        jingles=False,
        image=folder / "cover.png",
        language="en",
        speaking_order=("Inès Moreau",),
    )


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("audio = []\n", 3, "'audio' is empty"),
        ("[tracks]\n", 3, "'tracks' is empty"),
        ('audio = ["a.wav", "b.wav"]\nchannels = { left = "A", right = "B" }\n', 4, "'channels' needs exactly one stereo recording, not 2"),
        ('audio = ["a.wav"]\n[tracks]\nA = "a.wav"\n', 4, "'tracks' replaces 'audio' and 'channels'; keep one of them"),
        ('image = "absente.png"\n', 3, "'image': no file absente.png in {folder}"),
        ('\n[tracks]\nA = "absent.wav"\n', 4, "'tracks': no file absent.wav in {folder}"),
        ('speaking_order = ["Zoé"]\n', 3, "'speaking_order': 'Zoé' is neither a host nor a guest (Camille Durand)"),
        ('\n[[chapters]]\nstart = "00:10"\ntitle = "B"\n[[chapters]]\nstart = "00:05"\ntitle = "A"\n', 4, "'chapters': starts must increase"),
    ],
)
def test_episode_problems_name_the_line_of_their_key(add_episode, show_root, make_audio, body, line, message):
    folder = add_episode("001-test", 'title = "T"\npublished = 2026-01-05\n' + body, audio_name="")
    for name in ("a.wav", "b.wav") if "b.wav" in body else ("a.wav",):
        make_audio(name, folder=folder, seconds=1)
    with pytest.raises(ConfigError) as error:
        load_episode(folder, load_show(show_root))
    assert str(error.value) == f"{folder / 'episode.toml'}:{line}: " + message.format(folder=folder)


def test_slug_rule_explained(show_root, make_audio):
    folder = show_root / "episodes" / "Episode 1"
    make_audio("a.wav", folder=folder, seconds=1)
    with pytest.raises(ConfigError) as error:
        load_episode(folder, load_show(show_root))
    assert str(error.value) == (
        f"{folder}: 'Episode 1' is not a safe episode folder name: use lower-case letters, digits and single dashes, like '012-portage-salarial'"
    )


# What a host reads for the mistakes hosts make, to the letter: the key, its line, and one
# line per problem (pydantic reports each branch of a union; the host needs one).
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("published = 5\n", ["2: 'published': write a date, 2026-11-20, or a date and time, 2026-11-20T09:00:00+01:00"]),
        ('published = 2026-01-05\nnumber = "un"\n', ["3: 'number': Input should be a valid integer, unable to parse string as an integer"]),
        ('published = 2026-01-05\n[[guests]]\nname = "G"\nurl = "pas une url"\n', ["5: 'guests[1].url': String should match pattern '^https?://\\S+$'"]),
        ("published = 2026-01-05\nzzzz = 1\n", ["3: unknown key 'zzzz'"]),  # nothing like it: no suggestion
        (
            'published = 2026-01-05\n\n[[guests]]\nnmae = "G"\n',
            ["4: missing required key 'guests[1].name'", "5: unknown key 'guests[1].nmae' (did you mean 'name'?)"],
        ),
        (
            "published = 2026-01-05\nseason = 0\nnumber = -1\n",
            ["4: 'number': Input should be greater than or equal to 0", "3: 'season': Input should be greater than or equal to 1"],
        ),
        ("published = 2026-01-05T10:00:00\n", ["2: 'published': a date-time needs a time zone, for example 2026-11-20T09:00:00+01:00"]),
        ('published = 2026-01-05\nspeaking_order = ["Zoé"]\n', ["3: 'speaking_order': 'Zoé' is neither a host nor a guest (nobody is listed)"]),
    ],
)
def test_episode_mistakes_read_as_a_host_needs(tmp_path, body, expected):
    root = new_show(tmp_path / "show", SHOW_TOML.split("[[hosts]]")[0])  # no host: "nobody is listed"
    folder = root / "episodes" / "001-a"
    folder.mkdir()
    (folder / "a.wav").write_bytes(b"RIFF")
    (folder / "episode.toml").write_text('title = "T"\n' + body, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_episode(folder, load_show(root))
    assert str(error.value).split("\n") == [f"{folder / 'episode.toml'}:{line}" for line in expected]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('title = "T\npublished = 2026-01-05\n', ["Illegal character '\\n' (at line 1, column 11)", 'title = "T']),
        ('title = "T"\npublished = 2026-01-05\nnumber = un\n', ["Invalid value (at line 3, column 10)", "number = un"]),
    ],
)
def test_toml_syntax_error_shows_its_line_and_how_to_write_values(add_episode, show_root, text, shown):
    folder = add_episode("001-a", "")
    (folder / "episode.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_episode(folder, load_show(show_root))
    assert str(error.value).split("\n") == [
        f"{folder / 'episode.toml'}: {shown[0]}",
        f"    {shown[1]}",
        "    (TOML: quote text, write dates as 2026-11-20 or 2026-11-20T09:00:00+01:00)",
    ]


def test_a_file_not_in_utf8_is_named(show_root):
    (show_root / "podcast.toml").write_bytes('title = "Café"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as error:
        load_show(show_root)
    assert str(error.value) == f"{show_root / 'podcast.toml'}: not UTF-8 text (invalid continuation byte)"


def test_a_kind_not_on_the_list_is_named_with_its_file_and_line(add_episode, show_root):
    folder = add_episode(
        "001-a",
        """\
        title = "A"
        published = 2026-07-02
        [[guests]]
        name = "Inès"
        kind = "indépendante"
        """,
    )
    with pytest.raises(ConfigError) as error:
        load_episode(folder, load_show(show_root))
    message = str(error.value)
    assert "episode.toml" in message and "kind" in message and "'freelance'" in message and "'coworking'" in message


def test_a_subscribe_link_must_be_an_address(show_root):
    (show_root / "podcast.toml").write_text(SHOW_TOML.replace("[owner]", '[subscribe]\napple = "podcasts.apple.com/x"\n\n[owner]'), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_show(show_root)
    assert "podcast.toml" in str(error.value) and "apple" in str(error.value)


# Paths that must stay inside the show's (or the episode's) folder, against a sibling folder whose
# name starts with the same letters: ../show2/ is outside show/, though "show2" starts with "show".


def _sibling_show(show_root: Path) -> Path:
    """show2/ beside show/, holding an artwork and a jingle that would load if they were inside."""
    sibling = show_root.parent / f"{show_root.name}2"
    sibling.mkdir()
    (sibling / "artwork.png").write_bytes((show_root / "artwork.png").read_bytes())
    (sibling / "intro.wav").write_bytes(b"RIFF")
    return sibling


@pytest.mark.parametrize(
    "key, line",
    [
        ("artwork", 'artwork = "{path}artwork.png"'),
        ("intro", '[jingles]\nintro = "{path}intro.wav"'),
        ("outro", '[jingles]\noutro = "{path}intro.wav"'),
    ],
)
@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_show_files_in_a_sibling_folder_are_outside_the_show(show_root, key, line, how):
    """README: `artwork` and the jingles may not lead out of the show's folder."""
    sibling = _sibling_show(show_root)
    path = f"../{sibling.name}/" if how == "relative" else f"{sibling}/"
    if key == "artwork":
        text = SHOW_TOML.replace('artwork = "artwork.png"', line.format(path=path))
    else:
        text = SHOW_TOML.replace("[owner]", line.format(path=path) + "\n\n[owner]")
    (show_root / "podcast.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"'{key}': .* is outside the show folder"):
        load_show(show_root)


def test_the_show_folder_itself_is_not_a_file_inside_it(show_root):
    (show_root / "podcast.toml").write_text(SHOW_TOML.replace('artwork = "artwork.png"', 'artwork = "."'), encoding="utf-8")
    with pytest.raises(ConfigError, match="'artwork': . is outside the show folder"):
        load_show(show_root)


@pytest.mark.parametrize(
    "body, key",
    [
        ('audio = ["../001-test2/a.wav"]\n', "audio"),
        ('[tracks]\n"Camille Durand" = "../001-test2/a.wav"\n', "tracks"),
        ('[tracks]\n"Camille Durand" = { file = "../001-test2/a.wav" }\n', "tracks"),
        ('image = "../001-test2/cover.png"\n', "image"),
    ],
)
def test_episode_files_in_a_sibling_folder_are_outside_the_episode(add_episode, show_root, make_audio, body, key):
    """README: `audio`, `tracks` and `image` may not lead out of the episode's folder, not even
    into 001-test2/ beside 001-test/."""
    sibling = show_root / "episodes" / "001-test2"
    make_audio("a.wav", folder=sibling, seconds=1)
    Image.new("RGB", (1400, 1400), "teal").save(sibling / "cover.png")
    folder = add_episode("001-test", 'title = "T"\npublished = 2026-01-05\n' + body, seconds=1)  # a recording of its own
    with pytest.raises(ConfigError, match=f"'{key}': ../001-test2/.* is outside the episode folder"):
        load_episode(folder, load_show(show_root))


def test_episode_files_in_a_sub_folder_are_inside(add_episode, show_root, make_audio):
    """The other side of that edge: a file in a folder of the episode's own is found."""
    folder = add_episode("001-test", 'title = "T"\npublished = 2026-01-05\naudio = ["prises/a.wav"]\n', audio_name="")
    make_audio("a.wav", folder=folder / "prises", seconds=1)
    assert load_episode(folder, load_show(show_root)).audio == (folder.resolve() / "prises" / "a.wav",)


# Each setting's range, at both ends and just past them. The ranges are those records.py and
# schema.py declare for podcast.toml (the README names the settings, not their ranges): pinned
# here so that a change to one is a decision, not a slip.
RANGES = [
    # (table, key, lowest allowed, highest allowed, just under, just over)
    ("loudness", "target", "-31.0", "-5.0", "-31.01", "-4.99"),
    ("loudness", "true_peak", "-9.0", "0.0", "-9.01", "0.01"),
    ("loudness", "lra", "1.0", "50.0", "0.99", "50.01"),
    ("loudness", "tolerance", "0.01", "3.0", "0.0", "3.01"),  # more than 0
    ("audio", "highpass", "0.0", "300.0", "-0.01", "300.01"),
    ("audio", "silence_threshold", "-90.0", "-20.0", "-90.01", "-19.99"),
    ("audio", "silence_min", "0.01", "30.0", "0.0", "30.01"),  # more than 0
    ("jingles", "crossfade", "0.0", "10.0", "-0.01", "10.01"),
    ("transcription", "beam_size", "1", "16", "0", "17"),
]


@pytest.mark.parametrize("table, key, low, high, under, over", RANGES, ids=[f"{t}.{k}" for t, k, *_ in RANGES])
def test_each_setting_at_the_ends_of_its_range(show_root, table, key, low, high, under, over):
    def show_with(value: str):
        (show_root / "podcast.toml").write_text(f"{SHOW_TOML}\n[{table}]\n{key} = {value}\n", encoding="utf-8")
        return load_show(show_root)

    for value in (low, high):
        assert getattr(getattr(show_with(value), table), key) == float(value)
    for value in (under, over):
        with pytest.raises(ConfigError, match=rf"podcast.toml:16: '{table}.{key}': Input should be"):
            show_with(value)


@pytest.mark.parametrize(
    "line, allowed",
    [
        ("number = 0", True),  # README: itunes:episode "when ≥ 1"; 0 is a number all the same
        ("number = -1", False),
        ("season = 1", True),
        ("season = 0", False),
    ],
)
def test_episode_and_season_numbers_at_their_edge(add_episode, show_root, line, allowed):
    body = f'title = "T"\npublished = 2026-01-05\n{line}\n'
    if allowed:
        key, value = line.split(" = ")
        assert getattr(episode(add_episode, show_root, body), key) == int(value)
        return
    with pytest.raises(ConfigError, match=rf"episode.toml:3: '{line.split()[0]}': Input should be greater than or equal to"):
        episode(add_episode, show_root, body)


def test_a_track_offset_of_zero_is_allowed_and_a_negative_one_refused(add_episode, show_root, make_audio):
    """`offset`: the seconds a track starts after the episode's start (README), so 0 or more."""
    for offset, allowed in (("0.0", True), ("-0.01", False)):
        body = f'title = "T"\npublished = 2026-01-05\n[tracks]\n"Camille Durand" = {{ file = "a.wav", offset = {offset} }}\n'
        folder = add_episode("001-test", body, audio_name="a.wav", seconds=1)
        if allowed:
            assert load_episode(folder, load_show(show_root)).tracks[0].offset == 0.0
        else:
            with pytest.raises(ConfigError, match="'tracks.*offset'"):
                load_episode(folder, load_show(show_root))


def test_four_pins_are_allowed_and_a_three_letter_veto(add_episode, show_root):
    """README: `[quotes] pin`, at most 4 (five is refused, tests/text/test_quotes.py); a veto of
    3 characters is the shortest (two is refused there)."""
    body = 'title = "T"\npublished = 2026-01-05\n[quotes]\npin = ["une", "deux", "trois", "quatre"]\nveto = ["non"]\n'
    picks = episode(add_episode, show_root, body).quotes
    assert len(picks.pin) == 4 and picks.veto == ("non",)


@pytest.mark.parametrize("key", ["funding text", "license"])
def test_128_characters_of_funding_text_or_license_are_allowed(show_root, key):
    """README: the funding link's label is at most 128 characters (129 is refused above); the same
    for a license's name (the namespace's pages)."""
    line = (
        f'[[funding]]\nurl = "https://example.org/"\ntext = "{"é" * 128}"'
        if key == "funding text"
        else f'license = "{"é" * 128}"\nlicense_url = "https://example.org/l"'
    )
    (show_root / "podcast.toml").write_text(SHOW_TOML.replace("[owner]", line + "\n\n[owner]"), encoding="utf-8")
    show = load_show(show_root)
    assert (show.funding[0].title if key == "funding text" else show.license) == "é" * 128
    (show_root / "podcast.toml").write_text(SHOW_TOML.replace("[owner]", line.replace("é" * 128, "é" * 129) + "\n\n[owner]"), encoding="utf-8")
    with pytest.raises(ConfigError, match="String should have at most 128 characters"):
        load_show(show_root)


def test_a_glossary_written_as_one_word_asks_for_a_list(show_root):
    # TOML's string where a list is wanted: said as a list, not pydantic's "tuple".
    (show_root / "podcast.toml").write_text(f'{SHOW_TOML}\n[transcription]\nglossary = "TJM"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_show(show_root)
    assert str(caught.value).endswith("podcast.toml:16: 'transcription.glossary': Input should be a valid list")
