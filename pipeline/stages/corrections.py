"""The correct stage: a host's corrections to the transcript, kept in git as `episodes/<slug>/corrections.toml`.

Applied to Whisper's transcript after every transcription, so they survive a re-transcription;
editing them re-runs this stage and what follows, never Whisper.

    [replace]                      # words or phrases, whole words only, any case
    "Freelance Famile" = "Freelance.Family"
    "cower king" = "coworking"

    [speakers]                     # rename a speaker label
    "Camille" = "Camille Durand"

    [[fix]]                        # retype what was said between two times
    start = "00:26"
    end = "00:35"
    text = "Chaque semaine, je rencontre des freelances."
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..config import TIMESTAMP, parse_timestamp, read_checked
from ..engine import Stage
from ..errors import ConfigError
from ..jobs import EpisodeJob
from ..records import Segment, Transcript, Word
from ..results import Corrected, Diarized
from ..writers import get_writer
from .transcribe import load_transcript

FILE = "corrections.toml"


class _Fix(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: str = Field(pattern=TIMESTAMP)
    end: str = Field(pattern=TIMESTAMP)
    text: str


class _Corrections(BaseModel):
    model_config = ConfigDict(extra="forbid")
    replace: dict[str, str] = {}
    speakers: dict[str, str] = {}
    fix: list[_Fix] = []


def load(path: Path) -> _Corrections:
    """Read and check a corrections.toml (an absent file corrects nothing)."""
    if not path.is_file():
        return _Corrections()
    corrections, _ = read_checked(path, _Corrections)
    for fix in corrections.fix:
        if parse_timestamp(fix.end) <= parse_timestamp(fix.start):
            raise ConfigError(f"{path}: 'fix': end {fix.end} is not after start {fix.start}")
    return corrections


def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE)


def _plain(text: str) -> str:
    return re.sub(r"[^\w']+", " ", text.casefold()).strip()


def _replace_words(words: tuple[Word, ...], phrase: str, replacement: str) -> tuple[Word, ...]:
    """Merge each run of words that says `phrase` into one word carrying `replacement`."""
    target = _plain(phrase).split()
    if not target:
        return words
    result: list[Word] = []
    i = 0
    while i < len(words):
        run = words[i : i + len(target)]
        if len(run) == len(target) and [_plain(w.text) for w in run] == target:
            lead = " " if run[0].text.startswith(" ") else ""
            trail = re.sub(r"^.*?([^\w']*)$", r"\1", run[-1].text)  # keep the punctuation after it
            result.append(Word(run[0].start, run[-1].end, lead + replacement + trail, min(w.probability for w in run), run[0].speaker))
            i += len(target)
        else:
            result.append(words[i])
            i += 1
    return tuple(result)


def apply(transcript: Transcript, corrections: _Corrections, where: Path | str = FILE) -> Transcript:
    """The transcript with the corrections made.

    Raises:
        ConfigError: a speaker to rename is nobody in the transcript (a typo would do nothing).
    """
    heard = {s.speaker for s in transcript.segments}
    for name in corrections.speakers:
        if heard and name not in heard:
            raise ConfigError(f"{where}: 'speakers': {name!r} is not a speaker of this transcript ({', '.join(sorted(heard)) or 'none'})")
    segments = list(transcript.segments)
    for fix in corrections.fix:
        start, end = parse_timestamp(fix.start), parse_timestamp(fix.end)
        inside = [s for s in segments if s.start < end and s.end > start]
        if not inside:
            continue
        merged = Segment(inside[0].start, inside[-1].end, fix.text.strip(), (), inside[0].speaker)
        at = segments.index(inside[0])
        segments = [s for s in segments if s not in inside]
        segments.insert(at, merged)
    for phrase, replacement in corrections.replace.items():
        pattern = _pattern(phrase)
        segments = [
            replace(s, text=pattern.sub(replacement, s.text), words=_replace_words(s.words, phrase, replacement))
            for s in segments
        ]
    if corrections.speakers:
        rename = corrections.speakers
        segments = [
            replace(s, speaker=rename.get(s.speaker, s.speaker),
                    words=tuple(replace(w, speaker=rename.get(w.speaker, w.speaker)) for w in s.words))
            for s in segments
        ]
    return replace(transcript, segments=tuple(segments))


class Correct(Stage):
    name = "correct"
    version = 1
    result = Corrected

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
        corrections = load(job.episode.folder / FILE)
        corrected = apply(load_transcript(files["transcript"]), corrections, job.episode.folder / FILE)
        out["transcript"].write_text(get_writer("json").write(corrected), encoding="utf-8")
        return Corrected(out["transcript"])
