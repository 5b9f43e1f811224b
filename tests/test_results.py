"""Stage results as the engine keeps them: JSON in the stage's record, and paths renamed into place."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.results import LevelReport, Levelled, Passage, Results, Tagged, Transcribed, dump, load, moved

LEVELLED = Levelled(
    audio=Path("/cache/levelled.mp3.tmp"),
    speech=Path("/cache/speech.flac.tmp"),
    aac=None,
    tracks=(Path("/cache/track0.flac.tmp"), Path("/cache/track1.flac.tmp")),
    speakers=("Camille", "Inès"),
    duration=61.25,
    bitrate="64k",
    integrated=-16.0,
    true_peak=-1.2,
    lra=6.5,
    limited=False,
    report=LevelReport(
        target=-16.0, channels=1, input_integrated=-23.4, input_true_peak=-3.1, gain=7.4, levelled_range=17.2, encodes=2, mp3_quality=7, trimmed=(0.25, 1.5)
    ),
)


def test_dump_is_json_with_paths_as_text_and_loads_back():
    data = dump(LEVELLED)
    assert json.loads(json.dumps(data)) == data  # plain JSON: what the record file holds
    assert data["tracks"] == ["/cache/track0.flac.tmp", "/cache/track1.flac.tmp"] and data["aac"] is None
    assert load(Levelled, data) == LEVELLED
    heard = Transcribed(Path("/cache/t.json"), 3, 40, (Passage(1.5, 2.0, "euh"),))
    assert load(Transcribed, dump(heard)) == heard


def test_a_record_of_another_shape_loads_as_nothing():
    assert load(Tagged, dump(LEVELLED)) is None  # a stage's older record: the stage runs again


def test_moved_renames_every_output_path_single_or_in_a_tuple():
    moves = {
        Path("/cache/levelled.mp3.tmp"): Path("/cache/levelled.mp3"),
        Path("/cache/track1.flac.tmp"): Path("/cache/track1.flac"),
    }
    result = moved(LEVELLED, moves)
    assert result.audio == Path("/cache/levelled.mp3")
    assert result.speech == Path("/cache/speech.flac.tmp")  # not an output written to a temporary: kept
    assert result.tracks == (Path("/cache/track0.flac.tmp"), Path("/cache/track1.flac"))
    assert result.speakers == ("Camille", "Inès") and result.aac is None and result.duration == 61.25


def test_results_found_by_their_type():
    results = Results()
    results.add(LEVELLED)
    assert results[Levelled] is LEVELLED
    assert results.get(Levelled) is LEVELLED and results.get(Tagged) is None
