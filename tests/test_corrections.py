"""corrections.toml applied to a transcript: replacements, speaker names, retyped passages."""

from __future__ import annotations

import pytest

from pipeline.stages.corrections import apply, load
from pipeline.errors import ConfigError
from pipeline.records import Segment, Transcript
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


def test_whole_words_only(tmp_path):
    fixed = apply(transcript(), corrections(tmp_path, '[replace]\n"Lyo" = "X"\n"ami" = "Y"\n'))
    assert fixed.segments[0].text == transcript().segments[0].text  # no "Lyo" inside "Lyon", no "ami" in "Camille"
    assert fixed.segments[1].text == transcript().segments[1].text


def test_speaker_names(tmp_path):
    fixed = apply(transcript(), corrections(tmp_path, '[speakers]\nSPEAKER_0 = "Camille Durand"\nSPEAKER_1 = "Inès Moreau"\n'))
    assert [s.speaker for s in fixed.segments] == ["Camille Durand", "Inès Moreau", "Inès Moreau"]


def test_renaming_nobody_is_an_error_not_a_silent_no_op(tmp_path):
    with pytest.raises(ConfigError, match=r"corrections.toml: 'speakers': 'SPEAKER_7' is not a speaker of this transcript \(SPEAKER_0, SPEAKER_1\)"):
        apply(transcript(), corrections(tmp_path, '[speakers]\nSPEAKER_7 = "Camille Durand"\n'))


def test_retyped_passage_replaces_the_segments_it_covers(tmp_path):
    fixed = apply(transcript(), corrections(tmp_path, '[[fix]]\nstart = "00:06"\nend = "00:11"\ntext = "Le TJM moyen est de 450 euros. Je ne sais plus."\n'))
    assert len(fixed.segments) == 2
    assert (fixed.segments[1].start, fixed.segments[1].end) == (5.0, 12.0)
    assert fixed.segments[1].text == "Le TJM moyen est de 450 euros. Je ne sais plus."


def test_bad_corrections_named(tmp_path):
    with pytest.raises(ConfigError, match=r"corrections.toml:1: unknown key 'remplace' \(did you mean 'replace'\?\)"):
        corrections(tmp_path, '[remplace]\na = "b"\n')
    with pytest.raises(ConfigError, match=r"end 00:05 is not after start 00:10"):
        corrections(tmp_path, '[[fix]]\nstart = "00:10"\nend = "00:05"\ntext = "x"\n')


def test_no_file_no_change(tmp_path):
    assert apply(transcript(), load(tmp_path / "corrections.toml")) == transcript()
