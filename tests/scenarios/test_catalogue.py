"""A catalogue of many episodes stays cheap to rebuild and to ask about (bench/catalogue.py times
200): the work done is asserted here, not the time, which a shared machine makes unsteady."""

from __future__ import annotations

import builtins
import io
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.audio import ffmpeg
from pipeline.build import build
from pipeline.records import Segment, Transcript, Word
from pipeline.speech.transcriber import WHISPER_LANGUAGES

EPISODES = 3
# What `podcast status` has no use for: numpy (0.1 s to import), the Whisper engines, diarization and
# the host's report.
# (ctranslate2 alone is imported, 50 ms: the transcribe stage's fingerprint holds the compute type
# it picks on this CPU.)
HEAVY = ("numpy", "faster_whisper", "whisper", "torch", "resemblyzer", "sklearn", "matplotlib")


class SaysHello:
    """A transcriber that hears a short sentence in any recording: transcripts with words, as
    the publish gate reads them (a tone has none)."""

    def transcribe(self, path: Path, language: str, prompt: str = "", progress: object = None) -> Transcript:
        words = tuple(Word(0.5 + i * 0.5, 0.9 + i * 0.5, f" {w}", 0.9) for i, w in enumerate(["Bonjour", "à", "tous."]))
        return Transcript(language, ffmpeg.probe(path).duration, (Segment(0.5, 1.9, "Bonjour à tous.", words),))


@pytest.fixture
def catalogue(show_root, add_episode, monkeypatch):
    from pipeline.stages import transcribe

    monkeypatch.setattr(transcribe, "load", lambda *args, **kwargs: SaysHello())
    for n in range(1, EPISODES + 1):
        add_episode(f"{n:03d}-episode", f'title = "Épisode {n}"\npublished = 2026-01-{n:02d}T10:00:00+01:00\nnumber = {n}\n', seconds=3)
    report = build(show_root)
    assert report.ok and len(report.published) == EPISODES, report.failures
    return show_root


class Opened:
    """Every file opened while it is installed, by path."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[Path] = []
        real = io.open

        def recording(file, *args, **kwargs):
            if isinstance(file, (str, Path)):
                self.paths.append(Path(file).resolve())
            return real(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", recording)
        monkeypatch.setattr(io, "open", recording)  # pathlib's read_text, write_text and open


def test_a_rebuild_with_nothing_changed_runs_nothing_and_reads_no_transcript_or_audio(catalogue, monkeypatch):
    """Catches a no-op build that re-reads what it can know from the records and the hash cache:
    transcripts parsed again (the publish gate, the feed's linter), recordings hashed again."""
    ran = []
    opened = Opened(monkeypatch)
    report = build(catalogue, progress=lambda scope, stage, state, outcome: ran.append((scope, stage)) if state == "ran" else None)
    monkeypatch.undo()
    assert report.ok and len(report.published) == EPISODES
    assert ran == []
    read = [p for p in opened.paths if p.name != "lock"]
    transcripts = [p for p in read if p.name.startswith("transcript")]
    audio = [p for p in read if p.suffix in (".wav", ".flac", ".mp3", ".m4a")]
    assert transcripts == [] and audio == [], transcripts + audio
    # Per episode: its episode.toml, the records of its stages and what the gate measured (gate.json).
    per_episode = [p for p in read if "001-episode" in p.parts]
    assert {p.name for p in per_episode} <= {
        "episode.toml",
        "gate.json",
        *(f"{s}.json" for s in ("normalise", "transcribe", "diarize", "correct", "chapters", "quotes", "notes", "tag")),
    }


def test_status_loads_no_model_library(catalogue):
    """Catches `podcast status` importing a Whisper engine, torch or matplotlib (seconds of a
    host's wait, for a command that only reads records): podcast.toml's language check once
    imported faster_whisper for its list of languages."""
    script = (
        "import sys; from pipeline.cli import cli; cli(['status', '--root', sys.argv[1]], standalone_mode=False); "
        f"print('loaded:', [m for m in {HEAVY!r} if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", script, str(catalogue)], capture_output=True, text=True, check=True)
    assert "fresh" in done.stdout
    assert done.stdout.splitlines()[-1] == "loaded: []"


def test_the_languages_whisper_knows_are_faster_whispers():
    """WHISPER_LANGUAGES is a copy (importing faster_whisper for it cost status 0.2 s): a new
    faster-whisper with other languages fails here."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    assert WHISPER_LANGUAGES == set(_LANGUAGE_CODES)


def test_the_feeds_findings_are_kept_until_a_file_they_name_changes(catalogue, tmp_path):
    """Catches a kept lint that goes stale: a published transcript edited by hand after the build
    must be linted again (and, unchanged, must not be: the no-op test above)."""
    from pipeline.config import load_show
    from pipeline.files import HashCache
    from pipeline.layout import PublicLayout
    from pipeline.feed.lint import lint_built

    layout, hashes, kept = PublicLayout(load_show(catalogue)), HashCache(tmp_path / "hashes.json"), tmp_path / "lint.json"
    before = lint_built(layout, kept, hashes)
    assert kept.is_file() and lint_built(layout, kept, hashes) == before
    (catalogue / "public" / "episodes" / "002-episode" / "transcript.vtt").write_text("00:01.000 --> 00:02.000\nBonjour\n")
    new = [f for f in lint_built(layout, kept, hashes) if f not in before]
    assert [(f.where, f.tag) for f in new] == [("Épisode 2", "podcast:transcript")] and "WEBVTT" in new[0].message
