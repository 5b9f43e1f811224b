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
from pipeline.text.writers import cues, get_writer


def words(text: str, start: float, step: float = 0.3) -> tuple[Word, ...]:
    return tuple(Word(start + i * step, start + (i + 1) * step, (" " if i else "") + w) for i, w in enumerate(text.split()))


LONG = (
    "Alors le portage salarial, c'est une manière d'être indépendante tout en gardant la protection "
    "sociale d'une salariée, avec une société qui facture mes clients à ma place"
)
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
    text = (
        "Bonjour et bienvenue dans Freelance.Family, le podcast qui raconte le freelancing de l'intérieur. "
        "Je m'appelle Camille. Après un burn-out dans une entreprise de services numériques, je suis devenue "
        "indépendante, et j'ai acheté un micro."
    )
    transcript = Transcript("fr", 20.0, (Segment(0.0, 16.0, text, (), "Camille Durand"),))
    cues = webvtt.from_buffer(io.StringIO(get_writer("vtt").write(transcript))).captions
    assert len(cues) >= 2 and all(len(c.text.splitlines()) <= 2 for c in cues)
    assert " ".join(c.text.replace("\n", " ").replace("<v Camille Durand>", "") for c in cues).split() == text.split()
    assert cues[0].start_in_seconds == 0 and cues[-1].end_in_seconds == 16
    assert [c.start_in_seconds for c in cues] == sorted(c.start_in_seconds for c in cues)


def test_cues_start_and_end_with_their_words():
    """A long segment cut in cues: each cue runs from its first word's start to its last word's end."""
    said = words(LONG, 3.5)
    cut = list(cues(Transcript("fr", 40.0, (Segment(3.5, 30.0, LONG, said, "Inès"),)), 65))
    assert len(cut) >= 2
    at = 0
    for start, end, text, speaker in cut:
        count = len(text.split())
        assert (start, end, speaker) == (said[at].start, said[at + count - 1].end, "Inès")
        at += count
    assert at == len(said)


def test_a_segment_that_fits_two_lines_stays_one_cue():
    text = "Alors le portage salarial, c'est une manière d'être indépendante tout en gardant la protection"
    assert 65 < len(text) <= 130
    assert [c[2] for c in cues(Transcript("fr", 9.0, (Segment(0.0, 9.0, text, words(text, 0.0)),)), 65)] == [text]


def test_two_full_lines_are_one_cue():
    """65 characters twice, to the letter: the limit is a limit, not one character less."""
    line = " ".join(["mots"] * 12 + ["fins."])
    assert len(line) == 65
    text = line + " " + line
    assert [c[2] for c in cues(Transcript("fr", 9.0, (Segment(0.0, 9.0, text, words(text, 0.0)),)), 65)] == [text]
    assert len(list(cues(Transcript("fr", 9.0, (Segment(0.0, 9.0, text + " et", words(text + " et", 0.0)),)), 65))) == 2


def test_retyped_words_are_timed_by_their_length():
    """No word timings (a host's fix): each word gets the share of the segment its length takes."""
    text = "Un deux trois " + "mot " * 40
    segment = Segment(2.0, 30.0, text.strip(), ())
    cut = list(cues(Transcript("fr", 30.0, (segment,)), 65))
    assert cut[0][0] == 2.0 and cut[-1][1] == 30.0
    # The first cue holds "Un deux trois" and 29 "mot": 130 of the 174 characters (each word with
    # its space), so it ends 28 s x 130/174 after 2.0 s.
    assert cut[0][2] == "Un deux trois" + " mot" * 29
    assert cut[0][1] == pytest.approx(2.0 + 28.0 * 130 / 174, abs=0.001) and cut[1][0] == cut[0][1]


def test_long_words_and_hyphenated_words_stay_whole():
    url = "https://example.org/" + "tres-long-chemin/" * 4  # 88 characters: longer than any line
    text = f"Tout est sur {url} et dans le porte-monnaie numérique des freelances, disait-elle au micro."
    transcript = Transcript("fr", 9.0, (Segment(0.0, 9.0, text, words(text, 0.0), "Camille Durand"),))
    vtt = get_writer("vtt").write(transcript)
    subtitles = get_writer("srt").write(transcript)
    txt = get_writer("txt").write(transcript)
    for written in (vtt, subtitles, txt):
        assert url in written and "porte-monnaie" in written and "disait-elle" in written


