"""Each transcript format, parsed back by a reader made for it."""

from __future__ import annotations

import html
import io
import json

import jsonschema
import pytest
import srt
import webvtt

from pipeline.records import Segment, Transcript, Word
from pipeline.writers import get_writer


def words(text: str, start: float, step: float = 0.3) -> tuple[Word, ...]:
    return tuple(Word(start + i * step, start + (i + 1) * step, (" " if i else "") + w) for i, w in enumerate(text.split()))


LONG = ("Alors le portage salarial, c'est une manière d'être indépendante tout en gardant la protection "
        "sociale d'une salariée, avec une société qui facture mes clients à ma place")
TRANSCRIPT = Transcript(
    language="fr",
    duration=40.0,
    segments=(
        Segment(0.0, 3.0, "Bonjour Inès, bienvenue.", words("Bonjour Inès, bienvenue.", 0.0), "Camille Durand"),
        Segment(3.5, 30.0, LONG, words(LONG, 3.5), "Inès Moreau"),
        Segment(30.5, 33.0, "Et ça coûte combien ?", words("Et ça coûte combien ?", 30.5), "Camille Durand"),
        Segment(33.0, 35.0, "Ça dépend.", words("Ça dépend.", 33.0), "Camille Durand"),
    ),
)

# The Podcasting 2.0 transcript JSON, from podcastindex.org's transcripts documentation.
P20_SCHEMA = {
    "type": "object",
    "required": ["version", "segments"],
    "properties": {
        "version": {"type": "string"},
        "segments": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["startTime", "endTime", "body"],
                "properties": {
                    "speaker": {"type": "string"},
                    "startTime": {"type": "number"},
                    "endTime": {"type": "number"},
                    "body": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
    },
}


def test_vtt_voices_and_line_length(tmp_path):
    path = tmp_path / "t.vtt"
    path.write_text(get_writer("vtt").write(TRANSCRIPT))
    captions = webvtt.read(str(path))
    assert all(len(line) <= 65 for c in captions for line in c.text.splitlines())
    assert all(len(c.text.splitlines()) <= 2 for c in captions)
    assert captions[0].voice == "Camille Durand"
    long_cues = [c for c in captions if c.voice == "Inès Moreau"]
    assert len(long_cues) >= 2  # the 170-character turn was cut at word boundaries
    assert " ".join(c.text.replace("\n", " ") for c in long_cues) == LONG
    assert captions[1].start == "00:00:03.500"


def test_srt_two_short_lines_and_names_on_turns():
    subtitles = list(srt.parse(get_writer("srt").write(TRANSCRIPT)))
    assert all(len(s.content.splitlines()) <= 2 for s in subtitles)
    assert all(len(line) <= 42 for s in subtitles for line in s.content.splitlines())
    assert subtitles[0].content.startswith("Camille Durand:")
    assert subtitles[1].content.startswith("Inès Moreau:")
    # Camille speaks again after Inès: named again; her next segment continues the turn: no name.
    assert subtitles[-2].content.startswith("Camille Durand:")
    assert not subtitles[-1].content.startswith("Camille")


def test_podcasting20_json_matches_the_schema():
    document = json.loads(get_writer("p20.json").write(TRANSCRIPT))
    jsonschema.validate(document, P20_SCHEMA)
    assert document["segments"][1] == {"speaker": "Inès Moreau", "startTime": 3.5, "endTime": 30.0, "body": LONG}


def test_text_paragraph_per_turn():
    text = get_writer("txt").write(TRANSCRIPT)
    paragraphs = text.strip().split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[2].replace("\n", " ") == "Camille Durand: Et ça coûte combien ? Ça dépend."


def test_internal_json_round_trips():
    document = json.loads(get_writer("json").write(TRANSCRIPT))
    assert Transcript.from_dict(document) == TRANSCRIPT


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown transcript format 'docx'"):
        get_writer("docx")


def test_vtt_escapes_markup_and_keeps_elided_words_whole(tmp_path):
    text = "Chez R&D <interne>, l'effort " + "vraiment " * 20 + "l'effort final"
    tokens = text.replace("l'", "l' ").split()
    words = []
    for i, token in enumerate(tokens):
        lead = "" if i == 0 or tokens[i - 1].endswith("'") else " "
        words.append(Word(i * 0.3, i * 0.3 + 0.3, lead + token))
    joined = "".join(w.text for w in words)
    segment = Segment(0.0, 30.0, joined, tuple(words))
    path = tmp_path / "t.vtt"
    path.write_text(get_writer("vtt").write(Transcript("fr", 30.0, (segment,))))
    assert "R&amp;D &lt;interne&gt;" in path.read_text()
    captions = webvtt.read(str(path))
    assert html.unescape(captions[0].text).startswith("Chez R&D <interne>")  # webvtt-py leaves entities as written
    for caption in captions:
        assert not caption.text.startswith("'") and not caption.text.rstrip().endswith(" l'")


def test_retyped_segment_without_words_is_cut_into_two_line_cues():
    """A host's `fix` in corrections.toml has text but no word timings: its cues still wrap in two lines."""
    text = ("Bonjour et bienvenue dans Freelance.Family, le podcast qui raconte le freelancing de l'intérieur. "
            "Je m'appelle Camille. Après un burn-out dans une entreprise de services numériques, je suis devenue "
            "indépendante, et j'ai acheté un micro.")
    transcript = Transcript("fr", 20.0, (Segment(0.0, 16.0, text, (), "Camille Durand"),))
    cues = webvtt.from_buffer(io.StringIO(get_writer("vtt").write(transcript))).captions
    assert len(cues) >= 2 and all(len(c.text.splitlines()) <= 2 for c in cues)
    assert " ".join(c.text.replace("\n", " ").replace("<v Camille Durand>", "") for c in cues).split() == text.split()
    assert cues[0].start_in_seconds == 0 and cues[-1].end_in_seconds == 16
    assert [c.start_in_seconds for c in cues] == sorted(c.start_in_seconds for c in cues)


def test_long_words_and_hyphenated_words_stay_whole():
    url = "https://example.org/" + "tres-long-chemin/" * 4  # 88 characters: longer than any line
    text = f"Tout est sur {url} et dans le porte-monnaie numérique des freelances, disait-elle au micro."
    transcript = Transcript("fr", 9.0, (Segment(0.0, 9.0, text, words(text, 0.0), "Camille Durand"),))
    vtt = get_writer("vtt").write(transcript)
    subtitles = get_writer("srt").write(transcript)
    txt = get_writer("txt").write(transcript)
    for written in (vtt, subtitles, txt):
        assert url in written and "porte-monnaie" in written and "disait-elle" in written
