"""Whisper must hear nothing where nobody speaks (slow: loads the model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.speech.phantoms import is_phantom
from pipeline.records import Segment, Transcript, Transcription, Word
from pipeline.results import Passage
from pipeline.speech.confidence import doubtful_passages
from pipeline.speech.transcriber import load
from tests.conftest import OPENAI_INSTALL, require, write_wav

RATE = 16000


def test_phantom_phrases_recognised():
    assert is_phantom("Sous-titres réalisés par la communauté d’Amara.org", "fr")
    assert is_phantom(" Merci d'avoir regardé ! ", "fr-CA")
    assert is_phantom("Sous-Titres Réalisés Par La Communauté d'Amara.org", "fr")  # whatever the case
    assert is_phantom("merci.", "fr") and is_phantom("THANK YOU", "en")
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


# No word at all, on any CPU: measured none on an AMD EPYC under CT2_FORCE_CPU_ISA=AVX2 and
# AVX512 (and openai-whisper), and this test passed on the Intel Xeon of issue 19.
@pytest.mark.slow
@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_trap_set_yields_no_words(tmp_path, engine):
    if engine == "openai-whisper":
        require("whisper", OPENAI_INSTALL)
    transcriber = load(Transcription(engine=engine), Path("."))
    for kind in ("silence", "room noise", "hum and tones", "music"):
        path = write_wav(tmp_path / f"{kind}.wav", trap(kind), RATE)
        transcript = transcriber.transcribe(path, "fr", prompt="Freelance.Family. coworking, portage salarial.")
        assert transcript.segments == (), (kind, transcript.text)


def test_doubtful_passages():
    words = (
        Word(0, 1, "Bonjour", 0.9),
        Word(1, 2, " Cower", 0.2),
        Word(2, 3, " King", 0.3),
        Word(3, 4, " à", 0.95),
        Word(4, 5, " qui", 0.3),
        Word(5, 6, " Lyon", 0.9),
        Word(6, 7, " Malte", 0.1),
    )
    transcript = Transcript("fr", 7.0, (Segment(0, 7, "Bonjour Cower King à qui Lyon Malte", words),))
    assert doubtful_passages(transcript) == [Passage(1, 3, "Cower King"), Passage(6, 7, "Malte")]


@pytest.mark.parametrize("probability, doubtful", [(0.39, True), (0.4, False), (0.5, False)])
def test_doubtful_words_are_those_under_40_percent(probability, doubtful):
    # README: the passages of words under 40 % probability; two such words make a passage.
    words = (Word(0, 1, "Cower", probability), Word(1, 2, " King", probability), Word(2, 3, " à", 0.95))
    transcript = Transcript("fr", 3.0, (Segment(0, 3, "Cower King à", words),))
    assert doubtful_passages(transcript) == ([Passage(0, 2, "Cower King")] if doubtful else [])


@pytest.mark.parametrize("probability, doubtful", [(0.14, True), (0.15, False)])
def test_one_word_alone_is_doubtful_under_15_percent(probability, doubtful):
    words = (Word(0, 1, "Bonjour", 0.9), Word(1, 2, " Malte", probability), Word(2, 3, " à", 0.95))
    transcript = Transcript("fr", 3.0, (Segment(0, 3, "Bonjour Malte à", words),))
    assert doubtful_passages(transcript) == ([Passage(1, 2, "Malte")] if doubtful else [])


def said(*lines: str, step: float = 0.2) -> list[Segment]:
    """Segments of evenly timed words, one per line."""
    segments, t = [], 0.0
    for line in lines:
        tokens = line.split()
        words = tuple(Word(round(t + i * step, 3), round(t + (i + 1) * step, 3), (" " if i else "") + w) for i, w in enumerate(tokens))
        segments.append(Segment(words[0].start, words[-1].end, line, words))
        t = words[-1].end + 0.5
    return segments


def test_loop_across_segments_cut_to_one_copy():
    """The guest's track of issue 9: a sentence never said, three times, a segment each."""
    from pipeline.speech.transcriber import cut_loops

    segments = said("Merci Camille, je suis remis de parler du portage salamiable.", *["On va sortir de la main."] * 3, "Voilà.")
    kept = cut_loops(segments)
    assert [s.text for s in kept] == ["Merci Camille, je suis remis de parler du portage salamiable.", "On va sortir de la main.", "Voilà."]
    assert kept[1].start == segments[1].start and kept[-1] == segments[-1]


def test_loop_inside_a_segment_cut_to_one_copy():
    from pipeline.speech.transcriber import cut_loops

    [kept] = cut_loops(said("Et moi, je suis " + "et j'ai l'opin " * 9 + "voilà."))
    assert kept.text == "Et moi, je suis et j'ai l'opin voilà."
    assert kept.words[-1].text.strip() == "voilà." and kept.end == kept.words[-1].end
    # Three copies of a phrase are a loop too, not only more.
    [kept] = cut_loops(said("je ne vais pas faire de l'air. " * 3))
    assert kept.text == "je ne vais pas faire de l'air."


def test_repetition_people_make_is_kept():
    """A phrase said twice, or one word three times, is how people speak."""
    from pipeline.speech.transcriber import cut_loops

    for line in ("La fois d'après la fois d'après, on a signé.", "Non, non, non, je ne crois pas que ce soit le cas."):
        segments = said(line)
        assert cut_loops(segments) == segments
    twice = said("On va sortir de la main.", "On va sortir de la main.", "Et après ?")
    assert cut_loops(twice) == twice


def test_word_over_silence_moved_to_the_voice():
    """A word Whisper starts in the pause before it starts where the voice does."""
    from pipeline.speech.transcriber import WHISPER_RATE, at_voice, voiced_frames

    t = np.arange(3 * WHISPER_RATE) / WHISPER_RATE
    audio = np.where((t >= 1.0) & (t < 2.0), 0.3 * np.sin(2 * np.pi * 220 * t), 0.0).astype(np.float32)
    audio += (1e-4 * np.random.default_rng(0).standard_normal(audio.size)).astype(np.float32)  # room noise
    early = Segment(0.2, 1.8, "Chaque semaine", (Word(0.2, 1.3, "Chaque"), Word(1.3, 1.8, " semaine")))
    moved = at_voice(early, voiced_frames(audio))
    assert moved.words[0].start == pytest.approx(1.0, abs=0.021) and moved.start == moved.words[0].start
    assert moved.words[0].end == 1.3 and moved.words[1] == early.words[1]
    # Wholly over silence: the word moves to the voice, keeping its length, before the next word.
    lost = Segment(0.1, 1.9, "Chaque semaine", (Word(0.1, 0.4, "Chaque"), Word(1.4, 1.9, " semaine")))
    moved = at_voice(lost, voiced_frames(audio))
    assert moved.words[0].start == pytest.approx(1.0, abs=0.021) and moved.words[0].end == pytest.approx(1.3, abs=0.021)
    # Punctuation Whisper times in the pause stays with the sentence it ends, not the next voice.
    asked = Segment(0.0, 1.2, "clients ?", (Word(0.0, 0.3, "clients"), Word(0.5, 1.2, " ?")))
    assert at_voice(asked, voiced_frames(audio)) == asked
    on_time = Segment(1.0, 1.9, "Chaque semaine", (Word(1.05, 1.4, "Chaque"), Word(1.4, 1.9, " semaine")))
    assert at_voice(on_time, voiced_frames(audio)) == on_time
