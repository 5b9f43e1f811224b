"""Chapters cut by topic (pipeline/text/topics.py) on a transcript of three planted topics."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from pipeline.text import topics
from pipeline.records import Segment, Transcript, Word
from tests.planted import GUEST, HOST, TOPICS, planted


def test_boundaries_fall_within_one_sentence_of_the_planted_changes():
    transcript, firsts = planted()
    found = topics.sentences(transcript)
    cuts = topics.boundaries(found, transcript.duration)
    assert len(cuts) == len(firsts) - 1
    for cut, first in zip(cuts, firsts[1:]):
        assert abs(cut - first) <= 1, (cuts, firsts)


def test_chapters_start_at_zero_then_at_the_planted_changes():
    transcript, firsts = planted()
    chapters = topics.chapters(transcript, transcript.duration)
    assert chapters[0].start == 0.0
    starts = [s.start for s in transcript.segments]
    for chapter, first in zip(chapters[1:], firsts[1:]):
        # A sentence is 12.6 s apart from the next: within one sentence of the planted change,
        # and in the pause just before a sentence's first word, never inside a sentence.
        assert abs(chapter.start - starts[first]) <= 12.6 + 0.5
        assert any(0 <= s - chapter.start <= 0.5 for s in starts), chapter


def test_the_first_chapter_starts_at_zero_when_the_speech_starts_later():
    """A player's first chapter is the episode's start, not the first word's (here 2 s in)."""
    transcript, _ = planted()
    late = Transcript(
        transcript.language,
        transcript.duration + 2.0,
        tuple(
            replace(s, start=s.start + 2.0, end=s.end + 2.0, words=tuple(replace(w, start=w.start + 2.0, end=w.end + 2.0) for w in s.words))
            for s in transcript.segments
        ),
    )
    chapters = topics.chapters(late, late.duration)
    assert len(chapters) > 1 and chapters[0].start == 0.0


def test_snapped_to_the_hosts_question():
    """The valley is between two guest's sentences around the question; the cut is at the question."""
    transcript, firsts = planted()
    found = topics.sentences(transcript)
    for cut in topics.boundaries(found, transcript.duration):
        assert found[cut].speaker == HOST and found[cut - 1].speaker == GUEST


def test_minimum_section_length_is_respected():
    transcript, _ = planted()
    found = topics.sentences(transcript)
    for minimum in (30.0, 90.0, 120.0, 160.0):
        cuts = topics.boundaries(found, transcript.duration, min_seconds=minimum)
        edges = [0.0, *(found[c].start for c in cuts), transcript.duration]
        assert all(b - a >= minimum for a, b in zip(edges, edges[1:])), (minimum, edges)
    # The planted topics are 100 s long: 90 s lets both changes through, 160 s neither.
    assert len(topics.boundaries(found, transcript.duration, min_seconds=90.0)) == 2
    assert topics.boundaries(found, transcript.duration, min_seconds=160.0) == []


def test_the_default_minimum_grows_with_the_episode():
    assert topics.minimum_section(60) == 30.0  # the floor
    assert topics.minimum_section(900) == 90.0  # a tenth
    assert topics.minimum_section(3600) == 180.0  # the cap


def test_planted_topics_too_short_for_the_minimum_give_no_chapters():
    transcript, _ = planted(seconds=2.0)  # 8 sentences of 2.6 s: topics of 21 s, under 30 s
    assert topics.chapters(transcript, transcript.duration) == ()


def test_one_topic_gets_no_chapters():
    transcript, _ = planted(topics=(TOPICS[1] + TOPICS[1][1:],))
    assert topics.chapters(transcript, transcript.duration) == ()


def test_titles_come_from_each_sections_words():
    transcript, firsts = planted()
    chapters = topics.chapters(transcript, transcript.duration)
    assert [c.title for c in chapters] == ["Portage salarial", "Coworking, vraie communauté", "Tarif journalier"]
    for chapter, topic in zip(chapters, TOPICS):
        section_words = set(re.findall(r"\w+", " ".join(topic).lower()))
        title_words = set(re.findall(r"\w+", chapter.title.lower()))
        assert title_words <= section_words, chapter.title


