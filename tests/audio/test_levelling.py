"""Issue 9, item 6: readers recorded apart, far louder and quieter than one another, are levelled.

The situation of `bench/montage.py` (an hour of real French readers) at a test's length, made
here from the committed trailer: slices of it played at reader levels 20 dB apart, each
followed by 0.8 s of silence, lowered and encoded as a phone would.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.montage import build
from pipeline.audio import ffmpeg
from pipeline.audio.encode import _measure, codec_gain, normalise, peak_margin
from pipeline.audio.level import LIMITS, leveller, limiter_curve, limiter_plan
from pipeline.audio.loudness import FrameLog, integrated, meter, off_target
from pipeline.audio.programme import programme
from pipeline.records import AudioSettings, Loudness
from tests.conftest import AIM_LU, TRAILER, ebur128

# dB added to each reader: a loud host, a guest on a phone 20 dB down, and others between.
READER_LEVELS = (0.0, -18.0, -6.0, -20.0, -3.0, -12.0)
READER_SECONDS = 8.0


@pytest.fixture(scope="module")
def readers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """90 s of the trailer's voice at six reader levels, lowered 8 dB, AAC 96 kb/s mono."""
    folder = tmp_path_factory.mktemp("readers")
    clips = []
    for i in range(len(READER_LEVELS)):
        clip = folder / f"reader{i}.wav"
        start = 2.0 + i * (READER_SECONDS + 1.5)
        ffmpeg.run(["-ss", f"{start:g}", "-t", f"{READER_SECONDS:g}", "-i", str(TRAILER), "-ac", "1", str(clip)], about=TRAILER)
        clips.append(clip)
    return build(clips, folder / "readers.m4a", minutes=1.5, gains=READER_LEVELS)


def test_readers_far_apart_are_levelled_within_the_promised_range(readers, tmp_path):
    before = ebur128(readers)
    assert before["lra"] > 15  # the situation: far wider than the show's range
    out = tmp_path / "out.mp3"
    loudness = Loudness(target=-16.0, true_peak=-1.0)
    data = normalise([readers], out, loudness)  # accepted, not refused
    measured = ebur128(out)
    assert measured["integrated"] == pytest.approx(-16.0, abs=AIM_LU)  # README: normalise aims within 0.3 LU
    assert measured["true_peak"] <= -1.0
    assert measured["lra"] <= 11.0  # README: the show's `lra`, 11 LU by default
    assert data.report.levelled_range == pytest.approx(before["lra"], abs=1.0)


def test_what_the_limiter_takes_back_is_known_before_encoding(readers, tmp_path):
    """The threshold read off the measured curve gives the loudness it predicts, to 0.1 LU."""
    loudness, audio = Loudness(target=-16.0), AudioSettings()
    show = programme([readers], (), audio)
    show, body, span, _ = _measure(show, [readers], audio, loudness, tmp_path / "levels", str(readers))
    assert show.levels is not None  # levelled: its predicted loudness is what the gain aims from
    gain = -16.0 - body.integrated
    peak = loudness.true_peak - peak_margin("64k", 1)
    plan = limiter_plan(limiter_curve(show, gain, span, {}, 1.0, tuple(peak + step for step in LIMITS), "readers"), gain, -16.0, peak)
    ((_, limited),) = limiter_curve(show, gain, span, {}, 1.0, (plan.limit,), "readers")
    assert limited + plan.makeup == pytest.approx(-16.0, abs=0.1)


def test_leveller_raises_the_quiet_reader_and_holds_through_pauses():
    """Ten seconds at -20 LUFS, twenty of silence, ten at -40: 100 ms steps as ebur128 logs them."""
    momentary = np.concatenate([np.full(100, -20.0), np.full(200, -120.0), np.full(100, -40.0)])
    true_peak = np.concatenate([np.full(100, -6.0), np.full(200, -90.0), np.full(100, -26.0)])
    levelled = leveller(momentary, true_peak, floor=-50.0)
    gains = levelled.gains
    # The programme's loudness is the loud reader's (BS.1770's gate leaves the quiet one out):
    # the quiet reader is raised 20 dB to meet it, and the loud one left where it is.
    assert gains[50] == pytest.approx(0.0, abs=0.1) and gains[350] == pytest.approx(20.0, abs=0.1)
    pause = gains[130:270]
    assert np.all(np.diff(pause) >= -1e-9)  # in the pause, the gain only moves from one to the other
    assert levelled.integrated == pytest.approx(-20.0, abs=0.1)
    assert levelled.true_peak == pytest.approx(-6.0, abs=0.1)  # the quiet reader's peaks, raised, meet the loud one's


