"""One `Transcriber` interface, two Whisper engines: faster-whisper (CTranslate2) and openai-whisper.

Both get the same treatment around the model: audio decoded by our own ffmpeg wrapper, cut in
windows at pauses, voice activity detection (Silero, shipped with faster-whisper) before decoding,
and the same guards against invented text. Only `_decode` differs.
"""

from __future__ import annotations

import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, get_args

from ..audio import ffmpeg
from ..audio.loudness import elapsed, silences
from ..errors import MissingToolError
from ..files import package_version
from ..records import Engine, Episode, Segment, Show, Transcript, Transcription, Word
from . import models
from .phantoms import is_phantom

if TYPE_CHECKING:  # numpy is imported where it runs: 0.1 s of every `podcast status` otherwise
    import numpy as np

logger = logging.getLogger(__name__)

ENGINES: tuple[Engine, ...] = get_args(Engine)
WHISPER_RATE = 16000  # Whisper's models take 16 kHz mono
# Measured on the trailer: with faster-whisper's default 400 ms of padding around voice
# activity, Whisper skipped the opening sentence; 800 ms keeps it.
VAD_PARAMETERS = {"speech_pad_ms": 800}
# faster-whisper computes the features of all the audio it is given at once: an hour took
# 3.6 GB here. Windows cut in pauses keep memory flat for any length; on 20 minutes of dense
# speech, 10-minute windows peaked at 1.04 GB (process tree), 5-minute ones at 0.80 GB.
# Two windows are decoded at once (below): 2.5-minute ones keep an hour under 0.9 GB, 5-minute
# ones reached 1.07 GB, for the same word error rate on fr-read (31.7 % and 31.8 %).
WINDOW_SECONDS = 150.0
# Two windows decoded at once, on one core each, beat one window on two cores: the base model's
# matrices are too small to keep two threads busy (the trailer took 14.8 s on one core, 16.2 s on
# two). On 610 s of fr-read on 2 cores: 62 s → 32 s, the very same words.
PARALLEL_WINDOWS = 2
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
# Whisper retries a window that fails its guards at higher temperatures, which samples at random:
# the same track gave "on va sortir de la main." three times in one run and another invented
# sentence in the next. Temperature 0 alone (beam search) gives the same words every run; our
# own loop cut below does what the retries were for.
TEMPERATURE = 0.0


# The languages Whisper was trained on: faster_whisper.tokenizer._LANGUAGE_CODES, copied because
# importing faster_whisper (PyAV, CTranslate2) takes 0.2 s, a fifth of `podcast status` on a
# catalogue that reads podcast.toml and transcribes nothing. tests/scenarios/test_catalogue.py checks the copy.
WHISPER_LANGUAGES = frozenset(
    "af am ar as az ba be bg bn bo br bs ca cs cy da de el en es et eu fa fi fo fr gl gu ha haw he hi hr ht hu hy "
    "id is it ja jw ka kk km kn ko la lb ln lo lt lv mg mi mk ml mn mr ms mt my ne nl nn no oc pa pl ps pt ro ru sa "
    "sd si sk sl sn so sq sr su sv sw ta te tg th tk tl tr tt uk ur uz vi yi yo zh yue".split()
)


def whisper_language(code: str) -> str:
    """The code Whisper knows for a language tag: "fr-CA" → "fr".

    Raises:
        ValueError: Whisper was not trained on that language.
    """
    base = code.split("-")[0].lower()
    if base not in WHISPER_LANGUAGES:
        raise ValueError(f"Whisper does not know the language {code!r} (use a code like 'fr', 'en' or 'fr-CA')")
    return base


def vocabulary_prompt(show: Show, episode: Episode) -> str:
    """Whisper's initial prompt: the show's name, its glossary and the people speaking.

    Whisper continues the style and spelling of its prompt, so names and jargon come out right
    more often; measured on the trailer, it also kept the opening sentence that was otherwise
    skipped whatever the level of the audio.
    """
    names = [p.name for p in (*show.hosts, *episode.guests)] + [t.speaker for t in episode.tracks]
    parts = [show.title, ", ".join(show.transcription.glossary), ", ".join(dict.fromkeys(names))]
    return ". ".join(p for p in parts if p) + "."


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


