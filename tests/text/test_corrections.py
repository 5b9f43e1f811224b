"""corrections.toml applied to a transcript: replacements, speaker names, retyped passages."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from pipeline.build import build
from pipeline.cli import cli
from pipeline.config import load_corrections, load_show
from pipeline.engine import Store, run_stage
from pipeline.errors import ConfigError
from pipeline.jobs import EpisodeJob, Paths, Resources
from pipeline.records import Episode, Segment, Transcript, Word
from pipeline.results import Diarized, Unmatched
from pipeline.stages.corrections import Correct
from pipeline.text.corrections import Applied, apply, describe
from pipeline.text.writers import get_writer
from tests.text.test_writers import words


def transcript() -> Transcript:
    first = "Bienvenue dans Freelance Famile, au cower king de Lyon."
    second = "Le TGM moyen est de 450 euros, dit Camille."
    third = "Euh, je sais plus trop."
    return Transcript(
        "fr",
        20.0,
        (
            Segment(0.0, 5.0, first, words(first, 0.0), "SPEAKER_0"),
            Segment(5.0, 10.0, second, words(second, 5.0), "SPEAKER_1"),
            Segment(10.0, 12.0, third, words(third, 10.0), "SPEAKER_1"),
        ),
    )


def corrections(tmp_path, text: str):
    path = tmp_path / "corrections.toml"
    path.write_text(text, encoding="utf-8")
    return load_corrections(path)


def test_replacements_whole_words_any_case(tmp_path):
    replacements = '[replace]\n"freelance famile" = "Freelance.Family"\n"cower king" = "coworking"\nTGM = "TJM"\nde = "DE"\n'
    fixed = apply(transcript(), corrections(tmp_path, replacements)).transcript
    first, second, _ = fixed.segments
    assert first.text == "Bienvenue dans Freelance.Family, au coworking DE Lyon."
    assert second.text == "Le TJM moyen est DE 450 euros, dit Camille."
    # Words follow: the two heard words become one, timed from the first to the last.
    merged = next(w for w in first.words if "Freelance.Family" in w.text)
    assert merged.text == " Freelance.Family," and (merged.start, merged.end) == (0.6, 1.2)
    assert "".join(w.text for w in first.words).strip() == first.text


def test_a_replaced_run_of_words_keeps_its_place_speaker_and_doubt(tmp_path):
    said = (
        Word(0.0, 0.4, "Freelance", 0.9, "SPEAKER_0"),
        Word(0.4, 0.8, " Famile,", 0.3, "SPEAKER_0"),
        Word(0.8, 1.2, " bonjour", 0.8, "SPEAKER_0"),
        Word(1.2, 1.6, " cower", 0.6, "SPEAKER_0"),
        Word(1.6, 2.0, " king.", 0.7, "SPEAKER_0"),
    )
    text = "Freelance Famile, bonjour cower king."
    heard = Transcript("fr", 2.0, (Segment(0.0, 2.0, text, said, "SPEAKER_0"),))
    fixed = apply(heard, corrections(tmp_path, '[replace]\n"freelance famile" = "Freelance.Family"\n"cower king" = "coworking"\n')).transcript
    [segment] = fixed.segments
    assert segment.text == "Freelance.Family, bonjour coworking."
    assert "".join(w.text for w in segment.words) == segment.text  # no space made up before the first word
    first, _, last = segment.words
    assert (first.text, first.start, first.end, first.probability, first.speaker) == ("Freelance.Family,", 0.0, 0.8, 0.3, "SPEAKER_0")
    assert (last.text, last.start, last.end, last.probability, last.speaker) == (" coworking.", 1.2, 2.0, 0.6, "SPEAKER_0")


def test_whole_words_only(tmp_path):
    applied = apply(transcript(), corrections(tmp_path, '[replace]\n"Lyo" = "X"\n"ami" = "Y"\n'))
    fixed = applied.transcript
    assert fixed.segments[0].text == transcript().segments[0].text  # no "Lyo" inside "Lyon", no "ami" in "Camille"
    assert fixed.segments[1].text == transcript().segments[1].text
    assert applied.unmatched == (Unmatched("replace", "Lyo"), Unmatched("replace", "ami"))


def test_a_phrase_at_the_end_of_a_longer_word_is_left(tmp_path):
    # Whole words on both sides: "king" is no word of "coworking", as "Lyo" is none of "Lyon".
    applied = apply(_heard("Le coworking du quartier.", "Le king du coworking."), corrections(tmp_path, '[replace]\n"king" = "roi"\n'))
    assert [s.text for s in applied.transcript.segments] == ["Le coworking du quartier.", "Le roi du coworking."]


def test_speaker_names(tmp_path):
    fixed = apply(transcript(), corrections(tmp_path, '[speakers]\nSPEAKER_0 = "Camille Durand"\nSPEAKER_1 = "Inès Moreau"\n')).transcript
    assert [s.speaker for s in fixed.segments] == ["Camille Durand", "Inès Moreau", "Inès Moreau"]


def test_renaming_one_speaker_leaves_the_others(tmp_path):
    labelled = transcript()
    labelled = dataclasses.replace(
        labelled, segments=tuple(dataclasses.replace(s, words=tuple(dataclasses.replace(w, speaker=s.speaker) for w in s.words)) for s in labelled.segments)
    )
    fixed = apply(labelled, corrections(tmp_path, '[speakers]\nSPEAKER_1 = "Inès Moreau"\n')).transcript
    assert [s.speaker for s in fixed.segments] == ["SPEAKER_0", "Inès Moreau", "Inès Moreau"]
    assert [{w.speaker for w in s.words} for s in fixed.segments] == [{"SPEAKER_0"}, {"Inès Moreau"}, {"Inès Moreau"}]
    assert fixed.segments[0] == labelled.segments[0]


def test_renaming_in_a_transcript_without_speakers_says_so(tmp_path):
    unnamed = Transcript("fr", 5.0, (Segment(0.0, 5.0, "Bonjour.", words("Bonjour.", 0.0)),))
    with pytest.raises(ConfigError, match=r"'SPEAKER_0' is not a speaker of this transcript \(none\)"):
        apply(unnamed, corrections(tmp_path, '[speakers]\nSPEAKER_0 = "Camille Durand"\n'))


def test_renaming_nobody_is_an_error_not_a_silent_no_op(tmp_path):
    with pytest.raises(ConfigError, match=r"corrections.toml: 'speakers': 'SPEAKER_7' is not a speaker of this transcript \(SPEAKER_0, SPEAKER_1\)"):
        apply(transcript(), corrections(tmp_path, '[speakers]\nSPEAKER_7 = "Camille Durand"\n'))


def timed(*said: tuple[float, float, str], speaker: str = "") -> Segment:
    """A segment of words at the times given, as Whisper times them."""
    heard = tuple(Word(a, b, (" " if i else "") + text, 0.9, speaker) for i, (a, b, text) in enumerate(said))
    return Segment(heard[0].start, heard[-1].end, "".join(w.text for w in heard).strip(), heard, speaker)


def fixed_by(tmp_path, fixes: str, heard: Transcript, people: tuple[str, ...] = ()) -> Applied:
    return apply(heard, corrections(tmp_path, fixes), people=people)


def fix(start: str, end: str, text: str, speaker: str = "") -> str:
    return f'[[fix]]\nstart = "{start}"\nend = "{end}"\ntext = "{text}"\n' + (f'speaker = "{speaker}"\n' if speaker else "")


# Ten seconds of one speaker without a pause: a word every half second.
LONG = timed(*((i * 0.5, i * 0.5 + 0.5, f"mot{i}") for i in range(20)), speaker="Inès Moreau")


def test_a_fix_replaces_the_words_between_its_times_and_no_others(tmp_path):
    """A fix of two seconds inside a ten-second segment: the eight seconds of words around stay, with their timings."""
    applied = fixed_by(tmp_path, fix("00:04", "00:06", "Le TJM moyen."), Transcript("fr", 10.0, (LONG,)))
    before, retyped, after = applied.transcript.segments
    assert before.words == LONG.words[:8] and before.text == "mot0 mot1 mot2 mot3 mot4 mot5 mot6 mot7"
    assert (before.start, before.end, before.speaker) == (0.0, 4.0, "Inès Moreau")
    assert (retyped.start, retyped.end, retyped.text, retyped.speaker) == (4.0, 6.0, "Le TJM moyen.", "Inès Moreau")
    assert after.words == LONG.words[12:] and after.text == "mot12 mot13 mot14 mot15 mot16 mot17 mot18 mot19"
    assert (after.start, after.end) == (6.0, 10.0)
    assert applied.unmatched == ()


def test_an_edge_away_from_pauses_takes_a_word_by_its_middle(tmp_path):
    """4.3 s: mot8 (4.0-4.5) is said more before than after, so it stays; 5.7 s: mot11 (5.5-6.0) is taken."""
    [before, retyped, after] = fixed_by(tmp_path, fix("00:04.3", "00:05.8", "x"), Transcript("fr", 10.0, (LONG,))).transcript.segments
    assert before.words[-1].text == " mot8" and after.words[0].text == " mot12"
    assert (retyped.start, retyped.end) == (4.5, 6.0)


# The trailer as an Intel Xeon's Whisper timed it (tests/data/whisper-elsewhere): words start up
# to 0.3 s before the voice, and the last word of a line reaches into the pause after it.
TURNS = Transcript(
    "fr",
    62.33,
    (
        timed((13.0, 13.14, "Je"), (13.14, 13.36, "suis"), (15.64, 15.88, "un"), (15.88, 16.16, "micro."), speaker="Camille Durand"),
        timed(
            (17.34, 17.48, "Et"),
            (17.48, 17.7, "moi,"),
            (18.0, 18.12, "je"),
            (18.12, 18.3, "suis"),
            (18.3, 18.52, "une"),
            (18.52, 18.84, "espèce,"),
            speaker="Inès Moreau",
        ),
        timed((50.32, 50.74, "celles"), (51.0, 51.08, "ce"), (51.5, 51.72, "mire."), speaker="Inès Moreau"),
    ),
)


def test_an_edge_near_a_pause_cuts_in_the_pause(tmp_path):
    """Timed by ear where the voice starts (17.6 s, inside "moi,"), the fix still takes "Et moi,"
    from the pause before it: Whisper timed the words of its own text early."""
    retyped = fixed_by(tmp_path, fix("00:17.6", "00:18.9", "Et moi, je suis Inès,"), TURNS).transcript.segments
    assert [s.text for s in retyped] == ["Je suis un micro.", "Et moi, je suis Inès,", "celles ce mire."]
    assert (retyped[1].start, retyped[1].end, retyped[1].speaker) == (17.34, 18.84, "Inès Moreau")


def test_an_edge_takes_no_word_the_fix_does_not_retype(tmp_path):
    """Ending at 51.6 s, just inside "mire." (51.5-51.72 s): the pause after it is near, but
    "mire." is not among the fix's last words, so it may be the next line's: it stays, and a
    fix ending in the pause (51.9 s) takes it."""
    heard = Transcript("fr", 60.0, (TURNS.segments[1], TURNS.segments[2]))
    text = "celles et ceux qui les vivent."
    assert [s.text for s in fixed_by(tmp_path, fix("00:50.3", "00:51.6", text), heard).transcript.segments[1:]] == [text, "mire."]
    [retyped] = fixed_by(tmp_path, fix("00:50.3", "00:51.9", text), heard).transcript.segments[1:]
    assert retyped.text == text and retyped.end == 51.72


def test_the_longest_pause_near_an_edge_wins(tmp_path):
    """Whisper timed "Alors," 0.26 s early, then a comma's pause: a fix timed at the voice's
    start (53.1 s, in the comma's pause) cuts in the longer pause before the line. Heard as
    "Ah non,", a word the fix does not have, it is left to the host to take: time it earlier."""

    def heard(*first: tuple[float, float, str]) -> Transcript:
        return Transcript(
            "fr",
            60.0,
            (
                timed((50.0, 51.72, "vivent."), speaker="Inès Moreau"),
                timed(*first, (53.42, 53.64, "abonnez"), (53.64, 54.0, "-vous."), speaker="Inès Moreau"),
            ),
        )

    text = "Alors, abonnez-vous."
    heard_right = heard((52.84, 53.08, "Alors,"))
    assert [s.text for s in fixed_by(tmp_path, fix("00:53.1", "00:56.1", text), heard_right).transcript.segments] == ["vivent.", text]
    misheard = heard((52.84, 53.0, "Ah"), (53.0, 53.08, "non,"))
    assert [s.text for s in fixed_by(tmp_path, fix("00:53.1", "00:56.1", text), misheard).transcript.segments] == ["vivent.", "Ah non,", text]
    assert [s.text for s in fixed_by(tmp_path, fix("00:52.3", "00:56.1", text), misheard).transcript.segments] == ["vivent.", text]


def test_an_edge_never_moves_off_the_words_the_fix_covers(tmp_path):
    """A fix ending 0.36 s after the first word starts: the pause before that word is within
    reach of its end, but cutting there would leave the fix nothing."""
    heard = Transcript("fr", 5.0, (timed((0.24, 0.5, "Bonjour"), (0.5, 0.8, "et"), (0.8, 1.2, "bienvenue")),))
    segments = fixed_by(tmp_path, fix("00:00", "00:00.6", "Bonjour"), heard).transcript.segments
    assert [s.text for s in segments] == ["Bonjour", "et bienvenue"]


def test_a_fix_over_two_turns_is_one_line_of_the_first_speaker(tmp_path):
    """Ending at 18.2 s, in "suis", 0.2 s after the comma's pause after "Et moi,": it cuts there."""
    segments = fixed_by(tmp_path, fix("00:12.9", "00:18.2", "Je suis devenue indépendante. Et moi,"), TURNS).transcript.segments
    assert [(s.text, s.speaker) for s in segments] == [
        ("Je suis devenue indépendante. Et moi,", "Camille Durand"),
        ("je suis une espèce,", "Inès Moreau"),
        ("celles ce mire.", "Inès Moreau"),
    ]


def test_a_fix_over_nothing_heard_is_published_at_its_place(tmp_path):
    """Whisper heard nothing after 51.72 s: the host's last line is published all the same, at
    its own times, as the line of the speaker heard nearest to it, and the host is told."""
    applied = fixed_by(tmp_path, fix("00:57.6", "01:02", "À tout de suite !") + fix("00:16.6", "00:17", "Euh."), TURNS)
    segments = applied.transcript.segments
    assert (
        [(s.start, s.end, s.text, s.speaker) for s in segments]
        == [
            (13.0, 16.16, "Je suis un micro.", "Camille Durand"),
            (16.6, 17.0, "Euh.", "Inès Moreau"),  # 0.34 s before Inès speaks, 0.44 s after Camille
            *[(s.start, s.end, s.text, s.speaker) for s in TURNS.segments[1:]],
            (57.6, 62.0, "À tout de suite !", "Inès Moreau"),
        ]
    )
    assert applied.unmatched == (Unmatched("fix", "Euh.", 16.6, 17.0, "Inès Moreau"), Unmatched("fix", "À tout de suite !", 57.6, 62.0, "Inès Moreau"))


def test_a_fix_names_its_speaker(tmp_path):
    applied = fixed_by(tmp_path, fix("00:57.6", "01:02", "À tout de suite !", "Camille Durand"), TURNS)
    assert (applied.transcript.segments[-1].speaker, applied.unmatched[0].speaker) == ("Camille Durand", "Camille Durand")
    heard = fixed_by(tmp_path, fix("00:17.6", "00:18.9", "Et moi, je suis Inès,", "Camille Durand"), TURNS)
    assert heard.transcript.segments[1].speaker == "Camille Durand"


def test_a_fix_in_a_pause_inside_a_segment_splits_it(tmp_path):
    """Whisper put "un micro." in the segment of "Je suis", 2.3 s later: a fix in that pause goes between them."""
    applied = fixed_by(tmp_path, fix("00:14", "00:15", "devenue indépendante"), TURNS)
    first, retyped, second = applied.transcript.segments[:3]
    assert (first.text, first.end, first.words) == ("Je suis", 13.36, TURNS.segments[0].words[:2])
    assert (retyped.start, retyped.end, retyped.text, retyped.speaker) == (14.0, 15.0, "devenue indépendante", "Camille Durand")
    assert (second.text, second.start, second.words) == ("un micro.", 15.64, TURNS.segments[0].words[2:])
    assert len(applied.unmatched) == 1


def test_a_fix_over_nothing_keeps_off_the_words_around(tmp_path):
    """Typed a little wide (15.9-17.4 s) but holding no word's middle: it is timed between the words."""
    applied = fixed_by(
        tmp_path,
        fix("00:16.2", "00:17.2", "Euh."),
        Transcript("fr", 30.0, (timed((13.0, 16.16, "micro."), speaker="Camille Durand"), timed((16.9, 18.0, "Et"), speaker="Inès Moreau"))),
    )
    assert [(s.start, s.end, s.text) for s in applied.transcript.segments] == [(13.0, 16.16, "micro."), (16.2, 16.9, "Euh."), (16.9, 18.0, "Et")]


def test_when_whisper_heard_nothing_every_fix_is_published_in_order(tmp_path):
    nothing = Transcript("fr", 62.0, ())
    applied = fixed_by(
        tmp_path, fix("00:30", "00:35", "Deux.") + fix("00:01", "00:05", "Un.", "Inès Moreau"), nothing, people=("Camille Durand", "Inès Moreau")
    )
    # The first fix names its speaker; the second falls in the turn it began.
    assert [(s.start, s.end, s.text, s.speaker) for s in applied.transcript.segments] == [
        (1.0, 5.0, "Un.", "Inès Moreau"),
        (30.0, 35.0, "Deux.", "Inès Moreau"),
    ]
    unnamed = fixed_by(tmp_path, fix("00:30", "00:35", "Deux."), nothing, people=("Camille Durand", "Inès Moreau"))
    assert unnamed.transcript.segments[0].speaker == ""  # nobody heard, two people: no guess
    alone = fixed_by(tmp_path, fix("00:30", "00:35", "Deux."), nothing, people=("Camille Durand",))
    assert alone.transcript.segments[0].speaker == "Camille Durand"  # the one person of the episode
    assert [u.kind for u in applied.unmatched] == ["fix", "fix"]


def test_a_fix_naming_nobody_is_an_error(tmp_path):
    with pytest.raises(
        ConfigError,
        match=r"corrections.toml: 'fix' at 00:57.6: speaker 'Camile Durand' is nobody of this episode "
        r"\(Camille Durand, Inès Moreau, Jean\)",
    ):
        apply(TURNS, corrections(tmp_path, fix("00:57.6", "01:02", "x", "Camile Durand")), people=("Jean",))


def test_retyped_passage_replaces_the_segments_it_covers(tmp_path):
    fixed = apply(transcript(), corrections(tmp_path, fix("00:06", "00:11.6", "est de 450 euros. Je ne sais plus."))).transcript
    assert [s.text for s in fixed.segments] == [transcript().segments[0].text, "Le TGM moyen", "est de 450 euros. Je ne sais plus."]
    assert (fixed.segments[2].start, fixed.segments[2].end) == (5.9, 11.5)


def test_a_fix_takes_the_segments_it_covers_and_no_more(tmp_path):
    """Segments that end at its start or start at its end stay."""
    fixed = apply(transcript(), corrections(tmp_path, fix("00:05", "00:10", " Le TJM moyen. "))).transcript
    assert [(s.start, s.end, s.text, s.speaker) for s in fixed.segments] == [
        (0.0, 5.0, transcript().segments[0].text, "SPEAKER_0"),
        (5.0, 7.7, "Le TJM moyen.", "SPEAKER_1"),
        (10.0, 12.0, "Euh, je sais plus trop.", "SPEAKER_1"),
    ]


def test_a_fix_over_nothing_does_not_stop_the_next(tmp_path):
    applied = apply(transcript(), corrections(tmp_path, fix("00:15", "00:18", "Rien.") + fix("00:10", "00:12", "Je ne sais plus.")))
    assert [s.text for s in applied.transcript.segments][2:] == ["Je ne sais plus.", "Rien."]
    assert applied.unmatched == (Unmatched("fix", "Rien.", 15.0, 18.0, "SPEAKER_1"),)


def test_bad_corrections_named(tmp_path):
    with pytest.raises(ConfigError, match=r"corrections.toml:1: unknown key 'remplace' \(did you mean 'replace'\?\)"):
        corrections(tmp_path, '[remplace]\na = "b"\n')
    with pytest.raises(ConfigError, match=r"end 00:05 is not after start 00:10"):
        corrections(tmp_path, '[[fix]]\nstart = "00:10"\nend = "00:05"\ntext = "x"\n')
    with pytest.raises(ConfigError, match=r"end 00:10 is not after start 00:10"):
        corrections(tmp_path, '[[fix]]\nstart = "00:10"\nend = "00:10"\ntext = "x"\n')
    with pytest.raises(ConfigError, match=r"corrections.toml: 'fix': 00:04-00:08 overlaps 00:01-00:05; make them one fix"):
        corrections(tmp_path, fix("00:01", "00:05", "a") + fix("00:04", "00:08", "b"))
    corrections(tmp_path, fix("00:01", "00:05", "a") + fix("00:05", "00:08", "b"))  # touching is fine


def test_no_file_no_change(tmp_path):
    assert apply(transcript(), load_corrections(tmp_path / "corrections.toml")) == Applied(transcript(), ())


# What Whisper's base model heard in tests/data/duo-host.m4a, where espeak-ng says "Bonjour Inès,
# merci d'être venue dans le studio aujourd'hui." and "Alors, comment as-tu trouvé tes premiers
# clients ?" (scripts/make_test_duo.py); the same words under AVX2 and AVX-512 kernels.
HEARD = ("Bonjour les mecs, merci d'être venu dans le studio, j'oublie.", "Alors, comment tu t'aumé tes pommes d'éclair ?")
CORRECTIONS = """\
[replace]
"les mecs" = "Inès"
"pommes d'éclair" = "premiers clients"
[[fix]]
start = "00:10"
end = "00:14"
text = "Alors, comment as-tu trouvé tes premiers clients ?"
"""


def heard(first: str, second: str, speaker: str = "Camille Durand") -> Transcript:
    return Transcript(
        "fr",
        14.0,
        (
            Segment(0.5, 5.0, first, words(first, 0.5), speaker),
            Segment(10.2, 13.9, second, words(second, 10.2), speaker),
        ),
    )


@pytest.fixture
def correct(show_root):
    """The correct stage of one episode, run by the engine on a transcript the test writes."""
    folder = show_root / "episodes" / "001-duo"
    folder.mkdir()
    (folder / "corrections.toml").write_text(CORRECTIONS, encoding="utf-8")
    episode = Episode("001-duo", folder, "Duo", datetime(2026, 1, 5, tzinfo=timezone.utc), ())
    job = EpisodeJob(load_show(show_root), episode, Paths(show_root), Resources())
    store = Store(show_root / ".build")
    transcript = job.cache / "transcript.diarized.json"
    transcript.parent.mkdir(parents=True)

    def transcribed(text: Transcript):
        """A new transcript from the stages before, then the correct stage run on it."""
        transcript.write_text(get_writer("json").write(text), encoding="utf-8")
        job.results.add(Diarized(transcript, {}, ""))
        return run_stage(Correct(), job, store, "episodes/001-duo")

    return transcribed


def test_the_correct_stage_makes_the_hosts_corrections(correct):
    outcome = correct(heard(*HEARD))
    assert outcome.state == "ran", outcome.error
    assert outcome.record.result.transcript.name == "transcript.corrected.json"  # README: .build/'s files
    fixed = Transcript.load(outcome.record.result.transcript)
    assert fixed.segments[0].text == "Bonjour Inès, merci d'être venu dans le studio, j'oublie."
    assert fixed.segments[1].text == "Alors, comment as-tu trouvé tes premiers clients ?"


def test_a_new_transcription_is_corrected_again(correct):
    """A new glossary or model transcribes again; the host's corrections.toml still applies."""
    correct(heard(*HEARD))
    outcome = correct(heard("Bonjour les mecs, merci d'être venue dans le studio aujourd'hui.", HEARD[1]))
    assert outcome.state == "ran", outcome.error
    fixed = Transcript.load(outcome.record.result.transcript)
    assert fixed.segments[0].text == "Bonjour Inès, merci d'être venue dans le studio aujourd'hui."
    assert fixed.segments[1].text == "Alors, comment as-tu trouvé tes premiers clients ?"


def test_the_stage_names_the_episodes_corrections_file(correct, show_root):
    (show_root / "episodes" / "001-duo" / "corrections.toml").write_text('[speakers]\nSPEAKER_9 = "Inès"\n', encoding="utf-8")
    outcome = correct(heard(*HEARD))
    assert outcome.state == "failed"
    assert outcome.error.startswith(f"{show_root / 'episodes' / '001-duo' / 'corrections.toml'}: 'speakers': 'SPEAKER_9'")


def test_the_stage_hands_on_and_logs_what_matched_nothing(correct, show_root, caplog):
    (show_root / "episodes" / "001-duo" / "corrections.toml").write_text(
        '[replace]\n"Freelance Famile" = "Freelance.Family"\n' + fix("00:06", "00:07.5", "Merci !", "Camille Durand"), encoding="utf-8"
    )
    with caplog.at_level(logging.WARNING, logger="pipeline.stages.corrections"):
        outcome = correct(heard(*HEARD))
    assert outcome.state == "ran", outcome.error
    assert outcome.record.result.unmatched == (Unmatched("fix", "Merci !", 6.0, 7.5, "Camille Durand"), Unmatched("replace", "Freelance Famile"))
    assert [s.text for s in Transcript.load(outcome.record.result.transcript).segments][1] == "Merci !"
    path = show_root / "episodes" / "001-duo" / "corrections.toml"
    assert [r.getMessage() for r in caplog.records] == [
        f"{path}: the fix at 0:06.0-0:07.5 covers nothing Whisper heard; published at its place as Camille Durand's line"
        ' (name its speaker with speaker = "..." if that is wrong)',
        f"{path}: [replace] 'Freelance Famile' matched nothing in the transcript",
    ]


def test_a_fix_may_name_a_host_whisper_did_not_hear(correct, show_root):
    (show_root / "episodes" / "001-duo" / "corrections.toml").write_text(fix("00:10", "00:14", "Alors ?", "Camille Durand"), encoding="utf-8")
    outcome = correct(heard(*HEARD, speaker="SPEAKER_1"))
    assert outcome.state == "ran", outcome.error
    assert [(s.text, s.speaker) for s in Transcript.load(outcome.record.result.transcript).segments] == [(HEARD[0], "SPEAKER_1"), ("Alors ?", "Camille Durand")]


def test_check_says_which_corrections_find_nothing_and_what_is_wrong(show_root, add_episode, no_whisper):
    """Before a build, `podcast check` reads corrections.toml; after one, it applies it to what
    Whisper heard (here nothing: a tone) and names each fix and phrase that found nothing."""
    folder = add_episode("001-ok")
    corrections_file = folder / "corrections.toml"
    corrections_file.write_text('[replace]\n"Freelance Famile" = "Freelance.Family"\n' + fix("00:01", "00:02.5", "Bonjour !"), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--root", str(show_root)], catch_exceptions=False)
    assert result.exit_code == 0 and "corrections.toml:" not in result.output  # nothing heard yet to compare with

    assert build(show_root).ok
    result = runner.invoke(cli, ["check", "--root", str(show_root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"{corrections_file}: the fix at 0:01.0-0:02.5 covers nothing Whisper heard; published at its place as Camille Durand's line" in result.output
    assert f"{corrections_file}: [replace] 'Freelance Famile' matched nothing in the transcript" in result.output
    status = runner.invoke(cli, ["status", "--root", str(show_root)], catch_exceptions=False).output
    assert "    corrections.toml: the fix at 0:01.0-0:02.5 covers nothing Whisper heard" in status

    corrections_file.write_text(fix("00:01", "00:02", "Bonjour !", "Camile"), encoding="utf-8")
    result = runner.invoke(cli, ["check", "--root", str(show_root)], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"{corrections_file}: 'fix' at 00:01: speaker 'Camile' is nobody of this episode (Camille Durand)" in result.output
    assert "1 episode(s) need fixing" in result.output
    corrections_file.write_text('[[fix]]\nstart = "00:01"\n', encoding="utf-8")
    result = runner.invoke(cli, ["check", "--root", str(show_root)], catch_exceptions=False)
    assert result.exit_code == 1 and f"{corrections_file}:1: missing required key 'fix[1].end'" in result.output


def test_the_report_lists_what_found_nothing(show_root, add_episode, no_whisper):
    from pipeline.jobs import Paths
    from pipeline.host.report import report_path, write_reports

    folder = add_episode("001-ok")
    (folder / "corrections.toml").write_text('[replace]\n"cower king" = "coworking"\n' + fix("00:01", "00:02.5", "Bonjour !"), encoding="utf-8")
    assert build(show_root).ok
    write_reports(show_root, ("001-ok",))
    html = report_path(Paths(show_root.resolve()), "001-ok").read_text(encoding="utf-8")
    section = html[html.index('id="unmatched"') : html.index('id="speakers"')]
    assert "Corrections qui ne trouvent rien de ce que Whisper a entendu" in section  # the show speaks French
    assert 'data-start="1.00"' in section and "« Bonjour ! » · publiée comme réplique de Camille Durand" in section
    assert "[replace] « cower king » · introuvable dans la transcription" in section


def test_touching_fixes_over_nothing_heard_are_both_published(tmp_path):
    """The second fix's start may move into the pause before the first: it never takes the line the first one made."""
    heard = Transcript("fr", 20.0, (timed((2.0, 2.4, "avant"), speaker="Camille Durand"), timed((14.0, 14.5, "après"), speaker="Camille Durand")))
    applied = fixed_by(tmp_path, fix("00:10", "00:10.4", "AAA") + fix("00:10.4", "00:12", "BBB"), heard)
    assert [s.text for s in applied.transcript.segments] == ["avant", "AAA", "BBB", "après"]
    assert [u.text for u in applied.unmatched] == ["AAA", "BBB"]


def test_lines_stay_in_time_order_when_two_tracks_overlap(tmp_path):
    """Multitrack: Inès's "oui" (1.2 s) falls inside Camille's long turn, cut by a fix at 3-4 s."""
    camille = timed(*((i * 0.5, i * 0.5 + 0.5, f"mot{i}") for i in range(12)), speaker="Camille Durand")
    ines = timed((1.2, 1.8, "oui"), speaker="Inès Moreau")
    segments = fixed_by(tmp_path, fix("00:03", "00:04", "x"), Transcript("fr", 6.0, (camille, ines))).transcript.segments
    assert [(s.start, s.speaker) for s in segments] == [(0.0, "Camille Durand"), (1.2, "Inès Moreau"), (3.0, "Camille Durand"), (4.0, "Camille Durand")]


def test_a_fix_after_the_end_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"corrections.toml: 'fix' at 01:05: starts after the episode's end \(1:02.3\)"):
        apply(TURNS, corrections(tmp_path, fix("01:05", "01:07", "x")))
    with pytest.raises(ConfigError, match=r"'fix' at 01:02.33: starts after the episode's end"):  # on its last instant
        apply(TURNS, corrections(tmp_path, fix("01:02.33", "01:03", "x")))
    applied = apply(TURNS, corrections(tmp_path, fix("01:00", "01:07", "Au revoir.")))  # ends past it: kept to the episode
    assert (applied.transcript.segments[-1].start, applied.transcript.segments[-1].end) == (60.0, 62.33)


def test_a_fix_inside_a_segment_without_word_timings_takes_its_part(tmp_path):
    """Ten seconds of text without word timings: a fix of 4-6 s takes the words its times hold
    once they are spread by length, not the whole segment, and leaves the rest."""
    text = " ".join(f"mot{i}" for i in range(10))  # ten words of the same length: one a second
    applied = fixed_by(tmp_path, fix("00:04", "00:06", "x"), Transcript("fr", 10.0, (Segment(0.0, 10.0, text, (), "Inès Moreau"),)))
    assert [(s.text, s.speaker) for s in applied.transcript.segments] == [
        ("mot0 mot1 mot2 mot3", "Inès Moreau"),
        ("x", "Inès Moreau"),
        ("mot6 mot7 mot8 mot9", "Inès Moreau"),
    ]
    assert applied.unmatched == ()


def test_a_fixs_speaker_is_a_published_name_never_renamed(tmp_path):
    """[speakers] renames Whisper's labels first: a fix that names someone keeps that name, and
    one that names nobody takes the new name of the turn it falls in."""
    heard = Transcript("fr", 20.0, (timed((1.0, 2.0, "bonjour"), speaker="S0"), timed((8.0, 9.0, "salut"), speaker="S1")))
    swap = '[speakers]\nS0 = "S1"\nS1 = "S0"\n'
    applied = apply(heard, corrections(tmp_path, swap + fix("00:04", "00:05", "Un.", "S1") + fix("00:10", "00:12", "Deux.")))
    assert [(s.text, s.speaker) for s in applied.transcript.segments] == [("bonjour", "S1"), ("Un.", "S1"), ("salut", "S0"), ("Deux.", "S0")]


# [replace] keys are phrases, not regular expressions: a dot is a dot, a plus a plus. The text and
# the words (which the page, the search and the captions read) say the same after a replacement.


def _heard(*texts: str) -> Transcript:
    return Transcript("fr", 20.0, tuple(Segment(i * 5.0, i * 5.0 + 4.0, text, words(text, i * 5.0), "SPEAKER_0") for i, text in enumerate(texts)))


def _said(segment: Segment) -> str:
    return "".join(w.text for w in segment.words).strip()


def test_a_dot_in_a_replaced_phrase_is_a_dot(tmp_path):
    """README: "Freelance.Family" is a phrase; it must not match "FreelanceXFamily" (a regular
    expression's dot would), nor "Freelance Family" said as two words."""
    heard = _heard("Chez FreelanceXFamily, on parle.", "Freelance Family aussi.", "Et Freelance.Family enfin.")
    applied = apply(heard, corrections(tmp_path, '[replace]\n"Freelance.Family" = "FF"\n'))
    assert [s.text for s in applied.transcript.segments] == ["Chez FreelanceXFamily, on parle.", "Freelance Family aussi.", "Et FF enfin."]
    assert [_said(s) for s in applied.transcript.segments] == [s.text for s in applied.transcript.segments]
    assert applied.unmatched == ()


def test_a_phrase_inside_a_longer_word_changes_that_word_as_it_changes_the_text(tmp_path):
    """The text's "whole words" are \\w boundaries: "Freelance" is replaced in "Freelance.Family"
    (the words of the VTT and SRT with it), and twice in "Freelance/Freelance"."""
    heard = _heard("Et «Freelance.Family» enfin.", "Un Freelance heureux.", "La Co.Freelance Family, Freelance/Freelance.")
    applied = apply(heard, corrections(tmp_path, '[replace]\n"Freelance" = "Free-lance"\n'))
    assert [s.text for s in applied.transcript.segments] == [
        "Et «Free-lance.Family» enfin.",
        "Un Free-lance heureux.",
        "La Co.Free-lance Family, Free-lance/Free-lance.",
    ]
    assert [_said(s) for s in applied.transcript.segments] == [s.text for s in applied.transcript.segments]
    first = applied.transcript.segments[0].words[1]
    assert (first.text, first.start, first.end) == (" «Free-lance.Family»", heard.segments[0].words[1].start, heard.segments[0].words[1].end)


def test_a_phrase_of_two_words_ending_inside_a_longer_word(tmp_path):
    heard = _heard("Chez Freelance Family.Co demain.")
    applied = apply(heard, corrections(tmp_path, '[replace]\n"Freelance Family" = "FF"\n'))
    assert [w.text for w in applied.transcript.segments[0].words] == ["Chez", " FF.Co", " demain."]
    merged = applied.transcript.segments[0].words[1]
    assert (merged.start, merged.end) == (heard.segments[0].words[1].start, heard.segments[0].words[2].end)


def test_a_phrase_said_by_the_next_word_alone_leaves_the_word_before_it_apart(tmp_path):
    # Whisper wrote "Freelance." and "Family" as two words without a space: the phrase starts
    # exactly where the first word ends, so it is the second word's alone.
    said = (Word(0.0, 0.5, "Chez"), Word(0.5, 1.0, " Freelance."), Word(1.0, 1.5, "Family"), Word(1.5, 2.0, " demain."))
    heard = Transcript("fr", 2.0, (Segment(0.0, 2.0, "Chez Freelance.Family demain.", said),))
    applied = apply(heard, corrections(tmp_path, '[replace]\n"Family" = "Famille"\n'))
    assert [(w.text, w.start, w.end) for w in applied.transcript.segments[0].words] == [
        ("Chez", 0.0, 0.5),
        (" Freelance.", 0.5, 1.0),
        ("Famille", 1.0, 1.5),
        (" demain.", 1.5, 2.0),
    ]


def test_a_dot_matching_nothing_is_unmatched(tmp_path):
    applied = apply(_heard("Chez FreelanceXFamily, on parle."), corrections(tmp_path, '[replace]\n"Freelance.Family" = "FF"\n'))
    assert applied.transcript == _heard("Chez FreelanceXFamily, on parle.")
    assert applied.unmatched == (Unmatched("replace", "Freelance.Family"),)


def test_plus_signs_in_a_replaced_phrase(tmp_path):
    """ "C++" is replaced where it is said, whole, and only there: not the "C" of another sentence."""
    heard = _heard("On code en C++ ici.", "Le plan C marche.", "Du c++, encore.")
    applied = apply(heard, corrections(tmp_path, '[replace]\n"C++" = "Cpp"\n'))
    assert [s.text for s in applied.transcript.segments] == ["On code en Cpp ici.", "Le plan C marche.", "Du Cpp, encore."]
    assert [_said(s) for s in applied.transcript.segments] == [s.text for s in applied.transcript.segments]
    replaced = applied.transcript.segments[0].words[3]
    assert (replaced.text, replaced.start, replaced.end) == (" Cpp", heard.segments[0].words[3].start, heard.segments[0].words[3].end)


@pytest.mark.parametrize("phrase", ["(Lyon)", "a|b", "x*", "[TJM]", "^Le", "euros$", "\\\\d+"])
def test_every_regex_character_is_taken_literally(tmp_path, phrase):
    """None of these is in the transcript as typed: each is unmatched, and nothing changes."""
    applied = apply(transcript(), corrections(tmp_path, f'[replace]\n"{phrase}" = "X"\n'))
    assert applied.transcript == transcript()
    assert applied.unmatched == (Unmatched("replace", phrase.replace("\\\\", "\\")),)


# The numbers of "Correcting a transcript" in the README, each at its edge: a pause is a gap of
# 0.3 s or longer; an edge within half a second of one moves into it; a word moved in must be one
# of the fix's own words at that end (its first five, EDGE_WORDS). Times are chosen so that the
# gaps and distances are exactly 0.3 s and 0.5 s in floating point.


def _moved(tmp_path, said: Segment, start: str, text: str = "trois quatre cinq.") -> list[str]:
    return [s.text for s in fixed_by(tmp_path, fix(start, "00:05", text), Transcript("fr", 5.0, (said,))).transcript.segments]


@pytest.mark.parametrize("trois_at, pause", [(0.35, True), (0.34, False)])
def test_a_gap_of_0_3_s_is_a_pause_and_0_29_s_is_not(tmp_path, trois_at, pause):
    """README: Whisper's pause is "0.3 s or longer". The fix starts at 0.6 s, inside "trois": in
    a pause 0.25 s before it, the edge moves there and takes "trois" in; with no pause, "trois"
    (more before 0.6 s than after) stays out."""
    said = timed((0.0, 0.05, "un"), (trois_at, 0.75, "trois"), (0.75, 1.0, "quatre"), (1.0, 1.25, "cinq."), speaker="Inès Moreau")
    assert said.words[1].start - said.words[0].end == (0.3 if pause else pytest.approx(0.29))
    assert _moved(tmp_path, said, "00:00.6") == (["un", "trois quatre cinq."] if pause else ["un trois", "trois quatre cinq."])


@pytest.mark.parametrize("start, reaches", [("00:02", True), ("00:02.01", False)])
def test_an_edge_half_a_second_from_a_pause_reaches_it(tmp_path, start, reaches):
    """README: "each end of a fix within half a second of a pause" moves into it. The pause ends
    at 1.5 s: a fix from 2.0 s moves there and takes "trois" in; from 2.01 s it does not."""
    said = timed((0.5, 1.0, "deux"), (1.5, 2.25, "trois"), (2.25, 2.75, "quatre"), (2.75, 3.0, "cinq."), speaker="Inès Moreau")
    assert _moved(tmp_path, said, start) == (["deux", "trois quatre cinq."] if reaches else ["deux trois", "trois quatre cinq."])


@pytest.mark.parametrize("text, taken", [("a b c d trois quatre cinq.", True), ("a b c d e trois quatre cinq.", False)])
def test_a_word_moved_in_is_among_the_fixs_first_five(tmp_path, text, taken):
    """The word the moved edge takes in must be among the first five of the fix's text."""
    said = timed((0.0, 0.05, "un"), (0.35, 0.75, "trois"), (0.75, 1.0, "quatre"), (1.0, 1.25, "cinq."), speaker="Inès Moreau")
    assert _moved(tmp_path, said, "00:00.6", text) == (["un", text] if taken else ["un trois", text])


def test_the_correction_constants_are_the_measured_ones():
    """bench/fix_edges.py measured them (README, "Correcting a transcript"; docs/DEVELOPING.md)."""
    from pipeline.text import corrections

    assert (corrections.EDGE_REACH, corrections.PAUSE, corrections.EDGE_WORDS) == (0.5, 0.3, 5)


# Behaviours a host would notice, each at its edge (bench/mutation.md lists the mutants they kill).


def _lines(applied: Applied) -> list[tuple[float, float, str, str]]:
    return [(s.start, s.end, s.text, s.speaker) for s in applied.transcript.segments]


def test_a_phrase_after_opening_punctuation_in_the_same_word(tmp_path):
    """Whisper writes « into the word it opens: the words are replaced as the text is, guillemets kept."""
    said = (
        Word(0.0, 0.3, "Il", 0.9, "S0"),
        Word(0.3, 0.6, " dit", 0.9, "S0"),
        Word(0.6, 1.0, " «Freelance", 0.8, "S0"),
        Word(1.0, 1.4, " Famile»,", 0.4, "S0"),
        Word(1.4, 1.8, " voilà.", 0.9, "S0"),
    )
    heard = Transcript("fr", 2.0, (Segment(0.0, 1.8, "Il dit «Freelance Famile», voilà.", said, "S0"),))
    [segment] = apply(heard, corrections(tmp_path, '[replace]\n"Freelance Famile" = "Freelance.Family"\n')).transcript.segments
    assert segment.text == "Il dit «Freelance.Family», voilà."
    assert [(w.start, w.end, w.text, w.probability) for w in segment.words[2:]] == [(0.6, 1.4, " «Freelance.Family»,", 0.4), (1.4, 1.8, " voilà.", 0.9)]


def test_a_fixs_edge_word_is_compared_without_its_punctuation_or_case(tmp_path):
    """Heard "Trois," where the fix says "trois": the same word, so the start edge moves into the
    pause before it and takes it in, as it does for "trois" (test_a_gap_of_0_3_s_is_a_pause…)."""
    said = timed((0.0, 0.05, "un"), (0.35, 0.75, "Trois,"), (0.75, 1.0, "quatre"), (1.0, 1.25, "cinq."), speaker="Inès Moreau")
    assert _moved(tmp_path, said, "00:00.6") == ["un", "trois quatre cinq."]


def test_a_second_fix_never_takes_the_line_an_earlier_fix_made(tmp_path):
    """Two touching fixes over nothing heard, the second beginning with the first's word ("Bon."):
    the second's start edge may reach the pause before the first, and takes nothing from there."""
    heard = Transcript("fr", 20.0, (timed((2.0, 2.4, "avant"), speaker="Camille Durand"), timed((14.0, 14.5, "après"), speaker="Camille Durand")))
    applied = fixed_by(tmp_path, fix("00:10", "00:10.4", "Bon.") + fix("00:10.4", "00:12", "Bon, alors on commence."), heard)
    assert _lines(applied) == [
        (2.0, 2.4, "avant", "Camille Durand"),
        (10.0, 10.4, "Bon.", "Camille Durand"),
        (10.4, 12.0, "Bon, alors on commence.", "Camille Durand"),
        (14.0, 14.5, "après", "Camille Durand"),
    ]


def test_a_word_whose_middle_is_on_a_fixs_start_is_the_fixs_and_on_its_end_is_not(tmp_path):
    """A fix holds [start, end): mot2 (1.0-1.5 s, middle 1.25) is taken by a fix from 1.25 s,
    mot8 (4.0-4.5 s, middle 4.25) is left to the line after a fix ending at 4.25 s."""
    applied = fixed_by(tmp_path, fix("00:01.25", "00:04.25", "x"), Transcript("fr", 10.0, (LONG,)))
    before, retyped, after = applied.transcript.segments
    assert before.text == "mot0 mot1" and (retyped.start, retyped.end) == (1.0, 4.0) and after.text.startswith("mot8 mot9")


def test_a_word_whose_middle_is_on_a_fixs_start_stays_in_it_near_a_pause(tmp_path):
    """The fix starts at 1.0 s, the middle of "trois" (0.75-1.25 s), one of its words; the pause
    after "trois" is within reach, but cutting there would leave "trois" out: the edge stays."""
    said = timed((0.0, 0.5, "un"), (0.75, 1.25, "trois"), (1.6, 2.0, "quatre"), (2.0, 2.5, "cinq."), speaker="Inès Moreau")
    assert _moved(tmp_path, said, "00:01") == ["un", "trois quatre cinq."]


def test_an_end_edge_takes_in_the_fixs_last_word_said_late(tmp_path):
    """A three-word fix ending at 1.0 s, inside "cinq." (0.7-1.5 s, timed late): the pause after it
    is half a second away, and "cinq" is the fix's last word, so the edge moves there and takes it."""
    said = timed((0.0, 0.4, "trois"), (0.4, 0.7, "quatre"), (0.7, 1.5, "cinq."), (2.0, 2.5, "six"), speaker="Inès Moreau")
    applied = fixed_by(tmp_path, fix("00:00", "00:01", "trois quatre cinq."), Transcript("fr", 5.0, (said,)))
    assert [s.text for s in applied.transcript.segments] == ["trois quatre cinq.", "six"]


def test_an_end_edge_leaves_out_none_of_the_fixs_words(tmp_path):
    """A fix ending at 1.4 s, after the middle of "trois" (1.2-1.4 s), one of its words: the pause
    before "trois" is within reach, but cutting there would leave "trois" out: the edge stays."""
    said = timed((0.0, 0.4, "un"), (0.4, 0.8, "deux"), (1.2, 1.4, "trois"), (1.4, 2.0, "quatre"), speaker="Inès Moreau")
    applied = fixed_by(tmp_path, fix("00:00", "00:01.4", "un deux trois"), Transcript("fr", 5.0, (said,)))
    assert [s.text for s in applied.transcript.segments] == ["un deux trois", "quatre"]


def test_a_start_edge_reaches_no_pause_more_than_half_a_second_after_it(tmp_path):
    """Timed at 0.9 s, the fix's start is 0.6 s before the pause after "de": too far to move
    there, so "de" (Whisper's mishearing of "deux") is the fix's."""
    said = timed((0.0, 0.5, "alors"), (0.5, 1.0, "un"), (1.0, 1.5, "de"), (2.0, 2.5, "trois"), speaker="Inès Moreau")
    applied = fixed_by(tmp_path, fix("00:00.9", "00:02.5", "deux trois"), Transcript("fr", 5.0, (said,)))
    assert [s.text for s in applied.transcript.segments] == ["alors un", "deux trois"]


def test_an_end_edge_never_moves_into_a_pause_that_starts_before_the_fix(tmp_path):
    """The fix (1.0-1.7 s) starts in the pause after "alors" (0.9-1.3 s), its end 0.4 s after that
    pause: the end stays, and the fix takes the words it covers, heard wrong."""
    said = timed((0.0, 0.9, "alors"), (1.3, 1.5, "pommes"), (1.5, 1.7, "d'éclair"), (1.8, 2.4, "ensuite"), speaker="Inès Moreau")
    applied = fixed_by(tmp_path, fix("00:01", "00:01.7", "premiers clients"), Transcript("fr", 5.0, (said,)))
    assert [s.text for s in applied.transcript.segments] == ["alors", "premiers clients", "ensuite"] and applied.unmatched == ()


def test_a_fix_over_the_first_silence_starts_at_zero(tmp_path):
    """Nothing heard before 3 s: a fix over 0-1.5 s is published at 0-1.5 s, as the line of the first speaker heard."""
    heard = Transcript("fr", 10.0, (timed((3.0, 3.5, "bonjour"), speaker="Camille Durand"),))
    applied = fixed_by(tmp_path, fix("00:00", "00:01.5", "Générique."), heard)
    assert _lines(applied)[0] == (0.0, 1.5, "Générique.", "Camille Durand")


@pytest.mark.parametrize("first_ends", [5.2, 5.3])
def test_a_fix_squeezed_between_words_keeps_the_hosts_times(tmp_path, first_ends):
    """Two tracks: Camille's word ends at or after Inès's starts (5.2 s). A fix at 5.0-5.4 s holds
    neither word's middle, and no time between them is free: it keeps the host's own times."""
    heard = Transcript("fr", 10.0, (timed((4.0, first_ends, "oui"), speaker="Camille Durand"), timed((5.2, 6.0, "non"), speaker="Inès Moreau")))
    applied = fixed_by(tmp_path, fix("00:05", "00:05.4", "Euh."), heard)
    assert _lines(applied)[1][:3] == (5.0, 5.4, "Euh.")


@pytest.mark.parametrize(
    "start, end, speaker", [("00:02.1", "00:02.6", "Camille Durand"), ("00:02.5", "00:03.5", "Camille Durand"), ("00:03.4", "00:03.9", "Inès Moreau")]
)
def test_a_fix_over_silence_is_the_line_of_the_nearest_speaker(tmp_path, start, end, speaker):
    """Camille stops at 2.0 s, Inès starts at 4.0 s: a fix nearer Camille is hers, one halfway
    (2.5-3.5 s) stays with the turn going on, Camille's, one nearer Inès is Inès's."""
    heard = Transcript("fr", 10.0, (timed((1.0, 2.0, "avant"), speaker="Camille Durand"), timed((4.0, 5.0, "après"), speaker="Inès Moreau")))
    applied = fixed_by(tmp_path, fix(start, end, "Euh."), heard)
    assert applied.transcript.segments[1].speaker == speaker and applied.unmatched[0].speaker == speaker


def test_the_message_for_a_fix_over_nothing_whose_speaker_is_unknown(tmp_path):
    """Nothing heard and two people: the line is nobody's, and the message names no one."""
    applied = fixed_by(tmp_path, fix("00:30", "00:35", "Deux."), Transcript("fr", 62.0, ()), people=("Camille Durand", "Inès Moreau"))
    assert [describe(missed) for missed in applied.unmatched] == [
        'the fix at 0:30.0-0:35.0 covers nothing Whisper heard; published at its place (name its speaker with speaker = "..." if that is wrong)'
    ]


def test_a_fixs_last_word_timed_with_no_length_at_the_end_is_taken_in(tmp_path):
    """Whisper times some words with no length (start = end: 2 to 7 in each recorded trailer,
    tests/data/whisper-elsewhere). The last one heard ("quatre." at 4.98 s) is taken in by a fix
    ending at 4.7 s whose last word it is, as a word with a length would be; not by one without it."""
    said = timed((3.0, 3.5, "un"), (3.5, 4.0, "deux"), (4.0, 4.5, "trois"), (4.98, 4.98, "quatre."), speaker="Inès Moreau")
    applied = fixed_by(tmp_path, fix("00:03", "00:04.7", "un deux trois quatre."), Transcript("fr", 5.0, (said,)))
    assert _lines(applied) == [(3.0, 4.98, "un deux trois quatre.", "Inès Moreau")]
    kept = fixed_by(tmp_path, fix("00:03", "00:04.7", "un deux trois."), Transcript("fr", 5.0, (said,)))  # not the fix's: the next line's
    assert [s.text for s in kept.transcript.segments] == ["un deux trois.", "quatre."]


def test_an_edge_moved_into_a_pause_cuts_in_its_middle_or_where_the_words_are():
    import math

    from pipeline.text.corrections import _cut

    assert _cut((1.0, 2.0)) == 1.5  # between two words: the middle of the pause
    assert _cut((-math.inf, 2.0)) == 2.0  # before the first word: where it starts
    assert _cut((5.0, math.inf)) == math.inf  # after the last word: past all that was heard


def test_a_phrase_is_looked_for_across_its_words_and_two_more_only():
    """Whisper splits "-vous" or "++" off a word: a phrase of one word may span three; spread
    over four words, as only letters said apart would be, it is no longer the phrase."""
    from pipeline.text.corrections import _replace_words

    three = (Word(0.0, 0.2, " C"), Word(0.2, 0.3, "+"), Word(0.3, 0.4, "+"), Word(0.5, 0.9, " code"))
    assert [w.text for w in _replace_words(three, "C++", "C plus plus")] == [" C plus plus", " code"]
    four = (Word(0.0, 0.2, " A"), Word(0.2, 0.3, "B"), Word(0.3, 0.4, "C"), Word(0.4, 0.5, "D"))
    assert [w.text for w in _replace_words(four, "ABCD", "abécédaire")] == [" A", "B", "C", "D"]
