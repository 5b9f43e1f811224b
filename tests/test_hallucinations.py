"""Whisper must hear nothing where nobody speaks (slow: loads the model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.phantoms import is_phantom
from pipeline.records import Segment, Transcript, Transcription, Word
from pipeline.transcribe import doubtful_passages
from pipeline.transcriber import load
from tests.conftest import write_wav

RATE = 16000


def test_phantom_phrases_recognised():
    assert is_phantom("Sous-titres réalisés par la communauté d’Amara.org", "fr")
    assert is_phantom(" Merci d'avoir regardé ! ", "fr-CA")
    assert not is_phantom("Merci d'avoir regardé le portage salarial avec nous", "fr")
    assert not is_phantom("Thanks for watching", "fr")


def trap(kind: str, seconds: float = 20.0) -> np.ndarray:
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * RATE)) / RATE
    if kind == "silence":
        return np.zeros(t.size)
    if kind == "room noise":
        return 0.01 * rng.standard_normal(t.size)
    if kind == "hum and tones":
        return 0.2 * np.sin(2 * np.pi * 50 * t) + 0.2 * np.sin(2 * np.pi * 440 * t) * (np.sin(2 * np.pi * 0.5 * t) > 0)
    # "music": chords changing every half second, with a beat
    notes = [261.6, 329.6, 392.0, 440.0, 523.3]
    chord = np.zeros(t.size)
    for i, start in enumerate(range(0, t.size, RATE // 2)):
        piece = t[start : start + RATE // 2]
        for f in (notes[i % 5], notes[(i + 2) % 5]):
            chord[start : start + RATE // 2] += 0.15 * np.sin(2 * np.pi * f * piece)
    return chord * (0.6 + 0.4 * (np.sin(2 * np.pi * 2 * t) > 0))


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_trap_set_yields_no_words(tmp_path, engine):
    if engine == "openai-whisper":
        pytest.importorskip("whisper")
    transcriber = load(Transcription(engine=engine), Path("."))
    for kind in ("silence", "room noise", "hum and tones", "music"):
        path = write_wav(tmp_path / f"{kind}.wav", trap(kind), RATE)
        transcript = transcriber.transcribe(path, "fr", prompt="Freelance.Family. coworking, portage salarial.")
        assert transcript.segments == (), (kind, transcript.text)


def test_doubtful_passages():
    words = (Word(0, 1, "Bonjour", 0.9), Word(1, 2, " Cower", 0.2), Word(2, 3, " King", 0.3), Word(3, 4, " à", 0.95),
             Word(4, 5, " qui", 0.3), Word(5, 6, " Lyon", 0.9), Word(6, 7, " Malte", 0.1))
    transcript = Transcript("fr", 7.0, (Segment(0, 7, "Bonjour Cower King à qui Lyon Malte", words),))
    assert doubtful_passages(transcript) == [{"start": 1, "end": 3, "text": "Cower King"}, {"start": 6, "end": 7, "text": "Malte"}]


def test_repetition_loop_collapsed():
    from pipeline.transcriber import collapse_loops

    text = "Et moi, je suis " + "et j'ai l'opin " * 9 + "voilà."
    tokens = text.split()
    words = tuple(Word(i * 0.2, i * 0.2 + 0.2, (" " if i else "") + t) for i, t in enumerate(tokens))
    fixed = collapse_loops(Segment(0.0, len(tokens) * 0.2, text.strip(), words))
    assert fixed.text == "Et moi, je suis et j'ai l'opin voilà."
    assert [w.text.strip() for w in fixed.words][-1] == "voilà."
    # Ordinary repetition is speech: "non, non, non" stays.
    said = "Non, non, non, je ne crois pas que ce soit le cas pour moi aujourd'hui."
    tokens = said.split()
    words = tuple(Word(i * 0.2, i * 0.2 + 0.2, (" " if i else "") + t) for i, t in enumerate(tokens))
    assert collapse_loops(Segment(0.0, 4.0, said, words)).text == said
