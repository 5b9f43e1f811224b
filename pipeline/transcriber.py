"""One `Transcriber` interface, two Whisper engines: faster-whisper (CTranslate2) and openai-whisper.

Both get the same treatment around the model: audio decoded by our own ffmpeg wrapper, cut in
windows at pauses, voice activity detection (Silero, shipped with faster-whisper) before decoding,
and the same guards against invented text. Only `_decode` differs.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from . import ffmpeg, models
from .errors import MissingToolError
from .loudness import elapsed, silences
from .phantoms import is_phantom
from .records import Segment, Transcript, Transcription, Word

logger = logging.getLogger(__name__)

ENGINES = ("faster-whisper", "openai-whisper")
WHISPER_RATE = 16000  # Whisper's models take 16 kHz mono
# Measured on the trailer: with faster-whisper's default 400 ms of padding around voice
# activity, Whisper skipped the opening sentence; 800 ms keeps it.
VAD_PARAMETERS = {"speech_pad_ms": 800}
# faster-whisper computes the features of all the audio it is given at once: an hour took
# 3.6 GB here. Windows cut in pauses keep memory flat for any length; on 20 minutes of dense
# speech, 10-minute windows peaked at 1.04 GB (process tree), 5-minute ones at 0.80 GB.
WINDOW_SECONDS = 300.0
PAUSE_DB, PAUSE_SECONDS = -40, 0.5  # what counts as a pause to cut a window in
# Whisper's own guards, the same on both engines (openai-whisper's defaults, which
# faster-whisper shares): a window decoded too repetitively (gzip ratio), too unsure
# (mean log-probability) or judged silent is retried at a higher temperature or dropped.
GUARDS = {"compression_ratio_threshold": 2.4, "log_prob_threshold": -1.0, "no_speech_threshold": 0.6}
# Each 30-second window is decoded on its own (the prompt still opens the first one): carried
# text spreads one window's mistakes to the next. Measured on the trailer with the show's prompt,
# openai-whisper carrying text lost 24 s of speech after a run-on first window; not carrying it
# kept every line, and faster-whisper's word errors on fr-read went from 134 to 133.
CARRY_TEXT = False


def whisper_language(code: str) -> str:
    """The code Whisper knows for a language tag: "fr-CA" → "fr".

    Raises:
        ValueError: Whisper was not trained on that language.
    """
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    base = code.split("-")[0].lower()
    if base not in _LANGUAGE_CODES:
        raise ValueError(f"Whisper does not know the language {code!r} (use a code like 'fr', 'en' or 'fr-CA')")
    return base


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


def speech_only(audio: np.ndarray) -> tuple[np.ndarray, Callable[[float, bool], float]]:
    """The voiced parts of `audio` joined, and a map from a time in them back to a time in `audio`.

    Whisper decodes speech only, so long pauses neither shift its timestamps nor invite it to
    invent text; an empty array means there is no speech at all.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    chunks = get_speech_timestamps(audio, VadOptions(**VAD_PARAMETERS))
    if not chunks:
        return audio[:0], lambda t, end=False: t
    starts = np.array([c["start"] for c in chunks], dtype=np.int64)
    kept = np.cumsum([0] + [c["end"] - c["start"] for c in chunks])  # samples kept before each chunk

    def original(t: float, end: bool = False) -> float:
        # A time on the seam of two chunks is the end of the first or the start of the second.
        sample = t * WHISPER_RATE
        i = max(0, min(int(np.searchsorted(kept, sample, side="left" if end else "right")) - 1, len(chunks) - 1))
        return float(starts[i] + sample - kept[i]) / WHISPER_RATE

    return np.concatenate([audio[c["start"] : c["end"]] for c in chunks]), original


class Transcriber:
    """A loaded Whisper model: `transcribe(path, language, prompt) -> Transcript`."""

    engine = ""

    def __init__(self, settings: Transcription, threads: int = 0):
        self.settings = settings
        self.threads = threads or os.cpu_count() or 1
        self.window = WINDOW_SECONDS

    def _decode(self, audio: np.ndarray, language: str, prompt: str) -> Iterator[Segment]:
        """Segments with words, timed from the start of `audio`."""
        raise NotImplementedError

    def options(self, language: str, prompt: str) -> dict[str, Any]:
        """What decides the text, recorded beside the transcript."""
        return {
            "language": language, "beam_size": self.settings.beam_size, "vad": self.settings.vad,
            "initial_prompt": prompt, "window_seconds": self.window, "condition_on_previous_text": CARRY_TEXT, **GUARDS,
        }

    def transcribe(
        self, path: Path, language: str, prompt: str = "", progress: Callable[[float, float], None] | None = None
    ) -> Transcript:
        language = whisper_language(language)
        scan = ffmpeg.run(["-stats_period", "3600", "-i", str(path), "-af", f"silencedetect=n={PAUSE_DB}dB:d={PAUSE_SECONDS}",
                           "-f", "null", "-"], about=path)
        duration = elapsed(scan.stderr) or 0.0
        segments: list[Segment] = []
        for start, end in windows(duration, silences(scan.stderr), self.window):
            audio = ffmpeg.decode(path, WHISPER_RATE, start, end)
            original: Callable[..., float] = lambda t, end=False: t  # noqa: E731
            if self.settings.vad:
                audio, original = speech_only(audio)
                if not audio.size:  # Whisper fed no speech invents some
                    continue
            for piece in self._decode(audio, language, prompt):
                # Whisper's "..." on noise, and the credits it learnt from subtitles, are not speech.
                if not any(c.isalnum() for c in piece.text) or is_phantom(piece.text, language):
                    continue
                words = tuple(replace(w, start=round(start + original(w.start), 3), end=round(start + original(w.end, True), 3))
                              for w in piece.words)
                timed = replace(piece, start=round(start + original(piece.start), 3), end=round(start + original(piece.end, True), 3), words=words)
                segments.append(collapse_loops(timed))
                if progress:
                    progress(timed.end, duration)
        return Transcript(
            language=language, duration=round(duration, 3), segments=tuple(segments),
            engine=self.engine, model=self.settings.model, options=self.options(language, prompt),
        )


