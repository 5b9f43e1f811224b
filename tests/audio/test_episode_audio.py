"""Issue 3 through episode.toml and podcast.toml: tracks, channels, jingles, AAC, `podcast normalise`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from lxml import etree
from mutagen.mp4 import MP4

from pipeline.build import build
from pipeline.cli import cli
from pipeline.results import Levelled
from pipeline.config import load_episode, load_show
from pipeline.errors import ConfigError
from tests.conftest import AIM_LU, ebur128, speechlike, write_wav

RATE = 48000
NS = {"podcast": "https://podcastindex.org/namespace/1.0"}


def test_tracks_and_channels_read_from_episode_toml(show_root, make_audio):
    folder = show_root / "episodes" / "001-duo"
    make_audio("camille.wav", folder=folder)
    make_audio("ines.m4a", folder=folder)
    (folder / "episode.toml").write_text(
        'title = "Duo"\npublished = 2026-01-05\n[tracks]\n"Camille Durand" = "camille.wav"\n"Inès Moreau" = { file = "ines.m4a", offset = 1.25 }\n'
    )
    episode = load_episode(folder, load_show(show_root))
    assert [(t.speaker, t.file.name, t.offset, t.channel) for t in episode.tracks] == [
        ("Camille Durand", "camille.wav", 0.0, None),
        ("Inès Moreau", "ines.m4a", 1.25, None),
    ]
    assert episode.audio == ()

    (folder / "ines.m4a").unlink()
    (folder / "episode.toml").write_text('title = "Duo"\npublished = 2026-01-05\nchannels = { left = "Camille", right = "Inès" }\n')
    episode = load_episode(folder, load_show(show_root))
    assert [(t.speaker, t.channel) for t in episode.tracks] == [("Camille", 0), ("Inès", 1)]

    (folder / "episode.toml").write_text('title = "Duo"\npublished = 2026-01-05\naudio = ["camille.wav"]\n[tracks]\nA = "camille.wav"\n')
    with pytest.raises(ConfigError, match="'tracks' replaces 'audio' and 'channels'"):
        load_episode(folder, load_show(show_root))


def test_build_with_tracks_jingles_and_aac(show_root):
    folder = show_root / "episodes" / "001-duo"
    folder.mkdir()
    write_wav(folder / "camille.wav", speechlike(6, -14, RATE, noise=0), RATE)
    write_wav(folder / "ines.wav", speechlike(5, -30, RATE, seed=2, noise=0), RATE)
    (folder / "episode.toml").write_text(
        'title = "Duo"\npublished = 2026-01-05\nnumber = 1\n[tracks]\n"Camille Durand" = "camille.wav"\n"Inès Moreau" = { file = "ines.wav", offset = 2.0 }\n'
    )
    write_wav(show_root / "intro.wav", speechlike(3, -6, RATE, seed=5, noise=0), RATE)
    with (show_root / "podcast.toml").open("a") as f:
        f.write('[audio]\naac = true\n[jingles]\nintro = "intro.wav"\ncrossfade = 0.5\n')
    report = build(show_root)
    assert report.ok, report.failures
    levelled = report.episodes[0].results[Levelled]
    assert levelled.speakers == ("Camille Durand", "Inès Moreau")
    assert levelled.aac.is_file() and all(t.is_file() for t in levelled.tracks) and len(levelled.tracks) == 2
    public = show_root / "public" / "audio"
    assert ebur128(public / "001-duo.mp3")["integrated"] == pytest.approx(-19.0, abs=AIM_LU)  # README: normalise aims within 0.3 LU
    m4a = MP4(public / "001-duo.m4a")
    assert m4a["\xa9nam"] == ["Duo"] and m4a["\xa9alb"] == ["Test Show"] and m4a["covr"]
    item = etree.parse(str(show_root / "public" / "feed.xml")).find("channel/item")
    alternate = item.find("podcast:alternateEnclosure", NS)
    assert alternate.get("type") == "audio/mp4"
    assert int(alternate.get("length")) == (public / "001-duo.m4a").stat().st_size
    assert alternate.find("podcast:source", NS).get("uri") == "http://localhost:8000/audio/001-duo.m4a"

    # A trailer takes no jingles: turning the episode into one re-levels it without the intro.
    toml = folder / "episode.toml"
    toml.write_text(toml.read_text().replace("number = 1", 'number = 1\ntype = "trailer"'))
    assert build(show_root).ok
    trailer = build(show_root, dry_run=True).episodes[0].results[Levelled]
    assert trailer.duration < levelled.duration - 1.5  # the intro lasts 2.4 s once trimmed


def test_normalise_command(tmp_path):
    good = write_wav(tmp_path / "interview.wav", speechlike(6, -30, RATE), RATE)
    bad = tmp_path / "broken.m4a"
    bad.write_text("not audio")
    result = CliRunner().invoke(cli, ["normalise", str(good), str(bad), "--output", str(tmp_path / "out"), "--target", "-16"])
    assert result.exit_code == 1
    assert "broken.m4a: ffmpeg finds no audio" in result.output
    assert "interview.mp3: -16." in result.output
    assert ebur128(tmp_path / "out" / "interview.mp3")["integrated"] == pytest.approx(-16.0, abs=AIM_LU)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["interview.mp3"]
