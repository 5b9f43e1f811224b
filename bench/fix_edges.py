"""Where Whisper puts a pause against where the speaker paused: what a `[[fix]]`'s edges must allow.

A host times a fix by ear, at a pause; the correct stage finds the words between its times by
Whisper's word timings. This measures, on real French readers (`../shared/eval/fr-read`), how
far Whisper's gap between two words lies from the real pause (found in the audio: 10 ms frames
more than PAUSE_BELOW dB under the clip's speech level), and how long the gaps Whisper leaves
between words are inside continuous speech and at real pauses. corrections.py's EDGE_REACH
(how far an edge is moved to a pause) and PAUSE (the shortest gap that is one) come from here.

    .venv/bin/python bench/fix_edges.py
    CT2_FORCE_CPU_ISA=AVX2 .venv/bin/python bench/fix_edges.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval" / "fr-read"
sys.path.insert(0, str(REPO))

from pipeline.audio import ffmpeg  # noqa: E402
from pipeline.records import Transcription  # noqa: E402
from pipeline.speech.transcriber import load  # noqa: E402

RATE = 16000
FRAME = 0.01  # seconds
PAUSE_BELOW = 30.0  # dB under the clip's speech level (its 90th percentile frame)
REAL_PAUSE = 0.2  # seconds: a shorter silence is a stop consonant, not a pause


def real_pauses(audio: np.ndarray) -> list[tuple[float, float]]:
    """Silences of REAL_PAUSE or longer between the first and the last sound of the clip."""
    hop = int(FRAME * RATE)
    frames = audio[: len(audio) // hop * hop].reshape(-1, hop)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    quiet = level < np.percentile(level, 90) - PAUSE_BELOW
    loud = np.flatnonzero(~quiet)
    pauses, start = [], None
    for i in range(loud[0], loud[-1] + 1):
        if quiet[i] and start is None:
            start = i
        elif not quiet[i] and start is not None:
            if (i - start) * FRAME >= REAL_PAUSE:
                pauses.append((start * FRAME, i * FRAME))
            start = None
    return pauses


def main() -> None:
    if not EVAL.is_dir():
        sys.exit(f"no evaluation audio at {EVAL}: this benchmark needs ../shared/eval beside the project")
    transcriber = load(Transcription(), REPO)
    reach: list[float] = []  # from a real pause to Whisper's gap there (0: they overlap)
    at_pauses: list[float] = []  # Whisper's gap at a real pause
    in_speech: list[float] = []  # Whisper's gaps away from any real pause
    missed = 0
    clips = sorted(p for p in EVAL.iterdir() if p.suffix in (".wav", ".ogg"))
    for clip in clips:
        audio = ffmpeg.decode(clip, RATE)
        pauses = real_pauses(audio)
        words = [w for s in transcriber.transcribe(clip, "fr").segments for w in s.words if not w.is_mark]
        gaps = [(a.end, b.start) for a, b in zip(words, words[1:])]
        matched = set()
        for p_start, p_end in pauses:
            if p_start < words[0].start or p_end > words[-1].end:
                continue
            middle = (p_start + p_end) / 2
            # Whisper's gap at this pause: between the last word that starts before its middle and the next.
            i = max(k for k, w in enumerate(words) if w.start < middle)
            if i + 1 >= len(words):
                continue
            g_start, g_end = gaps[i]
            matched.add(i)
            at_pauses.append(max(0.0, g_end - g_start))
            if g_end <= g_start:
                missed += 1
            reach.append(max(0.0, p_start - g_end, g_start - p_end))
            # A host's edge may sit anywhere in the real pause: its far side is the worst case.
            reach.append(max(0.0, p_end - max(g_end, p_start), min(g_start, p_end) - p_start) if g_end > g_start else p_end - p_start)
        in_speech += [max(0.0, b - a) for k, (a, b) in enumerate(gaps) if k not in matched]
    isa = os.environ.get("CT2_FORCE_CPU_ISA", "the CPU's own")
    print(f"{len(clips)} clips of fr-read, {isa} kernels, bundled base model; {len(at_pauses)} real pauses of {REAL_PAUSE}s or more")
    for name, values in (
        ("edge to Whisper's gap, s", reach),
        ("Whisper's gap at a real pause, s", at_pauses),
        ("Whisper's gap in continuous speech, s", in_speech),
    ):
        q = np.percentile(values, [50, 90, 95, 99, 100])
        print(f"{name:<40} median {q[0]:.2f}  p90 {q[1]:.2f}  p95 {q[2]:.2f}  p99 {q[3]:.2f}  max {q[4]:.2f}  (n={len(values)})")
    for threshold in (0.1, 0.2, 0.3, 0.4):
        print(
            f"  gaps of {threshold}s or more: {np.mean(np.array(at_pauses) >= threshold):.0%} of real pauses, "
            f"{np.mean(np.array(in_speech) >= threshold):.1%} of the gaps in continuous speech"
        )
    print(f"real pauses where Whisper left no gap: {missed}")


if __name__ == "__main__":
    main()
