"""When normalise encodes again: the MP3 measured more than 0.3 LU off the target (README:
"normalise aims within 0.3 LU") or over the ceiling. The encodes are scripted here, so each
decision is tested at its edge, which real audio rarely lands on."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline.audio import encode
from pipeline.audio.encode import Body, Encode, Encoder, Extras
from pipeline.audio.level import Plan
from pipeline.audio.loudness import Measurement


def encodes(monkeypatch, tmp_path: Path, *landed: float) -> list[float]:
    """The gains of each encode, the MP3s landing at `landed` LUFS one after the other (peaks at -3 dBTP)."""
    gains: list[float] = []

    def scripted(show, plan, *args, **kwargs) -> Measurement:
        gains.append(plan.gain)
        return Measurement(landed[len(gains) - 1], 5.0, -3.0)

    monkeypatch.setattr(encode, "_encode", scripted)
    mono = SimpleNamespace(channels=1)  # only its channels are read before _encode
    encoder = Encoder(mono, (0.0, 60.0), {}, 0.0, "64k", tmp_path / "out.mp3", Extras(), "test")
    encoder.to_target(Body(integrated=-26.0, true_peak=-20.0), target=-16.0, ceiling=-1.0)
    return gains


@pytest.mark.parametrize("landed", [-16.0, -15.7, -16.3])
def test_an_mp3_within_0_3_lu_is_kept(monkeypatch, tmp_path, landed):
    assert encodes(monkeypatch, tmp_path, landed) == [10.0]


@pytest.mark.parametrize("landed, again", [(-15.6, 9.6), (-16.4, 10.4), (-15.5, 9.5)])
def test_an_mp3_further_off_is_encoded_again_by_what_it_missed(monkeypatch, tmp_path, landed, again):
    assert encodes(monkeypatch, tmp_path, landed, -16.0) == [10.0, pytest.approx(again)]


def test_at_most_three_encodes(monkeypatch, tmp_path):
    assert len(encodes(monkeypatch, tmp_path, -15.0, -15.0, -15.0, -15.0)) == 3


def test_peaks_over_the_ceiling_are_encoded_again_in_lames_fast_mode(monkeypatch, tmp_path):
    """The first MP3 on target but 0.5 dB over the -1 dBTP ceiling: encoded again with LAME's -q 7
    (encode.PEAK_SAFE_QUALITY), which the level report keeps with the programme's own figures."""
    landed = [Measurement(-16.0, 5.0, -0.5), Measurement(-16.0, 5.0, -1.2)]
    qualities: list[int | None] = []

    def scripted(show, plan, *args) -> Measurement:
        qualities.append(args[-1])
        return landed[len(qualities) - 1]

    monkeypatch.setattr(encode, "_encode", scripted)
    monkeypatch.setattr(encode, "mp3_length", lambda path: 60.0)
    mono = SimpleNamespace(channels=1, tracks=())
    encoder = Encoder(mono, (0.0, 60.0), {}, 0.0, "64k", tmp_path / "out.mp3", Extras(), "test")
    body = Body(integrated=-26.037, true_peak=-20.304)
    history = encoder.to_target(body, target=-16.0, ceiling=-1.0)
    assert qualities == [None, 7]
    report = encode._report(history, body, encoder, -16.0, 60.0).report
    assert (report.encodes, report.mp3_quality, report.input_integrated, report.input_true_peak) == (2, 7, -26.04, -20.3)


def test_the_level_report_of_a_limited_encode(monkeypatch, tmp_path):
    """Figures to the hundredth of a dB, times to the millisecond; the gain is the limiter's
    make-up added to the gain before it."""
    monkeypatch.setattr(encode, "mp3_length", lambda path: 60.0)
    encoder = Encoder(SimpleNamespace(channels=1, tracks=()), (0.2504, 58.4996), {}, 0.0, "64k", tmp_path / "out.mp3", Extras(), "test")
    history = [Encode(Plan(gain=8.0, limit=-3.0, makeup=2.0371), None, Measurement(-16.0, 5.0, -1.2))]
    normalised = encode._report(history, Body(integrated=-26.037, true_peak=-2.304), encoder, -16.0, 60.0)
    assert normalised.limited
    report = normalised.report
    assert (report.gain, report.input_true_peak, report.trimmed, report.mp3_quality) == (10.04, -2.3, (0.25, 1.5), None)
