"""The normalise stage against ffmpeg-normalize, side by side, on long files made here.

Two recordings, each levelled by both tools to the same targets into a 44.1 kHz MP3 at the same
bitrate:
- speech-like: generated pink noise shaped like speech (phone-style AAC in .m4a);
- readers: the French readers of ../shared/eval/fr-read, 42 LU apart, each followed by 0.8 s of
  silence, looped, lowered 8 dB, AAC 96 kb/s mono (bench/montage.py). A quiet guest and a loud
  host, at length. Skipped, and said so, when ../shared/eval is not beside the project.

For each: wall time, peak memory (the tool and every process it starts, sampled every 50 ms),
how many times ours encoded, and the loudness, true peak and loudness range of the file each
wrote, measured afterwards by one and the same ebur128 meter.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/loudness.py                             # 60 minutes, both recordings
    .venv/bin/python bench/loudness.py --case readers --minutes 10
    .venv/bin/python bench/loudness.py --minutes 180 --only-ours   # the 3-hour memory check
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import montage  # noqa: E402
from pipeline.audio import ffmpeg  # noqa: E402
from pipeline.audio.loudness import measure  # noqa: E402

TARGET, TRUE_PEAK, BITRATE = -16.0, -1.0, "64k"
LRA = 11.0  # the show's default `lra`: what the levelled file's range should stay within


def make_speechlike(path: Path, minutes: float) -> None:
    """Pink noise shaped like speech: syllables at 4 Hz, pauses every few seconds, about -27 LUFS."""
    envelope = "0.05+0.95*gt(sin(2*PI*0.23*t),-0.5)*(0.5+0.5*sin(2*PI*4*t))"
    ffmpeg.run(
        [
            "-f",
            "lavfi",
            "-i",
            f"anoisesrc=d={minutes * 60}:c=pink:r=48000:a=0.25",
            "-af",
            f"bandpass=f=900:width_type=h:w=1600,volume='{envelope}':eval=frame",
            "-ac",
            "1",
            "-c:a",
            "aac",
            "-b:a",
            "96k",
            str(path),
        ],
        about=path,
    )


def make_readers(path: Path, minutes: float) -> None:
    montage.build(montage.readers(), path, minutes)


CASES = {
    "speech-like": ("mono speech-like AAC", make_speechlike),
    "readers": ("mono AAC of fr-read's readers, 42 LU apart, lowered 8 dB", make_readers),
}


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident memory (MB, summed over the process tree) and stderr of `command`."""
    started = time.perf_counter()
    process = psutil.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                tree = [process, *process.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    text = stderr.decode(errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{text[-2000:]}")
    return time.perf_counter() - started, peak / 1e6, text


def compare(case: str, minutes: float, only_ours: bool, folder: Path, env: dict[str, str]) -> None:
    description, make = CASES[case]
    bin_dir = Path(sys.executable).parent
    source = folder / f"{case}.m4a"
    print(f"\n{case}: making {minutes:g} minutes…", flush=True)
    make(source, minutes)
    before = measure(source)
    ours_dir, peer_out = folder / "ours", folder / f"{case}.peer.mp3"
    seconds, memory, log = run_measured(
        [str(bin_dir / "podcast"), "-v", "normalise", str(source), "--output", str(ours_dir), "--target", str(TARGET), "--true-peak", str(TRUE_PEAK)], env
    )
    encodes = 1 + log.count("encoding again")
    rows = [("podcast normalise", seconds, memory, measure(ours_dir / f"{case}.mp3"))]
    if not only_ours:
        peer_tool = shutil.which("ffmpeg-normalize", path=str(bin_dir)) or "ffmpeg-normalize"
        seconds, memory, _ = run_measured(
            [
                peer_tool,
                str(source),
                "-nt",
                "ebu",
                "-t",
                str(TARGET),
                "-tp",
                str(TRUE_PEAK),
                "-c:a",
                "libmp3lame",
                "-b:a",
                BITRATE,
                "-ar",
                "44100",
                "-o",
                str(peer_out),
                "-f",
            ],
            env,
        )
        rows.append(("ffmpeg-normalize", seconds, memory, measure(peer_out)))
    print(f"{minutes:g} min of {description} → 44.1 kHz {BITRATE} MP3, target {TARGET:g} LUFS / ≤ {TRUE_PEAK:g} dBTP, LRA ≤ {LRA:g} LU")
    print(f"input: {before.integrated:.1f} LUFS, {before.true_peak:.1f} dBTP, LRA {before.lra:.1f} LU; ours encoded {encodes} time(s)")
    print(f"{'tool':<20}{'wall s':>9}{'peak MB':>9}{'LUFS':>8}{'dBTP':>8}{'LRA':>7}")
    for name, seconds, memory, level in rows:
        print(f"{name:<20}{seconds:>9.1f}{memory:>9.0f}{level.integrated:>8.1f}{level.true_peak:>8.1f}{level.lra:>7.1f}")
    if len(rows) == 2:
        (_, our_s, our_mb, our_level), (_, peer_s, peer_mb, peer_level) = rows
        print(f"ratio ours / ffmpeg-normalize: wall {our_s / peer_s:.2f}, peak memory {our_mb / peer_mb:.2f}")
        print(f"distance from target: ours {abs(our_level.integrated - TARGET):.1f} LU, ffmpeg-normalize {abs(peer_level.integrated - TARGET):.1f} LU")
    for path in (ours_dir / f"{case}.mp3", peer_out, source):
        path.unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--case", choices=[*CASES, "all"], default="all")
    parser.add_argument("--only-ours", action="store_true", help="skip ffmpeg-normalize (memory check on long files)")
    args = parser.parse_args()
    env = {**os.environ, "FFMPEG_PATH": ffmpeg.executable()}  # ffmpeg-normalize's way to find ffmpeg
    cases = list(CASES) if args.case == "all" else [args.case]
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            if case == "readers" and not montage.READERS.is_dir():
                print(f"\nreaders: skipped, no evaluation audio at {montage.READERS} (../shared/eval beside the project)")
                continue
            compare(case, args.minutes, args.only_ours, Path(tmp), env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
