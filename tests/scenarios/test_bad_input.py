"""The bad-input corpus (issue 13): each case is one good episode beside one bad one.

A bad episode is reported with its file and the field or reason; the good one is still
published; the build is not ok (the CLI exits 1); the bad episode's sources are untouched.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import feedparser
import imageio_ffmpeg
import pytest
from click.testing import CliRunner

from pipeline.build import build
from pipeline.cli import cli
from pipeline.errors import ConfigError
from tests.conftest import REPO, SHOW_TOML, new_show

GOOD = "001-bon"
BAD = "002-mauvais"
BAD_TOML = 'title = "Mauvais"\npublished = 2026-01-06\n'


def sources(folder: Path) -> dict[str, str]:
    """Every file under `folder` (links not followed) and its content hash."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def ffmpeg(*args: str) -> None:
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def lavfi(target: Path, source: str, *options: str) -> Path:
    ffmpeg("-f", "lavfi", "-i", source, *options, str(target))
    return target


def replace_audio(folder: Path, name: str, content: bytes) -> None:
    (folder / "enregistrement.wav").unlink()
    (folder / name).write_bytes(content)


def truncated_m4a(folder: Path) -> None:
    m4a = lavfi(folder / "enregistrement.m4a", "sine=f=220:d=4")
    data = m4a.read_bytes()
    (folder / "enregistrement.wav").unlink()
    m4a.write_bytes(data[: len(data) // 2])


def truncated_wav(folder: Path) -> None:
    wav = folder / "enregistrement.wav"
    data = wav.read_bytes()
    wav.write_bytes(data[: len(data) // 2])


def small_image(folder: Path) -> None:
    from PIL import Image

    Image.new("RGB", (100, 100), "white").save(folder / "pochette.png")
    (folder / "episode.toml").write_text(BAD_TOML + 'image = "pochette.png"\n', encoding="utf-8")


def png_as_wav(folder: Path) -> None:
    (folder / "enregistrement.wav").write_bytes((REPO / "assets" / "artwork.png").read_bytes())


def silence(folder: Path) -> None:
    (folder / "enregistrement.wav").unlink()
    lavfi(folder / "enregistrement.wav", "anullsrc=r=44100:cl=mono", "-t", "4")


def toml(body: str) -> Callable[[Path], None]:
    return lambda folder: (folder / "episode.toml").write_text(body, encoding="utf-8")


def outside_symlink(key: str, target: str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        outside = folder.parent.parent / target
        outside.write_bytes((folder / "enregistrement.wav").read_bytes() if target.endswith(".wav") else (REPO / "assets" / "artwork.png").read_bytes())
        (folder / f"lien{outside.suffix}").symlink_to(outside)
        extra = {"audio": 'audio = ["lien.wav"]', "tracks": '[tracks]\n"Zoé" = "lien.wav"'}.get(key, f'{key} = "lien.png"')
        (folder / "episode.toml").write_text(BAD_TOML + extra + "\n", encoding="utf-8")

    return setup


@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[Path], None]  # given the bad episode's folder, with a tone and a good episode.toml
    expect: tuple[str, ...]  # in the failure's message: the file, and the field or the reason


CASES = [
    Case("invalid-toml", toml('title = "Mauvais\npublished = 2026-01-06\n'), ("episode.toml", "line 1")),
    Case("wrong-type", toml('title = "Mauvais"\npublished = 2026-01-06\nnumber = "un"\n'), ("episode.toml", "number")),
    Case("unknown-key", toml('title = "Mauvais"\npublished = 2026-01-06\nsaison = 2\n'), ("episode.toml", "saison")),
    Case("missing-title", toml("published = 2026-01-06\n"), ("episode.toml", "title")),
    Case("no-toml", lambda f: (f / "episode.toml").unlink(), (BAD, "no episode.toml")),
    Case("control-character", toml('title = "Mau\\u0007vais"\npublished = 2026-01-06\n'), ("episode.toml", "'title'", "control character")),
    Case("control-character-guest-bio", toml(BAD_TOML + '[[guests]]\nname = "Zoé"\nbio = "a\\u001b[31m"\n'), ("episode.toml", "bio", "control character")),
    Case("nul-in-chapter-title", toml(BAD_TOML + '[[chapters]]\nstart = "0:00"\ntitle = "a\\u0000b"\n'), ("episode.toml", "title", "control character")),
    Case("audio-parent", toml(BAD_TOML + 'audio = ["../001-bon/enregistrement.wav"]\n'), ("episode.toml", "'audio'", "outside the episode folder")),
    Case("audio-absolute", toml(BAD_TOML + 'audio = ["/etc/passwd"]\n'), ("episode.toml", "'audio'", "outside the episode folder")),
    Case("audio-symlink-out", outside_symlink("audio", "dehors.wav"), ("episode.toml", "'audio'", "outside the episode folder")),
    Case("tracks-parent", toml(BAD_TOML + '[tracks]\n"Zoé" = "../001-bon/enregistrement.wav"\n'), ("episode.toml", "'tracks'", "outside the episode folder")),
    Case("tracks-absolute", toml(BAD_TOML + '[tracks]\n"Zoé" = { file = "/etc/passwd" }\n'), ("episode.toml", "'tracks'", "outside the episode folder")),
    Case("tracks-symlink-out", outside_symlink("tracks", "dehors.wav"), ("episode.toml", "'tracks'", "outside the episode folder")),
    Case("image-parent", toml(BAD_TOML + 'image = "../../artwork.png"\n'), ("episode.toml", "'image'", "outside the episode folder")),
    Case("image-absolute", toml(BAD_TOML + 'image = "/etc/passwd"\n'), ("episode.toml", "'image'", "outside the episode folder")),
    Case("image-symlink-out", outside_symlink("image", "dehors.png"), ("episode.toml", "'image'", "outside the episode folder")),
    Case("image-missing", toml(BAD_TOML + 'image = "pochette.png"\n'), ("episode.toml", "'image'", "no file pochette.png")),
    Case("image-wrong-size", small_image, ("episode.toml", "'image'", "pochette.png")),
    Case("accented-folder", lambda f: f.rename(f.with_name("002-été")), ("002-été", "not a safe episode folder name")),
    Case("zero-byte-audio", lambda f: replace_audio(f, "enregistrement.m4a", b""), ("enregistrement.m4a",)),
    Case("corrupt-m4a", lambda f: replace_audio(f, "enregistrement.m4a", os.urandom(50_000)), ("enregistrement.m4a",)),
    Case("text-as-mp3", lambda f: replace_audio(f, "enregistrement.mp3", b"pas du son\n" * 100), ("enregistrement.mp3",)),
    Case("png-as-wav", png_as_wav, ("enregistrement.wav",)),
    Case("truncated-m4a", truncated_m4a, ("enregistrement.m4a",)),
    Case("truncated-wav", truncated_wav, ("enregistrement.wav", "damaged")),
    Case("silence-only", silence, ("enregistrement.wav", "silen")),
    Case("upper-case-folder", lambda f: f.rename(f.with_name("002-Mauvais")), ("002-Mauvais", "not a safe episode folder name")),
]


@pytest.fixture
def show(tmp_path: Path, make_audio) -> Path:
    root = new_show(tmp_path / "show")
    for slug, body in ((GOOD, 'title = "Bon"\npublished = 2026-01-05\n'), (BAD, BAD_TOML)):
        folder = root / "episodes" / slug
        make_audio("enregistrement.wav", seconds=3, folder=folder, noise=0.0)
        (folder / "episode.toml").write_text(body, encoding="utf-8")
    return root


def assert_good_published(root: Path) -> None:
    public = root / "public"
    assert (public / "audio" / f"{GOOD}.mp3").is_file()
    assert [e.title for e in feedparser.parse(str(public / "feed.xml")).entries] == ["Bon"]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_bad_episode_is_reported_and_the_good_one_published(show: Path, case: Case, no_whisper) -> None:
    bad = show / "episodes" / BAD
    case.setup(bad)
    bad = next((show / "episodes").glob("002-*"))
    before = sources(bad)

    report = build(show)

    assert not report.ok
    [failure] = report.failures
    assert failure.where == bad.name
    for part in case.expect:
        assert part in failure.message, failure.message
    assert_good_published(show)
    assert sources(bad) == before


def show_toml(old: str, new: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        assert old in SHOW_TOML
        (root / "podcast.toml").write_text(SHOW_TOML.replace(old, new, 1), encoding="utf-8")

    return setup


SHOW_CASES = [
    Case("invalid-toml", show_toml('title = "Test Show"', 'title = "Test Show'), ("podcast.toml", "line 1")),
    Case("wrong-type", show_toml('language = "fr"', "language = 12"), ("podcast.toml", "language")),
    Case("unknown-key", show_toml('language = "fr"', 'language = "fr"\nlangue = "fr"'), ("podcast.toml", "langue")),
    Case("missing-title", show_toml('title = "Test Show"\n', ""), ("podcast.toml", "title")),
    Case("control-character-title", show_toml('title = "Test Show"', 'title = "Test\\u001bShow"'), ("podcast.toml", "'title'", "control character")),
    Case("control-character-author", show_toml('author = "Camille Durand"', 'author = "Camille\\u0000"'), ("podcast.toml", "'author'", "control character")),
    Case("control-character-description", show_toml('description = "Une', 'description = "\\u0008Une'), ("podcast.toml", "'description'", "control character")),
    Case("artwork-missing", show_toml('artwork = "artwork.png"', 'artwork = "pochette.png"'), ("podcast.toml", "'artwork'", "pochette.png")),
    Case("artwork-wrong-size", lambda root: (root / "artwork.png").write_bytes(PNG_100), ("podcast.toml", "'artwork'", "artwork.png")),
    Case("artwork-parent", show_toml('artwork = "artwork.png"', 'artwork = "../dehors.png"'), ("podcast.toml", "'artwork'", "outside the show folder")),
    Case(
        "artwork-absolute", show_toml('artwork = "artwork.png"', 'artwork = "{outside}/dehors.png"'), ("podcast.toml", "'artwork'", "outside the show folder")
    ),
    Case("artwork-symlink-out", show_toml('artwork = "artwork.png"', 'artwork = "lien.png"'), ("podcast.toml", "'artwork'", "outside the show folder")),
    Case("jingle-parent", show_toml("[owner]", '[jingles]\nintro = "../dehors.wav"\n\n[owner]'), ("podcast.toml", "'intro'", "outside the show folder")),
    Case(
        "jingle-absolute", show_toml("[owner]", '[jingles]\nintro = "{outside}/dehors.wav"\n\n[owner]'), ("podcast.toml", "'intro'", "outside the show folder")
    ),
    Case("jingle-symlink-out", show_toml("[owner]", '[jingles]\noutro = "lien.wav"\n\n[owner]'), ("podcast.toml", "'outro'", "outside the show folder")),
]


def _png(width: int, height: int) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


PNG_100 = _png(100, 100)


@pytest.mark.parametrize("case", SHOW_CASES, ids=[c.id for c in SHOW_CASES])
def test_a_bad_podcast_toml_is_refused_naming_file_and_field(tmp_path: Path, case: Case, make_audio) -> None:
    root = new_show(tmp_path / "show")
    outside = tmp_path / "dehors"
    make_audio("dehors.wav", seconds=1, folder=outside)
    (outside / "dehors.png").write_bytes((root / "artwork.png").read_bytes())
    (tmp_path / "dehors.png").write_bytes((root / "artwork.png").read_bytes())
    (tmp_path / "dehors.wav").write_bytes((outside / "dehors.wav").read_bytes())
    (root / "lien.png").symlink_to(outside / "dehors.png")
    (root / "lien.wav").symlink_to(outside / "dehors.wav")
    case.setup(root)
    (root / "podcast.toml").write_text((root / "podcast.toml").read_text(encoding="utf-8").replace("{outside}", str(outside)), encoding="utf-8")
    before = sources(root), sources(outside)

    with pytest.raises(ConfigError) as refused:
        build(root)

    for part in case.expect:
        assert part in str(refused.value), str(refused.value)
    assert not (root / "public").exists()
    assert (sources(root), sources(outside)) == before
    result = CliRunner().invoke(cli, ["build", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 1 and "podcast.toml" in result.output


def odd_name(listed: bool) -> Callable[[Path], None]:
    name = 'l\'entretien "Zoé" à 14h — été.wav'

    def setup(folder: Path) -> None:
        (folder / "enregistrement.wav").rename(folder / name)
        if listed:
            (folder / "episode.toml").write_text(BAD_TOML + 'audio = ["l\'entretien \\"Zoé\\" à 14h — été.wav"]\n', encoding="utf-8")

    return setup


def surround_96k(folder: Path) -> None:
    (folder / "enregistrement.wav").unlink()
    lavfi(folder / "enregistrement.wav", "sine=f=220:sample_rate=96000:d=3", "-af", "volume=-20dB", "-ac", "6", "-c:a", "pcm_s24le")


def one_second(folder: Path) -> None:
    (folder / "enregistrement.wav").unlink()
    lavfi(folder / "enregistrement.wav", "sine=f=220:d=1", "-af", "volume=-20dB")


ODD_BUT_FINE = [
    Case("unicode-spaces-quotes-found", odd_name(listed=False), ()),
    Case("unicode-spaces-quotes-listed", odd_name(listed=True), ()),
    Case("one-second-audio", one_second, ()),
    Case("6-channels-96khz-24-bit", surround_96k, ()),
]


@pytest.mark.parametrize("case", ODD_BUT_FINE, ids=[c.id for c in ODD_BUT_FINE])
def test_odd_but_valid_input_is_published(show: Path, case: Case, no_whisper) -> None:
    bad = show / "episodes" / BAD
    case.setup(bad)
    before = sources(bad)

    report = build(show)

    assert report.ok, report.failures
    assert report.published == [GOOD, BAD]
    assert (show / "public" / "audio" / f"{BAD}.mp3").is_file()
    assert sources(bad) == before


def test_a_future_date_is_scheduled_not_an_error(show: Path, no_whisper) -> None:
    (show / "episodes" / BAD / "episode.toml").write_text('title = "Plus tard"\npublished = 2999-01-01\n', encoding="utf-8")
    report = build(show)
    assert report.ok and report.published == [GOOD] and not report.failures
    assert_good_published(show)
    assert not (show / "public" / "audio" / f"{BAD}.mp3").exists()


def test_the_cli_exits_1_on_a_bad_episode_and_names_it(show: Path, no_whisper) -> None:
    (show / "episodes" / BAD / "episode.toml").write_text(BAD_TOML + "saison = 2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--root", str(show)], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"{BAD}/episode.toml" in result.output and "saison" in result.output
    assert_good_published(show)


HOSTILE = '<script>alert(1)</script> ]]> {{ 7*7 }} {% raw %} & "q" \'s'


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_hostile_strings_are_escaped_everywhere_and_never_evaluated(tmp_path: Path, make_audio, no_whisper) -> None:
    from lxml import etree

    h = _toml_string(HOSTILE)
    show_toml = (
        SHOW_TOML.replace('title = "Test Show"', f"title = {h}")
        .replace('author = "Camille Durand"', f"author = {h}")
        .replace('description = "Une émission de test."', f"description = {h}")
    )
    root = new_show(tmp_path / "show", show_toml + f"bio = {h}\nrole = {h}\n")
    folder = root / "episodes" / GOOD
    make_audio("enregistrement.wav", seconds=3, folder=folder, noise=0.0)
    (folder / "episode.toml").write_text(
        f"title = {h}\npublished = 2026-01-05\ndescription = {h}\n"
        f"[[guests]]\nname = {_toml_string('Zoé <b>' + HOSTILE)}\nbio = {h}\nrole = {h}\n"
        f'[[links]]\ntitle = {h}\nurl = "https://example.org/a?b=1&c=2"\n'
        f'[[chapters]]\nstart = "0:00"\ntitle = {h}\n',
        encoding="utf-8",
    )
    before = sources(root / "episodes")

    report = build(root)

    assert report.ok, (report.failures, report.findings)
    public = root / "public"
    feed = etree.parse(str(public / "feed.xml"))  # well-formed, or this raises
    titles = [t.text for t in feed.iter("title")]
    assert HOSTILE in titles and f"{HOSTILE}" == feed.findtext("channel/item/title")
    # A description is HTML for the apps: the text's markup arrives escaped, shown as typed.
    for description in [feed.findtext("channel/description"), feed.findtext("channel/item/description")]:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in description and "{{ 7*7 }}" in description
    assert not list(feed.iter("script"))
    pages = sorted(public.rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in text, page
        assert "]]>" not in text or "]]&gt;" in text, page
        assert "{{ 7*7 }}" not in text or "49" not in text.replace("{{ 7*7 }}", ""), page
    home = (public / "index.html").read_text(encoding="utf-8")
    episode = next(p for p in pages if GOOD in str(p)).read_text(encoding="utf-8")
    for text in (home, episode):
        assert "&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; {{ 7*7 }} {% raw %}" in text
    assert sources(root / "episodes") == before


def test_folders_differing_only_in_case_cannot_collide(show: Path, no_whisper) -> None:
    """The folder's name is the slug, and a slug is lower-case ASCII: on a case-sensitive file
    system '001-Bon' beside '001-bon' is refused by name, never published over the other."""
    twin = (show / "episodes" / BAD).rename(show / "episodes" / "001-Bon")
    before = sources(twin)
    report = build(show)
    assert not report.ok and [f.where for f in report.failures] == ["001-Bon"]
    assert "not a safe episode folder name" in report.failures[0].message
    assert_good_published(show)
    assert sources(twin) == before


def test_duplicate_episode_numbers_are_a_warning_within_a_season_only(show: Path, no_whisper) -> None:
    """Apple lets numbers repeat (each season starts again at 1): a repeat in one season is likely
    a typo, so it is said, but both episodes are published and the build is ok."""
    for slug, title, season in ((GOOD, "Bon", 1), (BAD, "Mauvais", 1)):
        (show / "episodes" / slug / "episode.toml").write_text(
            f'title = "{title}"\npublished = 2026-01-0{5 if slug == GOOD else 6}\nnumber = 3\nseason = {season}\n', encoding="utf-8"
        )
    report = build(show)
    assert report.ok and report.published == [GOOD, BAD]
    [finding] = [f for f in report.findings if f.tag == "itunes:episode"]
    assert finding.level == "warning" and "3 is also the number of" in finding.message and "season 1" in finding.message

    (show / "episodes" / BAD / "episode.toml").write_text('title = "Mauvais"\npublished = 2026-01-06\nnumber = 3\nseason = 2\n', encoding="utf-8")
    report = build(show)
    assert report.ok and not [f for f in report.findings if f.tag == "itunes:episode"]


@pytest.mark.slow  # levels three hours of audio (several minutes on a busy machine)
def test_a_three_hour_recording_is_published(show: Path, no_whisper) -> None:
    bad = show / "episodes" / BAD
    (bad / "enregistrement.wav").unlink()
    lavfi(bad / "enregistrement.flac", "sine=f=220:sample_rate=8000:d=10800", "-af", "volume=-20dB")  # 8 kHz mono: ~80 MB
    before = sources(bad)
    report = build(show)
    assert report.ok and report.published == [GOOD, BAD]
    assert sources(bad) == before
