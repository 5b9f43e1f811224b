"""Edges of the quotes and the soundbite (pipeline/text/quotes.py): the score of a sentence, the
chapters' share of the four quotes, and the soundbite's times to the hundredth."""

from __future__ import annotations

import pytest

from pipeline.records import QuotePicks
from pipeline.text import quotes, topics
from tests.planted import GUEST, HOST, planted
from tests.text.test_quotes import HOSTS, pick

COWORKING_EN = (
    "What turns a coworking space into a real community?",
    "A coworking space offers a shared desk to independents who would otherwise work alone at home.",
    "In a coworking space you rent a desk for the day or for the month.",
    "The hosts of the coworking space organise breakfasts so that the members meet each other.",
    "A good coworking space has a fast connection, meeting rooms and plenty of coffee.",
    "The price of a fixed desk in a coworking space depends on the city and the neighbourhood.",
    "The members of the coworking space often pass each other missions and contacts.",
)


def scored(monkeypatch, scores: dict[str, float], starts: dict[str, float]) -> list[topics.Sentence]:
    """Guest sentences named by their text, each 5 s long from its start, with the given scores."""
    monkeypatch.setattr(quotes, "score", lambda sentence, phrases, hosts: scores[sentence.text])
    return [topics.Sentence(start, start + 5, GUEST, text) for text, start in starts.items()]


@pytest.mark.parametrize(
    "speaker, text, expected",
    [
        # 14 words; holds the 2nd and 3rd key phrases: 0.2 + 1/2 + 1/3.
        (GUEST, "Le portage salarial permet à un freelance de facturer ses clients sans créer d'entreprise.", 0.2 + 1 / 2 + 1 / 3),
        # 9 words weigh half, a host's words half again.
        (HOST, "Le portage salarial convient bien à un freelance débutant.", (0.2 + 1 / 2 + 1 / 3) * 0.5 * 0.5),
        # 11 words (5/6) and no key phrase: only the 0.2 a well-formed sentence gets.
        (GUEST, "Les membres du coworking s'échangent souvent des missions et des contacts.", 0.2 * 5 / 6),
    ],
)
def test_a_sentence_scores_the_inverse_rank_of_each_key_phrase_it_holds(speaker, text, expected):
    sentence = topics.Sentence(0, 5, speaker, text)
    assert quotes.score(sentence, ["entreprise individuelle", "portage salarial", "freelance"], HOSTS) == pytest.approx(expected)


def test_each_chapter_gets_the_quote_that_speaks_most_of_the_episode():
    transcript, firsts = planted()
    starts = tuple(transcript.segments[f].start for f in firsts)
    chosen = pick(topics.sentences(transcript), sections=starts)
    # The coworking chapter's best names its members too ("membres", one of the episode's 20
    # key phrases), though "coworking" alone is in all its sentences.
    assert [s.text for s in chosen] == [
        "Le portage salarial permet à un freelance de facturer ses clients sans créer d'entreprise.",
        "La société de portage salarial encaisse les factures et verse un salaire au consultant.",
        "Fixer son tarif journalier est la décision la plus difficile pour un nouveau freelance.",
        "Les hôtes de coworking organisent des petits-déjeuners pour que les membres se rencontrent.",
    ]


def test_an_english_interview_finds_its_key_phrases_with_english_stop_words():
    transcript, _ = planted(topics=(COWORKING_EN,))
    chosen = quotes.pick(topics.sentences(transcript), QuotePicks(), HOSTS, "en")
    # With French stop words "the" is a key phrase and a sentence starting with "The" wins.
    assert chosen[0].text == "A coworking space offers a shared desk to independents who would otherwise work alone at home."


def test_a_sentence_starting_on_a_chapter_start_is_in_that_chapter(monkeypatch):
    found = scored(
        monkeypatch,
        {"alpha": 1.0, "bravo": 0.9, "charlie": 0.8, "delta": 0.7, "echo": 0.1},
        {"alpha": 0.0, "bravo": 10.0, "charlie": 20.0, "delta": 30.0, "echo": 50.0},
    )
    # echo, weak, is the second chapter's only quote: it comes in before delta.
    assert [s.text for s in pick(found, sections=(0.0, 50.0))] == ["alpha", "bravo", "charlie", "echo"]


