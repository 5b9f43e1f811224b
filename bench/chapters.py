"""Chapters and quotes on real read French: do the chapter boundaries find planted topic changes?

The clips of `../shared/eval/fr-read` (10 FLEURS sentences, a Common Voice sentence, three SPPAS
paragraphs) are grouped into four planted topics and played one after the other, 0.8 s apart:
`paragraphs` (default) makes each SPPAS paragraph a topic and three sport sentences the fourth;
`subjects` groups all 14 clips by what they talk about. Two transcripts of that recording:

- `reference` (default): each clip's reference text, timed by the clip's duration (no word
  timings; the texts are lower case without punctuation, so a clip is one sentence, and an
  SPPAS paragraph is cut in sentences of 12 words timed by their share of its characters);
- `whisper`: the recording transcribed by the bundled model, with its own words and punctuation.

Printed: for window sizes and minimum section lengths, how many boundaries land within 10 s of
a planted change (each change counted once), how many were placed, and what the same number
of boundaries at random sentence starts would find on average; then the chapters, titles,
quotes and soundbite with the defaults.

    .venv/bin/python bench/chapters.py
    .venv/bin/python bench/chapters.py --source whisper --arrangement subjects
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
READ = REPO.parent / "shared" / "eval" / "fr-read"
sys.path.insert(0, str(REPO))

from pipeline.audio import ffmpeg  # noqa: E402
from pipeline.text import quotes, topics  # noqa: E402
from pipeline.records import QuotePicks, Segment, Transcript, Transcription  # noqa: E402

GAP = 0.8  # seconds between clips, as bench/montage.py
TOLERANCE = 10.0  # seconds: a boundary this close to a planted change found it
# Four subjects, by what each clip says (the texts are in fr-read/*.txt). The FLEURS sentences
# of one subject share almost no words: a hard case for lexical cohesion.
SUBJECTS = {
    "accidents et transports": ["fleurs-fr-000", "fleurs-fr-004", "fleurs-fr-007", "sppas-F_F_B003-P9"],
    "sport": ["fleurs-fr-001", "fleurs-fr-005", "fleurs-fr-006"],
    "nature et sciences": ["fleurs-fr-003", "fleurs-fr-008", "cv-fr-000"],
    "vie quotidienne": ["fleurs-fr-002", "fleurs-fr-009", "sppas-F_F_B003-P8", "sppas-F_F_C006-P6"],
}
# Each SPPAS paragraph is a topic of its own (a cat shut out, a night train, a shop's
# inventory), whose sentences do come back to the same words; the sport sentences close.
PARAGRAPHS = {
    "le chat": ["sppas-F_F_B003-P8"],
    "le train": ["sppas-F_F_B003-P9"],
    "l'inventaire": ["sppas-F_F_C006-P6"],
    "sport": ["fleurs-fr-001", "fleurs-fr-005", "fleurs-fr-006"],
}
ARRANGEMENTS = {"subjects": SUBJECTS, "paragraphs": PARAGRAPHS}
PIECE_WORDS = 12  # a reference paragraph, unpunctuated, is cut in pieces of this many words
WINDOWS = (1, 2, 3, 4)
MINIMUMS = (20.0, 30.0, 45.0)
DEPTHS = (0.0, 0.03, 0.05, 0.1)


def clip(name: str) -> Path:
    return next(READ / f"{name}{suffix}" for suffix in (".ogg", ".wav") if (READ / f"{name}{suffix}").is_file())


def reference(planted: dict[str, list[str]]) -> tuple[Transcript, list[float]]:
    """The reference texts on the clips' timeline, and the planted changes' times.

    A clip is one sentence; an SPPAS paragraph is cut in pieces of PIECE_WORDS words, each a
    sentence timed by its share of the paragraph's characters.
    """
    segments, changes, at = [], [], 0.0
    for clips in planted.values():
        changes.append(at)
        for name in clips:
            duration = ffmpeg.probe(clip(name)).duration
            words = (READ / f"{name}.txt").read_text(encoding="utf-8").replace("!", "").split()
            paragraph = name.startswith("sppas-")
            pieces = [words[i : i + PIECE_WORDS] for i in range(0, len(words), PIECE_WORDS)] if paragraph else [words]
            text = " ".join(" ".join(piece).rstrip(".") + "." for piece in pieces)
            segments.append(Segment(at, at + duration, text))
            at += duration + GAP
    return Transcript("fr", at, tuple(segments)), changes[1:]


def whisper(planted: dict[str, list[str]], scratch: Path) -> tuple[Transcript, list[float]]:
    """The clips joined into one recording and transcribed by the bundled model."""
    import numpy as np
    import soundfile

    from pipeline.speech.transcriber import load

    pieces, changes, at = [], [], 0.0
    for clips in planted.values():
        changes.append(at)
        for name in clips:
            audio = ffmpeg.decode(clip(name), 16000)
            pieces += [audio, np.zeros(int(GAP * 16000), np.float32)]
            at += audio.size / 16000 + GAP
    path = scratch / "topics.wav"
    soundfile.write(path, np.concatenate(pieces), 16000)
    transcript = load(Transcription(), REPO).transcribe(path, "fr")
    return transcript, changes[1:]


def hits(found: list[float], planted: list[float]) -> int:
    """Planted changes with a boundary within TOLERANCE, each boundary used once."""
    left, count = list(found), 0
    for change in planted:
        near = [b for b in left if abs(b - change) <= TOLERANCE]
        if near:
            left.remove(min(near, key=lambda b: abs(b - change)))
            count += 1
    return count


def by_chance(starts: list[float], how_many: int, planted: list[float], trials: int = 2000) -> float:
    """Hits of `how_many` boundaries drawn at random among the sentence starts, on average."""
    rng = random.Random(1)
    return statistics.fmean(hits(rng.sample(starts, how_many), planted) for _ in range(trials)) if how_many else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("reference", "whisper"), default="reference")
    parser.add_argument("--arrangement", choices=tuple(ARRANGEMENTS), default="paragraphs")
    args = parser.parse_args()
    if not READ.is_dir():
        sys.exit(f"no evaluation audio at {READ}: this benchmark needs ../shared/eval beside the project")
    arrangement = ARRANGEMENTS[args.arrangement]
    with tempfile.TemporaryDirectory() as scratch:
        if args.source == "reference":
            transcript, planted = reference(arrangement)
        else:
            transcript, planted = whisper(arrangement, Path(scratch))
    found = topics.sentences(transcript)
    starts = [s.start for s in found[1:]]
    print(
        f"{args.source}, {args.arrangement}: {transcript.duration:.0f} s, {len(found)} sentences, planted changes at "
        + ", ".join(f"{c:.1f}" for c in planted)
        + " s"
    )
    print("\n| window (sentences) | minimum (s) | valley depth at least | boundaries | within 10 s | by chance |")
    print("|---|---|---|---|---|---|")
    for window in WINDOWS:
        for minimum in MINIMUMS:
            for depth in DEPTHS:
                cuts = [found[i].start for i in topics.boundaries(found, transcript.duration, window, minimum, depth)]
                print(
                    f"| {window} | {minimum:.0f} | {depth:.2f} | {len(cuts)} | {hits(cuts, planted)}/{len(planted)} "
                    f"| {by_chance(starts, len(cuts), planted):.2f} |"
                )

    chapters = topics.chapters(transcript, transcript.duration)
    print(
        f"\nDefaults (window {topics.WINDOW_SENTENCES}, minimum {topics.minimum_section(transcript.duration):.0f} s): "
        f"{hits([c.start for c in chapters[1:]], planted)}/{len(planted)} within 10 s"
    )
    for chapter in chapters:
        print(f"  {chapter.start:7.1f}  {chapter.title}")
    chosen = quotes.pick(found, QuotePicks(), frozenset(), "fr", tuple(c.start for c in chapters))
    print("Quotes:")
    for sentence in sorted(chosen, key=lambda s: s.start):
        print(f"  {sentence.start:7.1f}  {sentence.text}")
    if chosen:
        bite = quotes.soundbite(chosen[0], found, transcript.duration)
        if bite:
            print(f"Soundbite: {bite.start:.1f}–{bite.end:.1f} s ({bite.end - bite.start:.1f} s): {bite.text}")


if __name__ == "__main__":
    main()
