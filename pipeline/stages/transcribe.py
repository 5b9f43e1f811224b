"""The transcribe stage: a transcript with word timings, by the Whisper engine the show chooses.

The model is loaded here for each episode (see `transcriber.py`), or once per worker when a
Dask cluster transcribes (`executors.py`): the stage then writes what the workers sent back.
Episodes recorded one track per speaker are transcribed per track and merged by time, so
their speaker labels are exact (`voices.py`); single-track ones get their speakers from `diarize.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine import Stage
from ..jobs import EpisodeJob
from ..records import Transcript
from ..results import Levelled, Transcribed
from ..speech.confidence import doubtful_passages
from ..speech.executors import Request
from ..speech.transcriber import CARRY_TEXT, GUARDS, TEMPERATURE, VAD_PARAMETERS, WINDOW_SECONDS, engine_identity, load, vocabulary_prompt
from ..speech.voices import label, merge
from ..text.writers import get_writer


class Transcribe(Stage):
    name = "transcribe"
    version = 8
    result = Transcribed

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        return {
            "options": job.show.transcription.to_dict(),
            "vad_parameters": VAD_PARAMETERS,
            "decoding": {**GUARDS, "condition_on_previous_text": CARRY_TEXT, "temperature": TEMPERATURE},
            "window_seconds": WINDOW_SECONDS,
            "prompt": vocabulary_prompt(job.show, job.episode),
            "language": job.episode.spoken_language(job.show),
            **engine_identity(job.show.transcription, job.show.root),
        }

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        levelled = job.results[Levelled]
        if levelled.speakers:  # one recording per speaker: each track is transcribed on its own
            return {f"track{i}": track for i, track in enumerate(levelled.tracks)}
        return {"audio": levelled.speech}

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {"transcript": job.cache / "transcript.json"}

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> Transcribed:
        # Made on a cluster (executors.py) or here: the same requests, the same fingerprint.
        heard = job.transcribed.get() if job.transcribed else self.hear(job)
        speakers = job.results[Levelled].speakers
        transcript = merge([label(part, name) for part, name in zip(heard, speakers, strict=True)]) if speakers else heard[0]
        out["transcript"].write_text(get_writer("json").write(transcript), encoding="utf-8")
        words = sum(len(s.words) for s in transcript.segments)
        return Transcribed(out["transcript"], len(transcript.segments), words, tuple(doubtful_passages(transcript)))

    def requests(self, job: EpisodeJob) -> list[Request]:
        """What to transcribe: each input (the programme, or each speaker's track), in order."""
        settings = job.show.transcription
        identity = engine_identity(settings, job.show.root)
        language, prompt = job.episode.spoken_language(job.show), vocabulary_prompt(job.show, job.episode)
        return [Request(path, settings, job.show.root, identity, language, prompt) for path in self.inputs(job).values()]

    def hear(self, job: EpisodeJob) -> list[Transcript]:
        """One transcript per request, made in this process."""
        # Loaded for each episode (0.5 s) rather than kept: diarization comes next, and with Whisper
        # still in memory an hour's build peaked at 1.05 GB instead of 0.9.
        transcriber = load(job.show.transcription, job.show.root)
        return [transcriber.transcribe(r.path, r.language, r.prompt, job.resources.progress) for r in self.requests(job)]