def _offset(segment: Segment, seconds: float) -> Segment:
    """A segment timed within its window, put on the file's timeline."""
    words = tuple(replace(w, start=round(seconds + w.start, 3), end=round(seconds + w.end, 3)) for w in segment.words)
    return replace(segment, start=round(seconds + segment.start, 3), end=round(seconds + segment.end, 3), words=words)


class TimeMap(Protocol):
    """A time in the voiced parts back to a time in the whole window; `end` for the end of a word."""

    def __call__(self, t: float, end: bool = False) -> float: ...


def unchanged(t: float, end: bool = False) -> float:
    return t


def speech_only(audio: np.ndarray) -> tuple[np.ndarray, TimeMap]:
    """The voiced parts of `audio` joined, and a map from a time in them back to a time in `audio`.

    Whisper decodes speech only, so long pauses neither shift its timestamps nor invite it to
    invent text; an empty array means there is no speech at all.
    """
    import numpy as np
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    chunks = get_speech_timestamps(audio, VadOptions(**VAD_PARAMETERS))
    if not chunks:
        return audio[:0], unchanged
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

    def __init__(self, settings: Transcription, threads: int = 0, workers: int = 1):
        cores = os.cpu_count() or 1
        self.settings = settings
        self.workers = workers or max(1, min(PARALLEL_WINDOWS, cores))  # windows decoded at once
        self.threads = threads or max(1, cores // self.workers)  # cores for each
        self.window = WINDOW_SECONDS

    def _heard(self, window: np.ndarray, language: str, prompt: str) -> list[Segment]:
        """What Whisper heard in a window (its voiced parts only), timed within the window."""
        audio, original = window, unchanged
        if self.settings.vad:
            audio, original = speech_only(window)
            if not audio.size:  # Whisper fed no speech invents some
                return []
        heard = []
        for piece in self._decode(audio, language, prompt):
            if _spoken(piece, language):
                words = tuple(replace(w, start=original(w.start), end=original(w.end, True)) for w in piece.words)
                heard.append(replace(piece, start=original(piece.start), end=original(piece.end, True), words=words))
        return heard

    def _decode(self, audio: np.ndarray, language: str, prompt: str) -> Iterator[Segment]:
        """Segments with words, timed from the start of `audio`."""
        raise NotImplementedError

    def options(self, language: str, prompt: str) -> dict[str, Any]:
        """What decides the text, recorded beside the transcript."""
        return {
            "language": language,
            "beam_size": self.settings.beam_size,
            "vad": self.settings.vad,
            "initial_prompt": prompt,
            "window_seconds": self.window,
            "condition_on_previous_text": CARRY_TEXT,
            "temperature": TEMPERATURE,
            **GUARDS,
        }

    def transcribe(self, path: Path, language: str, prompt: str = "", progress: Callable[[float, float], None] | None = None) -> Transcript:
        from threadpoolctl import threadpool_limits

        language = whisper_language(language)
        scan = ffmpeg.run(["-stats_period", "3600", "-i", str(path), "-af", f"silencedetect=n={PAUSE_DB}dB:d={PAUSE_SECONDS}", "-f", "null", "-"], about=path)
        duration = elapsed(scan.stderr) or 0.0

        def heard(span: tuple[float, float]) -> list[Segment]:
            window = ffmpeg.decode(path, WHISPER_RATE, *span)
            onsets = voiced_frames(window)
            return [_offset(at_voice(piece, onsets), span[0]) for piece in cut_loops(self._heard(window, language, prompt))]

        segments: list[Segment] = []
        # Windows are decoded `workers` at a time, a core each, so numpy's BLAS gets one thread per
        # call: two threads calling OpenBLAS's own thread pool at once (the mel spectrogram's
        # matrix product) hung a test run in exec_blas for over ten minutes (OpenBLAS 0.3.31).
        # CTranslate2's OpenMP threads are not BLAS and keep their count.
        with ThreadPoolExecutor(self.workers) as pool, threadpool_limits(1, user_api="blas"):
            for timed in pool.map(heard, windows(duration, silences(scan.stderr), self.window)):
                segments.extend(timed)
                if progress and timed:
                    progress(timed[-1].end, duration)
        return Transcript(
            language=language,
            duration=round(duration, 3),
            segments=tuple(segments),
            engine=self.engine,
            model=self.settings.model,
            options=self.options(language, prompt),
        )


def cpu_compute_type(wanted: str) -> str:
    """The CTranslate2 type faster-whisper computes in on this CPU."""
    if wanted != "auto":
        return wanted
    import ctranslate2

    supported = ctranslate2.get_supported_compute_types("cpu")
    return "int8" if "int8" in supported else "float32"


def _spoken(piece: Segment, language: str) -> bool:
    """Whisper's "..." on noise, and the credits it learnt from subtitles, are not speech."""
    return any(c.isalnum() for c in piece.text) and not is_phantom(piece.text, language)


class FasterWhisper(Transcriber):
    """CTranslate2: int8 on the CPU, float16 on a CUDA GPU when there is one."""

    engine = "faster-whisper"

    def __init__(self, settings: Transcription, root: Path, threads: int = 0, workers: int = 0):
        super().__init__(settings, threads, workers)
        import ctranslate2
        from faster_whisper import WhisperModel

        cuda = ctranslate2.get_cuda_device_count() > 0
        self.compute_type = "float16" if cuda else cpu_compute_type(settings.compute_type)
        self.model = WhisperModel(
            models.resolve(settings.model, root),
            device="cuda" if cuda else "cpu",
            compute_type=self.compute_type,
            cpu_threads=self.threads,
            num_workers=self.workers,
        )

    def _decode(self, audio: np.ndarray, language: str, prompt: str) -> Iterator[Segment]:
        pieces, _info = self.model.transcribe(
            audio,
            language=language,
            beam_size=self.settings.beam_size,
            initial_prompt=prompt or None,
            word_timestamps=True,
            vad_filter=False,
            condition_on_previous_text=CARRY_TEXT,
            temperature=[TEMPERATURE],
            **GUARDS,
        )
        for piece in pieces:
            words = tuple(Word(w.start, w.end, w.word, round(w.probability, 3)) for w in piece.words or ())
            yield Segment(piece.start, piece.end, piece.text.strip(), words)


class OpenAIWhisper(Transcriber):
    """The reference implementation (PyTorch), in float32 on the CPU. Needs the `openai` extra."""

    engine = "openai-whisper"

    def __init__(self, settings: Transcription, root: Path, threads: int = 0, workers: int = 0):
        # One window at a time: whisper's decoder hangs its key/value cache on the shared model.
        super().__init__(settings, threads, 1)
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
            audio,
            language=language,
            beam_size=self.settings.beam_size,
            initial_prompt=prompt or None,
            word_timestamps=True,
            fp16=False,
            verbose=None,
            condition_on_previous_text=CARRY_TEXT,
            temperature=TEMPERATURE,
            compression_ratio_threshold=GUARDS["compression_ratio_threshold"],
            logprob_threshold=GUARDS["log_prob_threshold"],
            no_speech_threshold=GUARDS["no_speech_threshold"],
        )
        for piece in result["segments"]:
            words = tuple(Word(float(w["start"]), float(w["end"]), w["word"], round(float(w["probability"]), 3)) for w in piece.get("words", ()))
            yield Segment(float(piece["start"]), float(piece["end"]), piece["text"].strip(), words)


