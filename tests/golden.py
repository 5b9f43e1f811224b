"""The bundled show built with a recorded transcript: what `tests/data/golden/feed.xml` holds.

Whisper is the one part of a build whose output moves with the machine (CTranslate2 picks its
kernels by CPU), so the golden build replays a transcript Whisper made of the trailer, recorded
in `tests/data/golden/`; everything else (levelling, diarization, corrections, chapters, quotes,
notes, tags, feed) runs for real. `make golden` records the transcript again and rewrites the
golden feed; nothing else does.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.records import Transcript

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "data" / "golden"
FEED = GOLDEN / "feed.xml"
SHOW_FILES = ("podcast.toml", "assets", "episodes")


def recorded(slug: str) -> Path:
    return GOLDEN / f"{slug}.whisper.json"


class Replays:
    """A transcriber that gives back the transcript recorded for the episode (its cache folder's name)."""

    def transcribe(self, path: Path, language: str, prompt: str = "", progress: object = None) -> Transcript:
        return Transcript.from_dict(json.loads(recorded(path.parent.name).read_text(encoding="utf-8")))


def copy_show(destination: Path) -> Path:
    destination.mkdir(parents=True)
    for name in SHOW_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, destination / name)
        else:
            shutil.copy2(source, destination / name)
    return destination


def build_replayed(root: Path) -> bytes:
    """Build the show at `root` with the recorded transcripts; the feed it wrote."""
    from pipeline.stages import transcribe

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transcribe, "load", lambda *args, **kwargs: Replays())
        report = build(root)
    if not report.ok:
        raise AssertionError(f"the golden build failed: {report.failures} {report.findings}")
    return (root / "public" / "feed.xml").read_bytes()
