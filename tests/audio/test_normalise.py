from __future__ import annotations

import hashlib

import pytest
from mutagen.mp3 import MP3, BitrateMode

from pipeline.audio.encode import normalise
from pipeline.errors import AudioDecodeError, StageError
from pipeline.audio.loudness import measure
from pipeline.records import AudioSettings, Loudness
from tests.conftest import AIM_LU, ebur128


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_quiet_mono_reaches_the_mono_target_and_stays_mono(make_audio, tmp_path):
    source = make_audio("quiet.wav", seconds=8, level_db=-30)
    before = sha(source)
    assert measure(source).integrated < -30
    out = tmp_path / "out.mp3"
    data = normalise([source], out, Loudness())
    written = ebur128(out)
    assert written["integrated"] == pytest.approx(-19.0, abs=AIM_LU)  # mono: -19 is Apple's -16 stereo; README: normalise aims within 0.3 LU
    assert written["true_peak"] <= -1.0
    assert data.integrated == written["integrated"] and data.report.channels == 1  # what ffmpeg measures apart
    info = MP3(out).info
    assert info.channels == 1 and info.sample_rate == 44100
    assert info.bitrate_mode == BitrateMode.CBR and info.bitrate == pytest.approx(64000, abs=100)
    assert info.length == pytest.approx(8.0, abs=0.1)
    written_bytes = out.read_bytes()
    # No tag at either end (the tag stage writes the episode's own): an MPEG frame header first.
    assert written_bytes[0] == 0xFF and written_bytes[1] & 0xE0 == 0xE0 and written_bytes[-128:-125] != b"TAG"
    assert sha(source) == before  # the recording is never modified


def test_loud_stereo_m4a_is_brought_down(make_audio, tmp_path):
    source = make_audio("loud.m4a", seconds=8, level_db=-0.5, channels=2, rate=48000)
    out = tmp_path / "out.mp3"
    normalise([source], out, Loudness())
    written = ebur128(out)
    assert written["integrated"] == pytest.approx(-16.0, abs=AIM_LU)
    assert written["true_peak"] <= -1.0
    info = MP3(out).info
    assert info.channels == 2 and info.bitrate == pytest.approx(128000, abs=100) and info.sample_rate == 44100


def test_other_target(make_audio, tmp_path):
    out = tmp_path / "out.mp3"
    normalise([make_audio("a.flac", seconds=8)], out, Loudness(target=-19.0, true_peak=-2.0))
    written = ebur128(out)
    assert written["integrated"] == pytest.approx(-19.0, abs=AIM_LU)
    assert written["true_peak"] <= -2.0


def test_a_target_out_of_reach_is_refused_not_published(make_audio, tmp_path):
    """-10 LUFS with true peaks at or under -16 dBTP: no sound is that loud under such peaks
    (BS.1770's K-weighting adds at most about 4 dB to a signal's power), so the episode is
    refused, not published off target."""
    out = tmp_path / "out.mp3"
    with pytest.raises(StageError, match=r"a.wav: levelled to .* outside the target -10 ± 0.5 LUFS, ≤ -16 dBTP"):
        normalise([make_audio("a.wav", seconds=4)], out, Loudness.model_construct(target=-10.0, true_peak=-16.0))  # past podcast.toml's range


def test_parts_are_joined_in_order(make_audio, tmp_path):
    first = make_audio("1.wav", seconds=3, level_db=-12)
    second = make_audio("2.m4a", seconds=5, level_db=-25, channels=2, rate=48000, seed=2)
    out = tmp_path / "out.mp3"
    data = normalise([first, second], out, Loudness())
    assert data.duration == pytest.approx(8.0, abs=0.15)
    assert data.report.channels == 2  # one stereo part makes a stereo episode


def test_empty_file_named(tmp_path):
    empty = tmp_path / "vide.m4a"
    empty.write_bytes(b"")
    with pytest.raises(AudioDecodeError, match=r"vide.m4a: the file is empty"):
        normalise([empty], tmp_path / "out.mp3", Loudness())


def test_renamed_text_file_named(tmp_path):
    fake = tmp_path / "notes.m4a"
    fake.write_text("ceci n'est pas un enregistrement\n" * 20)
    with pytest.raises(AudioDecodeError, match=r"notes.m4a: ffmpeg finds no audio"):
        normalise([fake], tmp_path / "out.mp3", Loudness())


def test_silence_refused(tmp_path):
    import numpy as np

    from tests.conftest import write_wav

    silent = write_wav(tmp_path / "silence.wav", np.zeros(44100 * 3))
    with pytest.raises(AudioDecodeError, match="silent"):
        normalise([silent], tmp_path / "out.mp3", Loudness())


def test_an_output_path_with_the_characters_tee_reads(make_audio, tmp_path):
    """ffmpeg's tee muxer splits its outputs at "|" and reads "\\" as an escape; ":", "[" and "]"
    mean something in an output's options."""
    out = tmp_path / "a|b\\c [1]: d" / "out.mp3"
    out.parent.mkdir()
    normalise([make_audio("a.flac", seconds=4)], out, Loudness())
    assert MP3(out).info.length == pytest.approx(4.0, abs=0.1)


def test_320_kbps_where_lame_keeps_the_level(make_audio, tmp_path):
    """LAME scales its input at every bitrate but 320 kb/s (encode.codec_gain): there the MP3 is
    encoded as levelled."""
    out = tmp_path / "out.mp3"
    normalise([make_audio("a.flac", seconds=4)], out, Loudness(), AudioSettings(bitrate_mono="320k"))
    assert ebur128(out)["integrated"] == pytest.approx(-19.0, abs=AIM_LU)
    assert MP3(out).info.bitrate == 320000
