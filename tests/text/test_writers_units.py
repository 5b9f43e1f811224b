"""Transcript formats: what a host sees opening the files `podcast transcribe` writes."""

from __future__ import annotations

from pipeline.records import Segment, Transcript, Word
from pipeline.text.writers import get_writer


def test_the_full_json_transcript_keeps_accents_as_written():
    """`podcast transcribe --format json`: "Inès" in the file, not "In\\u00e8s"."""
    transcript = Transcript("fr", 2.0, (Segment(0.0, 2.0, "Bonjour Inès.", (Word(0.0, 0.8, "Bonjour"), Word(0.8, 2.0, " Inès.")), "Camille"),))
    written = get_writer("json").write(transcript)
    assert '"Bonjour Inès."' in written and '" Inès."' in written
    assert "\\u" not in written
