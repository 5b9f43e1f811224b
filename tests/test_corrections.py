"""corrections.toml applied to a transcript: replacements, speaker names, retyped passages."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from pipeline.config import load_show
from pipeline.stages.corrections import Correct, apply, load
from pipeline.engine import Store, run_stage
from pipeline.errors import ConfigError
from pipeline.jobs import EpisodeJob, Paths, Resources
from pipeline.records import Episode, Segment, Transcript, Word
from pipeline.results import Diarized
from pipeline.stages.transcribe import load_transcript
from pipeline.writers import get_writer
from tests.test_writers import words


def transcript() -> Transcript:
    first = "Bienvenue dans Freelance Famile, au cower king de Lyon."
    second = "Le TGM moyen est de 450 euros, dit Camille."
    third = "Euh, je sais plus trop."
    return Transcript("fr", 20.0, (
        Segment(0.0, 5.0, first, words(first, 0.0), "SPEAKER_0"),
        Segment(5.0, 10.0, second, words(second, 5.0), "SPEAKER_1"),
        Segment(10.0, 12.0, third, words(third, 10.0), "SPEAKER_1"),
    ))


def corrections(tmp_path, text: str):
    path = tmp_path / "corrections.toml"
    path.write_text(text, encoding="utf-8")
    return load(path)


def test_replacements_whole_words_any_case(tmp_path):
    fixed = apply(transcript(), corrections(tmp_path, '[replace]\n"freelance famile" = "Freelance.Family"\n"cower king" = "coworking"\nTGM = "TJM"\nde = "DE"\n'))
    first, second, _ = fixed.segments
    assert first.text == "Bienvenue dans Freelance.Family, au coworking DE Lyon."
    assert second.text == "Le TJM moyen est DE 450 euros, dit Camille."
    # Words follow: the two heard words become one, timed from the first to the last.
    merged = next(w for w in first.words if "Freelance.Family" in w.text)
    assert merged.text == " Freelance.Family," and (merged.start, merged.end) == (0.6, 1.2)
    assert "".join(w.text for w in first.words).strip() == first.text


def test_a_replaced_run_of_words_keeps_its_place_speaker_and_doubt(tmp_path):
    said = (Word(0.0, 0.4, "Freelance", 0.9, "SPEAKER_0"), Word(0.4, 0.8, " Famile,", 0.3, "SPEAKER_0"),
            Word(0.8, 1.2, " bonjour", 0.8, "SPEAKER_0"), Word(1.2, 1.6, " cower", 0.6, "SPEAKER_0"),
            Word(1.6, 2.0, " king.", 0.7, "SPEAKER_0"))
    text = "Freelance Famile, bonjour cower king."
    heard = Transcript("fr", 2.0, (Segment(0.0, 2.0, text, said, "SPEAKER_0"),))
    fixed = apply(heard, corrections(tmp_path, '[replace]\n"freelance famile" = "Freelance.Family"\n"cower king" = "coworking"\n'))
    [segment] = fixed.segments
    assert segment.text == "Freelance.Family, bonjour coworking."
    assert "".join(w.text for w in segment.words) == segment.text  # no space made up before the first word
    first, _, last = segment.words
    assert (first.text, first.start, first.end, first.probability, first.speaker) == ("Freelance.Family,", 0.0, 0.8, 0.3, "SPEAKER_0")
    assert (last.text, last.start, last.end, last.probability, last.speaker) == (" coworking.", 1.2, 2.0, 0.6, "SPEAKER_0")


def test_whole_words_only(tmp_path):
    fixed = apply(transcript(), corrections(tmp_path, '[replace]\n"Lyo" = "X"\n"ami" = "Y"\n'))
    assert fixed.segments[0].text == transcript().segments[0].text  # no "Lyo" inside "Lyon", no "ami" in "Camille"
    assert fixed.segments[1].text == transcript().segments[1].text


def test_speaker_names(tmp_path):
    fixed = apply(transcript(), corrections(tmp_path, '[speakers]\nSPEAKER_0 = "Camille Durand"\nSPEAKER_1 = "Inès Moreau"\n'))
    assert [s.speaker for s in fixed.segments] == ["Camille Durand", "Inès Moreau", "Inès Moreau"]


def test_renaming_one_speaker_leaves_the_others(tmp_path):
    labelled = transcript()
    labelled = dataclasses.replace(labelled, segments=tuple(
        dataclasses.replace(s, words=tuple(dataclasses.replace(w, speaker=s.speaker) for w in s.words)) for s in labelled.segments))
    fixed = apply(labelled, corrections(tmp_path, '[speakers]\nSPEAKER_1 = "Inès Moreau"\n'))
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


def test_retyped_passage_replaces_the_segments_it_covers(tmp_path):
    fixed = apply(transcript(), corrections(tmp_path, '[[fix]]\nstart = "00:06"\nend = "00:11"\ntext = "Le TJM moyen est de 450 euros. Je ne sais plus."\n'))
    assert len(fixed.segments) == 2
    assert (fixed.segments[1].start, fixed.segments[1].end) == (5.0, 12.0)
    assert fixed.segments[1].text == "Le TJM moyen est de 450 euros. Je ne sais plus."


def test_a_fix_takes_the_segments_it_overlaps_and_no_more(tmp_path):
    """Segments that only touch the fix's span (end at its start, start at its end) stay."""
    fixed = apply(transcript(), corrections(tmp_path, '[[fix]]\nstart = "00:05"\nend = "00:10"\ntext = " Le TJM moyen. "\n'))
    assert [(s.start, s.end, s.text, s.speaker) for s in fixed.segments] == [
        (0.0, 5.0, transcript().segments[0].text, "SPEAKER_0"),
        (5.0, 10.0, "Le TJM moyen.", "SPEAKER_1"),
        (10.0, 12.0, "Euh, je sais plus trop.", "SPEAKER_1"),
    ]


