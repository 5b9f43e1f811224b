"""Notable quotes and the soundbite (pipeline/text/quotes.py), and the host's pins and vetoes."""

from __future__ import annotations

import textwrap

import pytest

from pipeline.text import quotes, topics
from pipeline.config import load_episode, load_show
from pipeline.errors import ConfigError
from pipeline.records import QuotePicks
from tests.planted import FILLER_SENTENCE, GUEST, HOST, TOPICS, planted

HOSTS = frozenset({HOST})


@pytest.fixture
def found():
    transcript, _ = planted()
    return topics.sentences(transcript)


def pick(found, pin=(), veto=(), sections=()):
    return quotes.pick(found, QuotePicks(tuple(pin), tuple(veto)), HOSTS, "fr", sections)


def test_quotes_are_whole_sentences_of_one_speaker_with_their_times(found):
    transcript, _ = planted()
    chosen = pick(found)
    assert 2 <= len(chosen) <= 4
    for sentence in chosen:
        segment = next(s for s in transcript.segments if s.text == sentence.text)  # a whole sentence
        assert (sentence.start, sentence.end) == (segment.words[0].start, segment.words[-1].end)
        assert {w.speaker for w in segment.words} == {sentence.speaker}
        quote = quotes.as_quote(sentence)
        assert (quote.start, quote.end, quote.speaker, quote.text) == (round(segment.start, 2), round(segment.end, 2), segment.speaker, segment.text)


def test_the_best_speaks_of_what_the_episode_is_about(found):
    assert "portage salarial" in pick(found)[0].text


def test_one_quote_per_chapter_before_a_second(found):
    transcript, firsts = planted()
    starts = tuple(transcript.segments[f].start for f in firsts)
    chosen = pick(found, sections=starts)
    assert {quotes._section(s, starts) for s in chosen} == {0, 1, 2}
    assert {quotes._section(s, starts) for s in pick(found)} != {0, 1, 2}  # without chapters, portage wins


def test_fillers_and_questions_are_never_quotes(found):
    # The filler sentence holds the episode's key phrase twice: without the rule it would rank high.
    assert quotes.score(next(s for s in found if s.text == FILLER_SENTENCE), ["portage salarial"], HOSTS) == 0
    for sentence in found:
        if "euh" in sentence.words or sentence.is_question:
            assert quotes.score(sentence, ["portage salarial"], HOSTS) == 0
    for veto in ((), ("portage",), ("portage", "coworking")):
        chosen = pick(found, veto=veto)
        assert all(not s.is_question and "euh" not in s.words for s in chosen)


def test_host_sentences_count_half_when_a_guest_speaks():
    guest = topics.Sentence(0, 5, GUEST, TOPICS[0][1])
    host = topics.Sentence(0, 5, HOST, TOPICS[0][1])
    # 14 words (weight 1) holding the one key phrase: 0.2 + 1 for the guest, half that for the host.
    assert quotes.score(guest, ["portage salarial"], HOSTS) == pytest.approx(1.2)
    assert quotes.score(host, ["portage salarial"], HOSTS) == pytest.approx(0.6)


def test_a_host_alone_is_quoted():
    found = [topics.Sentence(i * 6.0, i * 6.0 + 5, HOST, text) for i, text in enumerate(TOPICS[0][1:])]
    assert len(pick(found)) >= 2


def test_length_weight():
    assert quotes.length_weight(20) == 1.0
    assert quotes.length_weight(6) == 0.0 and quotes.length_weight(45) == 0.0
    assert quotes.length_weight(9) == pytest.approx(0.5)


@pytest.mark.parametrize("words, weight", [(11, 5 / 6), (12, 1.0), (30, 1.0), (31, 14 / 15), (6, 0.0), (45, 0.0)])
def test_12_to_30_words_score_best(words, weight):
    """README: quotes "12 to 30 words long score best"; the weight falls to nothing at 6 and 45."""
    assert quotes.length_weight(words) == pytest.approx(weight)


def test_a_pin_comes_first_whatever_its_score(found):
    weak = "Les membres du coworking s'échangent souvent des missions et des contacts."
    chosen = pick(found, pin=["MEMBRES DU COWORKING s’échangent"])  # any case, any apostrophe
    assert chosen[0].text == weak
    assert len(chosen) <= 4 and len(set(chosen)) == len(chosen)


def test_a_veto_removes_the_best(found):
    best = pick(found)[0]
    chosen = pick(found, veto=[best.text[5:40]])
    assert best not in chosen and len(chosen) >= 2


def test_a_pin_that_matches_nothing_is_named(found):
    with pytest.raises(LookupError, match="la semaine de quatre jours"):
        pick(found, pin=["la semaine de quatre jours"])


def test_a_vetoed_sentence_cannot_be_pinned(found):
    with pytest.raises(LookupError):
        pick(found, pin=["tarif journalier moyen"], veto=["développeur indépendant"])


def test_soundbite_starts_at_the_quote_and_lasts_15_to_120_s(found):
    best = pick(found)[0]
    bite = quotes.soundbite(best, found, 302.4)
    assert bite.start == pytest.approx(best.start, abs=0.01) and bite.text == best.text and bite.speaker == best.speaker
    assert 15 <= bite.end - bite.start <= 120
    # In whole sentences: it ends where a sentence ends.
    assert any(abs(bite.end - s.end) <= 0.01 for s in found)


def test_soundbite_near_the_end_starts_earlier():
    """Too near the end for 15 s: it starts 15 s before the episode's end (the spec's shortest)."""
    last = topics.Sentence(35.0, 39.5, GUEST, TOPICS[2][2])
    bite = quotes.soundbite(last, [last], 40.0)
    assert (bite.start, bite.end) == (25.0, 40.0)


