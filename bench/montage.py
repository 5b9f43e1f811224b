"""A long recording of readers at very different levels, made from short clips.

Readers recorded apart (a host close to the microphone, a guest on a phone) are what a show
sends: each clip, followed by a pause, is joined to the next, the cycle is repeated to the
length asked for, lowered, and encoded as a phone would (AAC 96 kb/s mono). By default the
clips are the French readers of `../shared/eval/fr-read` (about 204 s a cycle; 42 LU between
the quietest and the loudest), never copied into the project.

    .venv/bin/python bench/montage.py hour.m4a                 # 60 minutes
    .venv/bin/python bench/montage.py short.m4a --minutes 5

Imported by bench/loudness.py; `build` also takes other clips (tests make their own).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
READERS = REPO.parent / "shared" / "eval" / "fr-read"
sys.path.insert(0, str(REPO))

from pipeline.audio import ffmpeg  # noqa: E402

RATE = 48000
GAP = 0.8  # seconds of digital silence after each clip
LOWERED = 8.0  # dB taken off the whole montage: a recording made with the gain set low
BITRATE = "96k"


def readers(folder: Path = READERS) -> list[Path]:
    """The clips of `folder` (.ogg and .wav) in name order; SystemExit naming it when absent."""
    clips = sorted(p for p in folder.glob("*") if p.suffix in (".ogg", ".wav")) if folder.is_dir() else []
    if not clips:
        raise SystemExit(f"no evaluation audio at {folder}: the montage needs ../shared/eval beside the project")
    return clips


def build(
    clips: Sequence[Path],
    output: Path,
    minutes: float,
    gains: Sequence[float] = (),
    gap: float = GAP,
    lowered: float = LOWERED,
    bitrate: str = BITRATE,
) -> Path:
    """Write `output` (.m4a): `clips`, each followed by `gap` s of silence, repeated to `minutes`.

    Args:
        gains: dB added to each clip (repeated over the clips), to spread the readers further.
        lowered: dB taken off the whole montage before it is encoded.

    Two streamed ffmpeg runs: one cycle of the clips to a FLAC, then that cycle looped to
    length, lowered and encoded; memory does not grow with `minutes`.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    chains = []
    for i, _clip in enumerate(clips):
        gain = gains[i % len(gains)] if gains else 0.0
        chains.append(f"[{i}:a:0]aformat=sample_fmts=fltp:sample_rates={RATE}:channel_layouts=mono,volume={gain:.2f}dB,apad=pad_dur={gap:g}[c{i}]")
    labels = "".join(f"[c{i}]" for i in range(len(clips)))
    graph = ";".join(chains) + f";{labels}concat=n={len(clips)}:v=0:a=1[cycle]"
    inputs = [arg for clip in clips for arg in ("-i", str(clip))]
    with tempfile.TemporaryDirectory(dir=output.parent) as tmp:
        cycle = Path(tmp) / "cycle.flac"
        ffmpeg.run(["-nostats", *inputs, "-filter_complex", graph, "-map", "[cycle]", "-c:a", "flac", str(cycle)], about=cycle)
        ffmpeg.run(
            [
                "-nostats",
                "-stream_loop",
                "-1",
                "-i",
                str(cycle),
                "-t",
                f"{minutes * 60:g}",
                "-af",
                f"volume=-{lowered:g}dB",
                "-ac",
                "1",
                "-c:a",
                "aac",
                "-b:a",
                bitrate,
                str(output),
            ],
            about=output,
        )
    return output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="the .m4a to write")
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--clips", type=Path, default=READERS, help="a folder of .ogg/.wav clips (default: %(default)s)")
    args = parser.parse_args()
    build(readers(args.clips), args.output, args.minutes)
    print(f"{args.output}: {ffmpeg.probe(args.output).duration:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