class FasterWhisper(Transcriber):
    """CTranslate2: int8 on the CPU, float16 on a CUDA GPU when there is one."""

    engine = "faster-whisper"

    def __init__(self, settings: Transcription, root: Path, threads: int = 0, workers: int = 1):
        super().__init__(settings, threads)
        import ctranslate2
        from faster_whisper import WhisperModel

        cuda = ctranslate2.get_cuda_device_count() > 0
        self.model = WhisperModel(
            models.resolve(settings.model, root), device="cuda" if cuda else "cpu", compute_type="float16" if cuda else "int8",
            cpu_threads=self.threads, num_workers=workers,
        )

    def _decode(self, audio: np.ndarray, language: str, prompt: str) -> Iterator[Segment]:
        pieces, _info = self.model.transcribe(
            audio, language=language, beam_size=self.settings.beam_size, initial_prompt=prompt or None,
            word_timestamps=True, vad_filter=False, condition_on_previous_text=CARRY_TEXT, **GUARDS,
        )
        for piece in pieces:
            words = tuple(Word(w.start, w.end, w.word, round(w.probability, 3)) for w in piece.words or ())
            yield Segment(piece.start, piece.end, piece.text.strip(), words)


class OpenAIWhisper(Transcriber):
    """The reference implementation (PyTorch), in float32 on the CPU. Needs the `openai` extra."""

    engine = "openai-whisper"

    def __init__(self, settings: Transcription, root: Path, threads: int = 0, workers: int = 1):
        super().__init__(settings, threads)
        try:
            import torch
            import whisper
        except ImportError as e:
            raise MissingToolError("the openai-whisper engine needs its extra: pip install torch==2.13.0 'podcast-pipeline[openai]'") from e
        torch.set_num_threads(self.threads)
        checkpoint = models.openai_checkpoint(settings.model, root)
        if Path(checkpoint).is_file():
            # Loaded by hand: whisper.load_model sets word-timing heads only for the models it names.
            saved = torch.load(checkpoint, map_location="cpu", weights_only=True)
            self.model = whisper.model.Whisper(whisper.model.ModelDimensions(**saved["dims"]))
            self.model.load_state_dict(saved["model_state_dict"])
            if saved.get("alignment_heads"):
                self.model.set_alignment_heads(saved["alignment_heads"].encode("ascii"))
        else:
            self.model = whisper.load_model(checkpoint, device="cpu")

    def _decode(self, audio: np.ndarray, language: str, prompt: str) -> Iterator[Segment]:
        result = self.model.transcribe(
            audio, language=language, beam_size=self.settings.beam_size, best_of=5, initial_prompt=prompt or None,
            word_timestamps=True, fp16=False, verbose=None, condition_on_previous_text=CARRY_TEXT,
            compression_ratio_threshold=GUARDS["compression_ratio_threshold"],
            logprob_threshold=GUARDS["log_prob_threshold"], no_speech_threshold=GUARDS["no_speech_threshold"],
        )
        for piece in result["segments"]:
            words = tuple(Word(float(w["start"]), float(w["end"]), w["word"], round(float(w["probability"]), 3)) for w in piece.get("words", ()))
            yield Segment(float(piece["start"]), float(piece["end"]), piece["text"].strip(), words)


def load(settings: Transcription, root: Path, threads: int = 0, workers: int = 1) -> Transcriber:
    """The engine `settings.engine` names, with its model loaded."""
    engine = {"faster-whisper": FasterWhisper, "openai-whisper": OpenAIWhisper}[settings.engine]
    return engine(settings, root, threads, workers)


def engine_identity(settings: Transcription, root: Path) -> dict[str, str]:
    """What identifies the engine and model in fingerprints, without loading either."""
    if settings.engine == "openai-whisper":
        try:
            versions = {"engine_version": version("openai-whisper"), "torch": version("torch")}
        except Exception:  # not installed: the stage will say so when it runs
            versions = {"engine_version": "missing"}
    else:
        versions = {"engine_version": version("faster-whisper"), "ctranslate2": version("ctranslate2")}
    return {"engine": settings.engine, **versions, "model": models.identity(settings.model, root)}


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
