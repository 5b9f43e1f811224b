"""Who speaks when on one track: the diarize stage on real voices, against Whisper alone.

A conversation is stitched from `../shared/eval/fr-read`: two different French readers (SPPAS
B003 and C006) take turns, one second apart, and a third (Common Voice) closes it in the
three-voice case. Whisper alone gives every word to one speaker; the diarize stage should give
each word to the voice that said it. Reported: the share of words named right (a word counts
for the reader whose turn holds its middle), for both, and their ratio. Then the stage's cost:
the conversation looped to `--minutes`, voice prints and clustering timed, peak RSS.

    .venv/bin/python bench/speakers.py
    .venv/bin/python bench/speakers.py --minutes 60
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
READ = REPO.parent / "shared" / "eval" / "fr-read"
sys.path.insert(0, str(REPO))

from pipeline.audio import ffmpeg  # noqa: E402
from pipeline.records import Transcription  # noqa: E402
from pipeline.speech.transcriber import load  # noqa: E402
from pipeline.speech.voices import diarize  # noqa: E402

GAP = 1.0  # seconds between turns

# (reader, file, start, end): C006's paragraph is cut in two turns at a breath.
TURNS = [
    ("A", "sppas-F_F_B003-P8.wav", 0, None),
    ("B", "sppas-F_F_C006-P6.wav", 0, 14.5),
    ("A", "sppas-F_F_B003-P9.wav", 0, None),
    ("B", "sppas-F_F_C006-P6.wav", 14.5, None),
]
THIRD = ("C", "cv-fr-000.wav", 0, None)


def stitch(turns: list[tuple], path: Path) -> list[tuple[str, float, float]]:
    """Write the turns one after the other as 16 kHz mono; return (reader, start, end) of each."""
    import numpy as np
    import soundfile

    pieces, truth, at = [], [], 0.0
    for reader, name, start, end in turns:
        audio = ffmpeg.decode(READ / name, 16000, start, end)
        pieces += [audio, np.zeros(int(GAP * 16000), np.float32)]
        truth.append((reader, at, at + audio.size / 16000))
        at += audio.size / 16000 + GAP
    soundfile.write(path, np.concatenate(pieces), 16000)
    return truth


def accuracy(transcript, truth: list[tuple[str, float, float]]) -> tuple[float, float]:
    """(share of words named after the reader of their turn, the same for one label for all)."""
    words = [w for s in transcript.segments for w in s.words]
    said = []
    for w in words:
        middle = (w.start + w.end) / 2
        said.append(min(truth, key=lambda t: 0 if t[1] <= middle <= t[2] else min(abs(middle - t[1]), abs(middle - t[2])))[0])
    right = sum(w.speaker == reader for w, reader in zip(words, said))
    majority = max(said.count(r) for r in set(said))
    return right / len(words), majority / len(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0, help="length of the looped file for the cost figures")
    args = parser.parse_args()
    if not READ.is_dir():
        sys.exit(f"no evaluation audio at {READ}: this benchmark needs ../shared/eval beside the project")
    transcriber = load(Transcription(), REPO)
    print("| voices | words | named right (diarize) | named right (Whisper alone) | ratio |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for turns in (TURNS, TURNS + [THIRD]):
            path = Path(scratch) / "conversation.wav"
            truth = stitch(turns, path)
            people = tuple(dict.fromkeys(t[0] for t in turns))
            transcript, _ = diarize(transcriber.transcribe(path, "fr"), path, people)
            ours, alone = accuracy(transcript, truth)
            words = sum(len(s.words) for s in transcript.segments)
            print(f"| {len(people)} | {words} | {ours:.1%} | {alone:.1%} | {ours / alone:.2f} |")

        path = Path(scratch) / "conversation.wav"
        truth = stitch(TURNS, path)
        looped = Path(scratch) / "long.flac"
        ffmpeg.run(["-stream_loop", "-1", "-i", str(path), "-t", str(args.minutes * 60), str(looped)], about=looped)
        short = transcriber.transcribe(path, "fr")
        # The short transcript repeated along the loop: the cost measured is the stage's, not Whisper's.
        period = truth[-1][2] + GAP
        copies = int(args.minutes * 60 // period)
        from dataclasses import replace

        segments = tuple(
            replace(
                s,
                start=s.start + k * period,
                end=s.end + k * period,
                words=tuple(replace(w, start=w.start + k * period, end=w.end + k * period) for w in s.words),
            )
            for k in range(copies)
            for s in short.segments
        )
        long_transcript = replace(short, segments=segments, duration=args.minutes * 60)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        named, spoken = diarize(long_transcript, looped, ("A", "B"))
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ours, _ = accuracy(named, [(r, a + k * period, b + k * period) for k in range(copies) for r, a, b in truth])
    print(
        f"\n{args.minutes:.0f} min looped: diarize {wall:.1f} s ({wall / (args.minutes * 60):.3f} of real time, "
        f"{wall / args.minutes * 60 / 60:.1f} min per hour), peak RSS {peak:.0f} MB (before: {before:.0f} MB), "
        f"named right {ours:.1%}; seconds per voice {spoken}"
    )


if __name__ == "__main__":
    main()
