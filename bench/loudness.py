"""The normalise stage against ffmpeg-normalize, side by side on a long file made here.

Both level the same generated speech-like recording (phone-style AAC in .m4a) to the same
targets and write a 44.1 kHz MP3 at the same bitrate. For each: wall time, peak memory (the
tool and every process it starts, sampled every 50 ms), and the loudness and true peak of the
file it wrote, measured afterwards by one and the same ebur128 meter.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/loudness.py                 # 60 minutes
    .venv/bin/python bench/loudness.py --minutes 180   # the 3-hour memory check
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

from pipeline import ffmpeg
from pipeline.loudness import measure

TARGET, TRUE_PEAK, BITRATE = -16.0, -1.0, "64k"


def make_recording(path: Path, minutes: float) -> None:
    """Pink noise shaped like speech: syllables at 4 Hz, pauses every few seconds, about -27 LUFS."""
    envelope = "0.05+0.95*gt(sin(2*PI*0.23*t),-0.5)*(0.5+0.5*sin(2*PI*4*t))"
    ffmpeg.run(
        ["-f", "lavfi", "-i", f"anoisesrc=d={minutes * 60}:c=pink:r=48000:a=0.25",
         "-af", f"bandpass=f=900:width_type=h:w=1600,volume='{envelope}':eval=frame",
         "-ac", "1", "-c:a", "aac", "-b:a", "96k", str(path)],
        about=path,
    )


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB, summed over the process tree) of `command`."""
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
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{stderr.decode(errors='replace')[-2000:]}")
    return time.perf_counter() - started, peak / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--only-ours", action="store_true", help="skip ffmpeg-normalize (memory check on long files)")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "FFMPEG_PATH": ffmpeg.executable()}  # ffmpeg-normalize's way to find ffmpeg
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "interview.m4a"
        print(f"making a {args.minutes:g}-minute recording…", flush=True)
        make_recording(source, args.minutes)
        ours_dir, peer_out = folder / "ours", folder / "peer.mp3"
        ours = run_measured([str(bin_dir / "podcast"), "normalise", str(source), "--output", str(ours_dir),
                             "--target", str(TARGET), "--true-peak", str(TRUE_PEAK)], env)
        rows = [("podcast normalise", ours, measure(ours_dir / "interview.mp3"))]
        if not args.only_ours:
            peer_tool = shutil.which("ffmpeg-normalize", path=str(bin_dir)) or "ffmpeg-normalize"
            peer = run_measured([peer_tool, str(source), "-nt", "ebu", "-t", str(TARGET), "-tp", str(TRUE_PEAK),
                                 "-c:a", "libmp3lame", "-b:a", BITRATE, "-ar", "44100", "-o", str(peer_out), "-f"], env)
            rows.append(("ffmpeg-normalize", peer, measure(peer_out)))
    print(f"\n{args.minutes:g} min of mono speech-like AAC → 44.1 kHz {BITRATE} MP3, target {TARGET} LUFS / {TRUE_PEAK} dBTP")
    print(f"{'tool':<20}{'wall s':>9}{'peak MB':>9}{'LUFS':>8}{'dBTP':>8}")
    for name, (seconds, memory), level in rows:
        print(f"{name:<20}{seconds:>9.1f}{memory:>9.0f}{level['integrated']:>8.1f}{level['true_peak']:>8.1f}")
    if len(rows) == 2:
        (_, (our_s, our_mb), our_level), (_, (peer_s, peer_mb), peer_level) = rows
        print(f"\nratio ours / ffmpeg-normalize: wall {our_s / peer_s:.2f}, peak memory {our_mb / peer_mb:.2f}")
        print(f"distance from target: ours {abs(our_level['integrated'] - TARGET):.1f} LU, "
              f"ffmpeg-normalize {abs(peer_level['integrated'] - TARGET):.1f} LU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