def test_no_title_repeats_another():
    used: set[str] = set()
    first = topics.title(" ".join(TOPICS[0]), used)
    assert topics.title(" ".join(TOPICS[0]), used) != first


def test_content_words_use_yakes_french_stop_words():
    assert topics.content_words("Les freelances et l'entreprise, euh, 2026") == ["freelance", "entreprise"]
    assert topics.content_words("qu'un coworking et l’hôtesse") == ["coworking", "hôtesse"]


def test_sentences_end_at_punctuation_and_at_a_change_of_speaker():
    words = [
        Word(0.0, 0.4, " Bonjour", speaker="A"),
        Word(0.4, 0.9, " Inès.", speaker="A"),
        Word(1.0, 1.5, " Merci", speaker="A"),
        Word(1.6, 2.0, " Camille", speaker="B"),
        Word(2.0, 2.3, " ?", speaker="B"),
    ]
    transcript = Transcript("fr", 3.0, (Segment(0.0, 2.3, "Bonjour Inès. Merci Camille ?", tuple(words)),))
    found = topics.sentences(transcript)
    assert [(s.start, s.end, s.speaker, s.text) for s in found] == [(0.0, 0.9, "A", "Bonjour Inès."), (1.0, 1.5, "A", "Merci"), (1.6, 2.3, "B", "Camille ?")]
    assert found[2].is_question and not found[0].is_question


def test_a_sentence_runs_across_segments_until_its_full_stop():
    transcript = Transcript("fr", 6.0, (Segment(0.0, 2.0, "Le portage salarial,", speaker="A"), Segment(2.0, 4.0, "c'est simple.", speaker="A")))
    assert [(s.start, s.end, s.text) for s in topics.sentences(transcript)] == [(0.0, 4.0, "Le portage salarial, c'est simple.")]


def test_unpunctuated_text_ends_a_sentence_at_each_segment():
    transcript = Transcript("fr", 6.0, (Segment(0.0, 2.0, "le tigre rugit"), Segment(2.5, 4.0, "le lion aussi")))
    assert [(s.start, s.end) for s in topics.sentences(transcript)] == [(0.0, 2.0), (2.5, 4.0)]


def test_only_valleys_have_a_depth():
    assert topics.depth_scores([0.5, 0.3, 0.1, 0.4, 0.2, 0.6]) == pytest.approx([0, 0, 0.7, 0, 0.6, 0])


def test_a_flat_valley_floor_is_one_valley_at_its_middle():
    assert topics.depth_scores([0.4, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3]) == pytest.approx([0, 0, 0, 0.7, 0, 0, 0])


def test_elided_words_stay_attached_as_whisper_splits_them():
    words = (Word(0.0, 0.3, " Hier"), Word(0.3, 0.5, " j"), Word(0.5, 0.8, "'ai"), Word(0.8, 1.2, " ouvert."))
    transcript = Transcript("fr", 2.0, (Segment(0.0, 1.2, "Hier j'ai ouvert.", words),))
    assert topics.sentences(transcript)[0].text == "Hier j'ai ouvert."


def test_a_section_exactly_the_minimum_long_is_allowed():
    """README: "A chapter lasts at least" the minimum: a section of exactly that length is one,
    a hair shorter is not (the planted topics are 100.8 s long, by the test's own timing)."""
    import math

    transcript, firsts = planted()
    found = topics.sentences(transcript)
    edges = [0.0, *(transcript.segments[f].start for f in firsts[1:]), transcript.duration]
    shortest = min(b - a for a, b in zip(edges, edges[1:]))
    assert shortest == pytest.approx(100.8)
    assert len(topics.boundaries(found, transcript.duration, min_seconds=shortest)) == 2
    assert len(topics.boundaries(found, transcript.duration, min_seconds=math.nextafter(shortest, math.inf))) < 2


@pytest.mark.parametrize(
    "duration, minimum",
    [(0, 30.0), (299, 30.0), (300, 30.0), (301, 30.1), (1790, 179.0), (1800, 180.0), (1810, 180.0), (36000, 180.0)],
)
def test_the_minimum_chapter_at_each_edge(duration, minimum):
    """README: "at least 30 s, or a tenth of the episode up to 3 minutes"."""
    assert topics.minimum_section(duration) == pytest.approx(minimum)