def test_five_chapters_still_make_four_quotes_the_best(monkeypatch):
    found = scored(
        monkeypatch,
        {"alpha": 1.0, "bravo": 0.9, "charlie": 0.8, "delta": 0.7, "echo": 0.6},
        {"alpha": 0.0, "bravo": 60.0, "charlie": 120.0, "delta": 180.0, "echo": 240.0},
    )
    assert [s.text for s in pick(found, sections=(0.0, 60.0, 120.0, 180.0, 240.0))] == ["alpha", "bravo", "charlie", "delta"]


def test_a_pinned_quote_is_its_chapters_quote(monkeypatch):
    found = scored(
        monkeypatch,
        {"alpha": 1.0, "bravo": 0.9, "charlie": 0.8, "pinned": 0.05, "delta": 0.1},
        {"alpha": 0.0, "bravo": 10.0, "charlie": 20.0, "pinned": 100.0, "delta": 110.0},
    )
    # delta would stand for the second chapter; the pin already does.
    assert [s.text for s in pick(found, pin=["pinned"], sections=(0.0, 100.0))] == ["pinned", "alpha", "bravo", "charlie"]


def test_a_quote_scoring_exactly_0_3_of_the_best_is_kept(monkeypatch):
    found = scored(monkeypatch, {"alpha": 1.0, "bravo": 0.9, "charlie": 0.3}, {"alpha": 0.0, "bravo": 10.0, "charlie": 20.0})
    assert [s.text for s in pick(found)] == ["alpha", "bravo", "charlie"]


def test_a_quote_is_timed_to_the_hundredth():
    quote = quotes.as_quote(topics.Sentence(12.3456, 17.8912, GUEST, "Le portage salarial permet tout."))
    assert (quote.start, quote.end, quote.speaker, quote.text) == (12.35, 17.89, GUEST, "Le portage salarial permet tout.")


def test_a_soundbite_starts_on_the_quotes_first_word_to_the_hundredth():
    short = topics.Sentence(7.2, 11.0, GUEST, "Le portage salarial permet tout.")
    bite = quotes.soundbite(short, [short], 600.0)
    assert (bite.start, bite.end) == (7.2, 22.2)


def test_a_sentence_said_over_the_quotes_first_word_is_played_to_its_end():
    best = topics.Sentence(20.0, 24.0, GUEST, "Le portage salarial permet tout.")
    crosstalk = topics.Sentence(20.0, 40.0, HOST, "Et le coworking, on en parle maintenant ou plus tard dans l'épisode.")
    bite = quotes.soundbite(best, [best, crosstalk], 600.0)
    assert (bite.start, bite.end) == (20.0, 40.0)


def test_a_soundbite_never_ends_after_the_episode():
    """An episode of 40.005 s: rounding the end outwards to 40.01 would run past the audio."""
    last = topics.Sentence(35.0, 39.5, GUEST, "Le portage salarial permet tout.")
    bite = quotes.soundbite(last, [last], 40.005)
    assert (bite.start, bite.end) == (25.0, 40.005)


def test_a_long_sentence_starting_between_hundredths_is_cut_at_120_s():
    """The start rounds down to 10.00; the end 130.005 would round up to 130.01, 120.01 s."""
    long = topics.Sentence(10.005, 200.0, GUEST, "Le portage salarial permet tout.")
    bite = quotes.soundbite(long, [long], 600.0)
    assert (bite.start, bite.end) == (10.0, 130.0)


def test_a_soundbite_starts_on_a_quote_at_exactly_1_14_s():
    # 1.14 * 100 is 113.99999999999999 in floating point: floor alone made it 1.13.
    said = topics.Sentence(1.14, 20.0, GUEST, "x")
    bite = quotes.soundbite(said, [said], 600.0)
    assert (bite.start, bite.end) == (1.14, 20.0)


def test_a_soundbite_ends_after_its_last_word_to_the_hundredth():
    # Outwards: a sentence ending at 27.341 s plays to 27.35, never cut at 27.34.
    best = topics.Sentence(10.0, 20.0, GUEST, "Le portage salarial permet tout.")
    then = topics.Sentence(20.5, 27.341, GUEST, "Et on facture sans créer d'entreprise.")
    bite = quotes.soundbite(best, [best, then], 600.0)
    assert (bite.start, bite.end) == (10.0, 27.35)
