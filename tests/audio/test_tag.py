"""ID3 tags read back with mutagen: the usual frames, the podcast frames and chapters."""

from __future__ import annotations

import hashlib
import io
import shutil
import uuid
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from lxml import etree
from mutagen.id3 import ID3, CTOCFlags, Encoding, ID3NoHeaderError, PictureType
from mutagen.mp3 import MP3

from pipeline.audio.encode import normalise
from pipeline.audio.tags import write_mp4_tags, write_tags
from pipeline.build import build
from pipeline.config import load_show
from pipeline.engine import Store
from pipeline.errors import StageError
from pipeline.records import AudioSettings, Chapter, Episode, Loudness, Person
from pipeline.stages.normalise import Normalise
from tests.conftest import speechlike, write_wav

LABELS = {"chapters": "Chapitres"}


@pytest.fixture(scope="module")
def levelled(tmp_path_factory: pytest.TempPathFactory):
    """12 s levelled once for the module; each test tags a copy of its own."""
    folder = tmp_path_factory.mktemp("levelled")
    out = folder / "episode.mp3"
    normalise([write_wav(folder / "source.wav", speechlike(12, -20))], out, Loudness())
    return out


@pytest.fixture
def mp3(levelled, tmp_path):
    return shutil.copyfile(levelled, tmp_path / "episode.mp3")


@pytest.fixture
def episode(tmp_path):
    return Episode(
        slug="007-portage",
        folder=tmp_path,
        title="Le portage salarial",
        published=datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc),
        audio=(),
        number=7,
        description="Une conversation sur le **portage**.",
        guests=(Person("Inès Moreau"),),
        chapters=(Chapter(0.0, "Intro"), Chapter(4.5, "Le portage", "https://example.org/portage")),
    )


def test_round_trip(mp3, episode, show_root):
    show = load_show(show_root)
    write_tags(mp3, show, episode, LABELS)
    tags = ID3(mp3)
    assert tags.version == (2, 4, 0)
    assert str(tags["TIT2"]) == "Le portage salarial"
    assert tags["TPE1"].text == ["Camille Durand", "Inès Moreau"]
    assert str(tags["TALB"]) == "Test Show" and str(tags["TPE2"]) == "Camille Durand"
    assert str(tags["TDRC"]) == "2026-03-02" and str(tags["TRCK"]) == "7"
    assert str(tags["TCON"]) == "Podcast" and str(tags["TLAN"]) == "fra"
    assert tags.getall("COMM")[0].text == ["Une conversation sur le portage."]
    assert str(tags["TDES"]) == "Une conversation sur le portage."
    assert tags["PCST"].value == 1
    # The show sets no guid: its Podcasting 2.0 one, from its feed's URL (the namespace from
    # podcasting2.org/podcast-namespace/tags/guid), then the episode's from it and the folder's name.
    show_guid = uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "localhost:8000/feed.xml")
    assert str(tags["TGID"]) == str(uuid.uuid5(show_guid, "007-portage")) == "be8def01-c58c-589b-946f-49c8f7c14841"
    assert tags["WFED"].url == "http://localhost:8000/feed.xml"
    cover = tags.getall("APIC")[0]
    assert cover.mime == "image/jpeg" and len(cover.data) > 10_000
    assert (cover.type, cover.desc) == (PictureType.COVER_FRONT, "Cover")
    assert tags.getall("COMM")[0].desc == ""  # the comment apps show, not one filed under a name


def test_tgid_comes_from_the_guid_the_show_sets(mp3, episode, show_root):
    show = replace(load_show(show_root), guid="6d3b0a1e-8c1f-5c4e-9b7a-2f4e1d0c9b8a", base_url="https://example.org/")
    write_tags(mp3, show, episode, LABELS)
    assert str(ID3(mp3)["TGID"]) == str(uuid.uuid5(uuid.UUID("6d3b0a1e-8c1f-5c4e-9b7a-2f4e1d0c9b8a"), "007-portage"))


def test_chapters_round_trip(mp3, episode, show_root):
    write_tags(mp3, load_show(show_root), episode, LABELS)
    tags = ID3(mp3)
    toc = tags.getall("CTOC")[0]
    assert toc.child_element_ids == ["chp0", "chp1"] and str(toc.sub_frames["TIT2"]) == "Chapitres"
    first, second = (tags[f"CHAP:{name}"] for name in toc.child_element_ids)
    assert (first.start_time, first.end_time) == (0, 4500)
    assert second.start_time == 4500
    assert second.end_time == pytest.approx(MP3(mp3).info.length * 1000, abs=30)
    assert str(second.sub_frames["TIT2"]) == "Le portage"
    assert second.sub_frames.getall("WXXX")[0].url == "https://example.org/portage"