def test_leveller_follows_a_conversation_turn_by_turn():
    """A host and a guest 20 dB quieter taking turns of 5 s: each turn is brought to the host."""
    turns = [np.full(50, -20.0 if turn % 2 == 0 else -40.0) for turn in range(8)]
    momentary = np.concatenate(turns)
    true_peak = momentary + 14  # speech's peaks, some 14 dB over its loudness
    gains = leveller(momentary, true_peak, floor=-50.0).gains
    for turn in range(8):
        middle = gains[turn * 50 + 15 : turn * 50 + 35]  # away from the changes of voice
        assert middle == pytest.approx(np.full(20, 0.0 if turn % 2 == 0 else 20.0), abs=0.5)


def test_silence_under_the_floor_is_not_raised():
    momentary = np.concatenate([np.full(100, -20.0), np.full(100, -65.0)])  # then room noise
    true_peak = np.concatenate([np.full(100, -6.0), np.full(100, -55.0)])
    gains = leveller(momentary, true_peak, floor=-50.0).gains
    assert np.allclose(gains, 0.0, atol=0.01)  # the noise is no speech: nothing to even out


def test_lame_scale_is_measured():
    """libmp3lame scales its input by 0.95 under 320 kb/s: the gain that makes up for it."""
    codec_gain.cache_clear()  # measured once per process: here, not read from an earlier test's measure
    assert codec_gain("64k", 1) == pytest.approx(-0.45, abs=0.05)
    assert codec_gain("128k", 2) == pytest.approx(-0.45, abs=0.05)
    assert codec_gain("320k", 2) == pytest.approx(0.0, abs=0.05)


def test_an_astats_log_without_its_rms_line_is_named():
    from pipeline.audio.encode import _rms
    from pipeline.errors import StageError

    assert _rms("[Parsed_astats_0 @ 0x1] RMS level dB: -23.456\n[Parsed_astats_0 @ 0x1] RMS peak dB: -20.0", "a.mp3") == -23.456
    assert _rms("RMS level dB: 3.5", "a.mp3") == 3.5
    with pytest.raises(StageError, match=r"^a\.mp3: ffmpeg's astats gave no RMS level$"):
        _rms("RMS peak dB: -20.0", "a.mp3")


def test_frame_log_gives_the_integrated_loudness(tmp_path):
    from tests.conftest import speechlike, write_wav

    source = write_wav(tmp_path / "speech.wav", np.concatenate([speechlike(6, -10), speechlike(6, -30, seed=2)]))
    log = FrameLog("x")
    args = ["-nostats", "-i", str(source), "-filter_complex", meter("x", framelog=True), "-f", "null", "-"]
    result = ffmpeg.run_logged(args, source, log.take)
    assert len(log.momentary) == pytest.approx(120, abs=1) and len(log.true_peak) == len(log.momentary)
    assert " t: " not in result.stderr  # the 100 ms lines were taken, not kept
    assert integrated(log.momentary) == pytest.approx(ebur128(source)["integrated"], abs=0.06)


@pytest.mark.parametrize(("measured", "target", "off"), [(-15.7, -16.0, 0.3), (-15.6, -16.0, 0.4), (-16.4, -16.0, 0.4), (-19.5, -19.0, 0.5)])
def test_off_target_is_what_ebur128_s_tenths_say(measured, target, off):
    """ebur128 prints tenths: a file 0.3 LU off is 0.3 off, so a tolerance of 0.3 lets it through
    (a float subtraction says 0.30000000000000071 and failed it)."""
    assert off_target(measured, target) == off
