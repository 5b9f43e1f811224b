"""A transcript as the episode page shows it: a turn per speaker, sentences timed by their words."""

from __future__ import annotations

from pipeline.text.reading import turns
from pipeline.records import Segment, Transcript, Word


def _segment(start: float, speaker: str, text: str) -> Segment:
    words = tuple(Word(start + i * 0.5, start + i * 0.5 + 0.4, " " + w) for i, w in enumerate(text.split()))
    return Segment(start, words[-1].end, text, words, speaker)


def test_one_turn_per_speaker_however_many_segments():
    transcript = Transcript(
        "fr",
        30.0,
        (
            _segment(0.0, "Camille", "Bonjour. Bienvenue à toi."),
            _segment(4.0, "Camille", "On commence ?"),
            _segment(8.0, "Inès", "Oui. Allons-y."),
            _segment(12.0, "Camille", "Parfait."),
        ),
    )
    found = turns(transcript)
    assert [(t.speaker, t.start, [s.text for s in t.sentences]) for t in found] == [
        ("Camille", 0.0, ["Bonjour.", "Bienvenue à toi.", "On commence ?"]),
        ("Inès", 8.0, ["Oui.", "Allons-y."]),
        ("Camille", 12.0, ["Parfait."]),
    ]
    assert found[0].sentences[1].start == 0.5  # its first word's start


def test_an_empty_transcript_has_no_turn():
    assert turns(Transcript("fr", 3.0, ())) == []


def test_a_word_glued_to_a_full_stop_does_not_end_the_sentence():
    """Whisper hears "Freelance.Family" as " Freelance." + "Family,": one name, one sentence."""
    words = (
        Word(0.0, 0.4, " Bienvenue"),
        Word(0.4, 0.8, " dans"),
        Word(0.8, 1.2, " Freelance."),
        Word(1.2, 1.6, "Family,"),
        Word(1.6, 2.0, " le"),
        Word(2.0, 2.4, " podcast."),
        Word(3.0, 3.4, " Bonjour."),
    )
    transcript = Transcript("fr", 4.0, (Segment(0.0, 3.4, "Bienvenue dans Freelance.Family, le podcast. Bonjour.", words, "Camille"),))
    [turn] = turns(transcript)
    assert [s.text for s in turn.sentences] == ["Bienvenue dans Freelance.Family, le podcast.", "Bonjour."]
