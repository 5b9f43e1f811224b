"""Speaker names from multitrack and one-speaker-per-channel episodes (slow: runs Whisper)."""

from __future__ import annotations

import shutil

import pytest

from pipeline import ffmpeg
from pipeline.build import build
from pipeline.transcribe import load_transcript
from tests.conftest import REPO

pytestmark = pytest.mark.slow
DATA = REPO / "tests" / "data"
HOST, GUEST = "Camille Durand", "Inès Moreau"


def check_speakers(show_root, slug: str) -> None:
    report = build(show_root)
    assert report.ok, report.failures
    transcript = load_transcript(show_root / ".build" / "episodes" / slug / "transcript.corrected.json")
    said = {s.speaker: " ".join(x.text.lower() for x in transcript.segments if x.speaker == s.speaker) for s in transcript.segments}
    assert set(said) == {HOST, GUEST}
    assert "bonjour" in said[HOST] and "studio" in said[HOST]
    assert "portage salarial" in said[GUEST] and "parler" in said[GUEST]
    assert [s.start for s in transcript.segments] == sorted(s.start for s in transcript.segments)
    assert all(w.speaker == s.speaker for s in transcript.segments for w in s.words)
    vtt = (show_root / "public" / "episodes" / slug / "transcript.vtt").read_text()
    assert f"<v {HOST}>" in vtt and f"<v {GUEST}>" in vtt


def test_one_file_per_speaker(show_root):
    folder = show_root / "episodes" / "001-duo"
    folder.mkdir()
    shutil.copyfile(DATA / "duo-host.m4a", folder / "camille.m4a")
    shutil.copyfile(DATA / "duo-guest.m4a", folder / "ines.m4a")
    (folder / "episode.toml").write_text(
        f'title = "Duo"\npublished = 2026-01-05\n[tracks]\n"{HOST}" = "camille.m4a"\n"{GUEST}" = "ines.m4a"\n', encoding="utf-8"
    )
    check_speakers(show_root, "001-duo")


def test_one_speaker_per_channel(show_root):
    folder = show_root / "episodes" / "002-appel"
    folder.mkdir()
    stereo = folder / "appel.m4a"
    ffmpeg.run(["-i", str(DATA / "duo-host.m4a"), "-i", str(DATA / "duo-guest.m4a"),
                "-filter_complex", "[0:a][1:a]amerge=inputs=2[a]", "-map", "[a]", "-c:a", "aac", str(stereo)], about=stereo)
    (folder / "episode.toml").write_text(
        f'title = "Appel"\npublished = 2026-01-05\nchannels = {{ left = "{HOST}", right = "{GUEST}" }}\n', encoding="utf-8"
    )
    check_speakers(show_root, "002-appel")


def test_transcribe_command(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli

    broken = tmp_path / "broken.m4a"
    broken.write_text("not audio")
    result = CliRunner().invoke(
        cli, ["transcribe", str(DATA / "duo-host.m4a"), str(broken), "--output", str(tmp_path / "out"), "--format", "vtt,txt,p20.json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "broken.m4a" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["duo-host.p20.json", "duo-host.txt", "duo-host.vtt"]
    assert "bonjour" in (tmp_path / "out" / "duo-host.txt").read_text().lower()
