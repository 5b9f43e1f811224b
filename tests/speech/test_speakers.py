"""Speaker names from multitrack, one-speaker-per-channel and one-track episodes.

Which words Whisper hears moves with the CPU, so the tests of how speakers are named replay the
transcripts recorded on several machines (tests/recorded.py) through the real later stages. The
transcribe command and the windowing test run the model, and assert only what holds on any CPU.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from pipeline.audio import ffmpeg
from pipeline.build import build
from pipeline.records import Transcript
from tests.conftest import REPO, word_error_rate
from tests.recorded import duo_script, multitrack_episode, one_track_episode, recordings, replaying, spoken_by

DATA = REPO / "tests" / "data"
HOST, GUEST = "Camille Durand", "Inès Moreau"


def words(segments) -> list[str]:
    return [w.text.strip() for s in segments for w in s.words]


def check_speakers(show_root, slug: str, recorded) -> None:
    """Each track's words, as Whisper heard them on that track, published under its speaker."""
    with replaying({slug: recorded}, tracks=(HOST, GUEST)) as replays:
        report = build(show_root)
    assert report.ok, report.failures
    assert sorted(p.name for p in replays.calls) == ["track0.flac", "track1.flac"]  # each track heard on its own
    heard = Transcript.load(recorded)
    transcript = Transcript.load(show_root / ".build" / "episodes" / slug / "transcript.corrected.json")
    assert {s.speaker for s in transcript.segments} == {HOST, GUEST}
    for name in (HOST, GUEST):
        assert words(s for s in transcript.segments if s.speaker == name) == words(spoken_by(heard, name).segments), name
    assert [s.start for s in transcript.segments] == sorted(s.start for s in transcript.segments)
    assert all(w.speaker == s.speaker for s in transcript.segments for w in s.words)
    vtt = (show_root / "public" / "episodes" / slug / "transcript.vtt").read_text()
    assert f"<v {HOST}>" in vtt and f"<v {GUEST}>" in vtt


@pytest.mark.parametrize("recorded", recordings("duo-multitrack"))
def test_one_file_per_speaker(show_root, recorded):
    check_speakers(show_root, multitrack_episode(show_root), recorded)


@pytest.mark.parametrize("recorded", recordings("duo-multitrack"))
def test_one_speaker_per_channel(show_root, recorded):
    """The duo's two tracks as the two channels of one file: each channel is a speaker's track,
    replayed with what Whisper heard on the duo's own tracks."""
    folder = show_root / "episodes" / "002-appel"
    folder.mkdir()
    stereo = folder / "appel.m4a"
    ffmpeg.run(
        [
            "-i",
            str(DATA / "duo-host.m4a"),
            "-i",
            str(DATA / "duo-guest.m4a"),
            "-filter_complex",
            "[0:a][1:a]amerge=inputs=2[a]",
            "-map",
            "[a]",
            "-c:a",
            "aac",
            str(stereo),
        ],
        about=stereo,
    )
    (folder / "episode.toml").write_text(f'title = "Appel"\npublished = 2026-01-05\nchannels = {{ left = "{HOST}", right = "{GUEST}" }}\n', encoding="utf-8")
    check_speakers(show_root, "002-appel", recorded)