def test_text_is_utf8_and_chapters_are_found_by_time_not_by_byte(mp3, episode, show_root):
    # ID3v2.4 text in UTF-8 (encoding 3), the title's "é" as one character in any reader; the
    # chapter spec: offsets of 0xFFFFFFFF say "use the times", which apps then do.
    write_tags(mp3, load_show(show_root), episode, LABELS)
    tags = ID3(mp3)
    assert {name: tags[name].encoding for name in ("TIT2", "TPE1", "TALB", "TPE2", "TDRC", "TRCK")} == dict.fromkeys(
        ("TIT2", "TPE1", "TALB", "TPE2", "TDRC", "TRCK"), Encoding.UTF8
    )
    toc = tags.getall("CTOC")[0]
    assert toc.sub_frames["TIT2"].encoding == Encoding.UTF8
    for chapter in (tags[f"CHAP:{name}"] for name in toc.child_element_ids):
        assert (chapter.start_offset, chapter.end_offset) == (0xFFFFFFFF, 0xFFFFFFFF)
        assert chapter.sub_frames["TIT2"].encoding == Encoding.UTF8
    link = tags["CHAP:chp1"].sub_frames.getall("WXXX")[0]
    assert (link.encoding, link.desc) == (Encoding.UTF8, "")


def test_chapter_after_the_end_is_refused(mp3, episode, show_root):
    late = replace(episode, chapters=(Chapter(0.0, "Intro"), Chapter(60.0, "Trop tard")))
    with pytest.raises(StageError, match=r"'chapters': 'Trop tard' starts after the end of the episode"):
        write_tags(mp3, load_show(show_root), late, LABELS)


def test_chapter_starting_at_the_very_end_is_refused(mp3, episode, show_root):
    """It would last no time at all: a player would show a chapter it can never play."""
    end = MP3(mp3).info.length
    late = replace(episode, chapters=(Chapter(0.0, "Intro"), Chapter(end, "Fin")))
    with pytest.raises(StageError) as error:
        write_tags(mp3, load_show(show_root), late, LABELS)
    assert str(error.value).startswith(f"{episode.folder / 'episode.toml'}: 'chapters': 'Fin' starts after the end")


def test_chapter_frames_as_apps_look_for_them(mp3, episode, show_root):
    write_tags(mp3, load_show(show_root), episode, LABELS)
    tags = ID3(mp3)
    toc = tags.getall("CTOC")[0]
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED  # the table apps start from, in order
    link = tags["CHAP:chp1"].sub_frames.getall("WXXX")[0]
    assert (link.desc, link.url) == ("", "https://example.org/portage")
    assert not tags["CHAP:chp0"].sub_frames.getall("WXXX")  # no link, no frame


def test_language_without_an_iso_639_2_code_is_written_as_given(mp3, episode, show_root):
    write_tags(mp3, replace(load_show(show_root), language="ja"), episode, LABELS)
    tags = ID3(mp3)
    assert str(tags["TLAN"]) == "ja" and tags.getall("COMM")[0].lang == "und"  # ID3's "undetermined"


def test_artwork_with_transparency_becomes_a_jpeg_cover(mp3, episode, show_root, tmp_path):
    from PIL import Image

    Image.new("RGBA", (1400, 1400), (255, 128, 0, 128)).save(tmp_path / "cover.png")  # Apple takes RGBA PNGs
    write_tags(mp3, load_show(show_root), replace(episode, image=tmp_path / "cover.png"), LABELS)
    cover = ID3(mp3).getall("APIC")[0]
    assert Image.open(io.BytesIO(cover.data)).format == "JPEG"


def test_regional_language_tagged_by_its_language(mp3, episode, show_root):
    show = replace(load_show(show_root), language="fr-CA")
    write_tags(mp3, show, episode, LABELS)
    tags = ID3(mp3)
    assert str(tags["TLAN"]) == "fra" and tags.getall("COMM")[0].lang == "fra"


def test_id3v23_for_old_players(mp3, episode, show_root):
    show = replace(load_show(show_root), audio=AudioSettings(id3_version=3))
    write_tags(mp3, show, episode, LABELS)
    tags = ID3(mp3, translate=False)  # the frames as written, not upgraded to v2.4 on reading
    assert tags.version == (2, 3, 0)
    assert str(tags["TYER"]) == "2026" and str(tags["TIT2"]) == "Le portage salarial"
    assert tags.getall("CHAP")


