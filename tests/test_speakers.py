"""Speaker names from multitrack and one-speaker-per-channel episodes (slow: runs Whisper)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from pipeline import ffmpeg
from pipeline.build import build
from pipeline.stages.transcribe import load_transcript
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
        cli, ["transcribe", str(DATA / "duo-host.m4a"), str(broken), "--output", str(tmp_path / "out"), "--format", "vtt,txt,p20.json",
             "--jobs", "2"],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "broken.m4a" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["duo-host.p20.json", "duo-host.txt", "duo-host.vtt"]
    assert "bonjour" in (tmp_path / "out" / "duo-host.txt").read_text().lower()


def test_long_audio_is_transcribed_in_windows_cut_in_pauses(tmp_path):
    """Three copies of the host's track with pauses between: windows of 25 s must cut in pauses
    and put every word back at its place on the whole file's timeline."""
    from pathlib import Path as _Path

    from pipeline.records import Transcription
    from pipeline.transcriber import FasterWhisper, windows

    long = tmp_path / "long.flac"
    ffmpeg.run(["-i", str(DATA / "duo-host.m4a"), "-filter_complex",
                "[0:a]apad=pad_dur=4,asplit=3[a][b][c];[a][b][c]concat=n=3:v=0:a=1", "-ac", "1", str(long)], about=long)
    transcriber = FasterWhisper(Transcription(), _Path("."))
    transcriber.window = 25.0
    transcript = transcriber.transcribe(long, "fr", prompt="Camille Durand, Inès Moreau.")
    hello = [w.start for s in transcript.segments for w in s.words if "bonjour" in w.text.lower()]
    assert len(hello) == 3, hello
    period = 18.8 + 4  # one copy and its pause
    # Whisper puts a passage's first word where the voice detector's padding starts, up to
    # 0.8 s early, the same in every window: what windowing must not add is drift.
    for i, start in enumerate(hello):
        assert start == pytest.approx(0.5 + i * period, abs=1.0)
    assert hello[2] - hello[1] == pytest.approx(period, abs=0.3)
    assert hello[1] - hello[0] == pytest.approx(period, abs=0.8)
    assert transcript.duration == pytest.approx(3 * period, abs=0.3)
    # The cut points themselves fall in pauses.
    assert windows(60.0, [(20.0, 24.0), (40.0, 44.0)], 25.0) == [(0.0, 22.0), (22.0, 44.0 - 2.0), (42.0, 60.0)]


def test_one_track_two_voices(show_root):
    """The duo mixed down to one track: each segment is named after the voice that is loud in
    its own track at that time, host first; `speaking_order` swaps the names without running
    Whisper again."""
    folder = show_root / "episodes" / "003-salon"
    folder.mkdir()
    mixed = folder / "salon.m4a"
    ffmpeg.run(["-i", str(DATA / "duo-host.m4a"), "-i", str(DATA / "duo-guest.m4a"), "-filter_complex",
                "[0:a][1:a]amix=inputs=2:normalize=0[a]", "-map", "[a]", "-ac", "1", "-c:a", "aac", str(mixed)], about=mixed)
    toml = f'title = "Salon"\npublished = 2026-01-05\n[[guests]]\nname = "{GUEST}"\n'
    (folder / "episode.toml").write_text(toml, encoding="utf-8")
    tracks = {HOST: ffmpeg.decode(DATA / "duo-host.m4a", 16000), GUEST: ffmpeg.decode(DATA / "duo-guest.m4a", 16000)}

    def loudest(start: float, end: float) -> str:
        return max(tracks, key=lambda name: float(np.sqrt(np.mean(tracks[name][int(start * 16000) : int(end * 16000)] ** 2))))

    report = build(show_root)
    assert report.ok, report.failures
    transcript = load_transcript(show_root / ".build" / "episodes" / "003-salon" / "transcript.corrected.json")
    assert {s.speaker for s in transcript.segments} == {HOST, GUEST}
    assert transcript.segments[0].speaker == HOST
    for segment in transcript.segments:
        # The normalise stage trims leading silence: times are within a fraction of a second.
        assert segment.speaker == loudest(segment.start + 0.3, segment.end - 0.3), (segment.start, segment.text)
        assert all(w.speaker == segment.speaker for w in segment.words)

    (folder / "episode.toml").write_text(f'speaking_order = ["{GUEST}"]\n' + toml, encoding="utf-8")
    ran = []
    report = build(show_root, progress=lambda scope, stage, state, outcome: state == "ran" and ran.append(stage))
    assert report.ok and "transcribe" not in ran and "diarize" in ran
    swapped = load_transcript(show_root / ".build" / "episodes" / "003-salon" / "transcript.corrected.json")
    assert [s.speaker for s in swapped.segments] == [GUEST if s.speaker == HOST else HOST for s in transcript.segments]


def test_one_voice_heard_though_a_guest_is_listed(show_root):
    """The host alone (the guest's part recorded elsewhere): every line is the host's."""
    folder = show_root / "episodes" / "004-seule"
    folder.mkdir()
    shutil.copyfile(DATA / "duo-host.m4a", folder / "camille.m4a")
    (folder / "episode.toml").write_text(
        f'title = "Seule"\npublished = 2026-01-05\n[[guests]]\nname = "{GUEST}"\n', encoding="utf-8")
    report = build(show_root)
    assert report.ok, report.failures
    transcript = load_transcript(show_root / ".build" / "episodes" / "004-seule" / "transcript.corrected.json")
    assert transcript.segments and {s.speaker for s in transcript.segments} == {HOST}
