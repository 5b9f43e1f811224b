"""Time the transcriptions of a build in this process against a Dask cluster's workers.

Makes a show of EPISODES episodes of real French speech (the clips of ../shared/eval/fr-read,
joined), normalises them, then times the rest of the build three ways on copies of it: serial,
`--executor dask` alone (a local cluster, its start included), and a LocalCluster of two
single-threaded worker processes given with --scheduler. Prints the times and whether the
transcripts are byte for byte the serial ones.

    .venv/bin/python bench/cluster.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval" / "fr-read"
EPISODES = 4
SHOW = """\
title = "Banc d'essai"
description = "Une émission de mesure."
language = "fr"
author = "Camille Durand"
categories = ["Business > Careers"]
artwork = "artwork.png"

[owner]
name = "Camille Durand"
email = "camille@example.org"
"""


def make_show(root: Path) -> float:
    """The show, its episodes made of the eval clips in turn; returns the seconds of speech."""
    from pipeline.audio import ffmpeg

    (root / "episodes").mkdir(parents=True)
    (root / "podcast.toml").write_text(SHOW, encoding="utf-8")
    shutil.copyfile(REPO / "assets" / "artwork.png", root / "artwork.png")
    clips = sorted(p for p in EVAL.iterdir() if p.suffix in (".ogg", ".wav"))
    seconds = 0.0
    for n in range(EPISODES):
        folder = root / "episodes" / f"{n + 1:03d}-mesure"
        folder.mkdir()
        mine = clips[n::EPISODES]
        for clip in mine:
            shutil.copyfile(clip, folder / clip.name)
            seconds += ffmpeg.probe(clip).duration
        names = ", ".join(f'"{clip.name}"' for clip in mine)
        (folder / "episode.toml").write_text(f'title = "Mesure {n + 1}"\npublished = 2026-01-05\naudio = [{names}]\n', encoding="utf-8")
    return seconds


def podcast(root: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("podcast")), "build", "--root", str(root), *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def transcripts(root: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted((root / ".build" / "episodes").glob("*/transcript.json"))}


def main() -> int:
    if not EVAL.is_dir():
        print(f"{EVAL} is not here: this benchmark needs the shared evaluation audio", file=sys.stderr)
        return 1
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        copies = {name: Path(tmp) / name for name in ("serial", "dask-local", "dask-2-workers")}
        for copy in copies.values():  # each its own: the build cache records absolute paths
            speech = make_show(copy)
            podcast(copy, "--only", "normalise")
        times = {"serial": podcast(copies["serial"]), "dask-local": podcast(copies["dask-local"], "--executor", "dask")}
        started = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
            ready = time.perf_counter() - started
            times["dask-2-workers"] = podcast(copies["dask-2-workers"], "--executor", "dask", "--scheduler", cluster.scheduler_address)
        serial = transcripts(copies["serial"])
        print(f"{EPISODES} episodes, {speech:.0f} s of French speech, already normalised; the rest of the build:")
        for name, seconds in times.items():
            same = "" if name == "serial" else ("  same transcripts" if transcripts(copies[name]) == serial else "  TRANSCRIPTS DIFFER")
            print(f"  {name:<15} {seconds:6.1f} s{same}")
        print(f"  (the two-worker LocalCluster took {ready:.1f} s to start, not counted above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