def test_a_fix_over_nothing_does_not_stop_the_next(tmp_path):
    fixed = apply(transcript(), corrections(
        tmp_path, '[[fix]]\nstart = "00:15"\nend = "00:18"\ntext = "Rien."\n[[fix]]\nstart = "00:10"\nend = "00:12"\ntext = "Je ne sais plus."\n'))
    assert [s.text for s in fixed.segments][2] == "Je ne sais plus."


def test_bad_corrections_named(tmp_path):
    with pytest.raises(ConfigError, match=r"corrections.toml:1: unknown key 'remplace' \(did you mean 'replace'\?\)"):
        corrections(tmp_path, '[remplace]\na = "b"\n')
    with pytest.raises(ConfigError, match=r"end 00:05 is not after start 00:10"):
        corrections(tmp_path, '[[fix]]\nstart = "00:10"\nend = "00:05"\ntext = "x"\n')
    with pytest.raises(ConfigError, match=r"end 00:10 is not after start 00:10"):
        corrections(tmp_path, '[[fix]]\nstart = "00:10"\nend = "00:10"\ntext = "x"\n')


def test_no_file_no_change(tmp_path):
    assert apply(transcript(), load(tmp_path / "corrections.toml")) == transcript()


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


def heard(first: str, second: str) -> Transcript:
    return Transcript("fr", 14.0, (
        Segment(0.5, 5.0, first, words(first, 0.5), "Camille Durand"),
        Segment(10.2, 13.9, second, words(second, 10.2), "Camille Durand"),
    ))


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
    fixed = load_transcript(outcome.record.result.transcript)
    assert fixed.segments[0].text == "Bonjour Inès, merci d'être venu dans le studio, j'oublie."
    assert fixed.segments[1].text == "Alors, comment as-tu trouvé tes premiers clients ?"


def test_a_new_transcription_is_corrected_again(correct):
    """A new glossary or model transcribes again; the host's corrections.toml still applies."""
    correct(heard(*HEARD))
    outcome = correct(heard("Bonjour les mecs, merci d'être venue dans le studio aujourd'hui.", HEARD[1]))
    assert outcome.state == "ran", outcome.error
    fixed = load_transcript(outcome.record.result.transcript)
    assert fixed.segments[0].text == "Bonjour Inès, merci d'être venue dans le studio aujourd'hui."
    assert fixed.segments[1].text == "Alors, comment as-tu trouvé tes premiers clients ?"


def test_the_stage_names_the_episodes_corrections_file(correct, show_root):
    (show_root / "episodes" / "001-duo" / "corrections.toml").write_text('[speakers]\nSPEAKER_9 = "Inès"\n', encoding="utf-8")
    outcome = correct(heard(*HEARD))
    assert outcome.state == "failed"
    assert outcome.error.startswith(f"{show_root / 'episodes' / '001-duo' / 'corrections.toml'}: 'speakers': 'SPEAKER_9'")
