"""The guards around the model, fast: what Whisper writes is scripted (tests/speech/scripted.py),
everything around it is the pipeline's own code on real audio.

Whisper invents the credits of the subtitles it learnt from where nobody speaks, loops on a
phrase, and starts a passage's first word in the pause before it; the pipeline must send it
voice only, drop what it invents, cut its loops and put words where the voice is. The slow tests
check the same with the real model (tests/speech/test_hallucinations.py, test_engines.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.audio import ffmpeg
from pipeline.speech.transcriber import windows
from tests.conftest import DATA, write_wav
from tests.speech.scripted import RATE, ScriptedWhisper, quiet_runs
from tests.speech.test_hallucinations import trap

# What Whisper heard in tests/data/duo-host.m4a (tests/data/whisper-elsewhere/amd-epyc-avx2),
# one line per stretch of voice: the host's voice is at 0.5-4.4 s and 10.2-13.2 s of the file.
HEARD = ("Bonjour les mecs, merci d'être venu dans le studio oublier.", "Alors, comment tu t'aumé tes pommes éclisants ?")
# What Whisper writes where nobody speaks (pipeline/speech/phantoms.py's sources; "..." on noise),
# and a sentence it invented over a silent guest's track (issue 9).
INVENTED = [["Sous-titres réalisés par la communauté d'Amara.org"], ["Merci d'avoir regardé !"], ["..."], ["Merci."], ["On va sortir de la main."]]


def host_track(tmp_path: Path, before: float = 0.0, after: float = 0.0) -> Path:
    """The host's track of the duo with `before` and `after` seconds of room noise around it."""
    rng = np.random.default_rng(3)
    voice = ffmpeg.decode(DATA / "duo-host.m4a", RATE)
    audio = np.concatenate([np.zeros(int(before * RATE)), voice, np.zeros(int(after * RATE))])
    audio += 1e-4 * rng.standard_normal(audio.size)  # a quiet room, not digital silence
    return write_wav(tmp_path / "host.wav", audio, RATE)


def texts(transcript) -> list[str]:
    return [s.text for s in transcript.segments]


def test_phantom_lines_dropped(tmp_path):
    """Credits and thanks Whisper writes after the voice are not published; the host's lines are."""
    whisper = ScriptedWhisper([HEARD[0]], [HEARD[1]], *INVENTED[:4])
    transcript = whisper.transcribe(host_track(tmp_path), "fr")
    assert texts(transcript) == list(HEARD)
    # A sentence that only begins like a phantom phrase is speech.
    whisper = ScriptedWhisper([HEARD[0]], [HEARD[1], "Merci d'avoir regardé le portage salarial avec nous."])
    transcript = whisper.transcribe(host_track(tmp_path), "fr")
    assert texts(transcript) == [*HEARD, "Merci d'avoir regardé le portage salarial avec nous."]


@pytest.mark.parametrize("kind", ["silence", "room noise", "hum and tones", "music"])
def test_no_speech_never_reaches_whisper(tmp_path, kind):
    """Where nobody speaks, Whisper is not asked: it would invent the lines it learnt from subtitles."""
    whisper = ScriptedWhisper(*INVENTED)
    transcript = whisper.transcribe(write_wav(tmp_path / "trap.wav", trap(kind), RATE), "fr")
    assert whisper.given == []
    assert transcript.segments == () and transcript.duration == pytest.approx(20.0, abs=0.05)


