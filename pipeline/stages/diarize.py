"""The diarize stage: who speaks when, on a single-track recording, and the transcript cut at each turn.

The voices are told apart by `speech/voices.py` (voice prints, grouped and named in the order
they first speak). Episodes recorded one track per speaker already carry exact names from the
transcribe stage and pass through untouched.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..engine import Stage
from ..jobs import EpisodeJob
from ..records import Transcript
from ..results import Diarized, Levelled, Transcribed
from ..speech.voices import SAME_VOICE, SHORTEST_TURN, SLIVER, STEP, diarize, encoder_identity, speakers
from ..text.writers import get_writer

logger = logging.getLogger(__name__)


class Diarize(Stage):
    name = "diarize"
    version = 3
    result = Diarized

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        if job.episode.tracks:
            return {"tracks": True}
        return {
            "people": list(speakers(job.show, job.episode)),
            "encoder": encoder_identity(),
            "step": STEP,
            "shortest_turn": SHORTEST_TURN,
            "same_voice": SAME_VOICE,
            "sliver": SLIVER,
        }

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        files = {"transcript": job.results[Transcribed].transcript}
        if not job.episode.tracks:
            files["audio"] = job.results[Levelled].speech
        return files

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {"transcript": job.cache / "transcript.speakers.json"}

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> Diarized:
        files = self.inputs(job)
        transcript = Transcript.load(files["transcript"])
        spoken: dict[str, float] = {}
        note = ""
        if not job.episode.tracks:
            people = speakers(job.show, job.episode)
            try:
                transcript, spoken = diarize(transcript, files["audio"], people)
            except ImportError:
                note = "speakers not told apart: install the 'speakers' extra (make does)"
                logger.warning("%s: %s", job.episode.slug, note)
        out["transcript"].write_text(get_writer("json").write(transcript), encoding="utf-8")
        return Diarized(out["transcript"], spoken, note)
