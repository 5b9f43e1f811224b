"""Stage 2: a French transcript with word timings, by faster-whisper (CTranslate2).

The model is loaded once per build and shared by every episode. Audio is decoded by our own
ffmpeg wrapper and handed over as samples, so no decoder of faster-whisper's is involved.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

from . import ffmpeg, models
from .engine import Stage
from .jobs import EpisodeJob
from .records import Episode, Segment, Show, Transcript, Transcription, Word
from .loudness import elapsed, silences
from .phantoms import is_phantom
from .writers import get_writer

logger = logging.getLogger(__name__)

WHISPER_RATE = 16000  # Whisper's models take 16 kHz mono
# Measured on the trailer: with faster-whisper's default 400 ms of padding around voice
# activity, Whisper skipped the opening sentence; 800 ms keeps it.
VAD_PARAMETERS = {"speech_pad_ms": 800}
# faster-whisper computes the features of all the audio it is given at once: an hour took
# 3.6 GB here. Windows cut in pauses keep memory flat for any length; on 20 minutes of dense
# speech, 10-minute windows peaked at 1.04 GB (process tree), 5-minute ones at 0.80 GB.
WINDOW_SECONDS = 300.0
PAUSE_DB, PAUSE_SECONDS = -40, 0.5  # what counts as a pause to cut a window in


def windows(duration: float, pauses: list[tuple[float, float | None]], length: float) -> list[tuple[float, float]]:
    """Spans of at most `length` seconds covering [0, duration], each cut in the middle of a pause
    when one lies in the second half of the span (else at `length`, as a last resort)."""
    middles = [(a + (b if b is not None else duration)) / 2 for a, b in pauses]
    spans = []
    start = 0.0
    while duration - start > length:
        limit = start + length
        inside = [m for m in middles if start + length / 2 <= m <= limit]
        cut = max(inside) if inside else limit
        spans.append((start, cut))
        start = cut
    spans.append((start, duration))
    return spans


class FasterWhisper:
    """faster-whisper behind a small interface: `transcribe(path, language) -> Transcript`."""

    engine = "faster-whisper"

    def __init__(self, settings: Transcription, root: Path):
        from faster_whisper import WhisperModel

        self.settings = settings
        self.model_name = settings.model
        self.window = WINDOW_SECONDS
        self.model = WhisperModel(models.resolve(settings.model, root), device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 1)

    @staticmethod
    def has_speech(audio) -> bool:
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        return bool(get_speech_timestamps(audio, VadOptions(**VAD_PARAMETERS)))

    def transcribe(
        self, path: Path, language: str, prompt: str = "", progress: Callable[[float, float], None] | None = None
    ) -> Transcript:
        options: dict[str, Any] = {
            "language": language, "beam_size": self.settings.beam_size, "vad_filter": self.settings.vad, "word_timestamps": True,
        }
        if self.settings.vad:
            options["vad_parameters"] = VAD_PARAMETERS
        if prompt:
            options["initial_prompt"] = prompt
        scan = ffmpeg.run(["-stats_period", "3600", "-i", str(path), "-af", f"silencedetect=n={PAUSE_DB}dB:d={PAUSE_SECONDS}",
                           "-f", "null", "-"], about=path)
        duration = elapsed(scan.stderr) or 0.0
        segments: list[Segment] = []
        for start, end in windows(duration, silences(scan.stderr), self.window):
            audio = ffmpeg.decode(path, WHISPER_RATE, start, end)
            if self.settings.vad and not self.has_speech(audio):
                # Whisper fed no speech invents some (or spends seconds in fallback decoding to drop it).
                continue
            pieces, _info = self.model.transcribe(audio, **options)
            for piece in pieces:
                words = tuple(
                    Word(round(start + w.start, 3), round(start + w.end, 3), w.word, round(w.probability, 3)) for w in piece.words or ()
                )
                text = piece.text.strip()
                # Whisper's "..." on noise, and the credits it learnt from subtitles, are not speech.
                if any(c.isalnum() for c in text) and not is_phantom(text, language):
                    segments.append(collapse_loops(Segment(round(start + piece.start, 3), round(start + piece.end, 3), text, words)))
                if progress:
                    progress(start + piece.end, duration)
        return Transcript(
            language=language,
            duration=round(duration, 3),
            segments=tuple(segments),
            engine=self.engine,
            model=self.model_name,
            options={**options, "window_seconds": self.window},
        )


def vocabulary_prompt(show: Show, episode: Episode) -> str:
    """Whisper's initial prompt: the show's name, its glossary and the people speaking.

    Whisper continues the style and spelling of its prompt, so names and jargon come out right
    more often; measured on the trailer, it also kept the opening sentence that was otherwise
    skipped whatever the level of the audio.
    """
    names = [p.name for p in (*show.hosts, *episode.guests)] + [t.speaker for t in episode.tracks]
    parts = [show.title, ", ".join(show.transcription.glossary), ", ".join(dict.fromkeys(names))]
    return ". ".join(p for p in parts if p) + "."


def engine_identity(settings: Transcription, root: Path) -> dict[str, str]:
    return {
        "engine": settings.engine,
        "engine_version": version("faster-whisper"),
        "ctranslate2": version("ctranslate2"),
        "model": models.identity(settings.model, root),
    }


LOW_CONFIDENCE = 0.4  # word probability under which a host should listen again
VERY_LOW_CONFIDENCE = 0.15  # a word this unsure is worth a look even alone


def doubtful_passages(transcript: Transcript) -> list[dict[str, Any]]:
    """Runs of low-probability words, for a host to review: [{start, end, text}].

    A lone unsure word is usually a short one Whisper spelt right anyway ("qui", "un"); only
    runs of two or more, or a single very unsure word, are worth a host's time.
    """
    passages: list[dict[str, Any]] = []
    for segment in transcript.segments:
        run: list[Word] = []
        for word in (*segment.words, None):
            if word is not None and word.probability < LOW_CONFIDENCE:
                run.append(word)
                continue
            if len(run) > 1 or (run and run[0].probability < VERY_LOW_CONFIDENCE):
                passages.append({"start": run[0].start, "end": run[-1].end, "text": "".join(w.text for w in run).strip()})
            run = []
    return passages


class Transcribe(Stage):
    name = "transcribe"
    version = 5

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        return {
            "options": job.show.transcription.to_dict(),
            "vad_parameters": VAD_PARAMETERS,
            "window_seconds": WINDOW_SECONDS,
            "prompt": vocabulary_prompt(job.show, job.episode),
            "language": spoken_language(job.show, job.episode),
            **engine_identity(job.show.transcription, job.show.root),
        }

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        levelled = job.records["normalise"]
        speakers = levelled.data.get("speakers") or []
        if speakers:  # one recording per speaker: each track is transcribed on its own
            return {f"track{i}": levelled.path(f"track{i}") for i in range(len(speakers))}
        return {"audio": levelled.path("speech")}

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {"transcript": job.cache / "transcript.json"}

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> dict[str, Any]:
        settings = job.show.transcription
        transcriber = job.resources.get("transcriber", lambda: FasterWhisper(settings, job.show.root))
        prompt = vocabulary_prompt(job.show, job.episode)
        files = self.inputs(job)
        speakers = job.records["normalise"].data.get("speakers") or []
        if speakers:
            parts = [
                label(transcriber.transcribe(files[f"track{i}"], spoken_language(job.show, job.episode), prompt, job.resources.progress), name)
                for i, name in enumerate(speakers)
            ]
            transcript = merge(parts)
        else:
            transcript = transcriber.transcribe(files["audio"], spoken_language(job.show, job.episode), prompt, job.resources.progress)
        out["transcript"].write_text(get_writer("json").write(transcript), encoding="utf-8")
        words = sum(len(s.words) for s in transcript.segments)
        doubtful = doubtful_passages(transcript)
        return {"segments": len(transcript.segments), "words": words, "speakers": speakers, "doubtful": doubtful}


LOOP_REPEATS = 3  # a phrase said this many times in a row more is a decoding loop, not speech
LOOP_WORDS = 12  # the longest phrase looked for


def collapse_loops(segment: Segment) -> Segment:
    """Keep one copy of a phrase Whisper repeats in a loop ("et j'ai l'opin et j'ai l'opin…")."""
    words = list(segment.words)
    if len(words) < 2 * (LOOP_REPEATS + 1):
        return segment
    keys = [re.sub(r"\W+", "", w.text.casefold()) for w in words]
    changed = False
    for size in range(1, LOOP_WORDS + 1):
        i = 0
        while i + size * (LOOP_REPEATS + 1) <= len(keys):
            phrase = keys[i : i + size]
            copies = 1
            while keys[i + copies * size : i + (copies + 1) * size] == phrase:
                copies += 1
            if copies > LOOP_REPEATS:
                del words[i + size : i + copies * size]
                del keys[i + size : i + copies * size]
                changed = True
            i += 1
    if not changed:
        return segment
    return replace(segment, text="".join(w.text for w in words).strip(), words=tuple(words), end=words[-1].end)


def spoken_language(show: Show, episode: Episode) -> str:
    return episode.language or show.language


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


def load_transcript(path: Path) -> Transcript:
    return Transcript.from_dict(json.loads(path.read_text(encoding="utf-8")))
