"""The parts of the cut by topic (pipeline/text/topics.py), each on small hand-worked input:
sentences, content words, gap similarities, depth scores, boundaries, titles."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

import pytest

from pipeline.records import Segment, Transcript, Word
from pipeline.text import topics
from pipeline.text.topics import Sentence
from tests.planted import TOPICS, planted

# Sentences


def said(transcript: Transcript) -> list[tuple[float, float, str]]:
    return [(s.start, s.end, s.text) for s in topics.sentences(transcript)]


def test_a_segment_without_word_times_shares_its_time_out_by_the_length_of_each_sentence():
    # "Oui." is 4 characters, " Merci bien." 12: a quarter of the 16 s, then the rest.
    transcript = Transcript("fr", 30.0, (Segment(10.0, 26.0, "Oui. Merci bien.", speaker="A"),))
    assert said(transcript) == [(10.0, 14.0, "Oui."), (14.0, 26.0, "Merci bien.")]


def test_a_decimal_point_does_not_end_a_sentence():
    transcript = Transcript("fr", 12.0, (Segment(0.0, 10.0, "Le tarif passe à 3.5 pour cent.", speaker="A"),))
    assert [text for _, _, text in said(transcript)] == ["Le tarif passe à 3.5 pour cent."]


def test_runs_of_spaces_read_as_one():
    transcript = Transcript("fr", 5.0, (Segment(0.0, 4.0, "Le portage,   c'est  simple.", speaker="A"),))
    assert [text for _, _, text in said(transcript)] == ["Le portage, c'est simple."]


def test_punctuation_alone_is_no_sentence():
    segments = (Segment(0.0, 1.0, "Bonjour.", speaker="A"), Segment(1.5, 2.0, "…", speaker="A"), Segment(2.5, 3.5, "Merci.", speaker="A"))
    assert [text for _, _, text in said(Transcript("fr", 4.0, segments))] == ["Bonjour.", "Merci."]


def test_a_new_segments_first_word_is_never_glued_to_the_sentence_before():
    first = Segment(0.0, 1.0, "Merci.", (Word(0.0, 1.0, " Merci."),), "A")
    second = Segment(1.2, 2.5, "Bonjour Inès.", (Word(1.2, 1.6, "Bonjour"), Word(1.7, 2.5, " Inès.")), "A")
    assert said(Transcript("fr", 3.0, (first, second))) == [(0.0, 1.0, "Merci."), (1.2, 2.5, "Bonjour Inès.")]


# Words


def test_three_letter_words_count_and_four_letter_ones_keep_their_last_s_or_x():
    assert topics.content_words("Le vin, le prix, les taxes et les bureaux") == ["vin", "prix", "taxe", "bureau"]


def test_the_words_language_of_a_regional_code():
    assert topics.word_language("fr-CA") == "fr"
    assert topics.word_language("fr") == "fr"


# Similarity at each gap, and its valleys


def test_a_gaps_similarity_is_the_cosine_of_the_word_counts_on_each_side():
    # dot 1*2 + 2*1 = 4; squared norms 1+4 = 5 and 4+1+4 = 9.
    bags = [Counter(portage=1, salarial=2), Counter(portage=2, salarial=1, coworking=2)]
    assert topics.gap_similarities(bags, 1) == pytest.approx([4 / math.sqrt(5 * 9)])


def test_a_side_without_content_words_shares_nothing():
    assert topics.gap_similarities([Counter(), Counter(portage=1)], 1) == [0.0]


def test_each_gap_compares_the_window_before_with_the_window_after():
    # Gap 1: {x} against {x, y}, cosine 1/√2. Gap 2: {x: 2} against {y}, nothing shared.
    bags = [Counter(x=1), Counter(x=1), Counter(y=1)]
    assert topics.gap_similarities(bags, 2) == pytest.approx([1 / math.sqrt(2), 0.0])


@pytest.mark.parametrize(
    "similarities, depths",
    [
        ([0.5, 0.3, 0.1], [0, 0, 0.4]),  # a slope is no valley but at its foot
        ([0.1, 0.3, 0.5], [0.4, 0, 0]),
        ([0.3, 0.1, 0.2, 0.05, 0.4], [0, 0.3, 0, 0.5, 0]),  # each valley climbs on both sides
        ([0.2, 0.5, 0.2], [0.3, 0, 0.3]),  # a valley at either end
    ],
)
def test_only_valleys_have_a_depth_climbing_either_side(similarities, depths):
    assert topics.depth_scores(similarities) == pytest.approx(depths)


@pytest.mark.parametrize(
    "similarities, depths",
    [
        ([0.4, 0.0, 0.0, 0.3], [0, 0.7, 0, 0]),  # two gaps: the first
        ([0.4, 0.0, 0.0, 0.0], [0, 0, 0.4, 0]),  # a floor to the end
        ([0.0, 0.0, 0.4], [0.4, 0, 0]),  # a floor from the start
        ([0.5, 0.4, 0.0, 0.0, 0.0, 0.3], [0, 0, 0, 0.8, 0, 0]),
    ],
)
def test_a_flat_valley_floor_scores_once_at_its_middle(similarities, depths):
    assert topics.depth_scores(similarities) == pytest.approx(depths)


def test_similarities_are_smoothed_over_three_gaps():
    assert topics._smoothed([0.0, 0.3, 0.6, 0.9]) == pytest.approx([0.15, 0.3, 0.6, 0.75])
    assert topics._smoothed([0.0, 0.3, 0.6]) == pytest.approx([0.15, 0.3, 0.45])
    assert topics._smoothed([0.2, 0.4]) == [0.2, 0.4]  # too few to smooth


# Boundaries


def spoken(*lines: tuple[str, str], seconds: float = 10.0) -> list[Sentence]:
    """(speaker, text) as sentences of `seconds` each, back to back."""
    return [Sentence(i * seconds, (i + 1) * seconds, speaker, text) for i, (speaker, text) in enumerate(lines)]


def test_a_cut_moves_to_the_question_that_opens_a_turn_one_sentence_before():
    found = spoken(("A", "Bonjour."), ("B", "Et le portage ?"), ("B", "Oui."), ("B", "Non."))
    assert topics._snap(2, found) == 1


def test_a_cut_moves_to_the_question_that_opens_a_turn_one_sentence_after():
    found = spoken(("A", "Un."), ("A", "Deux."), ("A", "Trois."), ("B", "Et le tarif ?"), ("B", "Oui."))
    assert topics._snap(2, found) == 3


def test_a_cut_at_a_question_opening_a_turn_stays():
    found = spoken(("B", "Un."), ("A", "Deux."), ("B", "Et le tarif ?"), ("B", "Quatre."))
    assert topics._snap(2, found) == 2


def test_two_windows_of_sentences_on_two_subjects_are_cut_between_them():
    # Smoothed similarities 0.671, 0.447, 0.298, 0.447, 0.671: one valley, at gap 3.
    found = spoken(*[("A", "Le coworking.")] * 3, *[("A", "Le tarif.")] * 3)
    assert topics.boundaries(found, 60.0) == [3]


def test_fewer_sentences_than_two_windows_are_not_cut():
    found = spoken(*[("A", "Le coworking.")] * 3, *[("A", "Le tarif.")] * 2)
    assert topics.boundaries(found, 50.0, min_seconds=10.0) == []


@pytest.fixture
def eight():
    """Eight sentences of 10 s by one speaker (nothing to snap to)."""
    return spoken(*[("A", "Le coworking.")] * 8)


@pytest.mark.parametrize(
    "depths, minimum, cuts",
    [
        ([0, 0, 0.5, 0, 0, 0, 0], 10.0, [3]),  # a single valley is its own cut-off
        ([0, 0, 0.04, 0, 0, 0, 0], 10.0, []),  # shallower than MIN_DEPTH
        # Valleys 0.4 and 0.1: mean 0.25, standard deviation 0.15, cut-off 0.25 - 0.075.
        ([0, 0.4, 0, 0, 0, 0.1, 0], 10.0, [2]),
        # Valleys 1, 1, 1, 0.55, 0.01: mean 0.712, deviation 0.392, cut-off 0.516.
        ([1, 0, 1, 0, 1, 0.55, 0.01], 10.0, [1, 3, 5, 6]),
        # The cut at gap 1 would leave 10 s before it: the next deepest is still taken.
        ([0.5, 0, 0, 0.5, 0, 0, 0], 20.0, [4]),
    ],
)
def test_valleys_deeper_than_the_cut_off_become_cuts_a_minimum_apart(eight, monkeypatch, depths, minimum, cuts):
    monkeypatch.setattr(topics, "depth_scores", lambda similarities: depths)
    assert topics.boundaries(eight, 80.0, min_seconds=minimum) == cuts


# Chapters


def test_the_minimum_chapter_given_replaces_the_default():
    transcript, _ = planted()  # topics of 100.8 s: the default minimum (30.2 s) lets both cuts through
    assert topics.chapters(transcript, transcript.duration, min_seconds=160.0) == ()


def test_a_chapter_starts_at_the_end_of_the_sentence_before_when_the_pause_is_short():
    """The planted sentences start every 12.6 s; here each ends 0.187 s before the next starts,
    so the chapters at sentences 8 and 16 start at 100.613 and 201.413, to the hundredth."""
    transcript, _ = planted()
    close = []
    for segment in transcript.segments:
        last = replace(segment.words[-1], end=segment.start + 12.413)
        close.append(replace(segment, end=last.end, words=(*segment.words[:-1], last)))
    chapters = topics.chapters(replace(transcript, segments=tuple(close)), transcript.duration)
    assert [c.start for c in chapters] == [0.0, 100.61, 201.41]


# An interview in English, three topics of eight sentences, the third with a word ("car") that
# French stop lists drop and words ("the", "and") that only English ones do.
ENGLISH_TOPICS = (
    (
        "Why does umbrella insurance cost more than home insurance?",
        "Umbrella insurance covers lawsuits beyond ordinary liability limits.",
        "An umbrella insurance policy pays legal bills after serious accidents.",
        "Insurers price umbrella insurance by counting household drivers.",
        "Umbrella insurance premiums stay cheap compared with coverage amounts.",
        "Landlords often buy umbrella insurance protecting rental properties.",
        "Umbrella insurance requires minimum underlying auto insurance limits.",
        "Brokers recommend umbrella insurance whenever wealth grows quickly.",
    ),
    (
        "What makes a sourdough bakery worth visiting?",
        "Sourdough bread rises slowly thanks to wild yeast cultures.",
        "Bakers feed sourdough starter flour twice daily.",
        "Crusty sourdough loaves need steam inside hot ovens.",
        "Rye flour gives sourdough bread deeper sour flavour.",
        "Bakery queues form early because sourdough loaves sell out.",
        "Good sourdough crumb shows irregular open holes.",
        "Bakers shape sourdough dough before cold overnight proofing.",
    ),
    (
        "Is the car worth keeping in the city?",
        "The car sits in the garage most of the week.",
        "The car needs fuel and the fuel is dear.",
        "Insurance for the car rises every single year.",
        "The car is red and the paint is fading.",
        "Parking the car downtown costs a fortune monthly.",
        "The car breaks down whenever the winter comes.",
        "Selling the car would pay for the train.",
    ),
)


def test_an_english_episodes_chapters_are_titled_with_english_stop_words():
    transcript, _ = planted(topics=ENGLISH_TOPICS)
    chapters = topics.chapters(transcript, transcript.duration, language="en")
    assert [c.title for c in chapters] == ["Umbrella insurance", "Sourdough bread", "Car, worth keeping"]


# Six sentences, two subjects (rent, taxes) under a run of English stop words that French stop
# lists keep: read as French, every window holds the same twenty words and nothing is cut.
FILLER = "Well, the thing that was there and then the one which was there and that was all about the"
RENT_THEN_TAXES = [*[f"{FILLER} rent."] * 3, *[f"{FILLER} taxes."] * 3]


def test_an_english_episode_is_cut_where_its_english_content_words_change():
    found = spoken(*[("A", text) for text in RENT_THEN_TAXES])
    assert topics.boundaries(found, 60.0, language="en") == [3]
    assert topics.boundaries(found, 60.0) == []  # the same words as French: one topic


def test_an_english_episodes_chapters_are_cut_with_english_stop_words():
    segments = tuple(Segment(i * 10.0, (i + 1) * 10.0, text, speaker="A") for i, text in enumerate(RENT_THEN_TAXES))
    chapters = topics.chapters(Transcript("en", 60.0, segments), 60.0, language="en", min_seconds=10.0)
    assert [c.start for c in chapters] == [0.0, 30.0]  # back to back: the sentence before ends at 30 s


# Key phrases and titles


def test_key_phrases_are_yakes_five_best_with_french_stop_words():
    assert topics.key_phrases(" ".join(TOPICS[0])) == ["portage salarial", "portage", "portage salarial permet", "salarial", "facturer ses clients"]


def test_a_key_phrase_keeps_its_elided_word_whole():
    assert "coworking s'échangent" in topics.key_phrases(TOPICS[1][7])


def test_a_key_phrase_keeps_the_case_it_was_said_in():
    text = " ".join(TOPICS[2][:2])
    assert topics.key_phrases(text) == ["Fixer son tarif", "tarif journalier", "nouveau freelance", "Fixer", "tarif"]


def test_a_section_of_stop_words_is_titled_by_its_first_five_words():
    assert topics.title("et le la les de du", set()) == "et le la les de…"


def test_an_empty_section_has_an_empty_title():
    assert topics.title("", set()) == ""


def test_a_phrase_of_fillers_comes_after_one_the_section_is_about():
    assert topics.title("Euh ben hein bref, le coworking.", set()) == "Coworking, ben hein bref"


def test_an_english_title_uses_english_stop_words():
    text = "The car is red. My car runs well. The car needs fuel. Fuel is cheap and fuel is good."
    assert topics.title(text, set(), "en") == "Car, fuel"


def test_a_single_word_title_is_completed_by_a_phrase_without_it():
    assert topics.title(" ".join(TOPICS[1][4:6]), set()) == "Coworking, connexion rapide"


def test_the_phrase_a_section_comes_back_to_most_among_yakes_ten_best():
    assert topics.title(" ".join(TOPICS[1][3:7]), set()) == "Coworking, organisent des petits-déjeuners"


def test_a_longer_phrase_said_twice_replaces_the_single_word():
    assert topics.title(" ".join(TOPICS[0][4:6]), set()) == "Portage salarial"


def test_only_one_longer_phrase_replaces_the_single_word():
    text = "Portage salarial, portage salarial, frais de portage, frais de portage, portage, portage."
    assert topics.title(text, set()) == "Portage salarial"