@pytest.mark.slow  # runs the model
def test_transcribe_command(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli

    broken = tmp_path / "broken.m4a"
    broken.write_text("not audio")
    result = CliRunner().invoke(
        cli,
        ["transcribe", str(DATA / "duo-host.m4a"), str(broken), "--output", str(tmp_path / "out"), "--format", "vtt,txt,p20.json", "--jobs", "2"],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "broken.m4a" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["duo-host.p20.json", "duo-host.txt", "duo-host.vtt"]
    # The host's two lines (17 words), without a prompt. Measured: AVX2 0.59, AVX512 0.65; the
    # Intel Xeon's duo-host transcript, made in a build with a prompt, 0.41
    # (tests/data/whisper-elsewhere). Nothing heard, or another language, is near 1.
    assert word_error_rate(duo_script("host"), (tmp_path / "out" / "duo-host.txt").read_text()) < 0.85


@pytest.mark.slow  # runs the model
def test_long_audio_is_transcribed_in_windows_cut_in_pauses(tmp_path):
    """Three copies of the host's track with pauses between: windows of 25 s must cut in pauses
    and put every word back at its place on the whole file's timeline."""
    from pathlib import Path as _Path

    from pipeline.records import Transcription
    from pipeline.speech.transcriber import FasterWhisper, windows

    long = tmp_path / "long.flac"
    ffmpeg.run(
        ["-i", str(DATA / "duo-host.m4a"), "-filter_complex", "[0:a]apad=pad_dur=4,asplit=3[a][b][c];[a][b][c]concat=n=3:v=0:a=1", "-ac", "1", str(long)],
        about=long,
    )
    transcriber = FasterWhisper(Transcription(), _Path("."))
    transcriber.window = 25.0
    transcript = transcriber.transcribe(long, "fr", prompt="Camille Durand, Inès Moreau.")
    period = 18.8 + 4  # one copy and its pause
    heard = [w for s in transcript.segments for w in s.words]
    copies = [[w for w in heard if i * period - 1 <= w.start < (i + 1) * period - 1] for i in range(3)]
    assert len(heard) == sum(len(copy) for copy in copies)  # no word before the first copy or after the last
    # Each copy heard as its own: the host's two lines, whichever words this CPU hears in them.
    # Measured per copy: AVX2 0.35, 0.59, 0.53; AVX512 0.53, 0.59, 0.53 (the same lines in a
    # build: Intel Xeon 0.41, tests/data/whisper-elsewhere). A copy lost to a bad cut is 1.
    for copy in copies:
        assert word_error_rate(duo_script("host"), "".join(w.text for w in copy)) < 0.8, [w.text for w in copy]
    # Whisper puts a passage's first word where the voice detector's padding starts, up to
    # 0.8 s early, the same in every window: what windowing must not add is drift. Measured,
    # AVX2 and AVX512 alike: first words at 0.5, 23.303, 46.099 s; last words end 13.7-13.9 s
    # into each copy (the host's last line ends at 13.4 s).
    first = [copy[0].start for copy in copies]
    for i, start in enumerate(first):
        assert start == pytest.approx(0.5 + i * period, abs=1.0)
        assert all(i * period - 0.5 <= w.start <= w.end <= i * period + 15.0 for w in copies[i])
    assert first[2] - first[1] == pytest.approx(period, abs=0.3)
    assert first[1] - first[0] == pytest.approx(period, abs=0.8)
    assert transcript.duration == pytest.approx(3 * period, abs=0.3)
    # The cut points themselves fall in pauses.
    assert windows(60.0, [(20.0, 24.0), (40.0, 44.0)], 25.0) == [(0.0, 22.0), (22.0, 44.0 - 2.0), (42.0, 60.0)]


@pytest.mark.parametrize("recorded", recordings("one-track-two-voices"))
def test_one_track_two_voices(show_root, recorded):
    """The duo mixed down to one track: each segment is named after the voice that is loud in
    its own track at that time, host first; `speaking_order` swaps the names without running
    Whisper again. Replayed from each machine's transcript of this mix: one made one segment
    of three turns (AMD, AVX512), the others a segment a line."""
    folder = show_root / "episodes" / one_track_episode(show_root)
    toml = (folder / "episode.toml").read_text(encoding="utf-8")
    tracks = {HOST: ffmpeg.decode(DATA / "duo-host.m4a", 16000), GUEST: ffmpeg.decode(DATA / "duo-guest.m4a", 16000)}

    def loudest(start: float, end: float) -> str:
        return max(tracks, key=lambda name: float(np.sqrt(np.mean(tracks[name][int(start * 16000) : int(end * 16000)] ** 2))))

    with replaying({"003-salon": recorded}):
        report = build(show_root)
    assert report.ok, report.failures
    transcript = Transcript.load(show_root / ".build" / "episodes" / "003-salon" / "transcript.corrected.json")
    assert words(transcript.segments) == words(Transcript.load(recorded).segments)  # every word heard, named
    assert {s.speaker for s in transcript.segments} == {HOST, GUEST}
    assert transcript.segments[0].speaker == HOST
    for segment in transcript.segments:
        # The normalise stage trims leading silence: times are within a fraction of a second.
        assert segment.speaker == loudest(segment.start + 0.3, segment.end - 0.3), (segment.start, segment.text)
        assert all(w.speaker == segment.speaker for w in segment.words)

    (folder / "episode.toml").write_text(f'speaking_order = ["{GUEST}"]\n' + toml, encoding="utf-8")
    ran = []
    with replaying({"003-salon": recorded}) as replays:
        report = build(show_root, progress=lambda scope, stage, state, outcome: state == "ran" and ran.append(stage))
    assert report.ok and "transcribe" not in ran and "diarize" in ran and replays.calls == []
    swapped = Transcript.load(show_root / ".build" / "episodes" / "003-salon" / "transcript.corrected.json")
    assert [s.speaker for s in swapped.segments] == [GUEST if s.speaker == HOST else HOST for s in transcript.segments]


@pytest.mark.parametrize("recorded", recordings("duo-host"))
def test_one_voice_heard_though_a_guest_is_listed(show_root, recorded):
    """The host alone (the guest's part recorded elsewhere): every line is the host's."""
    folder = show_root / "episodes" / "004-seule"
    folder.mkdir()
    shutil.copyfile(DATA / "duo-host.m4a", folder / "camille.m4a")
    (folder / "episode.toml").write_text(f'title = "Seule"\npublished = 2026-01-05\n[[guests]]\nname = "{GUEST}"\n', encoding="utf-8")
    with replaying({"004-seule": recorded}):
        report = build(show_root)
    assert report.ok, report.failures
    transcript = Transcript.load(show_root / ".build" / "episodes" / "004-seule" / "transcript.corrected.json")
    assert transcript.segments and {s.speaker for s in transcript.segments} == {HOST}
