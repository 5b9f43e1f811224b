"""Both Whisper engines on the same bundled weights (slow: loads the models)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.audio import ffmpeg
from pipeline.speech import models
from pipeline.speech.checkpoint import read_ct2, to_openai
from pipeline.records import Transcription
from pipeline.speech.transcriber import load, speech_only
from tests.conftest import DATA, OPENAI_INSTALL, TRAILER, require, trailer_script, word_error_rate
from tests.speech.trailer_lines import heard_right, off_their_line

PROMPT = "Freelance.Family. coworking, portage salarial. Camille Durand, Inès Moreau."
# Word error rate on the trailer's script with PROMPT. Measured: faster-whisper on an AMD EPYC
# under CT2_FORCE_CPU_ISA=AVX2 0.478 (its default), AVX512 0.580; the Intel Xeon's trailer, in a
# build (the show's longer prompt), 0.572 (tests/data/whisper-elsewhere). openai-whisper (PyTorch,
# which CT2_FORCE_CPU_ISA does not touch) 0.442 on the AMD EPYC. A broken transcription is near 1.
WER_CEILING = {"faster-whisper": 0.70, "openai-whisper": 0.70}


def test_ct2_model_becomes_an_openai_whisper_checkpoint():
    """The bundled model's variables map one to one onto openai-whisper's base layout."""
    require("whisper", OPENAI_INSTALL)
    import whisper

    dims, state = to_openai(read_ct2(models.bundled_model() / "model.bin"))
    assert dims == {
        "n_mels": 80,
        "n_audio_ctx": 1500,
        "n_audio_state": 512,
        "n_audio_head": 8,
        "n_audio_layer": 6,
        "n_vocab": 51865,
        "n_text_ctx": 448,
        "n_text_state": 512,
        "n_text_head": 8,
        "n_text_layer": 6,
    }
    expected = whisper.model.Whisper(whisper.model.ModelDimensions(**dims)).state_dict()
    assert set(state) == set(expected)
    assert all(tuple(state[k].shape) == tuple(expected[k].shape) for k in state)
    # openai-whisper computes the encoder's sinusoids itself: CTranslate2 stored the same ones.
    assert np.allclose(state["encoder.positional_embedding"], expected["encoder.positional_embedding"].numpy(), atol=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_engine_transcribes_the_trailer(engine):
    if engine == "openai-whisper":
        require("whisper", OPENAI_INSTALL)
    transcript = load(Transcription(engine=engine), Path(".")).transcribe(TRAILER, "fr", PROMPT)
    assert transcript.engine == engine and transcript.model == "base"
    assert word_error_rate(trailer_script(), transcript.text) < WER_CEILING[engine], transcript.text
    words = [w for s in transcript.segments for w in s.words]
    # Whichever words this CPU hears right, each lies in the line of the script that says it,
    # and they come from half the trailer's eight lines or more (tests/speech/trailer_lines.py).
    # Measured on an AMD EPYC, words heard right / lines they come from / furthest outside their
    # line: faster-whisper under CT2_FORCE_CPU_ISA=AVX2 39 / 8 / 0.02 s, AVX512 27 / 5 / 0.02 s,
    # openai-whisper 42 / 8 / 0.00 s; the Intel Xeon's trailer, in a build, 27 / 6 / 0.03 s.
    right = heard_right(transcript)
    assert off_their_line(right, margin=0.5) == [], transcript.text
    assert len({line for line, *_ in right}) >= 4, right
    assert all(0 <= w.start <= w.end <= transcript.duration + 0.5 for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)


def test_speech_only_maps_times_back_across_pauses():
    """Voiced parts joined for Whisper; a time in them maps back over the pause removed."""
    rate = 16000
    rng = np.random.default_rng(0)
    speech = ffmpeg.decode(TRAILER, rate, 0.0, 4.0)
    audio = np.concatenate([speech, 0.0001 * rng.standard_normal(rate * 10).astype(np.float32), speech])
    joined, original = speech_only(audio)
    assert 0 < joined.size < audio.size - rate * 8  # most of the 10 s pause is gone
    first = speech.size / rate
    # The start of the second copy, in the joined audio, is back at 14 s on the original.
    second_start = joined.size / rate - first
    assert original(second_start + 1.0) == pytest.approx(15.0, abs=1.0)
    assert original(0.5) == pytest.approx(0.5, abs=0.01)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_same_recording_same_words(engine):
    """No random sampling: the guest's track that looped differently from run to run (issue 9)."""
    if engine == "openai-whisper":
        require("whisper", OPENAI_INSTALL)
    transcriber = load(Transcription(engine=engine), Path("."))
    first, second = (transcriber.transcribe(DATA / "duo-guest.m4a", "fr", PROMPT) for _ in range(2))
    assert first.segments == second.segments and first.text


def test_openai_whisper_gets_the_bundled_model_converted_once_with_its_word_timing_heads(tmp_path, monkeypatch):
    """The bundled CTranslate2 model, converted into the cache on first use and loaded by hand:
    whisper.load_model would give a file it does not name the default heads (all of the last
    three layers) and its word times would come from the wrong heads."""
    require("whisper", OPENAI_INSTALL)
    import base64
    import gzip

    import whisper

    from pipeline.speech import checkpoint

    bundled = models.bundled_model()
    monkeypatch.setattr(models, "bundled_model", lambda: bundled)  # not joined again in the new cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    engine = load(Transcription(engine="openai-whisper"), tmp_path)
    converted = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert len(converted) == 1 and converted[0].startswith("podcast-pipeline/models/whisper-base-openai-")
    assert converted[0].endswith("/base.pt")  # and no partial file left
    # openai-whisper's own heads for its base model, as it ships them.
    official = np.frombuffer(gzip.decompress(base64.b85decode(whisper._ALIGNMENT_HEADS["base"])), dtype=bool).reshape(6, 8)
    assert np.array_equal(engine.model.alignment_heads.to_dense().numpy(), official)

    def again(*args):
        raise AssertionError("converted twice")

    monkeypatch.setattr(checkpoint, "convert", again)
    assert load(Transcription(engine="openai-whisper"), tmp_path).model.dims.n_text_layer == 6