def load(settings: Transcription, root: Path, threads: int = 0, workers: int = 0) -> Transcriber:
    """The engine `settings.engine` names, with its model loaded: `workers` windows decoded at
    once on `threads` cores each (0: as many as pays on this machine)."""
    engine = {"faster-whisper": FasterWhisper, "openai-whisper": OpenAIWhisper}[settings.engine]
    return engine(settings, root, threads, workers)


def engine_identity(settings: Transcription, root: Path) -> dict[str, str]:
    """What identifies the engine and model in fingerprints, without loading either."""
    if settings.engine == "openai-whisper":
        try:
            versions = {"engine_version": package_version("openai-whisper"), "torch": package_version("torch")}
        except Exception:  # not installed: the stage will say so when it runs
            versions = {"engine_version": "missing"}
    else:
        versions = {
            "engine_version": package_version("faster-whisper"),
            "ctranslate2": package_version("ctranslate2"),
            "compute_type": cpu_compute_type(settings.compute_type),
        }
    return {"engine": settings.engine, **versions, "model": models.identity(settings.model, root)}


# Real speech says a phrase twice at most ("la fois d'après la fois d'après"); a third time back
# to back is Whisper looping. A lone word may be said three times ("non, non, non"), not four.
LOOP_COPIES = {1: 4}
LOOP_COPIES_PHRASE = 3
LOOP_WORDS = 12  # the longest phrase looked for


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def cut_loops(segments: list[Segment]) -> list[Segment]:
    """Keep one copy of a phrase Whisper repeats in a loop, across the segments of a window.

    A loop often spans segments ("on va sortir de la main." three times, a segment each), so
    the words of the whole window are searched together; segments left empty are dropped.
    """
    words = [(i, w) for i, s in enumerate(segments) for w in s.words]
    keys = [_key(w.text) for _, w in words]
    drop: set[int] = set()
    for size in range(1, LOOP_WORDS + 1):
        needed = LOOP_COPIES.get(size, LOOP_COPIES_PHRASE)
        i = 0
        while i + size * needed <= len(keys):
            phrase = keys[i : i + size]
            copies = 1
            while keys[i + copies * size : i + (copies + 1) * size] == phrase:
                copies += 1
            if copies >= needed and any(phrase):
                drop.update(range(i + size, i + copies * size))
                i += copies * size
            else:
                i += 1
        if drop:  # search the shortened text again for longer phrases
            words = [w for j, w in enumerate(words) if j not in drop]
            keys = [k for j, k in enumerate(keys) if j not in drop]
            drop = set()
    kept: dict[int, list[Word]] = {}
    for i, word in words:
        kept.setdefault(i, []).append(word)
    result = []
    for i, segment in enumerate(segments):
        if not segment.words:
            result.append(segment)
        elif i in kept:
            if len(kept[i]) == len(segment.words):
                result.append(segment)
            else:
                survivors = tuple(kept[i])
                text = "".join(w.text for w in survivors).strip()
                result.append(replace(segment, text=text, words=survivors, start=survivors[0].start, end=survivors[-1].end))
    return result