def test_episode_image_wins_over_the_show_artwork(mp3, episode, show_root, tmp_path):
    from PIL import Image

    Image.new("RGB", (1400, 1400), "orange").save(tmp_path / "cover.png")
    write_tags(mp3, load_show(show_root), replace(episode, image=tmp_path / "cover.png"), LABELS)
    cover = Image.open(io.BytesIO(ID3(mp3).getall("APIC")[0].data))
    assert cover.size == (1400, 1400) and cover.getpixel((700, 700))[0] > 240  # orange, not the show's artwork


def test_tags_go_into_the_published_copy_not_the_levelled_file(show_root, add_episode, no_whisper):
    """A new title re-tags a copy and never re-encodes: the levelled MP3 in the build cache stays
    the bytes normalise wrote (else the next build finds it changed and levels it again)."""
    add_episode("007-portage", 'title = "Le portage salarial"\npublished = 2026-03-02\n')
    report = build(show_root)
    assert report.ok, report.failures
    record = Store(show_root / ".build").load("episodes/007-portage", Normalise())
    audio = record.result.audio
    assert hashlib.sha256(audio.read_bytes()).hexdigest() == record.outputs["audio"]["sha256"]
    with pytest.raises(ID3NoHeaderError):  # no tag at all: normalise writes none
        ID3(audio)
    assert str(ID3(show_root / "public" / "audio" / "007-portage.mp3")["TIT2"]) == "Le portage salarial"


# What a host writes in episode.toml, and what a podcast app showing COMM/TDES/desc verbatim
# should show instead.
MARKDOWN_DESCRIPTION = """\
Un épisode de **Freelance.Family** avec *Inès* sur le portage,
et le [guide de l'URSSAF](https://www.urssaf.fr/portage) pour aller plus loin.

Au programme :

- le `statut` de salarié porté ;
- les frais de gestion &amp; le _chiffre d'affaires_.
"""
PLAIN_DESCRIPTION = """\
Un épisode de Freelance.Family avec Inès sur le portage, et le guide de l’URSSAF (https://www.urssaf.fr/portage) pour aller plus loin.

Au programme :

- le statut de salarié porté ;
- les frais de gestion & le chiffre d’affaires."""


def assert_plain(text: str) -> None:
    assert text == PLAIN_DESCRIPTION
    assert not any(marker in text for marker in ("**", "*", "_", "`", "[", "](", "&amp;"))


def test_description_frames_hold_plain_text(mp3, episode, show_root):
    write_tags(mp3, load_show(show_root), replace(episode, description=MARKDOWN_DESCRIPTION), LABELS)
    tags = ID3(mp3)
    assert_plain(tags.getall("COMM")[0].text[0])
    assert_plain(str(tags["TDES"]))


def test_description_frames_hold_plain_text_in_id3v23(mp3, episode, show_root):
    show = replace(load_show(show_root), audio=AudioSettings(id3_version=3))
    write_tags(mp3, show, replace(episode, description=MARKDOWN_DESCRIPTION), LABELS)
    tags = ID3(mp3, translate=False)
    assert_plain(tags.getall("COMM")[0].text[0])
    assert_plain(str(tags["TDES"]))


def assert_portage_atoms(tags) -> None:
    """The MP4 atoms of episode 7, "Le portage salarial" of 2026-03-02 with Inès Moreau, as apps read them."""
    from mutagen.mp4 import MP4Cover

    assert tags["\xa9nam"] == ["Le portage salarial"] and tags["\xa9ART"] == ["Camille Durand", "Inès Moreau"]
    assert tags["\xa9alb"] == ["Test Show"] and tags["aART"] == ["Camille Durand"]
    assert tags["\xa9day"] == ["2026-03-02"] and tags["\xa9gen"] == ["Podcast"] and tags["trkn"] == [(7, 0)]
    [cover] = tags["covr"]
    assert cover.imageformat == MP4Cover.FORMAT_JPEG and cover[:2] == b"\xff\xd8"