def test_srt_gives_a_long_name_its_own_cue_rather_than_a_third_line():
    name = "Marie-Christine de La Tour du Pin-Chambly"  # 41 characters: a line of its own
    text = "Bonjour à toutes et à tous, bienvenue dans le studio de Freelance.Family aujourd'hui."
    written = get_writer("srt").write(Transcript("fr", 9.0, (Segment(1.0, 5.2, text, words(text, 1.0), name),)))
    subtitles = list(srt.parse(written))
    assert [(s.index, s.start.total_seconds(), s.end.total_seconds(), s.content.splitlines()) for s in subtitles] == [
        (1, 1.0, 4.3, [f"{name}:", "Bonjour à toutes et à tous, bienvenue dans"]),
        (2, 1.0, 4.3, ["le studio de"]),  # what the name pushed onto a third line, at the same time
        (3, 4.3, 4.9, ["Freelance.Family aujourd'hui."]),
    ]


def test_podcasting20_json_times_to_the_millisecond():
    transcript = Transcript("fr", 5.0, (Segment(0.12345, 2.98765, "Bonjour.", (), "Camille"),))
    assert json.loads(get_writer("p20.json").write(transcript))["segments"] == [
        {"speaker": "Camille", "startTime": 0.123, "endTime": 2.988, "body": "Bonjour."}
    ]


def test_podcasting20_json_without_speakers_has_no_speaker_key():
    transcript = Transcript("fr", 5.0, (Segment(0.12345, 2.98765, "Bonjour Inès.", ()),))
    text = get_writer("p20.json").write(transcript)
    assert '"Bonjour Inès."' in text  # UTF-8 as written, not \\u escapes
    assert json.loads(text) == {"version": "1.0.0", "segments": [{"startTime": 0.123, "endTime": 2.988, "body": "Bonjour Inès."}]}


def test_text_without_speakers_a_paragraph_per_segment_at_80_columns():
    first = "a" * 40 + " " + "b" * 39  # 80 characters: one line
    too_long = "a" * 40 + " " + "b" * 40  # 81: two
    assert get_writer("txt").write(Transcript("fr", 1.0, (Segment(0.0, 1.0, too_long, ()),))) == "a" * 40 + "\n" + "b" * 40 + "\n"
    second = "Un " + "mot " * 30 + "porte-monnaie final."
    text = get_writer("txt").write(Transcript("fr", 9.0, (Segment(0.0, 4.0, first, ()), Segment(4.0, 9.0, second.strip(), ()))))
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == first  # no "Name: ", and 80 columns fit
    assert all(len(line) <= 80 for line in text.splitlines()) and max(len(line) for line in paragraphs[1].splitlines()) > 70
    assert not any(line.endswith("-") for line in text.splitlines())


def test_vtt_voice_keeps_apostrophes_and_escapes_markup():
    transcript = Transcript("fr", 2.0, (Segment(0.0, 2.0, "Bonjour.", (), "Inès O'Brien <invitée>"),))
    assert "<v Inès O'Brien &lt;invitée&gt;>Bonjour.</v>" in get_writer("vtt").write(transcript)


def test_unknown_format_lists_the_known_ones():
    with pytest.raises(ValueError) as error:
        get_writer("docx")
    assert str(error.value) == "unknown transcript format 'docx'; choose from vtt, srt, p20.json, txt, html, json"


def test_html_transcript_cite_time_p_per_turn():
    """The namespace's HTML transcript (transcripts.md): per turn <cite>Name:</cite>, <time>m:ss</time>, <p>words</p>."""
    import lxml.html

    late = Transcript(
        language="fr",
        duration=4000.0,
        segments=(
            *TRANSCRIPT.segments,
            Segment(3725.0, 3730.0, "R&D <b>pas</b> du gras", speaker="Inès <Moreau>"),
        ),
    )
    body = lxml.html.fragment_fromstring(get_writer("html").write(late), create_parent="body")
    found = [(e.tag, e.text_content()) for e in body]
    assert found == [
        ("cite", "Camille Durand:"),
        ("time", "0:00"),
        ("p", "Bonjour Inès, bienvenue."),
        ("cite", "Inès Moreau:"),
        ("time", "0:03"),
        ("p", LONG),
        ("cite", "Camille Durand:"),
        ("time", "0:30"),
        ("p", "Et ça coûte combien ? Ça dépend."),
        ("cite", "Inès <Moreau>:"),
        ("time", "1:02:05"),
        ("p", "R&D <b>pas</b> du gras"),  # text, never markup
    ]


def test_html_transcript_without_speakers_has_no_cite():
    bare = Transcript(language="fr", duration=10.0, segments=(Segment(0.0, 2.0, "Un."), Segment(2.0, 4.0, "Deux.")))
    assert get_writer("html").write(bare) == "<time>0:00</time>\n<p>Un.</p>\n<time>0:02</time>\n<p>Deux.</p>\n"