FRAME_SECONDS = 0.02
# A frame is voiced when it is louder than the window's loud speech less this (dB), and than an
# absolute floor: pauses and room noise sit below both.
VOICE_BELOW_LOUD_DB, VOICE_FLOOR_DBFS = 35.0, -60.0


def voiced_frames(audio: np.ndarray) -> np.ndarray:
    """For each 20-ms frame of `audio`, whether a voice (or any sound) is there."""
    import numpy as np

    size = round(FRAME_SECONDS * WHISPER_RATE)
    count = len(audio) // size
    if not count:
        return np.zeros(0, bool)
    frames = audio[: count * size].reshape(count, size).astype(np.float64)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    loud = np.percentile(level, 95)
    return level > max(loud - VOICE_BELOW_LOUD_DB, VOICE_FLOOR_DBFS)


def at_voice(segment: Segment, voiced: np.ndarray) -> Segment:
    """Words Whisper started over silence moved to where the voice begins.

    Whisper can put a word's start seconds early, in the pause before it (the trailer's
    "Chaque" in the guest's turn, 2 s before it is said), which puts a speaker's turn on the
    wrong side of the change of voice.
    """
    import numpy as np

    if not segment.words or not voiced.size:
        return segment
    words = list(segment.words)
    for i, word in enumerate(words):
        first = int(word.start / FRAME_SECONDS)
        # Whisper times a lone "?" in the pause after its sentence: moved, it would land in the
        # next speaker's voice.
        if first >= len(voiced) or voiced[first] or word.is_mark:
            continue
        ahead = np.flatnonzero(voiced[first:])
        if not ahead.size:
            continue
        onset = round((first + int(ahead[0])) * FRAME_SECONDS, 3)
        if onset < word.end:
            words[i] = replace(word, start=onset)
        elif i + 1 < len(words) and onset < words[i + 1].start:  # the whole word lay over silence
            words[i] = replace(word, start=onset, end=min(round(onset + word.end - word.start, 3), words[i + 1].start))
    if words == list(segment.words):
        return segment
    return replace(segment, words=tuple(words), start=max(segment.start, words[0].start), end=max(segment.end, words[-1].end))