def test_a_long_sentence_is_cut_at_120_s():
    """README: "at most 120 s" (podcast:soundbite): a 190-s sentence makes a soundbite of exactly 120 s."""
    long = topics.Sentence(10.0, 200.0, GUEST, TOPICS[2][2])
    bite = quotes.soundbite(long, [long], 600.0)
    assert (bite.start, bite.end) == (10.0, 130.0)


def test_a_sentence_of_exactly_120_s_is_kept_whole():
    whole = topics.Sentence(10.0, 130.0, GUEST, TOPICS[2][2])
    bite = quotes.soundbite(whole, [whole], 600.0)
    assert (bite.start, bite.end) == (10.0, 130.0)


def test_a_short_quote_alone_is_made_15_s_long():
    """README: "from its first word to the end of the sentence that reaches 15 s": with no sentence
    after it, the soundbite runs from the quote's start for exactly 15 s."""
    short = topics.Sentence(20.0, 24.0, GUEST, TOPICS[2][2])
    bite = quotes.soundbite(short, [short], 600.0)
    assert (bite.start, bite.end) == (20.0, 35.0)


@pytest.mark.parametrize(
    "ends, expected_end",
    [
        ((24.0, 35.0, 50.0), 35.0),  # the second sentence brings it to exactly 15 s: it stops there
        ((24.0, 34.99, 50.0), 50.0),  # 14.99 s: one more sentence is needed
        ((24.0, 34.99, 150.0), 140.0),  # ...which is too long: cut at 120 s
    ],
)
def test_soundbite_ends_with_the_sentence_that_reaches_15_s(ends, expected_end):
    found = [topics.Sentence(start, end, GUEST, TOPICS[2][2]) for start, end in zip((20.0, 24.0, 35.0), ends)]
    bite = quotes.soundbite(found[0], found, 600.0)
    assert (bite.start, bite.end) == (20.0, expected_end)


@pytest.mark.parametrize("duration, expected", [(14.9, False), (15.0, True), (40.0, True)])
def test_soundbite_needs_15_s_of_episode(duration, expected):
    """A trailer of 40 s gets one; an episode shorter than 15 s cannot hold one."""
    short = topics.Sentence(1.0, 5.0, GUEST, TOPICS[2][2])
    bite = quotes.soundbite(short, [short], duration)
    assert (bite is not None) == expected
    if bite:
        assert 0 <= bite.start and bite.end <= duration and 15 <= bite.end - bite.start <= 120


def write_episode(show_root, body: str):
    folder = show_root / "episodes" / "001-portage"
    folder.mkdir(exist_ok=True)
    (folder / "enregistrement.wav").write_bytes(b"")
    (folder / "episode.toml").write_text('title = "Portage"\npublished = 2026-01-05\n' + textwrap.dedent(body), encoding="utf-8")
    return folder


def test_pins_and_vetoes_are_read(show_root):
    folder = write_episode(
        show_root,
        """
        [quotes]
        pin = ["le portage salarial permet"]
        veto = ["euh voilà", "chômage"]
        """,
    )
    assert load_episode(folder, load_show(show_root)).quotes == QuotePicks(("le portage salarial permet",), ("euh voilà", "chômage"))


@pytest.mark.parametrize(
    "body, message",
    [
        ('[quotes]\npin = "le portage"\n', r"episode.toml:4: 'quotes.pin': Input should be a valid list"),
        ('[quotes]\nveto = ["ok"]\n', r"episode.toml:4: 'quotes.veto\[1\]': String should have at least 3 characters"),
        ('[quotes]\npinned = ["le portage"]\n', r"episode.toml:4: unknown key 'quotes.pinned' \(did you mean 'pin'\?\)"),
        (
            '[quotes]\npin = ["un", "deux", "trois", "quatre", "cinq"]\n'.replace('"un"', '"une"'),
            r"episode.toml:4: 'quotes.pin': List should have at most 4 items",
        ),
        ('[quotes]\npin = ["Le portage"]\nveto = ["le portage"]\n', r"episode.toml:5: 'quotes.veto': 'Le portage' is also pinned"),
    ],
)
def test_bad_quotes_are_named_with_file_and_key(show_root, body, message):
    folder = write_episode(show_root, body)
    with pytest.raises(ConfigError, match=message) as error:
        load_episode(folder, load_show(show_root))
    assert str(error.value).startswith(str(folder / "episode.toml"))


def test_after_two_only_quotes_near_the_best(monkeypatch):
    """Past the first two, a sentence scoring under SHARE_OF_BEST of the best is no quote."""
    scores = {"a": 1.0, "b": 0.2, "c": 0.35, "d": 0.25, "e": 0.0}
    found = [topics.Sentence(i * 10.0, i * 10.0 + 5, GUEST, text) for i, text in enumerate(scores)]
    monkeypatch.setattr(quotes, "score", lambda sentence, phrases, hosts: scores[sentence.text])
    assert [s.text for s in pick(found)] == ["a", "c"]  # d (0.25) and b under 0.3 of the best
    scores["a"] = 0.5
    assert [s.text for s in pick(found)] == ["a", "c", "d", "b"]  # all four within 0.3 of 0.5
    scores.update(a=0.0, b=0.0, c=0.0, d=0.0)
    assert pick(found) == []  # nothing quotable: no quote, never a filler or a question to fill up


def test_key_phrases_are_found_across_elisions_and_case():
    sentence = topics.Sentence(0, 5, GUEST, "Sans créer d'Entreprise, le freelance facture quand même ses clients chaque mois.")
    assert quotes.score(sentence, ["entreprise"], HOSTS) > quotes.score(sentence, ["coworking"], HOSTS) > 0
