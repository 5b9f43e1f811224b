"""Speaker turns on a single track: how voices become names and segments (no model needed)."""

from __future__ import annotations

import numpy as np

from pipeline.records import Episode, Person, Segment, Transcript, Word
from pipeline.speech.voices import cut_at_turns, smooth, speakers, word_voices


def words(*spec: tuple[float, str]) -> list[Word]:
    return [Word(t, t + 0.4, f" {text}") for t, text in spec]


def test_turns_cut_segments_and_name_every_word():
    said = words((0.0, "Bonjour"), (0.5, "Inès."), (1.0, "Merci"), (1.5, "Camille."))
    transcript = Transcript("fr", 2.0, (Segment(0.0, 1.9, "Bonjour Inès. Merci Camille.", tuple(said)),))
    cut = cut_at_turns(transcript, ["Camille", "Camille", "Inès", "Inès"])
    assert [(s.speaker, s.text, s.start, s.end) for s in cut.segments] == [("Camille", "Bonjour Inès.", 0.0, 0.9), ("Inès", "Merci Camille.", 1.0, 1.9)]
    assert [w.speaker for s in cut.segments for w in s.words] == ["Camille", "Camille", "Inès", "Inès"]


def test_a_blip_inside_a_turn_is_folded_back():
    said = words(*[(i * 0.3, "mot") for i in range(12)])
    voices = [0] * 5 + [1] + [0] * 3 + [1] * 3
    # One word heard as the other voice mid-turn is a misheard print; a real turn at the end stays.
    assert smooth(said, voices) == [0] * 9 + [1] * 3


def test_words_take_the_voice_of_the_prints_over_them():
    said = words((0.0, "un"), (1.0, "deux"), (5.0, "trois"), (9.0, "quatre"))
    centres = np.array([0.8, 1.2, 5.2, 8.0])
    labels = np.array([0, 0, 1, 1])
    assert word_voices(said, centres, labels, 2) == [0, 0, 1, 1]  # "quatre": nearest print


def test_punctuation_stays_with_the_sentence_it_ends():
    """Whisper's " ?" stretched over the pause, into the next voice (seen in the duo, under AVX2)."""
    said = [Word(0.0, 0.4, " premiers"), Word(0.4, 0.8, " clients"), Word(0.8, 2.4, " ?"), Word(2.5, 2.9, " Grâce")]
    centres = np.array([0.2, 0.6, 1.9, 2.2, 2.7])
    labels = np.array([0, 0, 1, 1, 1])
    assert word_voices(said, centres, labels, 2) == [0, 0, 0, 1]


def test_speaking_order_puts_a_guest_first():
    from datetime import datetime, timezone
    from pathlib import Path

    from pipeline.records import Show

    show = Show(
        root=Path("."),
        title="T",
        description="d",
        language="fr",
        author="a",
        owner=Person("a"),
        base_url="https://e.org/",
        categories=(),
        artwork=Path("a.png"),
        hosts=(Person("Camille"),),
    )
    episode = Episode(slug="e", folder=Path("."), title="E", published=datetime.now(timezone.utc), audio=(), guests=(Person("Inès"), Person("Malik")))
    assert speakers(show, episode) == ("Camille", "Inès", "Malik")
    assert speakers(show, episode.__class__(**{**episode.__dict__, "speaking_order": ("Malik",)})) == ("Malik", "Camille", "Inès")


def voices_around(centres: list[np.ndarray], each: int, spread: float, seed: int = 0) -> np.ndarray:
    """Unit vectors scattered around each centre, as voice prints of one person each."""
    rng = np.random.default_rng(seed)
    prints = np.concatenate([c + spread * rng.standard_normal((each, c.size)) for c in centres])
    return prints / np.linalg.norm(prints, axis=1, keepdims=True)


def test_clusters_are_people_who_speak_not_people_listed():
    from pipeline.speech.voices import cluster

    rng = np.random.default_rng(1)
    host, guest = np.abs(rng.standard_normal(256)), np.abs(rng.standard_normal(256))
    two = voices_around([host, guest], 40, 0.02)
    labels = cluster(two, 2)
    assert sorted(np.bincount(labels)) == [40, 40] and len(set(labels[:40])) == 1
    # Three people listed, two heard: no third voice is made up out of one of them.
    assert sorted(np.bincount(cluster(two, 3))) == [40, 40]
    # One person heard, two listed: one voice.
    assert set(cluster(voices_around([host], 80, 0.02), 2)) == {0}