def test_only_voice_reaches_whisper_and_comes_back_at_its_place(tmp_path):
    """Long pauses are cut out before decoding; the words come back on the file's timeline."""
    whisper = ScriptedWhisper([HEARD[0]], [HEARD[1]])
    transcript = whisper.transcribe(host_track(tmp_path, before=8.0, after=8.0), "fr")
    [given] = whisper.given
    # The file is 34.8 s with 8 s of room before the voice, 5.8 s in the middle and 13.6 s after.
    # The voice detector pads each stretch of voice with 0.8 s (pipeline/speech/transcriber.py):
    # the longest pause left is the one in the middle, two paddings long.
    assert given.size / RATE < 12.0
    assert max(quiet_runs(given)) <= 1.6 + 0.1
    # Each line where its voice is in the file: the host speaks at 8.5-12.4 s and 18.2-21.2 s.
    first, second = transcript.segments
    assert texts(transcript) == list(HEARD)
    assert first.start == pytest.approx(8.5, abs=0.1) and first.end == pytest.approx(12.4, abs=0.1)
    assert second.start == pytest.approx(18.2, abs=0.1) and second.end == pytest.approx(21.2, abs=0.1)
    assert all(s.start <= w.start < w.end <= s.end for s in transcript.segments for w in s.words)
    assert [w.start for s in transcript.segments for w in s.words] == sorted(w.start for s in transcript.segments for w in s.words)


def test_decoder_hears_the_whole_window_without_the_voice_detector(tmp_path):
    """`vad = false` hands Whisper everything, pauses included: the guard above is the detector."""
    whisper = ScriptedWhisper([HEARD[0]], [HEARD[1]], vad=False)
    whisper.transcribe(host_track(tmp_path, before=8.0, after=8.0), "fr")
    [given] = whisper.given
    assert given.size / RATE == pytest.approx(34.8, abs=0.05)


# README (docs/DEVELOPING.md, "Decoding defaults"): a phrase Whisper repeats three times back to
# back, or one word four times, is a decoding loop and is cut to one copy; a phrase said twice,
# or a word three times, is how people speak.
LOOPED = "On va sortir de la main."


@pytest.mark.parametrize(
    "said, published",
    [
        pytest.param([LOOPED] * 3, [LOOPED], id="phrase-3-times-cut"),
        pytest.param([LOOPED] * 2, [LOOPED] * 2, id="phrase-twice-kept"),
        pytest.param([f"{LOOPED} {LOOPED} {LOOPED} Voilà."], [f"{LOOPED} Voilà."], id="phrase-3-times-in-a-segment-cut"),
        pytest.param(["Non, non, non, non, je ne crois pas."], ["Non, je ne crois pas."], id="word-4-times-cut"),
        pytest.param(["Non, non, non, je ne crois pas."], ["Non, non, non, je ne crois pas."], id="word-3-times-kept"),
    ],
)
def test_loops_cut_at_the_promised_count(tmp_path, said, published):
    whisper = ScriptedWhisper(said, [HEARD[1]])
    transcript = whisper.transcribe(host_track(tmp_path), "fr")
    assert texts(transcript) == [*published, HEARD[1]]


def test_early_word_moved_to_where_the_voice_begins(tmp_path):
    """Whisper starts a passage's first word where the detector's padding starts, 0.8 s before the
    voice (measured on the host's track, tests/speech/test_speakers.py): it starts with the voice."""
    whisper = ScriptedWhisper([HEARD[0]], [HEARD[1]], early=0.8)
    transcript = whisper.transcribe(host_track(tmp_path, before=3.0), "fr")
    first, second = transcript.segments
    # The host's voice begins at 3.5 s and again at 13.2 s of this file.
    assert first.words[0].start == pytest.approx(3.5, abs=0.05) and first.start == first.words[0].start
    assert second.words[0].start == pytest.approx(13.2, abs=0.05)
    assert all(w.start < w.end for s in transcript.segments for w in s.words)


def test_a_long_recording_is_cut_at_the_last_pause_of_each_windows_second_half():
    # Windows of 60 s at most; pauses (their middles at 30.5, 45.5 and 55.5 s) in the first
    # window's second half: the cut takes the last, so windows stay as long as they may.
    assert windows(100.0, [(30.0, 31.0), (45.0, 46.0), (55.0, 56.0)], 60.0) == [(0.0, 55.5), (55.5, 100.0)]
    # No pause in the second half (one at 10 s): cut at the 60 s limit.
    assert windows(100.0, [(10.0, 11.0)], 60.0) == [(0.0, 60.0), (60.0, 100.0)]
