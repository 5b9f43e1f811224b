"""The transcribe stage: a transcript with word timings, by the Whisper engine the show chooses.

The model is loaded here for each episode (see `transcriber.py`), or once per worker when a
Dask cluster transcribes (`executors.py`): the stage then writes what the workers sent back.
Episodes recorded one track per speaker are transcribed per track and merged by time, so
their speaker labels are exact; single-track ones get their speakers from `diarize.py`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ..engine import Stage
from ..jobs import EpisodeJob
from ..records import Episode, Show, Transcript, Word
from ..results import Levelled, Passage, Transcribed
from ..speech.executors import Request
from ..speech.transcriber import CARRY_TEXT, GUARDS, TEMPERATURE, VAD_PARAMETERS, WINDOW_SECONDS, engine_identity, load
from ..text.writers import get_writer


def vocabulary_prompt(show: Show, episode: Episode) -> str:
    """Whisper's initial prompt: the show's name, its glossary and the people speaking.

    Whisper continues the style and spelling of its prompt, so names and jargon come out right
    more often; measured on the trailer, it also kept the opening sentence that was otherwise
    skipped whatever the level of the audio.
    """
    names = [p.name for p in (*show.hosts, *episode.guests)] + [t.speaker for t in episode.tracks]
    parts = [show.title, ", ".join(show.transcription.glossary), ", ".join(dict.fromkeys(names))]
    return ". ".join(p for p in parts if p) + "."


LOW_CONFIDENCE = 0.4  # word probability under which a host should listen again
VERY_LOW_CONFIDENCE = 0.15  # a word this unsure is worth a look even alone


def doubtful_passages(transcript: Transcript) -> list[Passage]:
    """Runs of low-probability words, for a host to review.

    A lone unsure word is usually a short one Whisper spelt right anyway ("qui", "un"); only
    runs of two or more, or a single very unsure word, are worth a host's time.
    """
    passages: list[Passage] = []
    for segment in transcript.segments:
        run: list[Word] = []
        for word in (*segment.words, None):
            if word is not None and word.probability < LOW_CONFIDENCE:
                run.append(word)
                continue
            if len(run) > 1 or (run and run[0].probability < VERY_LOW_CONFIDENCE):
                passages.append(Passage(run[0].start, run[-1].end, "".join(w.text for w in run).strip()))
            run = []
    return passages


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


def label(transcript: Transcript, speaker: str) -> Transcript:
    """Every segment and word of a one-speaker track, named after its speaker."""
    segments = tuple(
        replace(s, speaker=speaker, words=tuple(replace(w, speaker=speaker) for w in s.words)) for s in transcript.segments
    )
    return replace(transcript, segments=segments)


def merge(parts: list[Transcript]) -> Transcript:
    """Speaker tracks on one timeline: their segments in order of time."""
    segments = sorted((s for part in parts for s in part.segments), key=lambda s: (s.start, s.end))
    return replace(parts[0], segments=tuple(segments), duration=max(p.duration for p in parts))

