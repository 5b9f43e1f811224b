"""The typed records: what they turn into for the cache and the fingerprints, and back."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from pipeline.records import Chapter, Episode, Link, Loudness, Person, Segment, Track, Transcript, Word


def test_a_transcript_goes_through_json_and_comes_back_the_same():
    transcript = Transcript(
        "fr",
        12.5,
        (
            Segment(0.0, 2.0, "Bonjour Inès.", (Word(0.0, 0.8, "Bonjour", 0.9, "Camille"), Word(0.8, 2.0, " Inès.", 0.4, "Camille")), "Camille"),
            Segment(2.5, 4.0, "Retapé.", (), "Inès"),
        ),
        engine="faster-whisper",
        model="base",
        options={"beam_size": 5, "glossary": ["TJM"]},
    )
    data = json.loads(json.dumps(transcript.to_dict()))
    assert data["segments"][0]["words"][1] == {"start": 0.8, "end": 2.0, "text": " Inès.", "probability": 0.4, "speaker": "Camille"}
    assert Transcript.from_dict(data) == transcript
    assert transcript.text == "Bonjour Inès. Retapé."


def test_episode_metadata_is_what_a_reader_sees_without_where_files_lie(tmp_path):
    episode = Episode(
        slug="007-portage",
        folder=tmp_path,
        title="Le portage",
        published=datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc),
        audio=(tmp_path / "a.wav",),
        number=7,
        guests=(Person("Inès", url="https://example.org"),),
        links=(Link("Site", "https://example.org"),),
        chapters=(Chapter(0.0, "Intro"),),
        tracks=(Track("Camille", tmp_path / "a.wav", 1.5, 0),),
        jingles=False,
        image=tmp_path / "covers" / "cover.png",
    )
    assert episode.metadata() == {
        "slug": "007-portage",
        "title": "Le portage",
        "published": "2026-03-02T08:30:00+00:00",
        "number": 7,
        "season": None,
        "type": "full",
        "description": "",
        "guests": [{"name": "Inès", "role": "", "url": "https://example.org", "img": "", "bio": "", "email": "", "kind": ""}],
        "links": [{"title": "Site", "url": "https://example.org"}],
        "chapters": [{"start": 0.0, "title": "Intro", "url": ""}],
        "explicit": None,
        "draft": False,
        "image": "cover.png",
        "language": "",
        "speaking_order": [],
    }
    assert Episode("e", tmp_path, "E", episode.published, ()).metadata()["image"] == ""


def test_recordings_are_every_file_once_in_order(tmp_path):
    a, b, c = (tmp_path / name for name in ("a.wav", "b.wav", "c.wav"))
    episode = Episode(
        "e", tmp_path, "E", datetime(2026, 1, 5, tzinfo=timezone.utc), (a, b), tracks=(Track("X", c), Track("Y", b, channel=1), Track("Z", c, channel=0))
    )
    assert episode.recordings == (a, b, c)


def test_loudness_target_by_channels_unless_set():
    assert Loudness().target_for(1) == -19.0 and Loudness().target_for(2) == -16.0  # mono plays 3 dB louder
    assert Loudness(target=-18.0).target_for(1) == Loudness(target=-18.0).target_for(2) == -18.0


def test_a_mark_is_punctuation_alone():
    assert Word(0, 1, " ?").is_mark and Word(0, 1, " !…").is_mark and Word(0, 1, "").is_mark
    assert not Word(0, 1, " ça").is_mark and not Word(0, 1, " 450").is_mark and not Word(0, 1, " l'").is_mark


def test_paths_become_strings():
    assert Track("X", Path("/a/b.wav")).to_dict() == {"speaker": "X", "file": "/a/b.wav", "offset": 0.0, "channel": None}


def test_a_segment_without_words_reads_back_with_none():
    assert Segment.from_dict({"start": 1.0, "end": 2.0, "text": "Retapé.", "speaker": "Inès"}) == Segment(1.0, 2.0, "Retapé.", (), "Inès")