def test_aac_alternate_is_tagged_and_published(show_root, add_episode, no_whisper):
    """With `aac = true` the AAC copy is published beside the MP3 with the same facts in its
    MP4 atoms, and the levelled .m4a in the build cache stays as normalise wrote it."""
    from mutagen.mp4 import MP4

    with (show_root / "podcast.toml").open("a", encoding="utf-8") as f:
        f.write("[audio]\naac = true\n")
    add_episode("007-portage", 'title = "Le portage salarial"\npublished = 2026-03-02\nnumber = 7\n[[guests]]\nname = "Inès Moreau"\n')
    report = build(show_root)
    assert report.ok, report.failures
    record = Store(show_root / ".build").load("episodes/007-portage", Normalise())
    assert hashlib.sha256(record.result.aac.read_bytes()).hexdigest() == record.outputs["aac"]["sha256"]
    m4a = show_root / "public" / "audio" / "007-portage.m4a"
    assert_portage_atoms(MP4(m4a))
    alternate = etree.parse(str(show_root / "public" / "feed.xml")).find("channel/item/{https://podcastindex.org/namespace/1.0}alternateEnclosure")
    assert int(alternate.get("length")) == m4a.stat().st_size


def test_mp4_atoms_hold_the_episode_s_facts(make_audio, episode, show_root):
    """The AAC alternate's atoms as apps read them: iTunes' names (©nam, aART, trkn…), the date
    as YYYY-MM-DD, the cover as JPEG (the whole build's test is test_aac_alternate_is_tagged_and_published)."""
    from mutagen.mp4 import MP4

    m4a = make_audio("episode.m4a", seconds=2)
    write_mp4_tags(m4a, load_show(show_root), episode)
    tags = MP4(m4a)
    assert_portage_atoms(tags)
    assert sorted(tags) == ["aART", "covr", "desc", "trkn", "\xa9ART", "\xa9alb", "\xa9day", "\xa9gen", "\xa9nam", "\xa9too"]


def test_an_unnumbered_episode_has_no_track_atom(make_audio, episode, show_root):
    from mutagen.mp4 import MP4

    m4a = make_audio("episode.m4a", seconds=2)
    write_mp4_tags(m4a, load_show(show_root), replace(episode, number=None))
    assert "trkn" not in MP4(m4a)


def test_aac_description_holds_plain_text(make_audio, episode, show_root):
    from mutagen.mp4 import MP4

    m4a = make_audio("episode.m4a", seconds=2)
    write_mp4_tags(m4a, load_show(show_root), replace(episode, description=MARKDOWN_DESCRIPTION))
    assert_plain(MP4(m4a)["desc"][0])


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("Voir <https://example.org/a> ou <camille@example.org>.", "Voir https://example.org/a ou camille@example.org."),
        ("[https://example.org](https://example.org)", "https://example.org"),
        ("[Café](https://example.org/café)", "Café (https://example.org/café)"),
        ("1. un\n2. deux\n   - sous-point\n\n   suite de deux", "1. un\n2. deux\n   - sous-point\n   suite de deux"),
        ("# Titre\n\nTexte.\\\nLigne forcée.", "Titre\n\nTexte.\nLigne forcée."),
        ("<p>Du <b>HTML</b> &eacute;crit &agrave; la main</p>", "Du HTML écrit à la main"),
        ("[**Café** *crème*](https://example.org/cafe)", "Café crème (https://example.org/cafe)"),
        ("Le logo : ![Freelance.Family](logo.png).", "Le logo : Freelance.Family."),
        ("[https://example.org/*a*](https://example.org/a)", "https://example.org/a"),
        ("1. un\n2. deux\n\nAprès la liste.", "1. un\n2. deux\n\nAprès la liste."),
        ("* un\n* deux", "- un\n- deux"),
        ("- ligne un\\\n  ligne deux", "- ligne un\n  ligne deux"),
        ("```\nif tjm:\n    facturer()\n```", "if tjm:\n    facturer()"),
        ("Code :\n\n    pip install podcast", "Code :\n\npip install podcast"),
        ("<!-- note pour moi -->\n\nLe texte après.", "Le texte après."),
    ],
)
def test_markdown_becomes_plain_text(mp3, episode, show_root, markdown, plain):
    write_tags(mp3, load_show(show_root), replace(episode, description=markdown), LABELS)
    assert str(ID3(mp3)["TDES"]) == plain


@pytest.mark.parametrize("description", ["", "  \n", "<!-- rien -->"])
def test_empty_description_falls_back_to_the_title(mp3, episode, show_root, description):
    write_tags(mp3, load_show(show_root), replace(episode, description=description), LABELS)
    tags = ID3(mp3)
    assert tags.getall("COMM")[0].text == ["Le portage salarial"] and str(tags["TDES"]) == "Le portage salarial"
