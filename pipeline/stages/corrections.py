"""The correct stage: a host's corrections to the transcript, kept in git as `episodes/<slug>/corrections.toml`.

Applied to Whisper's transcript after every transcription, so they survive a re-transcription;
editing them re-runs this stage and what follows, never Whisper. What the file holds and how a
correction is made: `text/corrections.py`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..config import load_corrections
from ..engine import Stage
from ..jobs import EpisodeJob
from ..records import Transcript
from ..results import Corrected, Diarized
from ..speech.voices import speakers
from ..text.corrections import EDGE_REACH, FILE, PAUSE, apply, describe
from ..text.writers import get_writer

logger = logging.getLogger(__name__)


class Correct(Stage):
    name = "correct"
    # 3: a [replace] phrase changes the words exactly where it changes the text; 4: a fix ending
    # after the last word heard; 5: a phrase inside a longer word
    version = 5
    result = Corrected

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        return {"people": list(speakers(job.show, job.episode)), "edge_reach": EDGE_REACH, "pause": PAUSE}

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        files = {"transcript": job.results[Diarized].transcript}
        corrections = job.episode.folder / FILE
        if corrections.is_file():
            files["corrections"] = corrections
        return files

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {"transcript": job.cache / "transcript.corrected.json"}

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> Corrected:
        files = self.inputs(job)
        path = job.episode.folder / FILE
        applied = apply(Transcript.load(files["transcript"]), load_corrections(path), path, speakers(job.show, job.episode))
        for missed in applied.unmatched:
            logger.warning("%s: %s", path, describe(missed))
        out["transcript"].write_text(get_writer("json").write(applied.transcript), encoding="utf-8")
        return Corrected(out["transcript"], applied.unmatched)
